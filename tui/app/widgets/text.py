"""Short texts for narrow columns."""

from __future__ import annotations

from rich.text import Text


def shorten(text: str, width: int) -> str:
    """``text`` on one line, cut to ``width`` with «…»."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def cell(text: str) -> Text:
    """A table cell shown as typed (never markup), cut with «…» when the column is too narrow."""
    return Text(text, no_wrap=True, overflow="ellipsis")
