"""Checking a templates folder before a plan is printed with it (for ``sobesednik check``).

Every problem is one line ``file:line: what is wrong``, as for the scripts:

- a template that does not compile (its syntax);
- a template that names a field the plan does not have, or fails otherwise, when the
  documents of the given sample plans are rendered with it (each format, each copy);
- a measure named by its id (``selectattr('id', 'equalto', 'lu_resume')``) that the
  catalog does not have: the section it feeds would silently stay empty;
- ``plan/texts.yaml`` that does not read.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

from jinja2 import TemplateSyntaxError

from tui.engine.plan import Plan
from tui.render.documents import render_document
from tui.render.templating import PlanError, bundled_dir, template_environment
from tui.render.texts import TEXTS_FILE, TextsError, read_texts

#: A measure named by its id in a template.
_MEASURE_ID = re.compile(r"""['"]id['"]\s*,\s*['"]equalto['"]\s*,\s*['"]([A-Za-z0-9_]+)['"]""")
#: The formats whose templates are Jinja text (docx, ics and json are not).
TEMPLATE_FORMATS = ("md", "txt", "html")


def _syntax(folder: Path, path: Path) -> list[str]:
    env = template_environment((str(folder),), "md")
    try:
        env.parse(path.read_text(encoding="utf-8"), name=str(path.relative_to(folder)), filename=str(path))
    except TemplateSyntaxError as exc:
        return [f"{path}:{exc.lineno}: шаблон не компилируется: {exc.message}"]
    except (OSError, UnicodeDecodeError) as exc:
        return [f"{path}: шаблон не читается: {exc}"]
    return []


def _measures(path: Path, known: Collection[str]) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    return [
        f"{path}:{n}: нет мероприятия «{mid}» в каталоге мероприятий"
        for n, line in enumerate(lines, 1)
        for mid in _MEASURE_ID.findall(line)
        if mid not in known
    ]


def check_templates(
    templates: Path | str | None,
    measure_ids: Collection[str],
    plans: Iterable[Plan] = (),
    office: Mapping[str, Any] | None = None,
) -> list[str]:
    """The problems of the templates in ``templates`` (the bundled folder when ``None``),
    each ``file:line: what``; the sample ``plans`` are rendered in every text format and
    copy with the centre's details ``office``."""
    folder = Path(templates) if templates is not None else bundled_dir()
    problems: list[str] = []
    for path in sorted(folder.rglob("*.j2")):
        problems += _syntax(folder, path)
        problems += _measures(path, measure_ids)
    texts = folder / TEXTS_FILE
    if texts.is_file():
        try:
            read_texts(texts)
        except TextsError as exc:
            problems.append(f"{texts}:{exc.line}: {exc.message}")
    override = None if templates is None else folder
    for plan in plans:
        for fmt in TEMPLATE_FORMATS:
            for copy in ("client", "centre"):
                problems += _render_problems(plan, fmt, copy, office, override)
    return list(dict.fromkeys(problems))


def _render_problems(
    plan: Plan, fmt: str, copy: str, office: Mapping[str, Any] | None, override: Path | None
) -> list[str]:
    try:
        warnings = render_document(plan, fmt, copy, office, override).warnings
    except PlanError as exc:
        if "нет ни одного мероприятия" in str(exc):
            return []  # a sample plan with nothing to print checks nothing
        return [str(exc)]
    return [_USED_BUNDLED.sub("", w) for w in warnings]


_USED_BUNDLED = re.compile(r"; использован встроенный (шаблон|файл)$")
