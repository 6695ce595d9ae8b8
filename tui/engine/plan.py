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
from tui.engine.model import ONGOING, RESPONSIBLE, Measure, Question
from tui.engine.rules import Classification, GroupResult
from tui.engine.workdays import next_working_day

#: The computed value that gives the plan's review date (the profile computes it).
REVIEW_FACT = "plan_review_date"


@dataclass
class PlannedMeasure:
    """One measure of the plan: the catalog's measures of one action for the client's
    groups, merged (the first one's text, each group's detail, the earliest deadline).

    ``text``/``detail`` are the seed's wording (the centre's copy); ``client``/
    ``client_details`` the client's step in plain words (the client's copy). ``deadline``
    is a working day no later than the plan's review date; an ``ongoing`` duty has none
    and says «постоянно» or «до трудоустройства» instead."""

    id: str
    text: str
    responsible: str
    responsible_label: str
    deadline: date | None
    at_interview: bool
    detail: str = ""
    commitment: str = ""
    groups: list[str] = field(default_factory=list)
    #: The ids of the catalog measures merged into this one, in catalog order.
    merged: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    client: str = ""
    client_details: list[str] = field(default_factory=list)
    institutional: bool = False
    ongoing: str | None = None
    baseline: bool = False

    @property
    def when_text(self) -> str:
        """The deadline as a document says it: «до 11.12.2026», «постоянно», …"""
        if self.ongoing:
            return ONGOING[self.ongoing]
        if self.deadline:
            return f"до {format_date(self.deadline)}"
        return "по договорённости"

    @property
    def commitment_line(self) -> str:
        """The commitment as the plan lists it: one sentence with its deadline."""
        text = self.commitment.rstrip(". ")
        if self.ongoing or self.deadline:
            return f"{text} — {self.when_text}."
        return f"{text}."


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
    #: The date the plan is reviewed (the re-profiling): its last visit, the latest deadline.
    review_date: date | None = None

    @property
    def client_measures(self) -> list[PlannedMeasure]:
        """The measures the client's copy lists: all but the centre's own work."""
        return [m for m in self.measures if not m.institutional]

    @property
    def centre_work(self) -> list[PlannedMeasure]:
        """The centre's own (institutional) work this plan calls for."""
        return [m for m in self.measures if m.institutional]

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
    review = review_date(interview)
    return Plan(
        facts=interview.context,
        meta=dict(meta or {}),
        classification=interview.classification,
        measures=choose_measures(interview, review),
        visits=attendance_dates(interview, review),
        questions=interview.bundle.questions(),
        applicable=frozenset(q.id for q in interview.questions),
        review_date=review,
    )


def review_date(interview: Interview) -> date | None:
    """The plan's review date: the profile's ``plan_review_date`` (the re-profiling, a
    working day), else the last visit of ``params.plan``'s schedule."""
    given = interview.context.get(REVIEW_FACT)
    if isinstance(given, date):
        return given
    every, count = _schedule(interview)
    if every is None or count is None:
        return None
    return _working_later(interview.today, every * count)


def choose_measures(interview: Interview, review: date | None = None) -> list[PlannedMeasure]:
    """The catalog's measures for the client's groups (and the baseline ones) whose
    conditions hold, merged per action, in catalog order of each action's first measure."""
    ctx = interview.context
    members = interview.classification.ids
    titles = {g.id: g.title for g in interview.bundle.groups}
    out: list[PlannedMeasure] = []
    by_action: dict[str, PlannedMeasure] = {}
    for m in interview.bundle.measures:
        wanted = [g for g in m.groups if g in members]
        if not (wanted or m.baseline) or not _applies(m, ctx):
            continue
        planned = _planned(m, ctx, interview.today, review, [titles.get(g, g) for g in wanted])
        key = m.action or f"measure:{m.id}"
        first = by_action.get(key)
        if first is None:
            by_action[key] = planned
            out.append(planned)
        else:
            _merge(first, planned)
    return out


def _planned(
    m: Measure, ctx: Mapping[str, Any], today: date, review: date | None, groups: list[str]
) -> PlannedMeasure:
    days = m.deadline_days
    deadline = None if days is None or m.ongoing else _working_later(today, days)
    if deadline is not None and review is not None and days and deadline > review:
        deadline = review
    detail = _text(m.detail, ctx) if m.detail else ""
    client_detail = _text(m.client_detail, ctx) if m.client_detail else ""
    return PlannedMeasure(
        id=m.id,
        text=m.text,
        responsible=m.responsible,
        responsible_label=RESPONSIBLE[m.responsible],
        deadline=deadline,
        at_interview=days == 0,
        detail=detail,
        commitment=_text(m.commitment, ctx) if m.commitment else m.text,
        groups=groups,
        merged=[m.id],
        details=[detail] if detail.strip() else [],
        client=_text(m.client, ctx) if m.client else "",
        client_details=[client_detail] if client_detail.strip() else [],
        institutional=m.institutional,
        ongoing=m.ongoing,
        baseline=m.baseline,
    )


def _merge(into: PlannedMeasure, other: PlannedMeasure) -> None:
    """``other`` (a later measure of the same action) folded into ``into``: its groups,
    its details and its client's details where they say something new, the earlier
    deadline, and both parties when the two name different ones."""
    into.merged.append(other.id)
    into.groups.extend(g for g in other.groups if g not in into.groups)
    into.details.extend(d for d in other.details if d not in into.details)
    into.detail = " ".join(into.details)
    into.client_details.extend(d for d in other.client_details if d not in into.client_details)
    if not into.client:
        into.client = other.client
    if other.responsible != into.responsible:
        into.responsible = "both"
        into.responsible_label = RESPONSIBLE["both"]
    into.at_interview = into.at_interview and other.at_interview
    if other.ongoing and not into.ongoing:
        into.ongoing, into.deadline = other.ongoing, None
    elif not into.ongoing and other.deadline and (into.deadline is None or other.deadline < into.deadline):
        into.deadline = other.deadline
    into.baseline = into.baseline and other.baseline


def _schedule(interview: Interview) -> tuple[int | None, int | None]:
    plan = interview.bundle.params.get("plan") or {}
    every, count = plan.get("visit_every_days"), plan.get("visits")
    if not isinstance(every, int) or not isinstance(count, int) or every <= 0 or count <= 0:
        return None, None
    return every, count


def attendance_dates(interview: Interview, review: date | None = None) -> list[date]:
    """The dates the client attends, by ``params.plan`` (every N days, M times), each a
    working day; the last visit is the review date (the re-profiling), and no visit
    falls on or after it."""
    every, count = _schedule(interview)
    if every is None or count is None:
        return [review] if review else []
    out: list[date] = []
    for i in range(1, count):
        visit = _working_later(interview.today, every * i)
        if visit is None or (review is not None and visit >= review):
            break  # past the calendar or the review: the plan lists the dates before it
        if not out or visit > out[-1]:
            out.append(visit)
    last = review or _working_later(interview.today, every * count)
    if last is not None and (not out or last > out[-1]):
        out.append(last)
    return out


def _working_later(today: date, days: int) -> date | None:
    """``today`` + ``days`` moved to the next working day (``today`` itself when ``days``
    is 0 stays as it is: what is done at the interview is done today)."""
    later = _later(today, days)
    if later is None or days == 0:
        return later
    return next_working_day(later)


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
