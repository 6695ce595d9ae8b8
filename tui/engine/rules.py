"""Client-group classification from facts, by the rules in ``scripts/interview`` data.

Every rule is an expression over the profiling answers (the facts of ``domain.md`` §1),
the values computed from them in the groups file (ages, retirement dates) and ``params``
(thresholds, schedules); Python holds no domain numbers. Each result keeps its reason: the
rule, the facts it read with their values, and a sentence for people — why, why not (for a
near miss), or why it could not be decided. The inspector may then add or remove a group
with a reason (:class:`Override`), which is kept beside the computed result.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tui.engine.expr import Expression, ExpressionError, render_text
from tui.engine.model import SPECIAL_CATEGORIES, Bundle, Computed, GroupRule, Question

IN, OUT, UNDECIDED = "in", "out", "undecided"
#: Not assessed: the group is a special category of data (``needs_consent``) and the client
#: has not given the separate consent to it. Never a member, not even by the inspector.
NOT_ASSESSED = "not_assessed"
ADD, REMOVE = "add", "remove"


@dataclass
class Override:
    """The inspector's decision on one group, with the reason that is required."""

    group: str
    action: str  # ADD or REMOVE
    reason: str
    by: str = ""
    at: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"group": self.group, "action": self.action, "reason": self.reason, "by": self.by,
                "at": self.at}

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Override:
        return cls(doc["group"], doc["action"], doc.get("reason", ""), doc.get("by", ""),
                   doc.get("at", ""))


@dataclass
class GroupResult:
    id: str
    title: str
    status: str
    rule: str
    facts: dict[str, Any] = field(default_factory=dict)
    source: str | None = None
    #: The inspector's override, if any; :attr:`member` follows it.
    override: Override | None = None
    _reason: str | None = field(default=None, repr=False)
    _render: Callable[[], str] | None = field(default=None, repr=False, compare=False)
    _render_not: Callable[[], str] | None = field(default=None, repr=False, compare=False)
    _near: Callable[[], bool] | None = field(default=None, repr=False, compare=False)

    @property
    def near_miss(self) -> bool:
        """Not in the group, but close to it (the rule's ``near``): the reason says why not.
        Decided on first use, like the reason: most results are never asked."""
        return self._near is not None and self._near()

    @property
    def reason_not(self) -> str:
        """Why the client is not in the group, whether or not it is a near miss: the rule's
        ``because_not`` (a reclassification says why a group went); for a group the
        client is in, or one without ``because_not``, :attr:`reason`."""
        if self.status == OUT and self._render_not is not None:
            return self._render_not()
        return self.reason

    @property
    def reason(self) -> str:
        """Why (or why not, or why undecided), for people. Rendered on first use: the engine
        re-classifies on every answer, and most reasons are never read."""
        if self._reason is None:
            self._reason = self._render() if self._render else ""
        return self._reason

    @reason.setter
    def reason(self, text: str) -> None:
        self._reason = text

    @property
    def computed_member(self) -> bool:
        return self.status == IN

    @property
    def member(self) -> bool:
        if self.status == NOT_ASSESSED:
            return False  # an override kept from before the consent was withdrawn counts for nothing
        if self.override is not None:
            return self.override.action == ADD
        return self.status == IN

    def cannot_add(self) -> str | None:
        """Why the inspector may not add this group, in Russian; ``None`` when they may."""
        if self.status != NOT_ASSESSED:
            return None
        return f"Группу «{self.title}» добавить нельзя: она не оценивалась. {self.reason}"

    def to_json(self) -> dict[str, Any]:
        from tui.engine.values import to_json

        doc = {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "member": self.member,
            "rule": self.rule,
            "facts": {k: to_json(None, v) for k, v in self.facts.items()},
            "reason": self.reason,
        }
        if self.override is not None:
            doc["override"] = self.override.to_json()
        return doc


@dataclass
class Classification:
    results: list[GroupResult] = field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        return [r.id for r in self.results if r.member]

    @property
    def members(self) -> list[GroupResult]:
        return [r for r in self.results if r.member]

    @property
    def undecided(self) -> list[GroupResult]:
        return [r for r in self.results if r.status == UNDECIDED and r.override is None]

    @property
    def not_assessed(self) -> list[GroupResult]:
        return [r for r in self.results if r.status == NOT_ASSESSED]

    @property
    def near_misses(self) -> list[GroupResult]:
        return [r for r in self.results if r.near_miss and not r.member]

    def get(self, group_id: str) -> GroupResult | None:
        return next((r for r in self.results if r.id == group_id), None)


def _renderer(template: str, context: Mapping[str, Any]) -> Callable[[], str]:
    """The reason ``template`` rendered on ``context`` when first asked for (once)."""
    done: list[str] = []

    def render() -> str:
        if not done:
            try:
                done.append(render_text(template, context))
            except (ExpressionError, TypeError) as exc:
                done.append(f"(текст причины не вычисляется: {exc})")
        return done[0]

    return render


def _test(expr: Expression, context: Mapping[str, Any]) -> bool:
    try:
        return expr.test(context)
    except ExpressionError:
        return False


