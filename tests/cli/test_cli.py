"""The command line as a script editor and an inspector use it: ``sobesednik check`` and
``sobesednik replay``, their messages and exit codes. Errors a user can cause end as a
``file:line:`` message and a non-zero exit code, never as a traceback."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT
from tui.cli import main
from tui.engine.dates import plural
from tui.engine.loader import load_bundle
from tui.paths import scripts_dir, templates_dir

MOTHER = ROOT / "tests" / "replays" / "mother_own_business.yaml"

#: A module that breaks two rules: its group does not exist, its question type is unknown.
BROKEN_MODULE = """\
kind: module
id: broken
version: 1
title: Сломанный модуль
group: no_such_group
sections:
  - id: only
    title: Единственный раздел
    questions:
      - id: broken_question
        type: telephone
        ask: Телефон родственника
"""


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
    )


def line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    found = [i for i, line in enumerate(lines, 1) if text in line]
    assert len(found) == 1, f"{path.name}: {text!r} must be on exactly one line, found {found}"
    return found[0]


def broken_copy(tmp_path: Path) -> tuple[Path, Path]:
    scripts = tmp_path / "interview"
    shutil.copytree(scripts_dir(), scripts)
    module = scripts / "modules" / "broken.yaml"
    module.write_text(BROKEN_MODULE, encoding="utf-8")
    return scripts, module


def answers_file(tmp_path: Path, old: str, new: str) -> Path:
    """The mother's answers file with one line changed."""
    text = MOTHER.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {MOTHER.name}"
    path = tmp_path / "answers.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------- check


