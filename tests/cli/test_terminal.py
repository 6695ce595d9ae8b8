"""What the commands print reaches a terminal as text, not as terminal commands (issue 10)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from tests.helpers import draft_interview
from tui.cli import main
from tui.engine.textsafe import escape_controls
from tui.store.store import Store


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_stored_name_with_terminal_escapes_is_printed_escaped(tmp_path: Path, monkeypatch) -> None:
    """A name stored before answers were checked (or imported) holding «clear the screen»
    and «retitle the window»: delete-client shows it, escaped, on the terminal."""
    data = tmp_path / "data"
    store = Store(data)
    iid = draft_interview(store, "phone")
    store.save_answer(iid, "last_name", "Смирнова\x1b[2J\x1b]0;взлом\x07", by="импорт")
    store.close()
    out, err = FakeTerminal(), FakeTerminal()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr("builtins.input", lambda prompt="": "нет")
    main(["delete-client", iid, "--data-dir", str(data)])
    shown = out.getvalue() + err.getvalue()
    assert "Клиент: Смирнова\\x1b[2J\\x1b]0;взлом\\x07" in shown, shown
    assert "\x1b" not in shown and "\x07" not in shown


def test_a_pipe_gets_the_text_unchanged(tmp_path: Path, capsys) -> None:
    assert escape_controls("строка\n\tвторая") == "строка\n\tвторая"
    assert escape_controls("a\u202eb\x9bc") == "a\\u202eb\\x9bc"