def classify_rule(
    rule: GroupRule,
    context: Mapping[str, Any],
    fact_names: Mapping[str, frozenset[str]],
    wording: Mapping[str, str] | None = None,
    needed: Callable[[str], bool] | None = None,
    *,
    kept: bool = False,
) -> GroupResult:
    """Decide one group. ``fact_names`` maps each name (a fact or a computed value) to
    the facts it stands on, so a reason can name the facts a rule really read; ``needed``
    tells whether a missing fact is one that would be asked (required and applicable).
    The reasons are rendered later, from a copy of ``context``; ``kept``: ``context`` is
    the caller's own copy, never changed again, and the reasons read it as it is."""
    if not kept:
        context = dict(context)
    read: set[str] = set()
    for name in rule.rule.names:
        read |= fact_names.get(name, frozenset())
    facts = {n: context.get(n) for n in sorted(read)}
    result = GroupResult(rule.id, rule.title, OUT, rule.rule.source, facts, rule.source)

    def missing_reason() -> str:
        also = rule.undecided_if.names if rule.undecided_if is not None else frozenset()
        names = sorted(read.union(*(fact_names.get(n, frozenset()) for n in also)))
        missing = [n for n in names if context.get(n) is None and (needed is None or needed(n))]
        shown = [f"{(wording or {}).get(n, n)} ({n})" for n in missing]
        return "Не хватает сведений: " + ("; ".join(shown) or "—") + "."

    if rule.undecided_if is not None and _test(rule.undecided_if, context):
        result.status = UNDECIDED
        if rule.because_undecided:
            result._render = _renderer(rule.because_undecided, context)
        else:
            result._render = missing_reason
        return result
    try:
        member = bool(rule.rule.evaluate(context))
    except TypeError:
        result.status = UNDECIDED
        result._render = missing_reason
        return result
    except ExpressionError as exc:
        result.status = UNDECIDED
        result.reason = f"Правило не вычисляется: {exc}"
        return result
    _decided(rule, result, member, context)
    return result


def _decided(rule: GroupRule, result: GroupResult, member: bool, context: Mapping[str, Any]) -> None:
    """Set a decided group's status and its reasons (why; why not, and whether it is a
    near miss)."""
    if member:
        result.status = IN
        if rule.because:
            result._render = _renderer(rule.because, context)
    elif rule.because_not:
        result._render_not = render_not = _renderer(rule.because_not, context)
        if rule.near is None:
            result._render = render_not
        else:
            near = _once(rule.near, context)
            result._near = near
            result._render = lambda: render_not() if near() else ""


def _once(expr: Expression, context: Mapping[str, Any]) -> Callable[[], bool]:
    """``expr`` tested on ``context`` when first asked (once)."""
    done: list[bool] = []

    def test() -> bool:
        if not done:
            done.append(_test(expr, context))
        return done[0]

    return test


def _applies(expr: Any, context: Mapping[str, Any]) -> bool:
    """A condition that cannot be decided yet (it reads a missing fact) counts as met."""
    try:
        return bool(expr.evaluate(context))
    except TypeError:
        return True
    except ExpressionError:
        return False


def fact_closure(bundle: Bundle) -> dict[str, frozenset[str]]:
    """For every question and computed value, the questions (facts) it stands on."""
    questions = bundle.questions()
    out: dict[str, frozenset[str]] = {q: frozenset({q}) for q in questions}
    for item in bundle.items():
        if isinstance(item, Computed):
            names: set[str] = set()
            for n in item.expr.names:
                names |= out.get(n, frozenset())
            out[item.id] = frozenset(names)
    return out


def classify(
    bundle: Bundle,
    context: Mapping[str, Any],
    overrides: Mapping[str, Override] | None = None,
) -> Classification:
    """Decide every group of the bundle on ``context`` (facts, computed values, ``today``,
    ``params``), then apply the inspector's overrides."""
    closure, questions, wording = _bundle_cache(bundle)
    ctx = dict(context)
    ctx.setdefault("params", bundle.params)

    def needed(qid: str) -> bool:
        """A missing fact matters if its question is required and would be asked."""
        q = questions.get(qid)
        if q is None or not q.required:
            return False
        conds = [c for c in (q.section.when if q.section else None, q.when) if c is not None]
        return all(_applies(c, ctx) for c in conds)

    consents = {q.consent_for: q.id for q in questions.values() if q.consent_for}
    results = [
        _not_assessed(g, ctx, consents) or classify_rule(g, ctx, closure, wording, needed, kept=True)
        for g in bundle.groups
    ]
    for r in results:
        if overrides and r.id in overrides:
            r.override = overrides[r.id]
    return Classification(results)


def _not_assessed(
    rule: GroupRule, context: Mapping[str, Any], consents: Mapping[str, str]
) -> GroupResult | None:
    """The group needs a separate consent (``needs_consent``) the client has not given (the
    consent question not answered «yes», or no such question at all): not assessed."""
    if rule.needs_consent is None:
        return None
    qid = consents.get(rule.needs_consent)
    if qid is not None and context.get(qid) is True:
        return None
    facts = {qid: context.get(qid)} if qid is not None else {}
    result = GroupResult(rule.id, rule.title, NOT_ASSESSED, rule.rule.source, facts, rule.source)
    what = SPECIAL_CATEGORIES.get(rule.needs_consent, rule.needs_consent)
    default = (f"Нет отдельного согласия клиента на обработку данных особой категории «{what}» "
               "(152-ФЗ ст. 10): группа не оценивается.")
    text = rule.because_not_assessed
    result._render = _renderer(text, context) if text else (lambda: default)
    return result


_Cache = tuple[dict[str, frozenset[str]], dict[str, Question], dict[str, str]]


def _bundle_cache(bundle: Bundle) -> _Cache:
    """What classifying needs of the bundle besides its rules, worked out once per bundle
    (a loaded bundle does not change): :func:`fact_closure`, the questions and their
    wording."""
    cached: _Cache | None = getattr(bundle, "_classify_cache", None)
    if cached is None:
        questions = bundle.questions()
        cached = (fact_closure(bundle), questions, {qid: q.ask for qid, q in questions.items()})
        bundle._classify_cache = cached  # type: ignore[attr-defined]
    return cached
