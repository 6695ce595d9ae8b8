"""The plan as a document: every format of either copy, from one view.

:func:`render_document` turns a :class:`~tui.engine.plan.Plan` into the bytes of a file:
the copy's content is decided once (:func:`tui.render.view.document_view`), then written
by the format's template (``templates/plan/<copy>.<format>.j2``): Markdown (the TUI
preview), plain text, HTML for print (A4, the centre's header, signature lines), PDF
printed from that very HTML by WeasyPrint (so what prints is what was checked), and PDF
in large print (the same HTML with ``plan/large.css``). DOCX, ICS and JSON are written by
their own modules (:mod:`tui.render.docx`, :mod:`tui.render.ics`, :mod:`tui.render.jsonfmt`).

Templates are compiled once per process (:mod:`tui.render.templating`); a centre's
templates folder overrides the bundled one file by file, and a broken override is a
warning of the :class:`Document`, never a failure.
"""

from __future__ import annotations

import importlib
import re
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.engine.plan import Plan
from tui.engine.plan_value import plan_value
from tui.render.templating import PlanError, folders, render
from tui.render.view import COPIES, document_view

__all__ = ["COPIES", "FORMATS", "Document", "PlanError", "render_document"]

#: Every format, with the suffix of its file.
FORMATS: Mapping[str, str] = {
    "md": ".md",
    "txt": ".txt",
    "html": ".html",
    "pdf": ".pdf",
    "large": ".pdf",
    "docx": ".docx",
    "ics": ".ics",
    "json": ".json",
}

#: Plain text is wrapped at this width (a printed page, a narrow terminal).
TEXT_WIDTH = 78


@dataclass(frozen=True)
class Document:
    """A rendered document: its bytes, the suffix of its file, and what was wrong with
    the centre's own templates (each ``template:line: what is wrong``; the bundled
    template was used instead)."""

    data: bytes
    suffix: str
    warnings: list[str] = field(default_factory=list)


def render_document(
    plan: Plan,
    fmt: str,
    copy: str,
    office: Mapping[str, Any] | None,
    templates: Path | str | None = None,
) -> Document:
    """``copy`` (``client`` or ``centre``) of ``plan`` in format ``fmt`` (:data:`FORMATS`).
    ``office``: the centre's and the case worker's details (``Settings.office(login)``);
    ``templates``: the centre's templates folder. :class:`PlanError` says what is wrong
    (a plan with no measures, a missing detail, an unknown format or copy)."""
    if fmt not in FORMATS:
        raise PlanError(f"Нет такого формата плана: «{fmt}» (есть: {', '.join(FORMATS)}).")
    if copy not in COPIES:
        raise PlanError(f"Нет такого экземпляра плана: «{copy}» (есть: {', '.join(COPIES)}).")
    job = _Job(plan, copy, office, templates, [])
    data = _WRITERS[fmt](job)
    return Document(data=data, suffix=FORMATS[fmt], warnings=job.warnings)


@dataclass(frozen=True)
class _Job:
    """One document to write: the plan, the copy, the centre's details and templates, and
    the warnings found on the way."""

    plan: Plan
    copy: str
    office: Mapping[str, Any] | None
    templates: Path | str | None
    warnings: list[str]

    def view(self) -> dict[str, Any]:
        return document_view(self.plan, self.copy, self.office, self.templates, self.warnings)

    def render(self, kind: str, extra: Mapping[str, Any] | None = None) -> str:
        context = {**self.view(), **(extra or {})}
        return render(f"plan/{self.copy}.{kind}.j2", context, kind, self.templates, self.warnings)


def _markdown(job: _Job) -> bytes:
    return _tidy(job.render("md")).encode("utf-8")


def _text(job: _Job) -> bytes:
    return wrap_text(_tidy(job.render("txt"))).encode("utf-8")


