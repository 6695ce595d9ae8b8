"""The plan as Markdown: a :class:`~tui.engine.plan.Plan` rendered by a Jinja template.

The template (``templates/plan.md.j2``) speaks the same sandboxed Jinja as the scripts
(:func:`tui.engine.expr.make_environment`). Templates are compiled once per process.

Every value a template writes is Markdown-escaped (:mod:`tui.render.escape`): what a person
typed reads as text in any converter. The staff's text of the scripts stays Markdown: the
context marks a measure's ``text`` and a group's ``title`` :class:`~tui.render.escape.Trusted`.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from tui.engine.expr import runtime_context
from tui.engine.plan import Plan, PlannedMeasure
from tui.engine.rules import GroupResult
from tui.render.escape import Trusted, environment, escape_markdown
from tui.render.templating import PlanError

__all__ = ["DEFAULT_TEMPLATE", "PlanError", "render_plan", "template_context"]

DEFAULT_TEMPLATE = "plan.md.j2"


@lru_cache(maxsize=8)
def _environment(templates: str) -> SandboxedEnvironment:
    return environment(FileSystemLoader(templates), escape_markdown)


def _staff_measure(m: PlannedMeasure) -> PlannedMeasure:
    """The measure with its catalog ``text`` trusted: its ``detail`` and ``commitment`` are
    templates over the answers, so they are written as text."""
    return dataclasses.replace(m, text=Trusted(m.text))


def _staff_group(g: GroupResult) -> GroupResult:
    """The group with its ``title`` trusted; its ``reason`` (composed from the answers) and
    the inspector's reason are written as text."""
    return dataclasses.replace(g, title=Trusted(g.title))


def template_context(plan: Plan, copy: str = "centre") -> dict[str, Any]:
    """What a plan template sees: the facts by question id (with ``today``, ``params`` and
    the date functions), ``interview`` (the meta), ``classification``, ``groups_in``,
    ``groups_removed``, ``groups_not_assessed``, ``measures``, ``visits`` and answer(id) /
    label(id) / labels(id) / asked(id), and ``copy`` (``"client"`` or ``"centre"``: which copy
    of the plan a group's fragment is written for). Only the staff's text is
    :class:`~tui.render.escape.Trusted`: everything else is escaped when a template writes it."""
    ctx = runtime_context(plan.facts)
    ctx.update(
        interview=dict(plan.meta),
        classification=plan.classification,
        groups_in=[_staff_group(g) for g in plan.groups_in],
        groups_removed=[_staff_group(g) for g in plan.groups_removed],
        groups_not_assessed=[_staff_group(g) for g in plan.groups_not_assessed],
        measures=[_staff_measure(m) for m in plan.measures],
        answer=plan.answer,
        label=plan.label,
        labels=plan.labels,
        asked=plan.asked,
        visits=plan.visits,
        copy=copy,
    )
    return ctx


def render_plan(
    plan: Plan,
    templates: Path | str | None = None,
    template: str = DEFAULT_TEMPLATE,
) -> str:
    """Render the plan as Markdown; :class:`PlanError` names a broken template and line."""
    from tui.paths import templates_dir

    folder = str(templates or templates_dir())
    try:
        tpl = _environment(folder).get_template(template)
        return tpl.render(**template_context(plan))
    except TemplateError as exc:
        where = getattr(exc, "filename", None) or f"{folder}/{template}"
        line = getattr(exc, "lineno", None)
        at = f"{where}:{line}" if line else where
        raise PlanError(f"{at}: шаблон плана не отрисовывается: {exc}") from exc
