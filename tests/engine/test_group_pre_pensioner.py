"""«Гражданин предпенсионного возраста»: the module's answers choose and shape the seed's measures."""

from __future__ import annotations

import yaml

from tests.helpers import REPLAYS, bundle, plan_section, replay_plan, replay_variant
from tui.engine.replay import classify_facts

CASE = REPLAYS / "pre_pensioner.yaml"


def test_a_northern_man_two_years_before_his_pension_is_pre_pensioner():
    result, plan = replay_plan(CASE)
    assert result.unused == []
    assert result.interview.classification.ids == ["pre_pensioner"]
    assert "право на пенсию с 15.04.2028 (60 лет, с учётом северного стажа)" in plan


def test_with_a_full_northern_record_a_man_born_1966_is_already_a_pensioner(tmp_path):
    # 20 northern and 28 insurance years: his age is 58, reached in 2024.
    doc = yaml.safe_load(CASE.read_text(encoding="utf-8"))
    facts = {k: v for k, v in doc["answers"].items() if not k.startswith("prep_")}
    facts["birth_date"] = "1966-05-10"
    path = tmp_path / "facts.yaml"
    text = yaml.safe_dump({"date": doc["date"], "answers": facts}, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    assert classify_facts(bundle(), path).classification.ids == ["pensioner"]


def test_the_module_shows_the_seed_traits():
    module = next(m for m in bundle().modules if m.id == "pre_pensioner")
    assert len(module.traits) == 6
    assert (
        "Повышенные размер и срок выплаты пособия по безработице служат сдерживающим фактором "
        "трудоустройства." in module.traits
    )


def test_plan_lists_the_seed_measures_in_its_words():
    _, plan = replay_plan(CASE)
    measures = plan_section(plan, "Мероприятия")
    for text in (
        "Работа с резюме. Важно не перегрузить потенциального работодателя, описать последние 10 "
        "лет, делать больший упор на практические знания и умения клиента",
        "Расширение каналов поиска работы (сайты-агрегаторы, социальные сети и другие инструменты "
        "самостоятельного рекрутмента)",
        "Повышение цифровой грамотности, обучение работы с порталами по поиску работы",
        "Направление на получение дополнительного образования. Для освоения новой профессии, "
        "которая востребована сейчас на рынке труда.",
        "Психологическая поддержка и индивидуальные консультации психолога (снятие психологических "
        "барьеров и повышение самооценки)",
        "Предложение для участия во временных работах с целью проявления своих профессиональных "
        "навыков и возможного дальнейшего трудоустройства на постоянную работу.",
        "Проведение тематических ярмарок вакансий направленных на трудоустройство данной категории",
        "Дублирование информации на бумажном носителе, напоминание о предстоящих событиях по телефону",
        "Информирование о положении на рынке труда",
    ):
        assert text in measures, text


def test_declined_measures_leave_the_plan(tmp_path):
    _, plan = replay_variant(
        tmp_path, CASE,
        prep_retrain="no",
        prep_training_interest=None,
        prep_psychologist=False,
        prep_temporary_work=False,
        prep_resume="actual",
        prep_digital_skills="confident",
        prep_digital_training=None,
        prep_search_channels=["portal", "aggregators", "social"],
        prep_phone_reminders=False,
        prep_phone_confirmed=None,
    )
    for text in (
        "Направление на получение дополнительного образования",
        "Психологическая поддержка",
        "Предложение для участия во временных работах",
        "Работа с резюме",
        "Повышение цифровой грамотности",
        "Расширение каналов поиска работы",
        "Дублирование информации на бумажном носителе",
    ):
        assert text not in plan_section(plan, "Мероприятия"), text
    assert "Проведение тематических ярмарок вакансий" in plan  # for everyone in the group


def test_an_unsure_client_is_first_told_which_professions_are_in_demand():
    _, plan = replay_plan(CASE)
    assert (
        "*Клиент пока сомневается: сначала рассказать, какие профессии востребованы, и подобрать "
        "обучение вместе с ним (интересует: наладчик оборудования с ЧПУ).*" in plan
    )


def test_search_channels_name_what_the_client_does_not_use_yet(tmp_path):
    _, plan = replay_plan(CASE)
    assert (
        "Добавить к поиску сайты-агрегаторы вакансий и социальные сети — после обучения работе с "
        "порталами.*" in plan
    )
    _, social_only = replay_variant(
        tmp_path, CASE,
        prep_search_channels=["portal", "aggregators"],
        prep_digital_skills="confident",
        prep_digital_training=None,
    )
    assert "Добавить к поиску социальные сети и мессенджеры.*" in social_only


def test_paper_and_phone_measure_says_which_part_applies(tmp_path):
    _, plan = replay_plan(CASE)
    assert "Звонить по номеру +7 911 482-30-57 накануне каждой явки" in plan
    assert "Копии на бумаге клиенту не нужны." in plan
    _, paper = replay_variant(
        tmp_path, CASE, prep_written_copies=True, prep_phone_reminders=False, prep_phone_confirmed=None
    )
    assert "Даты явок, адреса, время собеседований и мероприятий выдавать клиенту на бумаге" in paper
    assert "Напоминания по телефону клиенту не нужны." in paper
    assert "Звонить по номеру" not in paper


def test_work_limits_become_job_search_criteria():
    _, plan = replay_plan(CASE)
    criteria = plan.split("Критерии подбора вакансий:")[1].split("##")[0]
    assert "- Без работы в ночное время" in criteria
    assert "- Без командировок и вахты" in criteria


def test_plan_reads_cleanly():
    _, plan = replay_plan(CASE)
    assert "None" not in plan and "none" not in plan
    assert ".." not in plan and ";." not in plan and "\n- \n" not in plan
