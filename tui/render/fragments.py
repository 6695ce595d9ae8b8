"""A group's parts of the plan (``templates/groups/<id>[.criteria|.disclosure].md.j2``) as
entries any document format can write.

A fragment is written in a small part of Markdown: ``## heading`` lines, ``- item`` lines
whose item may open with a bold label (``- **ИПРА:** предъявлена на приёме.``), and plain
lines. It is rendered with every value marked (:func:`tui.render.templating.mark_value`),
so only the template's own text makes a heading, an item or a label: an answer that reads
``## …`` or ``**…**`` stays the answer's text.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from tui.render.templating import VALUE_CLOSE, VALUE_OPEN, render

#: A piece of a rendered line: its text, and whether a value wrote it.
Piece = tuple[str, bool]


def _lines(text: str) -> Iterator[list[Piece]]:
    """The lines of a rendered fragment as pieces; a value's line breaks stay inside it."""
    line: list[Piece] = []
    buf: list[str] = []
    depth = 0

    def flush() -> None:
        if buf:
            line.append(("".join(buf), depth > 0))
            buf.clear()

    for ch in text:
        if ch in (VALUE_OPEN, VALUE_CLOSE):
            flush()
            depth = depth + 1 if ch == VALUE_OPEN else max(depth - 1, 0)
        elif ch == "\n" and depth == 0:
            flush()
            yield line
            line = []
        else:
            buf.append(ch)
    flush()
    yield line


def _strip_prefix(pieces: list[Piece], prefix: str) -> list[Piece] | None:
    """``pieces`` without the template's ``prefix`` at the start, or ``None``."""
    if not pieces or pieces[0][1]:
        return None
    head = pieces[0][0].lstrip(" ")
    if not head.startswith(prefix):
        return None
    rest = head[len(prefix):]
    return ([(rest, False)] if rest else []) + pieces[1:]


def _split_label(pieces: list[Piece]) -> tuple[str, str]:
    """An item's bold label (the template's ``**…**`` at its start) and its text."""
    body = _strip_prefix(pieces, "**")
    if body is None:
        return "", _text(pieces)
    for i, (text, is_value) in enumerate(body):
        at = -1 if is_value else text.find("**")
        if at >= 0:
            label = body[:i] + [(text[:at], False)]
            rest = [(text[at + 2:], False)] + body[i + 1:]
            return _text(label), _text(rest)
    return "", _text(pieces)


def _text(pieces: list[Piece]) -> str:
    return "".join(text for text, _ in pieces).strip()


def parse(text: str) -> list[dict[str, Any]]:
    """A rendered fragment as sections ``{"title", "entries": [{"label", "text"}]}``; the
    entries before any heading are in a section titled ``""``. Empty sections are left out."""
    sections: list[dict[str, Any]] = [{"title": "", "entries": []}]
    for pieces in _lines(text):
        heading = _strip_prefix(pieces, "## ")
        if heading is not None:
            sections.append({"title": _text(heading), "entries": []})
            continue
        item = _strip_prefix(pieces, "- ")
        label, body = _split_label(item if item is not None else pieces)
        if label or body:
            sections[-1]["entries"].append({"label": label, "text": body})
    return [s for s in sections if s["entries"]]


def entries(
    names: list[str],
    context: Mapping[str, Any],
    override: Path | str | None,
    warnings: list[str],
) -> list[dict[str, Any]]:
    """The sections of the fragments ``names`` (templates that do not exist are skipped)."""
    from tui.render.templating import folders

    out: list[dict[str, Any]] = []
    for name in names:
        if not any((Path(folder) / name).is_file() for folder in folders(override)):
            continue
        out.extend(parse(render(name, context, "mark", override, warnings)))
    return out


def flat(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every entry of ``sections``, each once (criteria of several groups repeat)."""
    seen: set[tuple[str, str]] = set()
    out: list[dict[str, Any]] = []
    for section in sections:
        for entry in section["entries"]:
            key = (entry["label"], entry["text"])
            if key not in seen:
                seen.add(key)
                out.append(entry)
    return out
