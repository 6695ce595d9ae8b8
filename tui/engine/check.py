"""Static checks of a loaded bundle: names, order, choice values, reachability.

Every problem names ``file:line``. The reachability check searches for answers under which
a question's conditions hold, trying every choice and yes/no value and representative
numbers and dates; a question for which no such answers exist is reported as unreachable.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from jinja2 import nodes

from tui.engine import dates
from tui.engine.expr import BUILTIN_NAMES, Expression, ExpressionError, find_all, template_names
from tui.engine.measurecheck import measure_problems
from tui.engine.model import (
    SPECIAL_CATEGORIES,
    Bundle,
    Computed,
    GroupRule,
    Item,
    Measure,
    Problem,
    Question,
    Script,
    Section,
    Where,
)

_MAX_COMBINATIONS = 20000
#: Built-in names that exist only in some places: the client's groups once the profile is
#: done, and the answer being checked inside a ``validate`` rule.
_CONTEXTUAL = frozenset({"groups", "value"})
_CONTEXTUAL_WHY = {
    "groups": "«groups» здесь ещё не известны: клиентские группы определяются после профилирования",
    "value": "«value» (проверяемый ответ) есть только в правилах проверки «validate»",
}


def check_bundle(bundle: Bundle, reachability: bool = True) -> list[Problem]:
    """Every static problem of ``bundle``. The reachability search (a lint: an unreachable
    question breaks nothing at run time) can be left to ``sobesednik check``."""
    c = _Checker(bundle)
    c.run(reachability)
    return c.problems


class _Checker:
    def __init__(self, bundle: Bundle) -> None:
        self.b = bundle
        self.problems: list[Problem] = []
        # The first of two items with one id is the one the duplicate check points to.
        self.items: dict[str, Item] = {}
        for item in bundle.items():
            self.items.setdefault(item.id, item)
        self.questions = {k: v for k, v in self.items.items() if isinstance(v, Question)}
        self.group_ids = {g.id for g in bundle.groups}

    def add(self, where: Where, message: str) -> None:
        self.problems.append(Problem(where.path, where.line, message))

    # ------------------------------------------------------------------ driver

    def run(self, reachability: bool = True) -> None:
        if not self.b.files:
            return
        self.required_scripts()
        self.duplicates()
        self.special_consent()
        self.consent_groups()
        if self.b.profile:
            self.script_names(self.b.profile, set())
            self.consent_first(self.b.profile)
        facts = self.group_computed_names()
        self.group_rule_names(facts)
        self.module_names(facts)
        self.measure_names()
        if reachability:
            self.reachability()

    def required_scripts(self) -> None:
        """A bundle needs a profiling script and the client-group rules."""
        first = Where(self.b.files[0], 0)
        if self.b.profile is None:
            self.add(first, "нет сценария профилирования (kind: profile)")
        if not self.b.groups:
            self.add(first, "нет правил клиентских групп (kind: groups)")

    def consent_first(self, profile: Script) -> None:
        """Nothing is stored before consent: the first question must be that consent."""
        first = next((i for i in profile.items() if isinstance(i, Question)), None)
        if first is None:
            self.add(profile.where, "в профилировании нет ни одного вопроса")
        elif first.type != "yes_no" or first.when is not None or not first.required:
            self.add(
                first.where,
                f"первый вопрос профилирования «{first.id}» должен быть обязательным вопросом да/нет "
                "о согласии на обработку персональных данных, без условия «when»",
            )
        elif not any(r.expr.source.strip() == "value" for r in first.rules):
            self.add(
                first.where,
                f"вопрос согласия «{first.id}» должен отказывать в ответе «нет»: "
                "добавьте правило «validate: - rule: value» с сообщением",
            )

    def special_consent(self) -> None:
        """A question holding a special category of data (``special: health``) is asked only
        after the separate consent to it: its condition, or its section's, requires the
        question marked ``consent_for`` that category (152-ФЗ ст. 10)."""
        consents: dict[str, Question] = {}
        for q in self.questions.values():
            if q.consent_for is None:
                continue
            first = consents.setdefault(q.consent_for, q)
            if first is not q:
                self.add(
                    q.where.at("consent_for"),
                    f"второй вопрос согласия на категорию «{q.consent_for}» "
                    f"(первый: «{first.id}», {first.where.path}:{first.where.at('id').line})",
                )
            if q.special is not None:
                self.add(q.where.at("special"),
                         f"вопрос согласия «{q.id}» сам не может быть отмечен «special»")
        for q in self.questions.values():
            if q.special is None or q.consent_for is not None:
                continue
            consent = consents.get(q.special)
            what = SPECIAL_CATEGORIES.get(q.special, q.special)
            if consent is None:
                self.add(
                    q.where.at("special"),
                    f"вопрос «{q.id}» отмечен «special: {q.special}» ({what}), но нет вопроса "
                    f"отдельного согласия на эту категорию: отметьте его «consent_for: {q.special}»",
                )
                continue
            conditions = [e for e in (q.when, q.section.when if q.section else None) if e is not None]
            if not any(_requires(e.ast, consent.id) for e in conditions):
                self.add(
                    q.where.at("when") if q.when is not None else q.where.at("special"),
                    f"вопрос «{q.id}» отмечен «special: {q.special}» ({what}): его задают только "
                    f"после отдельного согласия — условие «when» вопроса или его раздела должно "
                    f"требовать «{consent.id}» («{consent.id} and …»)",
                )

    def consent_groups(self) -> None:
        """A group that is a special category of data (``needs_consent``) is assessed only
        with the separate consent to it: a question must record that consent."""
        consents = {q.consent_for for q in self.questions.values() if q.consent_for}
        for g in self.b.groups:
            if g.needs_consent is not None and g.needs_consent not in consents:
                self.add(
                    g.where.at("needs_consent"),
                    f"группа «{g.id}» требует согласия «needs_consent: {g.needs_consent}», но нет "
                    f"вопроса этого согласия: отметьте его «consent_for: {g.needs_consent}»",
                )

    def duplicates(self) -> None:
        self.duplicate_sections()
        self.duplicate_item_ids()
        self.duplicate_entries("группа", self.b.groups)
        self.duplicate_entries("мера", self.b.measures)
        self.duplicate_modules()

    def duplicate_sections(self) -> None:
        for script in self.b.scripts():
            sections: set[str] = set()
            for section in script.sections:
                if section.id in sections:
                    self.add(section.where, f"раздел «{section.id}» повторяется в сценарии")
                sections.add(section.id)

    def duplicate_item_ids(self) -> None:
        """Questions and computed values (of scripts and of the groups file) share one namespace."""
        seen: dict[str, Where] = {}
        for item in self.b.items():
            where = item.where.at("id")
            if item.id in seen:
                first = seen[item.id]
                self.add(where, f"id «{item.id}» повторяется (впервые: {first.path}:{first.line})")
            else:
                seen[item.id] = where
            if item.id in BUILTIN_NAMES:
                self.add(where, f"id «{item.id}» занят встроенным именем")

    def duplicate_entries(self, what: str, entries: Iterable[GroupRule | Measure]) -> None:
        ids: dict[str, Where] = {}
        for e in entries:
            where = e.where.at("id")
            if e.id in ids:
                first = ids[e.id]
                self.add(where, f"{what} «{e.id}» повторяется (впервые: {first.path}:{first.line})")
            else:
                ids[e.id] = where

    def duplicate_modules(self) -> None:
        modules: dict[str, Script] = {}
        for m in self.b.modules:
            if m.group in modules:
                first = modules[m.group].where.at("group")
                self.add(
                    m.where.at("group"),
                    f"второй модуль для группы «{m.group}» (первый: {first.path}:{first.line})",
                )
            else:
                modules[m.group or ""] = m

    # ------------------------------------------------------------------ names

    def group_computed_names(self) -> set[str]:
        """Each computed value of the groups file reads the profile and the values before it.
        Returns what group rules may read: the profile's ids and those values."""
        facts = {i.id for i in self.b.profile.items()} if self.b.profile else set()
        computed_ids = {c.id for c in self.b.group_computed}
        for c in self.b.group_computed:
            self.names(c.expr, c.where, f"«{c.id}»", facts, computed_ids, "compute")
            self.choice_values(c.expr, c.where.at("compute"))
            facts.add(c.id)
        return facts

    def group_rule_names(self, facts: set[str]) -> None:
        for g in self.b.groups:
            self.names(g.rule, g.where, "правило группы", facts, set(), "rule")
            self.choice_values(g.rule, g.where.at("rule"))
            for key in ("undecided_if", "near"):
                expr = getattr(g, key)
                if expr is not None:
                    self.names(expr, g.where, f"«{key}» группы «{g.id}»", facts, set(), key)
                    self.choice_values(expr, g.where.at(key))
            for key in ("because", "because_not", "because_undecided", "because_not_assessed"):
                text = getattr(g, key)
                if text:
                    self.text_names(text, g.where.at(key), facts)

    def module_names(self, facts: set[str]) -> None:
        """A module reads the facts and the client's groups besides its own answers."""
        for module in self.b.modules:
            if module.group is not None and module.group not in self.group_ids:
                self.add(module.where.at("group"), f"модуль для неизвестной группы «{module.group}»")
            self.script_names(module, facts | {"groups"})

    def measure_names(self) -> None:
        """A measure's condition and texts may read any answer and the client's groups; the
        catalog as the plan merges it is :func:`~tui.engine.measurecheck.measure_problems`."""
        all_ids = set(self.items) | {"groups"}
        for m in self.b.measures:
            for gid in m.groups:
                if gid not in self.group_ids:
                    self.add(m.where.at("groups"), f"мера «{m.id}»: неизвестная группа «{gid}»")
            if m.when is not None:
                self.names(m.when, m.where, f"условие меры «{m.id}»", all_ids, set(), "when")
                self.choice_values(m.when, m.where.at("when"))
            for key in ("detail", "commitment", "client", "client_detail"):
                text = getattr(m, key)
                if text and "{" in text:
                    self.text_names(text, m.where.at(key), all_ids)
        self.problems.extend(measure_problems(self.b.measures))

    def script_names(self, script: Script, outer: set[str]) -> None:
        """Each expression may read only what is known before it in interview order."""
        earlier = set(outer)
        script_ids = {i.id for i in script.items()}
        for section in script.sections:
            if section.when is not None:
                self.names(section.when, section.where, "условие раздела", earlier, script_ids, "when")
                self.choice_values(section.when, section.where.at("when"))
            for item in section.items:
                if isinstance(item, Computed):
                    self.names(item.expr, item.where, f"«{item.id}»", earlier, script_ids, "compute")
                    earlier.add(item.id)
                    continue
                q: Question = item
                if q.when is not None:
                    self.names(q.when, q.where, f"условие вопроса «{q.id}»", earlier, script_ids, "when")
                    self.choice_values(q.when, q.where.at("when"))
                for key, expr in (("min", q.min), ("max", q.max)):
                    if expr is not None:
                        self.names(expr, q.where, f"граница {key} вопроса «{q.id}»", earlier, script_ids, key)
                for rule in q.rules:
                    self.names(rule.expr, rule.where, f"правило проверки «{q.id}»",
                               earlier | {q.id, "value"}, script_ids, "rule")
                    if "{" in rule.message:
                        self.text_names(rule.message, rule.where.at("message"), earlier | {q.id, "value"})
                    self.choice_values(rule.expr, rule.where.at("rule"), own=q)
                earlier.add(q.id)

    def names(
        self, expr: Expression, where: Where, what: str, known: set[str], later: set[str],
        key: str,
    ) -> None:
        where = where.at(key)
        for name in sorted(expr.names):
            if name in known or (name in BUILTIN_NAMES and name not in _CONTEXTUAL):
                continue
            if name in _CONTEXTUAL:
                self.add(where, f"{what}: {_CONTEXTUAL_WHY[name]}")
            elif name in later or name in self.items:
                other = self.items.get(name)
                at = f" ({other.where.path}:{other.where.line})" if other else ""
                self.add(where, f"{what}: «{name}» ещё не спрошен в этом месте интервью{at}")
            else:
                self.add(where, f"{what}: неизвестный вопрос «{name}»")
        self.params(expr.ast, where, what)

    def params(self, ast: nodes.Node | None, where: Where, what: str) -> None:
        if ast is None:
            return
        for node in find_all(ast, nodes.Getattr):
            if isinstance(node.node, nodes.Name) and node.node.name == "params":
                if node.attr not in self.b.params:
                    self.add(where, f"{what}: неизвестный параметр «params.{node.attr}»")

    def text_names(self, text: str, where: Where, known: set[str]) -> None:
        try:
            names = template_names(text)
        except ExpressionError as exc:
            self.add(where, str(exc))
            return
        for name in sorted(names - known - (BUILTIN_NAMES - _CONTEXTUAL)):
            if name in _CONTEXTUAL:
                self.add(where, f"текст: {_CONTEXTUAL_WHY[name]}")
            else:
                self.add(where, f"текст ссылается на неизвестный вопрос «{name}»")

    # ------------------------------------------------------------------ choice values

    def choice_values(self, expr: Expression, where: Where, own: Question | None = None) -> None:
        if expr.ast is None:
            return
        for cmp in find_all(expr.ast, nodes.Compare):
            operands = [cmp.expr] + [op.expr for op in cmp.ops]
            self._group_constants(operands, where)
            self._choice_constants(operands, where, own)

    def _group_constants(self, operands: list[nodes.Node], where: Where) -> None:
        """Text compared with ``groups`` must be the id of a client group."""
        for i, node in enumerate(operands):
            if not (isinstance(node, nodes.Name) and node.name == "groups"):
                continue
            for other in operands[:i] + operands[i + 1:]:
                for const in _constants(other):
                    if isinstance(const, str) and const not in self.group_ids:
                        known = ", ".join(sorted(self.group_ids))
                        self.add(where, f"нет клиентской группы «{const}» (есть: {known})")

    def _choice_constants(self, operands: list[nodes.Node], where: Where, own: Question | None) -> None:
        """Constants compared with a question's answer must be values that answer can take."""
        for i, node in enumerate(operands):
            q = self._question_of(node, own)
            if q is None:
                continue
            for j, other in enumerate(operands):
                if i == j:
                    continue
                for const in _constants(other):
                    self._check_constant(q, const, where)

    def _question_of(self, node: nodes.Node, own: Question | None) -> Question | None:
        if isinstance(node, nodes.Name):
            if node.name == "value" and own is not None:
                return own
            return self.questions.get(node.name)
        return None

    def _check_constant(self, q: Question, const: Any, where: Where) -> None:
        if q.type in ("choice", "multi_choice"):
            if isinstance(const, str) and const not in q.choice_values:
                self.add(
                    where,
                    f"у вопроса «{q.id}» нет варианта «{const}» (есть: {', '.join(q.choice_values)})",
                )
        elif q.type == "yes_no" and isinstance(const, str):
            self.add(where, f"«{q.id}» — вопрос да/нет: сравнивайте с true/false, а не «{const}»")

    # ------------------------------------------------------------------ reachability

    def reachability(self) -> None:
        if self.b.profile is None:
            return
        samples = _Samples(self)
        for script in self.b.scripts():
            for section in script.sections:
                self._section_reachability(samples, section, script.group)
        for rule in self.b.groups:
            if not samples.satisfiable([rule.rule], None):
                self.add(
                    rule.where.at("rule"),
                    f"группа «{rule.id}» недостижима: её правило не выполняется ни при каких ответах",
                )

    def _section_reachability(self, samples: _Samples, section: Section, group: str | None) -> None:
        """A section, else each of its conditional questions, must be reachable."""
        if section.when is not None and not samples.satisfiable([section.when], group):
            self.add(
                section.where.at("when"),
                f"раздел «{section.id}» недостижим: его условие не выполняется "
                "ни при каких ответах",
            )
            return
        for item in section.items:
            if not isinstance(item, Question):
                continue
            conds = [e for e in (section.when, item.when) if e is not None]
            if conds and not samples.satisfiable(conds, group):
                self.add(
                    item.where.at("when") if item.when else section.where.at("when"),
                    f"вопрос «{item.id}» недостижим: его условие не выполняется "
                    "ни при каких ответах",
                )


