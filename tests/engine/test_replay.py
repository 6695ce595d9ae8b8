"""Replay: answer files through the engine, and a recorded session replayed to the same plan."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.helpers import MOTHER_TYPED, REPLAYS, TODAY, bundle, finish, plan_text
from tui.cli import main
from tui.engine.replay import ReplayError, read_answers_file, replay
from tui.engine.session import Session
from tui.store.store import Store


def test_replay_date_flag_overrides_the_file(tmp_path):
    # In 2031 she is 42: the work record is asked as well.
    doc = yaml.safe_load((REPLAYS / "mother_employer.yaml").read_text(encoding="utf-8"))
    doc["answers"].update(northern_years=10, insurance_years=14, other_early_work=False)
    case = tmp_path / "mother_employer.yaml"
    case.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    result = replay(bundle(), case, today=TODAY.replace(year=2031))
    assert "mother_preschool" not in result.interview.classification.ids  # the child is 8 by then


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "answers.yaml"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("date: 2026-11-27\nanswers:\n  consent_pd: yes\n  nickname: x\n", 4, "нет вопроса «nickname»"),
        (
            "date: 2026-11-27\nanswers:\n  consent_pd: yes\n  last_name: [a]\n",
            4,
            "«last_name»: Ожидается текст",
        ),
        (
            "date: 2026-11-27\nanswers:\n  consent_pd: yes\n  last_name: А\n  first_name: Б\n"
            "  birth_date: 31.02.1990\n",
            6,
            "«birth_date»: Такой даты нет",
        ),
        (
            "date: 2026-11-27\nanswers:\n  consent_pd: yes\n",
            2,
            "нет ответа на обязательный вопрос «last_name»",
        ),
        ("answers:\n  consent_pd: yes\n", 1, "не задана дата интервью"),
        ("answers: [1, 2]\n", 1, "нет словаря «answers»"),
        ("date: 2026-11-27\nanswers:\n  consent_pd: [\n", 4, "это не YAML"),
    ],
)
def test_bad_answer_files_name_file_line_and_question(tmp_path, text, line, message):
    path = write(tmp_path, text)
    with pytest.raises(ReplayError) as info:
        replay(bundle(), path)
    assert info.value.path == str(path)
    assert info.value.line == line
    assert message in info.value.message


def test_recorded_session_replays_to_the_same_plan(tmp_path):
    record = tmp_path / "recorded.yaml"
    session = Session(bundle(), Store(tmp_path / "data"), TODAY, inspector="Петрова", record=record)
    while session.current is not None:
        session.submit(MOTHER_TYPED.get(session.current.id))
        if session.needs_group_confirmation:
            session.confirm_groups({})  # the inspector confirms what the rules found
    live = finish(session)
    assert "**Инспектор ЦЗН (куратор):** Петрова" in live
    replayed = replay(bundle(), record)
    assert replayed.unused == []
    assert plan_text(replayed.interview, replayed.meta()) == live


def test_replay_command_reproduces_the_plan_of_a_recorded_session(tmp_path):
    record = tmp_path / "recorded.yaml"
    session = Session(bundle(), Store(tmp_path / "data"), TODAY, inspector="Петрова Е. А.", record=record)
    while session.current is not None:
        session.submit(MOTHER_TYPED.get(session.current.id))
        if session.needs_group_confirmation:
            session.confirm_groups({})  # the inspector confirms what the rules found
    live = finish(session)
    out = tmp_path / "plan.md"
    assert main(["replay", str(record), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == live


def _answers_with_groups(tmp_path: Path, groups: str) -> Path:
    path = tmp_path / "answers.yaml"
    path.write_text(f"date: 2026-11-27\ngroups: {groups}\nanswers:\n  consent_pd: yes\n", encoding="utf-8")
    return path


def test_the_inspector_group_decisions_are_read_with_their_lines(tmp_path):
    path = _answers_with_groups(tmp_path, "[{group: youth, action: add, reason: ' по заявлению '}]")
    assert read_answers_file(path).overrides == [("youth", "add", "по заявлению", 2)]


@pytest.mark.parametrize(
    ("groups", "message"),
    [
        ("youth", "«groups» — список решений инспектора о группах"),
        ("[youth]", "решение о группе: {group: id, action: add|remove, reason: текст}"),
        ("[{group: youth, action: add, reason: r, by: me}]",
         "решение о группе: {group: id, action: add|remove, reason: текст}"),
        ("[{group: youth, action: drop, reason: r}]", "«action» — add или remove, а не «drop»"),
        ("[{group: youth, action: remove, reason: '  '}]",
         "нет причины решения о группе «youth»: она обязательна"),
        ("[{group: youth, action: remove}]", "нет причины решения о группе «youth»: она обязательна"),
    ],
)
def test_a_bad_group_decision_is_named_with_its_line(tmp_path, groups, message):
    path = _answers_with_groups(tmp_path, groups)
    with pytest.raises(ReplayError) as exc:
        read_answers_file(path)
    assert str(exc.value) == f"{path}:2: {message}"
