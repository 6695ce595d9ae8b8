"""«Выпускники учреждений ВО и СПО»: module, measures, plan section and criteria.

The fixture tests/replays/graduate.yaml is a 22-year-old who graduated from college as a
programmer five months ago and had a summer job: «Молодежь» and «Выпускники». Variants
change answers in a temporary copy.
"""

from __future__ import annotations

import re

from tests.helpers import REPLAYS, bundle, measure_detail, replay_plan, replay_variant

FIXTURE = REPLAYS / "graduate.yaml"

EMPLOYERS = (
    "Тесное сотрудничество с работодателями, составление базы вакансий для выпускников, "
    "участие в разработке муниципальных/региональных программ по трудоустройству выпускников "
    "- стимулирование работодателей, принимающих выпускников на работу."
)
ORIENTATION = (
    "Помощь в организации и ориентация выпускника на развитие: самозанятости, индивидуальной "
    "трудовой деятельности, удаленной работы, иных гибридных форм занятости."
)
INTERNSHIPS = (
    "Подбор программ производственной практики и стажировок, совместно с учреждениями "
    "профессионального образования."
)
RESUME = (
    "Помощь в составлении резюме (особенности резюме при первом опыте поиска работы): замена "
    "отсутствия опыта работы по профессии - практикой/стажировкой/волонтерской деятельностью; "
    "замена рекомендаций с мест работы – характеристикой образовательного учреждения, "
    "руководителей практики и т.д."
)
FAIRS = "Проведение тематических ярмарок вакансий, ориентированных на выпускников."


def test_the_fixture_is_a_young_graduate_who_has_worked():
    result, _ = replay_plan(FIXTURE)
    assert result.interview.classification.ids == ["youth", "graduate"]
    assert result.unused == []


def test_the_inspector_sees_the_seven_traits_and_the_graduate_steps():
    module = bundle().module_for("graduate")
    assert len(module.traits) == 7
    assert module.traits[0].startswith(
        "Отсутствие опыта работы по полученной профессии, трудности практического применения "
        "теоритических знаний"
    )
    assert "разработка самостоятельных «шагов» выпускника" in module.approach[0]


def test_every_graduate_measure_is_in_the_plan_once_worded_as_in_the_seed():
    _, plan = replay_plan(FIXTURE)
    for text in (EMPLOYERS, ORIENTATION, INTERNSHIPS, RESUME, FAIRS):
        assert plan.count(text) == 1, text
    # The shared measures the graduate model also names, with the graduate's words.
    assert "Сопровождение выпускника: план поиска работы, резюме и письма работодателям" in plan
    assert "В том числе о Днях «открытых дверей» у крупных работодателей." in plan


def test_the_vacancy_base_is_searched_by_the_specialty_and_its_demand(tmp_path):
    _, plan = replay_plan(FIXTURE)
    assert measure_detail(plan, EMPLOYERS).startswith(
        "Подбирать вакансии для выпускников по специальности "
        "«Информационные системы и программирование (программист)»; в регионе их мало"
    )
    _, plan = replay_variant(tmp_path, FIXTURE, grad_work_in_specialty="no")
    assert "Клиент не хочет работать по специальности" in measure_detail(plan, EMPLOYERS)


def test_internships_are_chosen_only_when_wanted(tmp_path):
    _, plan = replay_plan(FIXTURE)
    assert INTERNSHIPS in plan
    assert ("- Выбрать вместе с инспектором программу стажировки или производственной практики"
            " — до 28.12.2026.") in plan
    _, plan = replay_variant(tmp_path, FIXTURE, grad_internship_wanted=False)
    assert INTERNSHIPS not in plan
    assert "программу стажировки" not in plan


def test_self_employment_orientation_follows_the_forms_of_interest(tmp_path):
    _, plan = replay_plan(FIXTURE)
    assert measure_detail(plan, ORIENTATION) == "Клиенту интересны: удалённая работа, самозанятость."
    _, plan = replay_variant(tmp_path, FIXTURE, grad_work_forms=None)
    assert ORIENTATION not in plan
    # No vacancies in the specialty in the region: remote work and self-employment are the way.
    _, plan = replay_variant(tmp_path, FIXTURE, grad_work_forms=None, grad_specialty_demand="absent")
    assert "Вакансий по специальности в регионе нет" in measure_detail(plan, ORIENTATION)
    _, plan = replay_variant(tmp_path, FIXTURE, grad_work_forms=None, grad_specialty_demand="absent",
                             grad_work_in_specialty="no")
    assert ORIENTATION not in plan


def test_the_first_resume_uses_practice_and_asks_for_a_reference(tmp_path):
    # The graduate's resume leads the resume measure; youth's letters follow in its detail.
    _, plan = replay_plan(FIXTURE)
    assert measure_detail(plan, RESUME).startswith(
        "В резюме указать производственную практику, участие в проектах, конкурсах, олимпиадах. "
        "Запросить характеристику в учебном заведении или у руководителя практики."
    )
    _, plan = replay_variant(tmp_path, FIXTURE, grad_reference=True, grad_experience=None)
    assert measure_detail(plan, RESUME).startswith(
        "Практики и стажировок не было: в резюме — учебные работы, навыки и личные качества. "
        "Приложить характеристику из учебного заведения или от руководителя практики."
    )


def test_the_plan_section_and_criteria_say_what_the_graduate_wants():
    _, plan = replay_plan(FIXTURE)
    part = plan.split("## Специальность и первый опыт", 1)[1].split("\n## ", 1)[0]
    assert "- **Вакансии по специальности в регионе:** Вакансий мало." in part
    assert ("- **Практический опыт для резюме:** Производственная практика; "
            "Проекты, конкурсы, олимпиады.") in part
    assert "- **Характеристика из учебного заведения или от руководителя практики:** Нет, запросить." in part
    criteria = plan.split("Критерии подбора вакансий:")[1].split("##")[0]
    assert "- По специальности «Информационные системы и программирование (программист)»" in criteria
    assert "- Вакансии для выпускников, без требования опыта работы" in criteria
    assert "- Рассматривать также удалённую работу" in criteria
    assert "- Заработная плата не ниже 70\u00a0000 руб. в месяц" in criteria


def test_a_graduate_who_does_not_want_the_specialty_gets_no_specialty_criterion(tmp_path):
    _, plan = replay_variant(tmp_path, FIXTURE, grad_work_in_specialty="no")
    criteria = plan.split("Критерии подбора вакансий:")[1].split("##")[0]
    assert "По специальности" not in criteria
    assert "- **Работать по специальности:** Не хочет, хочет сменить профессию." in plan


def test_an_older_graduate_is_asked_the_same_and_gets_no_youth_measures(tmp_path):
    result, plan = replay_variant(tmp_path, FIXTURE, birth_date="1988-02-11")
    assert result.interview.classification.ids == ["graduate"]
    assert RESUME in plan and EMPLOYERS in plan
    assert "Анализ востребованности имеющейся профессии" not in plan  # a youth measure


def test_the_printed_plan_has_no_empty_or_broken_lines():
    _, plan = replay_plan(FIXTURE)
    assert "None" not in plan
    assert not re.search(r"\.\.(?!\.)|:\*\* *\.|^- *$|«[^»]*\.»", plan, re.M)
