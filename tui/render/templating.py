"""The templates of the plan documents: found, compiled once per process, overridable.

Every template of a document lives in the bundled folder (:func:`tui.paths.templates_dir`).
A centre may keep its own folder of templates (``templates`` in the settings, a flag or
an environment variable: the app and the CLI decide); a file there stands for the bundled
file of the same name, one by one. A broken override never stops a plan: it becomes a
warning ``template:line: what is wrong`` and the bundled template is used instead.

Each format has its escaper (:mod:`tui.render.escape`): Markdown, plain text, HTML, and
``mark``, which wraps every value in :data:`VALUE_OPEN` … :data:`VALUE_CLOSE` so that
:mod:`tui.render.fragments` tells the template's structure from what the answers say.
"""

from __future__ import annotations

import html
import traceback
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, FileSystemLoader, TemplateError, TemplateSyntaxError

from tui.engine.sandbox import SafeEnvironment
from tui.render.escape import Escaper, environment, escape_markdown, text_lines

#: What opens and closes a value in the ``mark`` format (a value's own control characters
#: are written out visibly, so it never holds these).
VALUE_OPEN, VALUE_CLOSE = "\x02", "\x03"


class PlanError(Exception):
    """A plan cannot be made into a document: its template is broken, it has no measures,
    the centre's details are missing. ``str()`` says what and where, in Russian."""


def escape_text(text: str) -> str:
    """A value in plain text: its lines, with control characters written out."""
    return "\n".join(text_lines(text))


def escape_html(text: str) -> str:
    """A value in HTML: each line escaped, the lines joined by ``<br>``."""
    return "<br>".join(html.escape(line, quote=True) for line in text_lines(text))


def mark_value(text: str) -> str:
    """A value marked as such, for :mod:`tui.render.fragments`."""
    return VALUE_OPEN + "\n".join(text_lines(text)) + VALUE_CLOSE


ESCAPERS: Mapping[str, Escaper] = {
    "md": escape_markdown,
    "txt": escape_text,
    "html": escape_html,
    "mark": mark_value,
}

#: Errors a centre's template can make while rendering, besides Jinja's own.
_RENDER_ERRORS = (TemplateError, TypeError, ValueError, ArithmeticError, LookupError, AttributeError)


def bundled_dir() -> Path:
    from tui.paths import templates_dir

    return templates_dir()


@lru_cache(maxsize=32)
def template_environment(folders: tuple[str, ...], kind: str) -> SafeEnvironment:
    """The environment of format ``kind`` over ``folders`` (the first found wins), made
    once per process: Jinja keeps each template compiled in it."""
    loader = ChoiceLoader([FileSystemLoader(folder) for folder in folders])
    return environment(loader, ESCAPERS[kind])


def folders(override: Path | str | None) -> tuple[str, ...]:
    """The folders searched for a template: the centre's first, then the bundled one."""
    bundled = str(bundled_dir())
    if override is None or str(override) == bundled:
        return (bundled,)
    return (str(override), bundled)


def where(exc: BaseException, name: str) -> str:
    """``file:line`` of a template error, or the template's name when Jinja gives none."""
    if isinstance(exc, TemplateSyntaxError) and exc.filename:
        return f"{exc.filename}:{exc.lineno}"
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".j2")]
    if frames:
        return f"{frames[-1].filename}:{frames[-1].lineno}"
    return name


def describe(exc: BaseException, name: str) -> str:
    """A template error as one Russian line: where, then what."""
    what = str(exc).strip() or type(exc).__name__
    return f"{where(exc, name)}: шаблон не отрисовывается: {what}"


def render(
    name: str,
    context: Mapping[str, Any],
    kind: str,
    override: Path | str | None = None,
    warnings: list[str] | None = None,
) -> str:
    """Template ``name`` rendered with ``context`` in format ``kind``. A broken override
    adds a warning to ``warnings`` and the bundled templates are used; a broken bundled
    template raises :class:`PlanError`."""
    chain = folders(override)
    if len(chain) > 1:
        try:
            return _render(chain, name, context, kind)
        except _RENDER_ERRORS as exc:
            if warnings is not None:
                warnings.append(f"{describe(exc, name)}; использован встроенный шаблон")
    try:
        return _render(chain[-1:], name, context, kind)
    except TemplateError as exc:
        raise PlanError(describe(exc, name)) from exc


def _render(chain: tuple[str, ...], name: str, context: Mapping[str, Any], kind: str) -> str:
    return template_environment(chain, kind).get_template(name).render(**context)


def load_text_file(
    name: str,
    override: Path | str | None,
    read: Callable[[Path], Any],
    warnings: list[str] | None = None,
) -> Any:
    """A data file among the templates (``plan/texts.yaml``), read by ``read``: the
    centre's when it has one and it reads, else the bundled one (a warning says why)."""
    chain = folders(override)
    if len(chain) > 1:
        own = Path(chain[0]) / name
        if own.is_file():
            try:
                return read(own)
            except (OSError, ValueError) as exc:
                line = getattr(exc, "line", 0)
                what = getattr(exc, "message", None) or str(exc)
                if warnings is not None:
                    warnings.append(f"{own}{f':{line}' if line else ''}: {what}; использован встроенный файл")
    return read(Path(chain[-1]) / name)
