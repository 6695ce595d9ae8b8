"""``sobesednik setup``: an administrator types the centre's and the inspectors' details
once; a plan then prints them instead of placeholders.

What the administrator notices: the questions in Russian with the current value in
brackets, Enter keeping it; a wrong phone asked again with the reason; Ctrl+D or Ctrl+C
leaving without writing; at the end what was saved and where; ``--show`` for scripts.
"""

from __future__ import annotations

import io
import os
import pty
import select
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import ROOT
from tui.cli import main
from tui.store.settings import Centre, Inspector, Settings, load_settings, save_settings

CENTRE_ANSWERS = ["ГОБУ ЦЗН Мурманской области", "г. Мурманск, ул. Папанина, д. 4",
                  "+7 (8152) 48-76-54", "пн–чт 9:00–17:00, пт 9:00–15:00"]
PETROVA_ANSWERS = ["petrova", "Петрова Анна Сергеевна", "ведущий инспектор", "8 (8152) 48-76-55", "12"]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture(autouse=True)
def login(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr("getpass.getuser", lambda: "petrova")
    return "petrova"


def setup(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, root: Path,
          lines: list[str], *flags: str) -> tuple[int, str, str]:
    """``sobesednik setup`` with ``lines`` typed (then the end of input)."""
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(f"{line}\n" for line in lines)))
    capsys.readouterr()
    code = main(["setup", "--data-dir", str(root), *flags])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_new_centre_is_set_up_and_the_plan_details_are_complete(
        root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = setup(capsys, monkeypatch, root, [*CENTRE_ANSWERS, "", *PETROVA_ANSWERS[1:], "н"])
    assert code == 0, err
    assert "Название центра занятости (например: ГОБУ ЦЗН Мурманской области):" in out
    assert "Логин инспектора (под ним он входит в систему или указывает --inspector) [petrova]:" in out
    assert f"Сохранено в {root / 'settings.yaml'} (только для владельца):" in out
    assert "petrova — ФИО: Петрова Анна Сергеевна; должность: ведущий инспектор" in out
    assert "Для печати плана инспектором «petrova» всё заполнено." in out
    assert stat.S_IMODE((root / "settings.yaml").stat().st_mode) == 0o600
    settings = load_settings(root)
    assert settings.centre == Centre(*CENTRE_ANSWERS)
    assert settings.inspectors == {"petrova": Inspector(*PETROVA_ANSWERS[1:])}
    assert settings.missing("petrova") == []


def test_enter_keeps_the_current_values_and_a_second_inspector_is_added(
        root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    save_settings(root, Settings(centre=Centre(*CENTRE_ANSWERS),
                                 inspectors={"petrova": Inspector(*PETROVA_ANSWERS[1:])}))
    typed = ["", "", "+7 (8152) 48-00-00", "",            # only the centre's phone changes
             "", "", "", "", "-",                          # petrova kept, her office cleared
             "да", "sidorov", "Сидоров Иван Ильич", "инспектор", "+7 921 000-11-22", "", "н"]
    code, out, err = setup(capsys, monkeypatch, root, typed)
    assert code == 0, err
    assert "Телефон центра занятости [+7 (8152) 48-76-54]:" in out
    assert "Кабинет (можно не заполнять) [12]:" in out
    settings = load_settings(root)
    assert settings.centre.phone == "+7 (8152) 48-00-00"
    assert settings.centre.name == CENTRE_ANSWERS[0]
    assert settings.inspectors["petrova"] == Inspector(*PETROVA_ANSWERS[1:4], office="")
    assert settings.inspectors["sidorov"] == Inspector("Сидоров Иван Ильич", "инспектор", "+7 921 000-11-22")


def test_a_wrong_value_is_asked_again_with_the_reason(
        root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    typed = [CENTRE_ANSWERS[0], "", CENTRE_ANSWERS[1],     # an empty address is asked again
             "48-76-54", CENTRE_ANSWERS[2],                 # so is a phone without its code
             CENTRE_ANSWERS[3], "", PETROVA_ANSWERS[1], PETROVA_ANSWERS[2],
             "звонить Ане", PETROVA_ANSWERS[3], "", "может быть", "н"]
    code, out, err = setup(capsys, monkeypatch, root, typed)
    assert code == 0, err
    assert "Не подходит: это нужно для печати плана: введите значение. Попробуйте ещё раз." in out
    assert out.count("Не подходит: ожидается номер телефона: 10 цифр после +7 или 8") == 2
    assert "Не подходит: ответьте «д» (да) или «н» (нет)." in out
    assert load_settings(root).missing("petrova") == []


def test_end_of_input_leaves_without_writing(
        root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    save_settings(root, Settings(centre=Centre(*CENTRE_ANSWERS)))
    before = (root / "settings.yaml").read_bytes()
    code, _out, err = setup(capsys, monkeypatch, root, ["Другое название", "Другой адрес"])
    assert code == 1
    assert "Настройки не сохранены." in err
    assert (root / "settings.yaml").read_bytes() == before


def test_ctrl_c_leaves_without_writing(
        root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter(["Другое название"])

    def typed(prompt: str = "") -> str:
        print(prompt, end="")
        try:
            return next(answers)
        except StopIteration:
            raise KeyboardInterrupt from None

    monkeypatch.setattr("builtins.input", typed)
    code = main(["setup", "--data-dir", str(root)])
    assert code == 1
    assert "Настройки не сохранены." in capsys.readouterr().err
    assert not (root / "settings.yaml").exists()


def test_show_prints_the_settings_and_what_is_missing(
        root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = setup(capsys, monkeypatch, root, [], "--show")
    assert code == 0
    assert f"Настройки: {root / 'settings.yaml'} (файла ещё нет)" in out
    assert "Для печати плана не заполнены: название центра занятости" in out
    assert "ФИО инспектора «petrova»" in out and "Запустите: sobesednik setup" in out
    assert not root.exists()  # showing writes nothing
    save_settings(root, Settings(centre=Centre(*CENTRE_ANSWERS[:3])))
    code, out, _ = setup(capsys, monkeypatch, root, [], "--show")
    assert "  телефон: +7 (8152) 48-76-54" in out
    assert "  часы приёма: —" in out
    assert "Инспекторы: не указаны" in out
    assert "Для печати плана не заполнены: часы приёма центра занятости, ФИО инспектора «petrova»" in out


def test_a_broken_settings_file_is_named_not_a_traceback(
        root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    root.mkdir()
    (root / "settings.yaml").write_text("centre:\n  phone: [\n", "utf-8")
    for flags in ((), ("--show",)):
        code, out, err = setup(capsys, monkeypatch, root, [], *flags)
        assert code == 2
        assert err.startswith(f"{root / 'settings.yaml'}:3: это не YAML")
        assert "Traceback" not in out + err


def test_setup_on_a_real_terminal(root: Path) -> None:
    """Typed at a terminal (a pseudo-terminal here): the prompts appear one by one, the
    answers are read by line, and the file is written."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "USER": "petrova", "LOGNAME": "petrova"}
    pid, fd = pty.fork()
    if pid == 0:  # the child: the command, on the terminal
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, "-m", "tui", "setup", "--data-dir", str(root)], env)
    output = b""
    try:
        for answer in [*CENTRE_ANSWERS, "", *PETROVA_ANSWERS[1:], "н"]:
            output += _read_until(fd, b": ")
            os.write(fd, answer.encode() + b"\n")
        output += _read_until(fd, "всё заполнено".encode())
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, output.decode(errors="replace")
    assert load_settings(root).inspectors["petrova"].full_name == "Петрова Анна Сергеевна"


def _read_until(fd: int, marker: bytes, seconds: float = 30.0) -> bytes:
    out = b""
    end = time.monotonic() + seconds
    while not out.rstrip(b"\r\n").endswith(marker) and marker not in out.split(b"\n")[-1]:
        left = end - time.monotonic()
        assert left > 0, f"no {marker!r} in {out.decode(errors='replace')!r}"
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    return out


def test_setup_as_a_real_command_with_answers_piped(root: Path) -> None:
    typed = "\n".join([*CENTRE_ANSWERS, "petrova", *PETROVA_ANSWERS[1:], "н"]) + "\n"
    done = subprocess.run([sys.executable, "-m", "tui", "setup", "--data-dir", str(root)], input=typed,
                          capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    shown = subprocess.run([sys.executable, "-m", "tui", "setup", "--show", "--data-dir", str(root)],
                           capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
                           env={**os.environ, "USER": "petrova", "LOGNAME": "petrova"})
    assert "Для печати плана инспектором «petrova» всё заполнено." in shown.stdout
