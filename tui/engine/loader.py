"""Loading interview scripts (YAML) into the model of :mod:`tui.engine.model`, with every
problem named.

Loading never raises on a bad script: every problem is collected as a
:class:`~tui.engine.model.Problem` (``file:line: what``), then the whole bundle is
checked (:mod:`tui.engine.check`), so the ``check`` command and the app show the same
messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tui.engine.check import check_bundle
from tui.engine.expr import Expression, ExpressionError, compile_expression
from tui.engine.limits import MAX_PLAN_DAYS
from tui.engine.model import (
    KINDS,
    ONGOING,
    QUESTION_TYPES,
    RESPONSIBLE,
    SPECIAL_CATEGORIES,
    Bundle,
    Choice,
    Computed,
    GroupRule,
    Item,
    Measure,
    Problem,
    Question,
    Rule,
    Script,
    ScriptError,
    Section,
    Where,
)
from tui.engine.textsafe import clip
from tui.engine.yamlsrc import SrcDict, SrcList, YamlError, load_file


class _Reader:
    """Reads one file's structure, reporting problems instead of raising."""

    def __init__(self, path: str, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def where(self, node: Any, key: str | None = None) -> Where:
        if isinstance(node, SrcDict):
            line = node.line_of(key) if key else node.line
            return Where(self.path, line, dict(getattr(node, "key_lines", {})))
        return Where(self.path, getattr(node, "line", 0))

    def keys(self, node: SrcDict, allowed: Iterable[str], what: str) -> None:
        allowed = set(allowed)
        for key in node:
            if key not in allowed:
                hint = ", ".join(sorted(allowed))
                self.problem(
                    node.line_of(key), f"неизвестный ключ «{clip(key)}» в {what} (допустимы: {hint})"
                )

    def mapping(self, node: Any, line: int, what: str) -> SrcDict | None:
        if isinstance(node, SrcDict):
            return node
        self.problem(line, f"{what} должен быть словарём (ключ: значение), а не {_kind(node)}")
        return None

    def seq(self, node: SrcDict, key: str, required: bool = False) -> SrcList:
        value = node.get(key)
        if value is None:
            if required:
                self.problem(node.line, f"нет обязательного ключа «{key}»")
            return SrcList()
        if not isinstance(value, SrcList):
            self.problem(node.line_of(key), f"«{key}» должен быть списком, а не {_kind(value)}")
            return SrcList()
        return value

    def text(self, node: SrcDict, key: str, required: bool = False) -> str | None:
        value = node.get(key)
        if value is None:
            if required:
                self.problem(node.line, f"нет обязательного ключа «{key}»")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.problem(node.line_of(key), f"«{key}» должен быть текстом, а не {_kind(value)}")
            return None
        text = str(value).strip()
        if required and not text:
            self.problem(node.line_of(key), f"«{key}» пуст: он обязателен")
            return None
        return text

    def integer(
        self, node: SrcDict, key: str, required: bool = False, upto: int | None = None
    ) -> int | None:
        """An integer; with ``upto``, one from 0 to ``upto``."""
        value = node.get(key)
        if value is None:
            if required:
                self.problem(node.line, f"нет обязательного ключа «{key}»")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(node.line_of(key), f"«{key}» должен быть целым числом, а не {_kind(value)}")
            return None
        if upto is not None and not 0 <= value <= upto:
            self.problem(node.line_of(key), f"«{key}» должен быть от 0 до {upto}, а не {value}")
            return None
        return value

    def boolean(self, node: SrcDict, key: str, default: bool) -> bool:
        value = node.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem(node.line_of(key), f"«{key}» должен быть true или false, а не {_kind(value)}")
            return default
        return value

    def expr(self, node: SrcDict, key: str, required: bool = False) -> Expression | None:
        value = node.get(key)
        if value is None:
            if required:
                self.problem(node.line, f"нет обязательного ключа «{key}»")
            return None
        if isinstance(value, bool):
            value = "true" if value else "false"
        if isinstance(value, int | float):
            value = repr(value)
        if not isinstance(value, str):
            self.problem(node.line_of(key), f"«{key}» должен быть выражением, а не {_kind(value)}")
            return None
        try:
            return compile_expression(value)
        except ExpressionError as exc:
            self.problem(node.line_of(key), f"«{key}»: {exc}")
            return None

    def string_list(self, node: SrcDict, key: str) -> list[str]:
        out = []
        seq = self.seq(node, key)
        for i, item in enumerate(seq):
            if isinstance(item, str):
                out.append(item.strip())
            else:
                self.problem(seq.line_of(i), f"элемент «{key}» должен быть текстом, а не {_kind(item)}")
        return out


def _kind(value: Any) -> str:
    if isinstance(value, SrcDict | dict):
        return "словарь"
    if isinstance(value, SrcList | list):
        return "список"
    if isinstance(value, bool):
        return "да/нет"
    if isinstance(value, int | float):
        return f"число {value}"
    if value is None:
        return "пустое значение"
    return f"«{clip(str(value))}»"


_COMMON = ("kind", "id", "version", "title", "description")
_SCRIPT_KEYS = {
    "profile": (*_COMMON, "consent", "sections"),
    "module": (*_COMMON, "group", "order", "traits", "approach", "sections"),
    "groups": (*_COMMON, "params", "compute", "groups"),
    "measures": (*_COMMON, "measures"),
}
_SECTION_KEYS = ("id", "title", "when", "questions")
_QUESTION_KEYS = (
    "id", "type", "ask", "ask_client", "help", "required", "when", "choices", "min", "max",
    "max_length", "placeholder", "validate", "special", "consent_for", "desk_only",
)
_COMPUTED_KEYS = ("id", "compute", "note")
_CHOICE_KEYS = ("value", "label", "label_client")
_RULE_KEYS = ("rule", "message", "confirm")
_GROUP_KEYS = (
    "id", "title", "rule", "because", "source", "undecided_if", "because_undecided", "because_not",
    "near", "needs_consent", "because_not_assessed",
)
_MEASURE_KEYS = (
    "id", "text", "groups", "responsible", "deadline_days", "when", "detail", "commitment",
    "action", "client", "client_detail", "institutional", "ongoing", "baseline",
)
_ID_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")
#: Question types whose answers may have bounds (``min``, ``max``).
_BOUNDED_TYPES = ("integer", "number", "date", "multi_choice")


def _valid_id(value: str) -> bool:
    return bool(value) and value[0].isalpha() and set(value) <= _ID_CHARS


def _read_file(path: Path, problems: list[Problem]) -> tuple[str | None, SrcDict | None]:
    try:
        data = load_file(path)
    except YamlError as exc:
        problems.append(Problem(str(path), exc.line, exc.message))
        return None, None
    r = _Reader(str(path), problems)
    if data is None:
        r.problem(1, "файл пуст")
        return None, None
    node = r.mapping(data, 1, "сценарий")
    if node is None:
        return None, None
    kind = node.get("kind")
    if kind not in KINDS:
        line = node.line_of("kind") if "kind" in node else node.line
        r.problem(line, f"«kind» должен быть одним из: {', '.join(KINDS)} (сейчас: {_kind(kind)})")
        return None, None
    r.keys(node, _SCRIPT_KEYS[kind], f"сценарии вида {kind}")
    return kind, node


def _read_script(r: _Reader, node: SrcDict, kind: str) -> Script:
    sid = r.text(node, "id", required=True) or Path(r.path).stem
    if not _valid_id(sid):
        r.problem(node.line_of("id"), f"id «{clip(sid)}»: только латинские строчные буквы, цифры и _")
    version = r.integer(node, "version", required=True) or 0
    title = r.text(node, "title", required=True) or sid
    script = Script(id=sid, version=version, title=title, kind=kind, where=r.where(node))
    if kind == "module":
        script.group = r.text(node, "group", required=True)
        order = r.integer(node, "order")
        script.order = 100 if order is None else order
        script.traits = r.string_list(node, "traits")
        script.approach = r.string_list(node, "approach")
    if kind == "profile":
        consent = node.get("consent")
        if consent is None:
            r.problem(node.line, "у профилирования нет блока «consent» (согласие на обработку ПДн)")
        elif (c := r.mapping(consent, node.line_of("consent"), "consent")) is not None:
            r.keys(c, ("version", "text", "categories"), "consent")
            script.consent = {
                "version": r.text(c, "version", required=True),
                "text": r.text(c, "text", required=True),
                "categories": r.string_list(c, "categories"),
            }
    seq = r.seq(node, "sections", required=True)
    for i, raw in enumerate(seq):
        section_node = r.mapping(raw, seq.line_of(i), "раздел")
        if section_node is not None:
            script.sections.append(_read_section(r, section_node, script))
    return script


def _read_section(r: _Reader, node: SrcDict, script: Script) -> Section:
    r.keys(node, _SECTION_KEYS, "разделе")
    section = Section(
        id=r.text(node, "id", required=True) or "",
        title=r.text(node, "title", required=True) or "",
        when=r.expr(node, "when"),
        where=r.where(node),
    )
    seq = r.seq(node, "questions", required=True)
    for i, raw in enumerate(seq):
        item_node = r.mapping(raw, seq.line_of(i), "вопрос")
        if item_node is None:
            continue
        item = _read_item(r, item_node)
        if item is not None:
            item.section = section
            item.script = script
            section.items.append(item)
    return section


def _read_item(r: _Reader, node: SrcDict) -> Item | None:
    qid = _read_item_id(r, node)
    if "compute" in node:
        return _read_computed(r, node, qid)
    return _read_question(r, node, qid)


def _read_item_id(r: _Reader, node: SrcDict) -> str | None:
    qid = r.text(node, "id", required=True)
    if qid is not None and not _valid_id(qid):
        r.problem(node.line_of("id"), f"id «{clip(qid)}»: только латинские строчные буквы, цифры и _")
    return qid


def _read_computed(r: _Reader, node: SrcDict, qid: str | None) -> Computed | None:
    r.keys(node, _COMPUTED_KEYS, "вычисляемом значении")
    expr = r.expr(node, "compute", required=True)
    if qid is None or expr is None:
        return None
    return Computed(id=qid, expr=expr, where=r.where(node))


def _read_question(r: _Reader, node: SrcDict, qid: str | None) -> Question | None:
    r.keys(node, _QUESTION_KEYS, "вопросе")
    qtype = _read_question_type(r, node)
    ask = r.text(node, "ask", required=True)
    if qid is None or qtype is None or ask is None:
        return None
    q = Question(
        id=qid,
        type=qtype,
        ask=ask,
        where=r.where(node),
        ask_client=r.text(node, "ask_client"),
        help=r.text(node, "help"),
        required=r.boolean(node, "required", True),
        when=r.expr(node, "when"),
        min=r.expr(node, "min"),
        max=r.expr(node, "max"),
        max_length=r.integer(node, "max_length"),
        placeholder=r.text(node, "placeholder"),
        desk_only=r.boolean(node, "desk_only", False),
    )
    q.special = _read_category(r, node, "special")
    q.consent_for = _read_category(r, node, "consent_for")
    if q.consent_for is not None and qtype != "yes_no":
        r.problem(node.line_of("consent_for"), "вопрос согласия («consent_for») должен быть типа yes_no")
    _read_choices(r, node, q)
    if (q.min is not None or q.max is not None) and qtype not in _BOUNDED_TYPES:
        line = node.line_of("min" if "min" in node else "max")
        r.problem(line, f"границы min/max не применимы к вопросу типа «{qtype}»")
    q.rules.extend(_read_rules(r, node))
    return q


def _read_question_type(r: _Reader, node: SrcDict) -> str | None:
    qtype = r.text(node, "type", required=True)
    if qtype is not None and qtype not in QUESTION_TYPES:
        r.problem(
            node.line_of("type"),
            f"неизвестный тип вопроса «{clip(qtype)}» (допустимы: {', '.join(QUESTION_TYPES)})",
        )
        return None
    return qtype


def _read_category(r: _Reader, node: SrcDict, key: str) -> str | None:
    """A special category of personal data (``special``, ``consent_for``)."""
    category = r.text(node, key)
    if category is not None and category not in SPECIAL_CATEGORIES:
        r.problem(
            node.line_of(key),
            f"«{key}»: неизвестная особая категория данных «{clip(category)}» "
            f"(допустимы: {', '.join(SPECIAL_CATEGORIES)})",
        )
        return None
    return category


def _read_choices(r: _Reader, node: SrcDict, q: Question) -> None:
    if q.type not in ("choice", "multi_choice"):
        if "choices" in node:
            r.problem(node.line_of("choices"), f"варианты ответа не нужны вопросу типа «{q.type}»")
        return
    seq = r.seq(node, "choices", required=True)
    seen: set[str] = set()
    for i, raw in enumerate(seq):
        c = r.mapping(raw, seq.line_of(i), "вариант ответа")
        choice = _read_choice(r, c, seen) if c is not None else None
        if choice is not None:
            q.choices.append(choice)
    if not q.choices and seq:
        r.problem(node.line_of("choices"), "у вопроса нет ни одного варианта ответа")


def _read_choice(r: _Reader, c: SrcDict, seen: set[str]) -> Choice | None:
    """One answer option; ``seen`` holds the values of the options before it."""
    r.keys(c, _CHOICE_KEYS, "варианте ответа")
    value, label = c.get("value"), r.text(c, "label", required=True)
    if not isinstance(value, str) or not value:
        r.problem(
            c.line_of("value"),
            f"значение варианта должно быть текстом, а не {_kind(value)}"
            + (" (yes/no/true/false в YAML — это да/нет: возьмите в кавычки)"
               if isinstance(value, bool) else ""),
        )
        return None
    if value in seen:
        r.problem(c.line_of("value"), f"вариант «{value}» повторяется")
    seen.add(value)
    return Choice(value, label or value, r.text(c, "label_client"))


def _read_rules(r: _Reader, node: SrcDict) -> list[Rule]:
    """A question's validation rules (``validate``)."""
    rules: list[Rule] = []
    seq = r.seq(node, "validate")
    for i, raw in enumerate(seq):
        rn = r.mapping(raw, seq.line_of(i), "правило проверки")
        if rn is None:
            continue
        r.keys(rn, _RULE_KEYS, "правиле проверки")
        expr = r.expr(rn, "rule", required=True)
        message = r.text(rn, "message", required=True)
        confirm = r.boolean(rn, "confirm", False)
        if expr is not None and message is not None:
            rules.append(Rule(expr, message, r.where(rn), confirm))
    return rules


def _read_groups(r: _Reader, node: SrcDict, bundle: Bundle) -> None:
    _read_params(r, node, bundle)
    _read_group_computed(r, node, bundle)
    seq = r.seq(node, "groups", required=True)
    for i, raw in enumerate(seq):
        g = r.mapping(raw, seq.line_of(i), "группа")
        rule = _read_group(r, g) if g is not None else None
        if rule is not None:
            bundle.groups.append(rule)


def _read_params(r: _Reader, node: SrcDict, bundle: Bundle) -> None:
    """The groups file's ``params``; a parameter may be set by one file only."""
    params = node.get("params")
    if params is None:
        return
    p = r.mapping(params, node.line_of("params"), "params")
    if p is None:
        return
    for key, value in p.items():
        if key in bundle.params:
            first = bundle.params_where[key]
            r.problem(
                p.line_of(key),
                f"параметр «{key}» уже задан (впервые: {first.path}:{first.line})",
            )
            continue
        bundle.params[key] = value
        bundle.params_where[key] = Where(r.path, p.line_of(key))


def _read_group_computed(r: _Reader, node: SrcDict, bundle: Bundle) -> None:
    """The values the group rules share (the groups file's ``compute``)."""
    computed = r.seq(node, "compute")
    for i, raw in enumerate(computed):
        c = r.mapping(raw, computed.line_of(i), "вычисляемое значение")
        if c is None:
            continue
        if "compute" not in c:
            r.problem(c.line, "нет обязательного ключа «compute»")
            continue
        item = _read_item(r, c)
        if isinstance(item, Computed):
            bundle.group_computed.append(item)


def _read_group(r: _Reader, g: SrcDict) -> GroupRule | None:
    r.keys(g, _GROUP_KEYS, "группе")
    gid, title, rule = r.text(g, "id", True), r.text(g, "title", True), r.expr(g, "rule", True)
    if not (gid and title and rule):
        return None
    return GroupRule(
        gid, title, rule, r.where(g), r.text(g, "because"), r.text(g, "source"),
        undecided_if=r.expr(g, "undecided_if"),
        because_undecided=r.text(g, "because_undecided"),
        because_not=r.text(g, "because_not"),
        near=r.expr(g, "near"),
        needs_consent=_read_category(r, g, "needs_consent"),
        because_not_assessed=r.text(g, "because_not_assessed"),
    )


def _read_measures(r: _Reader, node: SrcDict, bundle: Bundle) -> None:
    seq = r.seq(node, "measures", required=True)
    for i, raw in enumerate(seq):
        m = r.mapping(raw, seq.line_of(i), "мера")
        if m is None:
            continue
        r.keys(m, _MEASURE_KEYS, "мере")
        mid, text = r.text(m, "id", True), r.text(m, "text", True)
        groups = r.string_list(m, "groups")
        baseline = r.boolean(m, "baseline", False)
        if not groups and not baseline:
            r.problem(m.line, "у меры не указаны группы («groups»); мера для всех — «baseline: true»")
        ongoing = r.text(m, "ongoing")
        if ongoing is not None and ongoing not in ONGOING:
            r.problem(m.line_of("ongoing"), f"«ongoing» должен быть одним из: {', '.join(ONGOING)}")
            ongoing = None
        responsible = r.text(m, "responsible", True)
        if responsible is not None and responsible not in RESPONSIBLE:
            r.problem(
                m.line_of("responsible"),
                f"«responsible» должен быть одним из: {', '.join(RESPONSIBLE)}",
            )
            responsible = None
        if mid and text and responsible:
            bundle.measures.append(
                Measure(
                    id=mid, text=text, groups=groups, responsible=responsible,
                    where=r.where(m), deadline_days=r.integer(m, "deadline_days", upto=MAX_PLAN_DAYS),
                    when=r.expr(m, "when"), detail=r.text(m, "detail"),
                    commitment=r.text(m, "commitment"),
                    action=r.text(m, "action"), client=r.text(m, "client"),
                    client_detail=r.text(m, "client_detail"),
                    institutional=r.boolean(m, "institutional", False),
                    ongoing=ongoing, baseline=baseline,
                )
            )


def expand_paths(paths: Iterable[Path | str]) -> tuple[list[Path], list[Problem]]:
    files: list[Path] = []
    problems: list[Problem] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(list(p.rglob("*.yaml")) + list(p.rglob("*.yml")))
            if not found:
                problems.append(Problem(str(p), 0, "в каталоге нет файлов сценариев (*.yaml)"))
            files.extend(found)
        elif p.is_file():
            files.append(p)
        else:
            problems.append(Problem(str(p), 0, "нет такого файла или каталога"))
    return files, problems


def load_bundle(
    paths: Iterable[Path | str], reachability: bool = True
) -> tuple[Bundle, list[Problem]]:
    """Load every script under ``paths`` into one bundle and check it statically
    (``reachability=False`` skips the slowest lint, for the app's start-up)."""
    files, problems = expand_paths(paths)
    bundle = Bundle(files=[str(f) for f in files])
    unreadable = 0
    for path in files:
        kind, node = _read_file(path, problems)
        if node is None or kind is None:
            unreadable += 1
            continue
        r = _Reader(str(path), problems)
        if kind in ("profile", "module"):
            script = _read_script(r, node, kind)
            if kind == "profile":
                if bundle.profile is not None:
                    first = bundle.profile.where.path
                    r.problem(node.line, f"второй сценарий профилирования (первый: {first})")
                else:
                    bundle.profile = script
            else:
                bundle.modules.append(script)
        elif kind == "groups":
            _read_groups(r, node, bundle)
        else:
            _read_measures(r, node, bundle)
    bundle.modules.sort(key=lambda m: (m.order, m.id))
    if not unreadable:
        # Cross-file checks only make sense once every file could be read.
        problems.extend(check_bundle(bundle, reachability))
    problems.sort(key=lambda p: (p.path, p.line))
    return bundle, problems


def load_bundle_or_raise(paths: Iterable[Path | str], reachability: bool = True) -> Bundle:
    bundle, problems = load_bundle(paths, reachability)
    if problems:
        raise ScriptError(problems)
    return bundle
