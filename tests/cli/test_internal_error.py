"""An error inside the program, in any command: one calm line and the error log, never a
traceback that could quote what a client said (issue 10)."""

from __future__ import annotations

import importlib
import stat
from pathlib import Path

cli = importlib.import_module("tui.cli.main")  # the module (``tui.cli.main`` is also the function)


def test_an_internal_error_is_one_line_and_a_log_without_the_clients_data(tmp_path: Path, monkeypatch,
                                                                         capsys) -> None:
    real = cli.build_parser
    secret = "Смирнова Анна, 14.08.1987"

    def broken(args: object) -> int:
        raise ValueError(f"не разобран ответ {secret}")

    def build() -> tuple[object, dict[str, object]]:
        parser, handlers = real()
        handlers["doctor"] = broken
        return parser, handlers

    monkeypatch.setattr(cli, "build_parser", build)
    data = tmp_path / "data"
    data.mkdir()
    code = cli.main(["doctor", "--data-dir", str(data)])
    out, err = capsys.readouterr()
    assert code == cli.INTERNAL
    log = data / "logs" / "errors.log"
    # The last place in the program's own code the error passed: here the command's call.
    assert err.startswith("Внутренняя ошибка программы (ValueError в tui/cli/main.py:"), err
    assert err.endswith(f"). Сведения (без данных клиента) записаны в журнал: {log}. "
                        "Сообщите об ошибке администратору.\n"), err
    assert len(err.splitlines()) == 1
    assert "Traceback" not in out + err and "Смирнова" not in out + err
    text = log.read_text("utf-8")
    assert "builtins.ValueError" in text and "команда doctor" in text and "in broken" in text
    assert "Смирнова" not in text and "14.08.1987" not in text
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_sobesednik_debug_shows_the_traceback_to_a_developer(tmp_path: Path, monkeypatch) -> None:
    real = cli.build_parser

    def build() -> tuple[object, dict[str, object]]:
        parser, handlers = real()
        handlers["doctor"] = lambda args: 1 / 0
        return parser, handlers

    monkeypatch.setattr(cli, "build_parser", build)
    monkeypatch.setenv("SOBESEDNIK_DEBUG", "1")
    try:
        cli.main(["doctor", "--data-dir", str(tmp_path)])
    except ZeroDivisionError:
        return
    raise AssertionError("the error was not raised")