def html_document(
    plan: Plan,
    copy: str,
    office: Mapping[str, Any] | None,
    templates: Path | str | None = None,
    warnings: list[str] | None = None,
    large: bool = False,
) -> str:
    """The copy as HTML for print; ``large``: in large print."""
    job = _Job(plan, copy, office, templates, [] if warnings is None else warnings)
    return job.render("html", {"large": large})


def _html(job: _Job) -> bytes:
    return job.render("html", {"large": False}).encode("utf-8")


def _pdf(job: _Job) -> bytes:
    return print_pdf(job.render("html", {"large": False}))


def _large(job: _Job) -> bytes:
    return print_pdf(job.render("html", {"large": True}))


def print_pdf(html: str) -> bytes:
    """``html`` printed to PDF by WeasyPrint; no file or address outside it is fetched."""
    try:
        from weasyprint import HTML  # type: ignore[import-untyped]
    except (ImportError, OSError) as exc:  # OSError: pango or its libraries missing
        raise PlanError(f"PDF не печатается: WeasyPrint недоступен ({exc}).") from exc

    def no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        raise ValueError(f"внешний ресурс не загружается: {url[:80]}")

    pdf = HTML(string=html, url_fetcher=no_fetch).write_pdf()
    return bytes(pdf or b"")


def _optional(module: str, what: str) -> Any:
    """A format written by another module, or a clear error until it exists."""
    try:
        return importlib.import_module(f"tui.render.{module}")
    except ModuleNotFoundError as exc:
        if exc.name != f"tui.render.{module}":
            raise
        raise PlanError(f"Формат {what} пока не поддерживается в этой версии.") from exc


def _docx(job: _Job) -> bytes:
    view = job.view()
    module = _optional("docx", "DOCX")
    # The centre's template when it has one; a broken one is a warning, the bundled is used.
    return bytes(module.render_docx(view, override=job.templates, warnings=job.warnings))


def docx_template(copy: str, templates: Path | str | None) -> Path:
    """The DOCX template of ``copy``: the centre's when it has one, else the bundled."""
    for folder in folders(templates):
        path = Path(folder) / "plan" / f"{copy}.docx"
        if path.is_file():
            return path
    return Path(folders(None)[0]) / "plan" / f"{copy}.docx"


def _ics(job: _Job) -> bytes:
    job.view()  # the same checks as every format: measures, the centre's details
    module = _optional("ics", "ICS")
    return bytes(module.render_ics(plan_value(job.plan, copy=job.copy), job.office))


def _json(job: _Job) -> bytes:
    job.view()
    module = _optional("jsonfmt", "JSON")
    return bytes(module.render_json(plan_value(job.plan, copy=job.copy)))


_WRITERS: Mapping[str, Callable[[_Job], bytes]] = {
    "md": _markdown,
    "txt": _text,
    "html": _html,
    "pdf": _pdf,
    "large": _large,
    "docx": _docx,
    "ics": _ics,
    "json": _json,
}

_BLANK_RUNS = re.compile(r"\n{3,}")


def _tidy(text: str) -> str:
    """No run of blank lines, no trailing spaces, one newline at the end."""
    lines = [line.rstrip() for line in text.splitlines()]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip("\n") + "\n"


#: What opens a list item in plain text: the continuation lines are indented past it.
_ITEM = re.compile(r"^(\s*(?:[-*•]|\d{1,3}[.)])\s+|\s+)")


def wrap_text(text: str, width: int = TEXT_WIDTH) -> str:
    """Every line longer than ``width`` wrapped at spaces, its continuation indented under
    the item's text; a long word is never broken (a phone, an address)."""
    out: list[str] = []
    for line in text.split("\n"):
        if len(line) <= width:
            out.append(line)
            continue
        lead = _ITEM.match(line)
        hang = " " * len(lead.group(1)) if lead else ""
        out.extend(textwrap.wrap(
            line, width=width, subsequent_indent=hang, break_long_words=False, break_on_hyphens=False
        ) or [line])
    return "\n".join(out)
