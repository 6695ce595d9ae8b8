"""Client-group classification from facts, by the rules in ``scripts/interview`` data.

Every rule is an expression over the profiling answers (the facts of ``domain.md`` §1)
and ``params`` (thresholds); Python holds no domain numbers. Each result keeps the reason:
the rule, the facts it read and their values, and a sentence for people.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tui.core.expr import ExpressionError, render_text
from tui.core.script import Bundle, GroupRule

IN, OUT, UNDECIDED = "in", "out", "undecided"


@dataclass
class GroupResult:
    id: str
    title: str
    status: str
    rule: str
    facts: dict[str, Any] = field(default_factory=dict)
    source: str | None = None
    _reason: str | None = field(default=None, repr=False)
    _because: Any = field(default=None, repr=False, compare=False)

    @property
    def reason(self) -> str:
        """Why, for people. Rendered on first use: the engine re-classifies on every answer."""
        if self._reason is None:
            self._reason = self._because() if self._because else ""
        return self._reason

    @reason.setter
    def reason(self, text: str) -> None:
        self._reason = text

    @property
    def member(self) -> bool:
        return self.status == IN

    def to_json(self) -> dict[str, Any]:
        from tui.core.values import to_json

        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "rule": self.rule,
            "facts": {k: to_json(None, v) for k, v in self.facts.items()},
            "reason": self.reason,
        }


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
        return [r for r in self.results if r.status == UNDECIDED]

    def get(self, group_id: str) -> GroupResult | None:
        return next((r for r in self.results if r.id == group_id), None)


def classify_rule(rule: GroupRule, context: Mapping[str, Any], fact_ids: set[str]) -> GroupResult:
    facts = {n: context.get(n) for n in sorted(rule.rule.names) if n in fact_ids}
    result = GroupResult(rule.id, rule.title, OUT, rule.rule.source, facts, rule.source)
    try:
        member = bool(rule.rule.evaluate(context))
    except TypeError:
        missing = [n for n, v in facts.items() if v is None]
        result.status = UNDECIDED
        result.reason = "Не хватает сведений: " + (", ".join(missing) or "—")
        return result
    except ExpressionError as exc:
        result.status = UNDECIDED
        result.reason = f"Правило не вычисляется: {exc}"
        return result
    if member:
        result.status = IN
        if rule.because:
            because, ctx = rule.because, dict(context)

            def render() -> str:
                try:
                    return render_text(because, ctx)
                except (ExpressionError, TypeError) as exc:
                    return f"(текст причины не вычисляется: {exc})"

            result._because = render
    return result


def classify(bundle: Bundle, context: Mapping[str, Any]) -> Classification:
    """Decide every group of the bundle on ``context`` (facts, ``today``, ``params``)."""
    fact_ids = set(bundle.questions())
    ctx = dict(context)
    ctx.setdefault("params", bundle.params)
    return Classification([classify_rule(g, ctx, fact_ids) for g in bundle.groups])
