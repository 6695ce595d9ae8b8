"""The individual plan as a value: the measures the catalog prescribes for the client's
groups, the attendance dates and what the plan says of the interview.

Choosing is the engine's job; turning a :class:`Plan` into a document is the renderer's
(:mod:`tui.render`), so every document format shows the same choice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from tui.engine import values
from tui.engine.dates import format_date
from tui.engine.expr import ExpressionError, render_text
from tui.engine.interview import Interview
from tui.engine.limits import MAX_PLAN_DAYS
from tui.engine.model import RESPONSIBLE, Measure, Question
from tui.engine.rules import Classification, GroupResult


@dataclass
class PlannedMeasure:
    id: str
    text: str
    responsible: str
    responsible_label: str
    deadline: date | None
    at_interview: bool
    detail: str = ""
    commitment: str = ""
    groups: list[str] = field(default_factory=list)

    @property
    def commitment_line(self) -> str:
        """The commitment as the plan lists it: one sentence with its deadline."""
        text = self.commitment.rstrip(". ")
        return f"{text} — до {format_date(self.deadline)}." if self.deadline else f"{text}."


@dataclass(frozen=True)
class Plan:
    """Everything a plan document shows, decided: the facts in force (answers by question
    id, computed values, ``today``, ``params``), what is known of the interview
    (``meta``: id, inspector, mode, scripts, whether the groups were confirmed), the
    groups, the measures chosen and the attendance dates."""

    facts: Mapping[str, Any]
    meta: Mapping[str, Any]
    classification: Classification
    measures: list[PlannedMeasure]
    visits: list[date]
    questions: Mapping[str, Question]
    applicable: frozenset[str]

    @property
    def today(self) -> date:
        return self.facts["today"]  # type: ignore[no-any-return]

    @property
    def groups_in(self) -> list[GroupResult]:
        """The client's groups (with the inspector's additions)."""
        return self.classification.members

    @property
    def groups_removed(self) -> list[GroupResult]:
        """Groups the rules found and the inspector removed."""
        return [
            r for r in self.classification.results
            if r.override is not None and not r.member and r.computed_member
        ]

    @property
    def groups_not_assessed(self) -> list[GroupResult]:
        """Groups not assessed: the client did not consent to the data they are."""
        return self.classification.not_assessed

    def asked(self, qid: str) -> bool:
        """Whether question ``qid`` was asked in this interview."""
        return qid in self.applicable

    def answer(self, qid: str) -> str:
        """The answer to ``qid`` as it reads on screen; empty when it was not asked."""
        q = self.questions.get(qid)
        if q is None or qid not in self.applicable:
            return ""
        value = self.facts.get(qid)
        return "" if value is None else values.display(q, value)

    def label(self, qid: str) -> str:
        """The wording of question ``qid``."""
        q = self.questions.get(qid)
        return q.ask if q else qid

    def labels(self, qid: str) -> list[str]:
        """The labels of the options chosen in answer to ``qid``."""
        q = self.questions.get(qid)
        value = self.facts.get(qid) if qid in self.applicable else None
        if q is None or not value:
            return []
        return [q.choice_label(v) for v in value]


def build_plan(interview: Interview, meta: Mapping[str, Any] | None = None) -> Plan:
    """The plan of ``interview`` as it stands."""
    return Plan(
        facts=interview.context,
        meta=dict(meta or {}),
        classification=interview.classification,
        measures=choose_measures(interview),
        visits=attendance_dates(interview),
        questions=interview.bundle.questions(),
        applicable=frozenset(q.id for q in interview.questions),
    )


def choose_measures(interview: Interview) -> list[PlannedMeasure]:
    """The catalog's measures for the client's groups whose conditions hold, once each."""
    ctx = interview.context
    members = interview.classification.ids
    titles = {g.id: g.title for g in interview.bundle.groups}
    out: list[PlannedMeasure] = []
    for m in interview.bundle.measures:
        wanted = [g for g in m.groups if g in members]
        if not wanted or not _applies(m, ctx):
            continue
        days = m.deadline_days
        out.append(
            PlannedMeasure(
                id=m.id,
                text=m.text,
                responsible=m.responsible,
                responsible_label=RESPONSIBLE[m.responsible],
                deadline=None if days is None else _later(interview.today, days),
                at_interview=days == 0,
                detail=_text(m.detail, ctx) if m.detail else "",
                commitment=_text(m.commitment, ctx) if m.commitment else m.text,
                groups=[titles.get(g, g) for g in wanted],
            )
        )
    return out


def attendance_dates(interview: Interview) -> list[date]:
    """The dates the client attends, by ``params.plan`` (every N days, M times)."""
    plan = interview.bundle.params.get("plan") or {}
    every, count = plan.get("visit_every_days"), plan.get("visits")
    if not isinstance(every, int) or not isinstance(count, int) or every <= 0:
        return []
    out: list[date] = []
    for i in range(1, count + 1):
        visit = _later(interview.today, every * i)
        if visit is None:
            break  # past the calendar: the plan lists the dates before it
        out.append(visit)
    return out


def _later(today: date, days: int) -> date | None:
    """``today`` + ``days``, or ``None`` past :data:`~tui.engine.limits.MAX_PLAN_DAYS` or
    the end of the calendar (an interview dated near year 9999 must not end the plan)."""
    if not 0 <= days <= MAX_PLAN_DAYS:
        return None
    try:
        return today + timedelta(days=days)
    except OverflowError:
        return None


def _applies(m: Measure, ctx: Mapping[str, Any]) -> bool:
    if m.when is None:
        return True
    try:
        return m.when.test(ctx)
    except ExpressionError:
        return False


def _text(template: str, ctx: Mapping[str, Any]) -> str:
    """A measure's detail or commitment: a template over the answers (plain text mostly)."""
    if "{" not in template:
        return template
    try:
        return render_text(template, ctx)
    except (ExpressionError, TypeError) as exc:
        return f"(текст не вычисляется: {exc})"
