"""Values in a document are text: escaped for the document's format unless trusted.

Every ``{{ … }}`` of a plan template is written through the environment's ``finalize``
(:func:`environment`): a value is escaped for the format, so what a person typed (an
answer, a name, the inspector's name and reasons) and what a script composed from it (a
group's reason, a measure's detail or commitment) shows as the very text, and never opens
a heading, a list, a quote, a table, a link, emphasis, code or HTML. Control characters
never reach the document: they are written out visibly (``\\x1b``), as in every message
(:func:`tui.engine.textsafe.printable`).

Text the centre's staff wrote is :class:`Trusted` and written as it is: the template's own
text, and what the template context marks (a measure's ``text``, a group's ``title``,
:func:`tui.render.markdown.template_context`). A template marks trusted only what it made
itself: ``{{ block | trusted }}`` for a ``{% set block %}…{% endset %}`` of its own text
and escaped values. Whatever a template does to a value (``~``, ``join``, ``.strip()``)
gives a plain text again, escaped when written: a forgotten mark escapes twice, it never
lets markup through.

A new format (HTML for a printed plan, docx) plugs in with its own escaper, a function
from text to text in that format built on :func:`text_lines` (for HTML: each line
``html.escape``-d, joined by ``<br>``), and its own environment,
``environment(loader, escape_html)``; its template context marks the staff's text trusted
in its format (the scripts' Markdown converted).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tui.engine.expr import make_environment
from tui.engine.sandbox import SafeEnvironment
from tui.engine.textsafe import printable

#: Turns a text into the document's format, showing it as text.
Escaper = Callable[[str], str]


class Trusted(str):
    """Text the centre's staff wrote, already in the document's format: written as is."""

    __slots__ = ()


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def text_lines(text: str) -> list[str]:
    """The lines of a value as a document shows them: tabs as spaces, control and invisible
    format characters written out. A text of several lines (a ``long_text`` answer) has
    its lines trimmed and the empty ones left out, so it never ends the paragraph or the
    list item it stands in; a text of one line keeps its spaces at either end (``' и '``),
    but never enough to indent code (four) or to break the line (two at the end)."""
    lines = [printable(line.replace("\t", " ")) for line in _LINE_BREAK.split(text)]
    if len(lines) > 1:
        return [line for line in (line.strip() for line in lines) if line]
    line = lines[0]
    body = line.strip(" ")
    if not body:
        return [" "] if line else []
    lead, trail = len(line) - len(line.lstrip(" ")), len(line) - len(line.rstrip(" "))
    return [" " * min(lead, 3) + body + " " * min(trail, 1)]


# ------------------------------------------------------------------------------ Markdown

#: Escaped wherever they stand: a backslash, code, emphasis (``*``, ``_``, GFM ``~``),
#: links and images, raw HTML and entities, GFM table cells.
_ANYWHERE = re.compile(r"[\\`*_\[\]<&|~]")
#: An ordered list item: up to nine digits, ``.`` or ``)``, then a space or the line's end.
_NUMBERED = re.compile(r"\d{1,9}(?=[.)](?:\s|$))")


def _escape_start(line: str) -> str:
    """Escape what would open a block at the start of a line (after up to three spaces):
    an ATX heading (``#``), a block quote, a list item, a thematic break or a setext
    underline (``---``, ``===``); ``*``, ``_``, ``` ` ```, ``~``, ``|`` and ``<`` are
    escaped already."""
    body = line.lstrip(" ")
    indent = line[: len(line) - len(body)]
    first, rest = body[:1], body[1:]
    if first in ("#", ">") or (first in ("-", "+") and (not rest or rest[0] == " ")):
        return f"{indent}\\{body}"
    if first in ("-", "=") and not body.strip(first + " "):
        return f"{indent}\\{body}"
    numbered = _NUMBERED.match(body)
    if numbered:
        return f"{indent}{body[:numbered.end()]}\\{body[numbered.end():]}"
    return line


def escape_markdown(text: str) -> str:
    """``text`` as CommonMark (and GFM) text: backslash escapes only where a character
    could start markup, so the raw Markdown still reads as typed (``14.08.1987``,
    ``Анна-Мария``, ``ООО "Ромашка"`` are unchanged)."""
    return "\n".join(_escape_start(_ANYWHERE.sub(r"\\\g<0>", line)) for line in text_lines(text))


# ------------------------------------------------------------------------------ templates


def finalizer(escape: Escaper) -> Callable[[Any], str]:
    """What a template writes of a value: a :class:`Trusted` text as is, anything else
    escaped by ``escape``."""

    def finalize(value: Any) -> str:
        return value if isinstance(value, Trusted) else escape(str(value))

    return finalize


def environment(loader: Any, escape: Escaper) -> SafeEnvironment:
    """The sandboxed environment of a document format's templates: every value escaped by
    ``escape``; ``| trusted`` marks what the template made of its own text, ``| e`` (or
    ``| escape``) escapes here and now."""
    env = make_environment(loader, finalize=finalizer(escape))

    def trusted(value: Any) -> Trusted:
        return Trusted(value)

    def escaped(value: Any) -> Trusted:
        return value if isinstance(value, Trusted) else Trusted(escape(str(value)))

    # ``safe`` is Jinja's usual name for ``trusted``; its own makes an HTML Markup.
    env.filters.update(trusted=trusted, safe=trusted, e=escaped, escape=escaped)
    return env
