"""«Гражданин, ранее не работавший»: module, measures, plan section and criteria.

The fixture tests/replays/never_worked.yaml is a 19-year-old with a school certificate who
has never worked: «Молодежь» and «Гражданин, ранее не работавший». Variants change answers
in a temporary copy.
"""

from __future__ import annotations

import re

from tests.helpers import REPLAYS, bundle, measure_detail, replay_plan, replay_variant

FIXTURE = REPLAYS / "never_worked.yaml"

VACANCIES = (
    "Предложить ознакомиться с подходящими для него вакансиями и обратить внимание, что "
    "высокооплачиваемые вакансии предполагают наличие профессионального образования и опыта "
    "работы."
)
GUIDANCE = (
    "Информировать о необходимости проведения профессиональной ориентации для определения "
    "выбора профессии и возможности получения профессионального образования"
)
LIST = (
    "Определить с клиентом список наиболее желательных для трудоустройства вакансий, "
    "подготовить резюме, расширить знания о каналах поиска работы."
)
PROFILING = (
    "Информировать о необходимости прохождения профилирования для более эффективного поиска "
    "работы. Помочь в составлении плана поиска работы. Рассказать, какие ресурсы поиска работы "
    "использовать в интернете, а также знакомим с нашими мероприятиями по содействию занятости."
)
PSYCHOLOGIST = (
    "Предложить встречу с психологом по вопросу составления резюме и как правильно презентовать "
    "себя работодателю при прохождении собеседования"
)
TEMPORARY = (
    "Информировать клиента о возможности участия во временных работах для адаптации в рабочем "
    "коллективе, получения трудового опыта и проявления лучших качеств для дальнейшего "
    "постоянного трудоустройства."
)

#: The same client at 40: not young, so this module asks the salary itself.
OLDER = {
    "birth_date": "1986-04-02",
    "orphan_status": None,
    "youth_profession": None,
    "youth_remote": None,
    "youth_salary": None,
    "youth_interview_fear": None,
    "youth_search_channels": None,
    "youth_own_business": None,
    "nw_salary": 45000,
}


def test_the_fixture_is_young_and_has_never_worked():
    result, _ = replay_plan(FIXTURE)
    assert result.interview.classification.ids == ["youth", "never_worked"]
    assert result.unused == []


def test_etiquette_is_guidance_for_the_inspector_not_a_measure():
    module = bundle().module_for("never_worked")
    assert module.approach == [
        "При взаимодействии с данной клиентской группой важно соблюдение этикета: вежливое "
        "общение с клиентом, вовлеченность в его проблемы."
    ]
    assert module.traits[0].startswith("Проблема: без профессионального образования")
    assert module.traits[-1].startswith("Цель: найти работу с высоким доходом")
    _, plan = replay_plan(FIXTURE)
    assert "этикет" not in plan


def test_every_measure_is_in_the_plan_worded_as_in_the_seed():
    _, plan = replay_plan(FIXTURE)
    for text in (VACANCIES, GUIDANCE, LIST, PROFILING, PSYCHOLOGIST, TEMPORARY):
        assert plan.count(text) == 1, text
    # Shared measures with the never-worked client's words.
    assert ("Клиент должен принимать активное участие в поиске работы и решении вопроса в "
            "получение профессионального образования.") in plan
    assert "О рынке труда региона" in plan


def test_the_desired_vacancies_and_the_salary_expected_shape_the_measures():
    _, plan = replay_plan(FIXTURE)
    # The list leads the resume measure; youth's letters follow in its detail.
    assert measure_detail(plan, LIST).startswith(
        "Желательные вакансии: Продавец-консультант; Администратор торгового зала; Курьер."
    )
    # The youth module asked the salary: this module does not ask it again.
    assert measure_detail(plan, VACANCIES) == (
        "Клиент рассчитывает на заработную плату от 80 000 руб. в месяц."
    )
    assert measure_detail(plan, GUIDANCE) == (
        "Клиент определится с обучением после профориентации; интересует профессия «Повар»."
    )


def test_an_older_client_is_asked_the_salary_here(tmp_path):
    result, plan = replay_variant(tmp_path, FIXTURE, **OLDER)
    assert result.interview.classification.ids == ["never_worked"]
    assert "nw_salary" in {q.id for q in result.interview.questions}
    assert "- **Ожидаемая заработная плата:** от 45\u00a0000 руб. в месяц." in plan
    assert "- Заработная плата не ниже 45\u00a0000 руб. в месяц" in plan
    assert "Клиент рассчитывает на заработную плату от 45 000 руб. в месяц." in plan


def test_the_psychologist_meeting_only_when_wanted(tmp_path):
    _, plan = replay_plan(FIXTURE)
    assert "- Прийти на встречу с психологом — до 11.12.2026." in plan
    _, plan = replay_variant(tmp_path, FIXTURE, nw_psychologist=False)
    assert PSYCHOLOGIST not in plan
    assert "встречу с психологом" not in plan


def test_temporary_work_information_follows_the_readiness(tmp_path):
    _, plan = replay_variant(tmp_path, FIXTURE, nw_temporary_work="maybe")
    assert measure_detail(plan, TEMPORARY) == "Клиент хочет узнать о временных работах подробнее."
    assert "Подходит и временная работа" not in plan
    _, plan = replay_variant(tmp_path, FIXTURE, nw_temporary_work="no")
    assert TEMPORARY not in plan


def test_a_client_with_a_diploma_is_not_told_to_choose_a_profession(tmp_path):
    _, plan = replay_variant(tmp_path, FIXTURE, education_level="secondary_vocational",
                             graduation_date="2024-06-28")
    assert GUIDANCE not in plan
    criteria = plan.split("Критерии подбора вакансий:")[1].split("##")[0]
    assert "- Без требования опыта работы\n" in criteria


def test_criteria_ask_for_vacancies_open_to_a_beginner():
    _, plan = replay_plan(FIXTURE)
    criteria = plan.split("Критерии подбора вакансий:")[1].split("##")[0]
    assert "- Без требования опыта работы и профессионального образования" in criteria
    assert "- Подходит и временная работа" in criteria


def test_the_plan_section_lists_the_first_steps():
    _, plan = replay_plan(FIXTURE)
    part = plan.split("## Первая работа", 1)[1].split("\n## ", 1)[0]
    assert "- **Желательные вакансии:** Продавец-консультант; Администратор торгового зала; Курьер." in part
    assert "- **Получить профессию:** Решит после профориентации; интересует профессия «Повар»." in part
    assert "- **Встреча с психологом о резюме и собеседовании:** Нужна." in part
    assert "- **Временная работа для первого опыта:** Готов." in part


def test_the_printed_plan_has_no_empty_or_broken_lines():
    _, plan = replay_plan(FIXTURE)
    assert "None" not in plan
    assert not re.search(r"\.\.(?!\.)|:\*\* *\.|^- *$|«[^»]*\.»", plan, re.M)
