"""Text from a file or a keyboard, made safe to show: control characters escaped.

A script, an answers file or a pasted answer may hold raw terminal escapes (``ESC [ 2 J``
clears the screen, ``ESC ] 0 ;`` retitles the window). Every message that quotes such text
shows it through :func:`printable`, so ``\\x1b`` reaches the terminal as four visible
characters, never as a command.
"""

from __future__ import annotations

import unicodedata

#: Unicode categories shown escaped: controls, format characters (bidirectional overrides,
#: zero-width marks), line and paragraph separators, surrogates.
_HIDDEN = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every control or invisible format character written as an escape."""
    if text.isprintable():
        return text
    return "".join(
        _escape(ch) if unicodedata.category(ch) in _HIDDEN else ch for ch in text
    )


#: What an answer may not hold: controls (a terminal would obey them), bidirectional
#: overrides and isolates (they show a text other than the one stored), line and paragraph
#: separators, surrogates. Line breaks and tabs are whitespace, not these.
_BIDI = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_WHITESPACE = frozenset("\n\r\t")


def _forbidden(ch: str) -> bool:
    return ch in _BIDI or unicodedata.category(ch) in ("Cc", "Zl", "Zp", "Cs")


def first_hidden(text: str) -> str | None:
    """The first character of ``text`` that an answer may not hold, or ``None``."""
    if text.isprintable():
        return None
    return next((ch for ch in text if ch not in _WHITESPACE and _forbidden(ch)), None)


def escape_controls(text: str) -> str:
    """``text`` with the characters an answer may not hold written as escapes; line
    breaks and tabs stay (for whole messages and listings on a terminal)."""
    if text.isprintable():
        return text
    return "".join(_escape(ch) if ch not in "\n\t" and _forbidden(ch) else ch for ch in text)


def clip(text: str, limit: int = 60) -> str:
    """``text`` shortened to ``limit`` characters (with «…») and made printable."""
    short = text if len(text) <= limit else text[: limit - 1] + "…"
    return printable(short)