def _requires(node: nodes.Node | None, name: str) -> bool:
    """True when the condition can hold only if the yes/no answer ``name`` is «yes»: it is
    ``name``, ``name == true``, or a conjunction (``and``) with one of them in it."""
    if isinstance(node, nodes.Name):
        return node.name == name
    if isinstance(node, nodes.And):
        return _requires(node.left, name) or _requires(node.right, name)
    if isinstance(node, nodes.Compare) and len(node.ops) == 1 and node.ops[0].op == "eq":
        pair = (node.expr, node.ops[0].expr)
        return any(
            isinstance(a, nodes.Name) and a.name == name and isinstance(b, nodes.Const) and b.value is True
            for a, b in (pair, pair[::-1])
        )
    return False


def _constants(node: nodes.Node) -> Iterator[Any]:
    if isinstance(node, nodes.Const):
        # Jinja folds a literal list such as ['a', 'b'] into one constant.
        if isinstance(node.value, list | tuple):
            yield from node.value
        else:
            yield node.value
    elif isinstance(node, nodes.List | nodes.Tuple):
        for item in node.items:
            if isinstance(item, nodes.Const):
                yield item.value


class _Samples:
    """Representative values per question, for the search behind reachability."""

    def __init__(self, checker: _Checker) -> None:
        self.c = checker
        self.today = date(2026, 6, 15)
        self.order = list(checker.items)

    def values_for(self, q: Question) -> list[Any]:
        t = q.type
        base: list[Any] = [None]
        if t == "yes_no":
            return base + [True, False]
        if t == "choice":
            return base + q.choice_values
        if t == "multi_choice":
            vals = q.choice_values
            return base + [[v] for v in vals] + ([vals] if len(vals) > 1 else [])
        if t in ("integer", "number"):
            nums: set[int | float] = {0, 1, 2, 3, 5, 7, 8, 10, 14, 15, 18, 20, 23, 25, 35, 36, 50, 60, 100}
            for bound in (q.min, q.max):
                v = self._literal(bound)
                if isinstance(v, int | float):
                    nums |= {v, v - 1, v + 1}
            lo, hi = self._literal(q.min), self._literal(q.max)
            nums = {n for n in nums if (lo is None or n >= lo) and (hi is None or n <= hi)}
            return base + sorted(nums)
        if t == "date":
            offsets = (0, 1, 6, 11, 12, 13, 24, 36, 60, 84, 96, 120, 168, 216, 276, 300, 420,
                       432, 600, 660, 720, 780, 900)
            return base + [dates.add_months(self.today, -m) for m in offsets]
        return base + ["текст"]

    def satisfiable(self, conds: list[Expression], group: str | None) -> bool:
        needed = self._closure(set().union(*(e.names for e in conds)))
        questions = [self.c.questions[n] for n in self.order if n in needed and n in self.c.questions]
        domains = [self.values_for(q) for q in questions]
        total = 1
        for d in domains:
            total *= len(d)
        if total > _MAX_COMBINATIONS:
            return True  # too many to search: do not claim unreachable
        groups_samples: list[list[str]] = [[]]
        if "groups" in needed:
            ids = sorted(self.c.group_ids)
            groups_samples = [[group] if group else [], ids] + [[g] for g in ids]
        computed = [item for item in (self.c.items[n] for n in self.order if n in needed)
                    if isinstance(item, Computed)]
        base = {"today": self.today, "params": self.c.b.params}
        for combo in itertools.product(*domains):
            ctx = dict(base)
            ctx.update({n: None for n in needed if n in self.c.items})
            ctx.update({q.id: v for q, v in zip(questions, combo, strict=True)})
            for gs in groups_samples:
                ctx["groups"] = gs
                for item in computed:
                    try:
                        ctx[item.id] = item.expr.evaluate(ctx)
                    except Exception:  # noqa: BLE001 - any failure means "no value" here
                        ctx[item.id] = None
                try:
                    if all(e.test(ctx) for e in conds):
                        return True
                except Exception:  # noqa: BLE001 - cannot tell: do not claim unreachable
                    return True
        return False

    def _closure(self, names: Iterable[str]) -> set[str]:
        out: set[str] = set()
        todo = list(names)
        while todo:
            n = todo.pop()
            if n in out:
                continue
            out.add(n)
            item = self.c.items.get(n)
            if isinstance(item, Computed):
                todo.extend(item.expr.names)
        return out

    def _literal(self, expr: Expression | None) -> Any:
        """A bound that does not depend on answers (a number or ``params.x``), else None."""
        if expr is None or expr.ast is None:
            return None
        try:
            return expr.evaluate({"today": self.today, "params": self.c.b.params})
        except Exception:  # noqa: BLE001 - depends on answers
            return None
