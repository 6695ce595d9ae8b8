"""Replay: answer files through the engine, golden plans, and a recorded session replayed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import MOTHER_TYPED, REPLAYS, TODAY, bundle, finish, plan_text
from tui.cli import main
from tui.engine.replay import ReplayError, read_answers_file, replay
from tui.engine.session import Session
from tui.store.store import Store

CASES = sorted(p for p in REPLAYS.glob("*.yaml"))


def golden(case: Path) -> Path:
    return case.with_suffix(".plan.md")


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_replay_reproduces_the_golden_plan(case):
    result = replay(bundle(), case)
    plan = plan_text(result.interview, {"mode": "replay"})
    expected = golden(case)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        expected.write_text(plan, encoding="utf-8")
    assert expected.exists(), f"no golden plan for {case.name}: run with UPDATE_GOLDEN=1"
    assert plan == expected.read_text(encoding="utf-8")


def plan_of(name: str) -> str:
    return plan_text(replay(bundle(), REPLAYS / name).interview, {"mode": "replay"})


def test_own_business_path_brings_financial_support_and_self_employment():
    own = plan_of("mother_own_business.yaml")
    employer = plan_of("mother_employer.yaml")
    assert "Информирование о дополнительной финансовой поддержке" in own
    assert "губернаторского стартапа" in own
    assert "открытие самозанятости" in own
    assert "Информирование о дополнительной финансовой поддержке" not in employer


def test_schedule_limits_become_job_search_criteria():
    plan = plan_of("mother_employer.yaml")
    criteria = plan.split("Критерии подбора вакансий:")[1].split("##")[0]
    assert "- Не работать в выходные дни" in criteria
    assert "- Рабочий день до 18:00" in criteria
    assert "- Рядом с домом или детским садом" in criteria
    assert "- Заработная плата не ниже 60\u00a0000 руб. в месяц" in criteria


def test_plan_holds_client_date_group_reason_and_life_situation():
    plan = plan_of("mother_employer.yaml")
    assert "**Клиент:** Кузнецова Мария, дата рождения 20.02.1989" in plan
    assert "**Дата составления:** 27 ноября 2026 г." in plan
    assert "**Женщина с детьми дошкольного возраста.** Женщина; младшему ребёнку 3 года" in plan
    assert "**Детский сад:** Стоим в очереди, ждём место." in plan
    assert "**Помощь родственников:** Нет." in plan
    assert "Нет места в детском саду рядом с домом" in plan  # the «other» barrier, as typed
    assert "Консультация психолога" in plan  # asked for
    assert "Посещение женского клуба" not in plan  # declined


def test_man_gets_no_group_measures():
    plan = plan_of("man_no_group.yaml")
    assert "Клиентская группа не определена" in plan
    assert "Мероприятия не назначены." in plan


def test_replay_date_flag_overrides_the_file(tmp_path):
    result = replay(bundle(), REPLAYS / "mother_employer.yaml", today=TODAY.replace(year=2031))
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


def test_commitments_state_the_agreed_numbers():
    plan = plan_of("long_unemployed.yaml")
    commitments = plan.split("## Что клиент обязуется сделать")[1].split("\n## ")[0]
    assert "- Отправлять не менее 10 откликов на вакансии в неделю и посетить не менее 5 работодателей" in (
        commitments
    )


def test_a_client_who_can_hardly_leave_home_is_visited_not_summoned():
    plan = plan_of("disabled_home.yaml")
    assert "## Даты встреч (выезд мобильной группы на дом)" in plan
    assert "Встречаться с мобильной группой центра занятости в согласованные даты" in plan
    assert "Приходить в центр занятости в назначенные даты" not in plan
    assert "## Даты явки в центр занятости" in plan_of("disabled.yaml")


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