def test_check_on_the_bundled_scripts_exits_0_with_a_summary(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("SOBESEDNIK_TEMPLATES", raising=False)
    assert main(["check", "--data-dir", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    bundle, _ = load_bundle([scripts_dir()])
    templates = sum(1 for p in templates_dir().rglob("*")
                    if p.suffix in (".j2", ".docx") or p.name == "texts.yaml")

    def count(n: int, one: str, few: str, many: str) -> str:
        return f"{n} {plural(n, one, few, many)}"

    assert out == (
        "Сценарии в порядке: "
        f"{count(len(bundle.files), 'файл', 'файла', 'файлов')}, "
        f"{count(len(bundle.questions()), 'вопрос', 'вопроса', 'вопросов')}, "
        f"{count(len(bundle.groups), 'группа', 'группы', 'групп')}, "
        f"{count(len(bundle.measures), 'мера', 'меры', 'мер')}.\n"
        f"Шаблоны плана в порядке: {count(templates, 'файл', 'файла', 'файлов')}.\n"
    )
    assert err == ""


def test_check_on_a_broken_set_exits_1_with_file_line_messages(tmp_path):
    scripts, module = broken_copy(tmp_path)
    result = run_cli("check", str(scripts))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{module}:5: модуль для неизвестной группы «no_such_group»",
        f"{module}:11: неизвестный тип вопроса «telephone» (допустимы: text, long_text, integer, "
        "number, date, yes_no, choice, multi_choice, phone)",
    ]
    assert result.stderr == "Найдено проблем: 2.\n"


def test_check_of_single_files_reports_what_is_missing(tmp_path, capsys):
    _, module = broken_copy(tmp_path)
    assert main(["check", str(module)]) == 1
    out, err = capsys.readouterr()
    assert f"{module}:0: нет сценария профилирования (kind: profile)" in out.splitlines()
    assert f"{module}:0: нет правил клиентских групп (kind: groups)" in out.splitlines()
    assert err.startswith("Найдено проблем: ")


def test_check_of_a_missing_path_exits_1(tmp_path, capsys):
    missing = tmp_path / "nowhere"
    assert main(["check", str(missing)]) == 1
    out, err = capsys.readouterr()
    assert out == f"{missing}:0: нет такого файла или каталога\n"
    assert err == "Найдено проблем: 1.\n"


def test_check_of_malformed_yaml_names_its_line(tmp_path, capsys):
    scripts = tmp_path / "interview"
    shutil.copytree(scripts_dir(), scripts)
    bad = scripts / "modules" / "bad.yaml"
    bad.write_text("kind: module\nid: bad\ntitle: Плохой: модуль\n", encoding="utf-8")
    assert main(["check", str(scripts)]) == 1
    out, _ = capsys.readouterr()
    assert out.startswith(f"{bad}:3: это не YAML: двоеточие внутри текста без кавычек")
    assert out.count("\n") == 1


# ---------------------------------------------------------------------------- replay


def test_replay_prints_the_groups_and_writes_the_plan(tmp_path, capsys):
    out_file = tmp_path / "plan.md"
    assert main(["replay", str(MOTHER), "--out", str(out_file)]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert "Группы: Женщина с детьми дошкольного возраста — Женщина; младшему ребёнку 4 года" in err
    assert f"План записан: {out_file}" in err
    plan = out_file.read_text(encoding="utf-8")
    assert plan.startswith("# Индивидуальный план содействия занятости")
    assert "Смирнова Ольга Викторовна" in plan
    assert "Консультация психолога" not in plan  # psychologist: no


def test_replay_without_out_prints_the_plan(capsys):
    assert main(["replay", str(MOTHER)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("# Индивидуальный план содействия занятости")
    assert "Группы: Женщина с детьми дошкольного возраста" in err


def test_replay_accepts_the_interview_date_as_typed_text(tmp_path, capsys):
    path = answers_file(tmp_path, "date: 2026-11-27", "date: 27.11.2026")
    assert main(["replay", str(path), "--out", str(tmp_path / "plan.md")]) == 0
    assert "27 ноября 2026 г." in (tmp_path / "plan.md").read_text(encoding="utf-8")


def test_replay_date_option_overrides_the_file(tmp_path, capsys):
    assert main(["replay", str(MOTHER), "--date", "01.12.2026", "--out", str(tmp_path / "plan.md")]) == 0
    assert "1 декабря 2026 г." in (tmp_path / "plan.md").read_text(encoding="utf-8")


# (what to change in the answers file, the line's new text, the message after "file:line: ")
BAD_ANSWERS = {
    "unknown question id": (
        "  sex: female\n", "  sex: female\n  shoe_size: 38\n", "shoe_size: 38",
        "в сценарии нет вопроса «shoe_size»",
    ),
    "wrong type": (
        "  children_count: 2\n", "  children_count: many\n", "children_count: many",
        "«children_count»: ",
    ),
    "impossible date, typed": (
        "  birth_date: 14.08.1987\n", "  birth_date: 31.02.1990\n", "birth_date: 31.02.1990",
        "«birth_date»: Такой даты нет",
    ),
    "impossible date, ISO": (
        "  birth_date: 14.08.1987\n", "  birth_date: 1990-02-31\n", "birth_date: 1990-02-31",
        "«birth_date»: Такой даты нет",
    ),
    "a choice value the question does not have": (
        "  kindergarten: attends\n", "  kindergarten: yes\n", "kindergarten: yes",
        "«kindergarten»: ",
    ),
    "missing required answer": (
        "  first_name: Ольга\n", "", "answers:",
        "нет ответа на обязательный вопрос «first_name»",
    ),
    "malformed YAML": (
        "Парикмахер, стаж", "Парикмахер: стаж", "Парикмахер: стаж",
        "это не YAML: двоеточие внутри текста без кавычек",
    ),
    "impossible interview date": (
        "date: 2026-11-27\n", "date: 30.02.2026\n", "date: 30.02.2026",
        "«date»: Такой даты нет",
    ),
}


@pytest.mark.parametrize("name", list(BAD_ANSWERS))
def test_replay_of_a_bad_answers_file_names_file_line_and_question(tmp_path, capsys, name):
    old, new, marker, message = BAD_ANSWERS[name]
    path = answers_file(tmp_path, old, new)
    code = main(["replay", str(path), "--out", str(tmp_path / "plan.md")])
    out, err = capsys.readouterr()
    assert code == 1
    assert err.startswith(f"{path}:{line_of(path, marker)}: {message}"), err
    assert len(err.splitlines()) == 1
    assert out == ""
    assert not (tmp_path / "plan.md").exists()


def test_replay_error_from_the_real_command_has_no_traceback(tmp_path):
    path = answers_file(tmp_path, "  children_count: 2\n", "  children_count: many\n")
    result = run_cli("replay", str(path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.startswith(f"{path}:{line_of(path, 'children_count: many')}: «children_count»: ")


def test_replay_of_a_missing_answers_file(tmp_path, capsys):
    missing = tmp_path / "nowhere.yaml"
    assert main(["replay", str(missing)]) == 1
    _, err = capsys.readouterr()
    assert err.startswith(f"{missing}:0: файл не читается")


def test_replay_with_broken_scripts_refuses_to_run(tmp_path, capsys):
    scripts, module = broken_copy(tmp_path)
    assert main(["replay", str(MOTHER), "--scripts", str(scripts)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("Сценарии интервью содержат ошибки:\n")
    assert f"{module}:5: модуль для неизвестной группы «no_such_group»" in err


def test_replay_with_a_bad_date_option_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["replay", str(MOTHER), "--date", "31.02.2026"])
    assert exc.value.code == 2
    assert "Такой даты нет" in capsys.readouterr().err


def example_scripts(tmp_path: Path) -> Path:
    """The bundled scripts plus the example of docs/scripts.md (tests/data/example_*.yaml)."""
    data = ROOT / "tests" / "data"
    scripts = tmp_path / "interview"
    shutil.copytree(scripts_dir(), scripts)
    shutil.copy(data / "example_module.yaml", scripts / "modules")
    shutil.copy(data / "example_groups.yaml", scripts)
    shutil.copy(data / "example_measures.yaml", scripts)
    return scripts


def test_replay_of_the_documented_example(tmp_path, capsys):
    data = ROOT / "tests" / "data"
    plan_file = tmp_path / "plan.md"
    code = main(["replay", str(data / "example_answers.yaml"), "--scripts", str(example_scripts(tmp_path)),
                 "--out", str(plan_file)])
    _, err = capsys.readouterr()
    assert code == 0, err
    assert ("Группы: Многодетный родитель — 4 ребёнка младше 18 лет, младшему 1 год "
            "(многодетная семья — от 3 детей).") in err
    assert "Не решено" not in err
    assert "не использован" not in err
    plan = plan_file.read_text(encoding="utf-8")
    assert "Подбор вакансий с неполным рабочим днём, гибким графиком или удалённой работой" in plan
    assert ("*Выход на работу — после отпуска по уходу за ребёнком (до 15.01.2028). Младший ребёнок "
            "ждёт места в детском саду: искать работу рядом с домом.*") in plan
    assert "- Просмотреть подобранные вакансии и откликнуться на подходящие — до 11.12.2026." in plan


def test_the_documented_example_refuses_a_leave_past_the_third_birthday(tmp_path, capsys):
    """The example's validate rule, with its templated message, as replay reports it."""
    text = (ROOT / "tests" / "data" / "example_answers.yaml").read_text(encoding="utf-8")
    answers = tmp_path / "answers.yaml"
    answers.write_text(text.replace("lf_leave_end_date: 15.01.2028", "lf_leave_end_date: 16.01.2028"),
                       encoding="utf-8")
    line = text.splitlines().index("  lf_leave_end_date: 15.01.2028") + 1
    assert main(["replay", str(answers), "--scripts", str(example_scripts(tmp_path))]) == 1
    assert capsys.readouterr().err == (
        f"{answers}:{line}: «lf_leave_end_date»: Отпуск по уходу длится, пока ребёнку не исполнится "
        "3 года: не позже 15.01.2028.\n"
    )
