"""The terminal guard: what the commands print reaches a terminal as text, never as
terminal commands.

A stored answer from before answers were checked for control characters, an import file,
a damaged interview: any of them may hold ``ESC [ 2 J`` (clear the screen), ``ESC ] 0 ;``
(retitle the window) or a bidirectional override. Commands print names and messages that
quote such text; when stdout or stderr is a terminal, it goes through
:class:`EscapingWriter`, which writes every such character as a visible escape
(``\\x1b``). A pipe or a file gets the text unchanged (an export, a plan on stdout).
"""

from __future__ import annotations

import io
import sys
from typing import TextIO

from tui.engine.textsafe import escape_controls


class EscapingWriter(io.TextIOBase):
    """A text stream that escapes control characters on their way to ``inner``."""

    def __init__(self, inner: TextIO) -> None:
        super().__init__()
        self.inner = inner

    def write(self, text: str) -> int:
        self.inner.write(escape_controls(text))
        return len(text)

    def flush(self) -> None:
        self.inner.flush()

    def isatty(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.inner.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.inner.encoding


def guard_terminal() -> None:
    """Escape control characters in what goes to a terminal on stdout and stderr."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if not isinstance(stream, EscapingWriter) and _is_terminal(stream):
            setattr(sys, name, EscapingWriter(stream))


def _is_terminal(stream: TextIO | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (ValueError, OSError):  # a closed stream
        return False
