"""The error log (tui.crashlog): what it keeps, and that it never writes through a link."""

from __future__ import annotations

from pathlib import Path

from tui import crashlog


def _error() -> ValueError:
    secret = "Смирнова"
    try:
        int(f"возраст {secret}")
    except ValueError as exc:
        return exc
    raise AssertionError


def test_the_log_keeps_type_and_places_never_the_message(tmp_path: Path) -> None:
    log = crashlog.write(tmp_path, _error(), "киоск, QuestionScreen")
    assert log == tmp_path / "logs" / "errors.log"
    text = log.read_text("utf-8")
    assert "(киоск, QuestionScreen)" in text and "builtins.ValueError" in text
    assert "test_crashlog.py" in text and "in _error" in text
    assert "Смирнова" not in text  # the message held it; the code line does not


def test_a_symlinked_log_folder_is_not_written_through(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    data = tmp_path / "data"
    data.mkdir()
    (data / "logs").symlink_to(outside, target_is_directory=True)
    assert crashlog.write(data, _error(), "рабочее место") is None
    assert list(outside.iterdir()) == []


def test_a_symlinked_log_file_is_not_written_through(tmp_path: Path) -> None:
    target = tmp_path / "system.conf"
    target.write_text("важное", "utf-8")
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "errors.log").symlink_to(target)
    assert crashlog.write(tmp_path, _error(), "рабочее место") is None
    assert target.read_text("utf-8") == "важное"


def test_a_full_log_is_rotated(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(crashlog, "MAX_LOG_BYTES", 100)
    for _ in range(3):
        crashlog.write(tmp_path, _error(), "рабочее место")
    folder = tmp_path / "logs"
    assert sorted(p.name for p in folder.iterdir()) == ["errors.log", "errors.log.1"]
    assert (folder / "errors.log").stat().st_size < 1000
