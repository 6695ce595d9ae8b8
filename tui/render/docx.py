"""The plan as a Word document (DOCX), from a template the centre's staff edit in Word.

``templates/plan/client.docx`` and ``centre.docx`` are ordinary Word documents holding
docxtpl tags (Jinja: ``{{ client.name }}``, ``{%p for step in steps %}``, ``{%tr … %}``;
``tools/build_docx_templates.py`` made the bundled ones). They are filled with the same
document view as every other format (:func:`tui.render.view.document_view`), so Word shows
what the Markdown, the HTML and the PDF show.

The tags run in the shared sandbox (:func:`tui.engine.expr.make_environment`: read-only,
bounded, an undefined name is an error) with autoescaping on: every value is text in the
document's XML, so an answer holding ``<``, ``&`` or Word markup stays those characters; a
value of several lines keeps its lines (line breaks in the run); control characters are
written out visibly (:func:`tui.render.escape.text_lines`).

A template is read once per process (its bytes, and each part's compiled tags, are kept
while the file is unchanged). A broken template of the centre's own folder is a warning
``file:line: what is wrong`` and the bundled one is used; a broken bundled one is a
:class:`~tui.render.templating.PlanError`, never a traceback.
"""

from __future__ import annotations

import io
import os
import re
import traceback
import zipfile
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Template, TemplateError, TemplateSyntaxError, UndefinedError
from markupsafe import Markup, escape

from tui.engine.expr import make_environment
from tui.engine.sandbox import SafeEnvironment
from tui.render.escape import text_lines
from tui.render.templating import PlanError, folders

#: The largest template read (a Word document with a logo is well under this).
MAX_TEMPLATE_BYTES = 10 * 1024 * 1024
#: A line break inside a run of a Word paragraph.
_BREAK = Markup('</w:t><w:br/><w:t xml:space="preserve">')


def template_name(copy: str) -> str:
    """The template of ``copy`` inside a templates folder."""
    return f"plan/{copy}.docx"


def _finalize(value: Any) -> Any:
    """A value as Word text: its lines (control characters written out), escaped for XML
    and joined by line breaks; the template's own markup (``Markup``) as it is."""
    if isinstance(value, Markup):
        return value
    return _BREAK.join(escape(line) for line in text_lines(str(value)))


@lru_cache(maxsize=1)
def _environment() -> SafeEnvironment:
    """The sandboxed environment of every DOCX template, its compiled parts kept by source."""
    env = make_environment(finalize=_finalize)
    env.autoescape = True
    compile_source = env.from_string

    @lru_cache(maxsize=64)
    def from_string(source: str) -> Template:
        return compile_source(source)

    env.from_string = from_string  # type: ignore[method-assign,assignment]
    return env


@lru_cache(maxsize=16)
def _read(path: str, _mtime_ns: int, _size: int) -> bytes:
    """The bytes of a template, read once while the file stays the same."""
    with open(path, "rb") as f:
        return f.read(MAX_TEMPLATE_BYTES + 1)


def template_bytes(path: Path) -> bytes:
    """The bytes of the template ``path``; :class:`PlanError` when it cannot be read."""
    try:
        st = os.stat(path)
        data = _read(str(path), st.st_mtime_ns, st.st_size)
    except OSError as exc:
        raise PlanError(f"{path}: шаблон не читается: {exc.strerror or exc}") from None
    if len(data) > MAX_TEMPLATE_BYTES:
        raise PlanError(f"{path}: шаблон больше {MAX_TEMPLATE_BYTES // (1024 * 1024)} МБ")
    return data


_TAG = re.compile(r"<[^>]+>")
_PARAGRAPH = re.compile(r"<w:p([ >])")


def _line(exc: TemplateError) -> int | None:
    """The line of a template part an error is at: Jinja's, or the template's frame."""
    line = getattr(exc, "lineno", None)
    if line:
        return int(line)
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == "<template>"]
    return frames[-1].lineno if frames else None


def _lines(src_xml: str) -> str:
    """A part's XML as docxtpl hands it to Jinja: each paragraph on a line of its own."""
    return _PARAGRAPH.sub(r"\n<w:p\1", src_xml)


