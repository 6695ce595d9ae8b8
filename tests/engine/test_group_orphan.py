"""«Дети-сироты»: module, measures (the mandatory classes before any referral), plan section.

The fixture tests/replays/orphan.yaml is a 21-year-old left without parental care, a
plasterer by her 2025 diploma, who had seasonal work: «Молодежь» and «Дети-сироты».
Variants change answers in a temporary copy.
"""

from __future__ import annotations

import re

from tests.helpers import REPLAYS, bundle, measure_detail, replay_plan, replay_variant

FIXTURE = REPLAYS / "orphan.yaml"

MANDATORY = (
    "Обязательное посещение клиентом мероприятий, посвященных процессам составления резюме и "
    "прохождения собеседования, до направления его к работодателю"
)
BRIEFING = (
    "При направлении на собеседование к работодателю, информирование клиента обо всех этапах "
    "собеседования в том числе, где и во сколько состоится собеседование, как добраться до "
    "места встречи (при необходимости распечатать карту и отметить маршрут), что взять с собой "
    "и т.д."
)
WRITTEN = "Дублирование важной или объемной информации в письменном виде"
TRAININGS = "Посещение психологических тренингов, занятий по социальной адаптации"

#: The same client as a fresh graduate who has never worked: in all four groups.
GRADUATE_NEVER_WORKED = {
    "graduation_date": "2026-06-30",
    "ever_worked": False,
    "currently_employed": None,
    "last_job_end_date": None,
    "youth_profession": None,
    "youth_work_in_profession": None,
    "youth_remote": None,
    "youth_salary": None,
    "youth_interview_fear": None,
    "youth_search_channels": None,
    "youth_own_business": None,
    "grad_specialty": "Мастер отделочных строительных работ",
    "grad_specialty_demand": "unknown",
    "grad_work_in_specialty": "no",
    "grad_reference": True,
    "grad_internship_wanted": False,
    "grad_salary": 50000,
    "grad_interview_fear": True,
    "nw_desired_vacancies": "Продавец\nКассир",
    "nw_psychologist": False,
    "nw_temporary_work": "yes",
}


def test_the_fixture_is_an_orphan_and_young():
    result, _ = replay_plan(FIXTURE)
    assert result.interview.classification.ids == ["youth", "orphan"]
    assert result.unused == []


def test_the_inspector_is_told_not_to_stress_the_status():
    module = bundle().module_for("orphan")
    assert len(module.traits) == 7
    assert module.approach == [
        "Соблюдение этикета: в общении с клиентом не следует делать акцент на его особом "
        "статусе, наделять его отличными от других клиентов правами"
    ]


def test_every_orphan_measure_is_in_the_plan_worded_as_in_the_seed():
    _, plan = replay_plan(FIXTURE)
    for text in (MANDATORY, BRIEFING, WRITTEN, TRAININGS):
        assert plan.count(text) == 1, text
    # Shared with «Молодежь»: guidance and training, with the orphan's words on training.
    assert "Анализ востребованности имеющейся профессии, проведение профессиональной ориентации" in plan
    assert ("Профессиональное обучение, дополнительное образование, повышение квалификации — "
            "по итогам профессиональной ориентации.") in plan


def test_resume_and_interview_classes_are_mandatory_whatever_the_answers(tmp_path):
    catalog = {m.id: m for m in bundle().measures}
    assert catalog["orph_resume_interview_before_referral"].when is None
    _, plan = replay_variant(tmp_path, FIXTURE, orph_has_resume=True, orph_route_help=False,
                             youth_interview_fear=False)
    assert MANDATORY in plan
    assert measure_detail(plan, MANDATORY) == "Направление к работодателю — после этих занятий."
    assert "- Посетить занятия по составлению резюме и прохождению собеседования — до 11.12.2026." in plan
    assert ("- **До направления к работодателю** клиент обязательно посещает занятия по "
            "составлению резюме и прохождению собеседования.") in plan


def test_without_a_resume_it_is_written_at_the_class():
    # The mandatory classes lead the measure; youth's trainings follow in its detail.
    _, plan = replay_plan(FIXTURE)
    assert measure_detail(plan, MANDATORY).startswith(
        "Направление к работодателю — после этих занятий. "
        "Резюме у клиента пока нет: составить его на занятии."
    )


def test_a_printed_route_only_when_needed(tmp_path):
    _, plan = replay_plan(FIXTURE)
    assert "Распечатать клиенту карту и отметить маршрут до места собеседования." in measure_detail(
        plan, BRIEFING
    )
    assert "- **Маршрут до собеседования:** Распечатать карту и отметить маршрут." in plan
    _, plan = replay_variant(tmp_path, FIXTURE, orph_route_help=False)
    assert BRIEFING in plan  # the briefing itself is always given
    assert measure_detail(plan, BRIEFING) == "При каждом направлении на собеседование."
    assert "Маршрут до собеседования" not in plan


def test_written_copies_go_the_way_the_client_chose(tmp_path):
    _, plan = replay_plan(FIXTURE)
    assert measure_detail(plan, WRITTEN) == (
        "На бумаге и сообщением на телефон +7 921 555-08-73: адреса, даты и время встреч, "
        "списки документов; первый экземпляр на бумаге — этот план."
    )
    _, plan = replay_variant(tmp_path, FIXTURE, orph_info_form="message")
    assert measure_detail(plan, WRITTEN) == (
        "Сообщением на телефон +7 921 555-08-73: адреса, даты и время встреч, списки документов."
    )


def test_the_plan_section_shows_housing_support_and_readiness():
    _, plan = replay_plan(FIXTURE)
    part = plan.split("## Жильё, поддержка, подготовка к собеседованию", 1)[1].split("\n## ", 1)[0]
    assert "- **Жильё:** В своём или предоставленном жилье." in part
    assert "- **Кто поддерживает:** Наставник или специалист постинтернатного сопровождения." in part
    assert "- **Профессиональное обучение:** Готова пройти." in part
    assert "- **Резюме:** Пока нет." in part


def test_an_orphan_graduate_who_never_worked_is_asked_nothing_twice(tmp_path):
    result, plan = replay_variant(tmp_path, FIXTURE, **GRADUATE_NEVER_WORKED)
    assert result.interview.classification.ids == ["youth", "graduate", "never_worked", "orphan"]
    asked = {q.id for q in result.interview.questions}
    assert "orph_training_ready" in asked
    assert "nw_study_ready" not in asked and "nw_salary" not in asked
    assert not {q for q in asked if q.startswith("youth_")}
    for text in (MANDATORY, BRIEFING, WRITTEN, TRAININGS):
        assert plan.count(text) == 1, text
    # The salary the graduate module asked reaches the never-worked measure.
    assert "Клиент рассчитывает на заработную плату от 50 000 руб. в месяц." in plan


def test_the_printed_plan_has_no_empty_or_broken_lines():
    _, plan = replay_plan(FIXTURE)
    assert "None" not in plan
    assert not re.search(r"\.\.(?!\.)|:\*\* *\.|^- *$|«[^»]*\.»", plan, re.M)
