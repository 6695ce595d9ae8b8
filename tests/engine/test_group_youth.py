"""«Молодежь»: module, the own-business measure, the plan section and criteria.

The fixture tests/replays/youth.yaml is a 27-year-old former car mechanic who wants to
change profession: in «Молодежь» only. Variants change answers in a temporary copy.
"""

from __future__ import annotations

import re

from tests.helpers import REPLAYS, bundle, plan_section, replay_plan, replay_variant

FIXTURE = REPLAYS / "youth.yaml"
OWN_BUSINESS = "Содействие в организации собственного дела"


def test_the_fixture_is_young_and_in_no_other_group():
    result, _ = replay_plan(FIXTURE)
    assert result.interview.classification.ids == ["youth"]
    assert result.unused == []


def test_the_inspector_sees_the_traits_and_the_working_principle():
    module = bundle().module_for("youth")
    assert len(module.traits) == 8
    assert module.traits[3] == "Желание работать удаленно;"
    assert module.approach == [
        "Определение зоны взаимной ответственности: клиент должен принимать активное участие в поиске работы"
    ]


def test_the_plan_shows_profession_expectations_and_fears():
    _, plan = replay_plan(FIXTURE)
    part = plan_section(plan, "Профессия и ожидания от работы")
    assert "- **Профессия:** Автомеханик." in part
    assert "- **Работать по профессии:** Не хочет, хочет сменить профессию." in part
    assert "- **Ожидаемая заработная плата:** от 90\u00a0000 руб. в месяц." in part
    assert "- **Собеседования:** Волнуется, боится отказа работодателя." in part
    assert "- **Где уже ищет работу:** Сайты вакансий; Знакомые и родственники." in part


def test_work_format_and_salary_become_criteria():
    _, plan = replay_plan(FIXTURE)
    criteria = plan.split("Критерии подбора вакансий:")[1].split("##")[0]
    assert "- Желательно удалённая или гибридная работа" in criteria
    assert "- Заработная плата не ниже 90\u00a0000 руб. в месяц" in criteria
    assert "По профессии" not in criteria  # he does not want to work as a car mechanic


def test_own_business_support_follows_the_interest(tmp_path):
    _, plan = replay_plan(FIXTURE)
    assert OWN_BUSINESS in plan
    assert "- Прийти на консультацию по организации собственного дела — до 28.12.2026." in plan
    _, plan = replay_variant(tmp_path, FIXTURE, youth_own_business="no")
    assert OWN_BUSINESS not in plan
    assert "консультацию по организации собственного дела" not in plan


def test_a_business_idea_is_quoted_once_without_a_doubled_full_stop(tmp_path):
    _, plan = replay_variant(tmp_path, FIXTURE, youth_own_business="idea",
                             youth_business_idea="Выездной шиномонтаж.")
    assert "*Идея клиента: «Выездной шиномонтаж».*" in plan
    assert "- **Собственное дело:** Да, есть идея своего дела — Выездной шиномонтаж." in plan


def test_a_client_without_a_profession_is_not_asked_whether_to_work_in_it(tmp_path):
    result, plan = replay_variant(tmp_path, FIXTURE, youth_profession=None, youth_work_in_profession=None)
    asked = {q.id for q in result.interview.questions}
    assert "youth_work_in_profession" not in asked
    assert "- **Профессия:** Нет." in plan
    assert "Работать по профессии" not in plan


def test_remote_only_is_a_strict_criterion(tmp_path):
    _, plan = replay_variant(tmp_path, FIXTURE, youth_remote="remote_only")
    assert "- Только удалённая работа" in plan


def test_a_graduate_is_not_asked_the_youth_questions_again():
    result, plan = replay_plan(REPLAYS / "graduate.yaml")
    assert {"youth", "graduate"} <= set(result.interview.classification.ids)
    asked = {q.id for q in result.interview.questions}
    # Only readiness to study, which the graduate module does not ask.
    assert {q for q in asked if q.startswith("youth_")} == {"youth_training_ready"}
    assert "## Профессия и ожидания от работы" not in plan
    assert "- **Обучение:** Решит после профориентации." in plan


def test_the_printed_plan_has_no_empty_or_broken_lines():
    _, plan = replay_plan(FIXTURE)
    assert "None" not in plan
    assert not re.search(r"\.\.(?!\.)|:\*\* *\.|^- *$", plan, re.M)