def paragraph_at(source: str, line: int | None) -> str:
    """The text of the paragraph at ``line`` of a part's source (its tags left out)."""
    lines = source.splitlines()
    if not line or not 0 < line <= len(lines):
        return ""
    return " ".join(_TAG.sub("", lines[line - 1]).split())[:120]


def _where(path: Path, exc: TemplateError) -> str:
    """``file:line`` of an error in a template part, and the text of the paragraph there."""
    line = _line(exc)
    text = paragraph_at(getattr(exc, "docx_source", ""), line)
    at = f"{path}:{line}" if line else str(path)
    return f"{at} (абзац «{text}»)" if text else at


def docx_sources(path: Path) -> list[str]:
    """The Jinja source of each part of the Word template ``path`` that is rendered (the
    document, its headers and footers), as docxtpl makes it of the tags; :class:`PlanError`
    for a file that is not a Word document."""
    data = template_bytes(path)
    try:
        tpl = _template_class()(io.BytesIO(data))
        tpl.init_docx()
        sources = [tpl.patch_xml(tpl.get_xml())]
        for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
            sources += [tpl.patch_xml(tpl.get_part_xml(part)) for _key, part in tpl.get_headers_footers(uri)]
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise PlanError(f"{path}: не документ Word (.docx) или он повреждён: {exc}") from None
    return [_lines(source) for source in sources]


_UNDEFINED = re.compile(r"has no attribute '([^']+)'|'([^']+)' is undefined")


def _what(exc: TemplateError) -> str:
    """What is wrong, in Russian where Jinja's words can be told (a name the document does
    not have), with Jinja's own words otherwise."""
    text = str(exc).strip() or type(exc).__name__
    if isinstance(exc, UndefinedError):
        m = _UNDEFINED.search(text)
        if m:
            return f"в плане нет значения «{m.group(1) or m.group(2)}» (проверьте имя в {{{{ … }}}})"
    if isinstance(exc, TemplateSyntaxError):
        return f"ошибка в теге {{% … %}} или {{{{ … }}}}: {exc.message or text}"
    return text


@lru_cache(maxsize=1)
def _template_class() -> type[Any]:
    from docxtpl import DocxTemplate

    class Template(DocxTemplate):  # type: ignore[misc]
        """docxtpl's template, whose errors carry the part's source as Jinja saw it."""

        def render_xml_part(self, src_xml: str, part: Any, context: Any, jinja_env: Any = None) -> Any:
            try:
                return super().render_xml_part(src_xml, part, context, jinja_env)
            except TemplateError as exc:
                exc.docx_source = _lines(src_xml)  # type: ignore[attr-defined]
                raise

    return Template


def fill(view: Mapping[str, Any], path: Path) -> bytes:
    """The template ``path`` filled with ``view``; :class:`PlanError` names what is wrong."""
    data = template_bytes(path)
    try:
        tpl = _template_class()(io.BytesIO(data))
        tpl.render(dict(view), jinja_env=_environment(), autoescape=True)
        out = io.BytesIO()
        tpl.save(out)
    except TemplateError as exc:
        raise PlanError(f"{_where(path, exc)}: шаблон не отрисовывается: {_what(exc)}") from None
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise PlanError(f"{path}: не документ Word (.docx) или он повреждён: {exc}") from None
    return out.getvalue()


def render_docx(
    view: Mapping[str, Any],
    template_path: Path | str | None = None,
    *,
    override: Path | str | None = None,
    warnings: list[str] | None = None,
) -> bytes:
    """The DOCX of the document ``view`` (either copy). ``template_path`` names the
    template; without it, ``plan/<copy>.docx`` of the centre's templates folder
    ``override`` when it has one (a broken one adds a warning to ``warnings``), else the
    bundled one."""
    if template_path is not None:
        return fill(view, Path(template_path))
    name = template_name(str(view.get("copy")))
    chain = [Path(folder) / name for folder in folders(override)]
    own, bundled = chain[:-1], chain[-1]
    for path in own:
        if path.is_file():
            try:
                return fill(view, path)
            except PlanError as exc:
                if warnings is not None:
                    warnings.append(f"{exc}; использован встроенный шаблон")
    return fill(view, bundled)
