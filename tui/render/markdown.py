"""The plan as Markdown: a :class:`~tui.engine.plan.Plan` rendered by a Jinja template.

The template (``templates/plan.md.j2``) speaks the same sandboxed Jinja as the scripts
(:func:`tui.engine.expr.make_environment`). Templates are compiled once per process.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from tui.engine.expr import make_environment, runtime_context
from tui.engine.plan import Plan

DEFAULT_TEMPLATE = "plan.md.j2"


class PlanError(Exception):
    """The plan template is missing or broken; ``str()`` says which and where."""


@lru_cache(maxsize=8)
def _environment(templates: str) -> SandboxedEnvironment:
    return make_environment(FileSystemLoader(templates))


def template_context(plan: Plan) -> dict[str, Any]:
    """What a plan template sees: the facts by question id (with ``today``, ``params`` and
    the date functions), ``interview`` (the meta), ``classification``, ``groups_in``,
    ``groups_removed``, ``measures``, ``visits`` and answer(id) / label(id) / labels(id) /
    asked(id)."""
    ctx = runtime_context(plan.facts)
    ctx.update(
        interview=dict(plan.meta),
        classification=plan.classification,
        groups_in=plan.groups_in,
        groups_removed=plan.groups_removed,
        measures=plan.measures,
        answer=plan.answer,
        label=plan.label,
        labels=plan.labels,
        asked=plan.asked,
        visits=plan.visits,
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
