"""The individual plan: measures chosen from the catalog by the answers, rendered by Jinja.

The template (``templates/plan.md.j2``) speaks the same sandboxed Jinja as the scripts.
Templates are compiled once per process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, TemplateError

from tui.core import values
from tui.core.engine import Interview
from tui.core.expr import ExpressionError, make_environment, render_text, runtime_context
from tui.core.script import RESPONSIBLE, Measure

DEFAULT_TEMPLATE = "plan.md.j2"


class PlanError(Exception):
    """The plan template is missing or broken; ``str()`` says which and where."""


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
        from tui.core.dates import format_date

        text = self.commitment.rstrip(". ")
        return f"{text} — до {format_date(self.deadline)}." if self.deadline else f"{text}."


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
                deadline=None if days is None else interview.today + timedelta(days=days),
                at_interview=days == 0,
                detail=_detail(m, ctx),
                commitment=_text(m.commitment, ctx) if m.commitment else m.text,
                groups=[titles.get(g, g) for g in wanted],
            )
        )
    return out


def _applies(m: Measure, ctx: dict[str, Any]) -> bool:
    if m.when is None:
        return True
    try:
        return m.when.test(ctx)
    except ExpressionError:
        return False


def _detail(m: Measure, ctx: dict[str, Any]) -> str:
    return _text(m.detail, ctx) if m.detail else ""


def _text(template: str, ctx: dict[str, Any]) -> str:
    """A measure's detail or commitment: a template over the answers (plain text mostly)."""
    if "{" not in template:
        return template
    try:
        return render_text(template, ctx)
    except (ExpressionError, TypeError) as exc:
        return f"(текст не вычисляется: {exc})"


@lru_cache(maxsize=8)
def _environment(templates: str) -> Any:
    return make_environment(FileSystemLoader(templates))


def plan_context(interview: Interview, meta: dict[str, Any] | None = None) -> dict[str, Any]:
    questions = interview.bundle.questions()
    applicable = {q.id for q in interview.questions}

    def answer(qid: str) -> str:
        q = questions.get(qid)
        if q is None or qid not in applicable:
            return ""
        value = interview.context.get(qid)
        return "" if value is None else values.display(q, value)

    def label(qid: str) -> str:
        q = questions.get(qid)
        return q.ask if q else qid

    def labels(qid: str) -> list[str]:
        q = questions.get(qid)
        value = interview.context.get(qid) if qid in applicable else None
        if q is None or not value:
            return []
        return [q.choice_label(v) for v in value]

    ctx = runtime_context(interview.context)
    ctx.update(
        interview=dict(meta or {}),
        classification=interview.classification,
        groups_in=interview.classification.members,
        groups_removed=[
            r for r in interview.classification.results
            if r.override is not None and not r.member and r.computed_member
        ],
        measures=choose_measures(interview),
        answer=answer,
        label=label,
        labels=labels,
        asked=lambda qid: qid in applicable,
        visits=attendance_dates(interview),
    )
    return ctx


def attendance_dates(interview: Interview) -> list[date]:
    """The dates the client attends, by ``params.plan`` (every N days, M times)."""
    plan = interview.bundle.params.get("plan") or {}
    every, count = plan.get("visit_every_days"), plan.get("visits")
    if not isinstance(every, int) or not isinstance(count, int):
        return []
    return [interview.today + timedelta(days=every * (i + 1)) for i in range(count)]


def render_plan(
    interview: Interview,
    meta: dict[str, Any] | None = None,
    templates: Path | str | None = None,
    template: str = DEFAULT_TEMPLATE,
) -> str:
    """Render the plan as Markdown."""
    from tui.paths import templates_dir

    folder = str(templates or templates_dir())
    try:
        tpl = _environment(folder).get_template(template)
        return tpl.render(**plan_context(interview, meta))
    except TemplateError as exc:
        where = getattr(exc, "filename", None) or f"{folder}/{template}"
        line = getattr(exc, "lineno", None)
        at = f"{where}:{line}" if line else where
        raise PlanError(f"{at}: шаблон плана не отрисовывается: {exc}") from exc
