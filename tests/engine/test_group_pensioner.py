"""«Гражданин пенсионного возраста»: the module's answers choose and shape the seed's measures."""

from __future__ import annotations

from tests.helpers import REPLAYS, bundle, plan_section, replay_plan, replay_variant

CASE = REPLAYS / "pensioner.yaml"
RETRAINING = REPLAYS / "pensioner_retraining.yaml"


def test_pensioners_replay_into_the_group_alone():
    for case in (CASE, RETRAINING):
        result, _ = replay_plan(case)
        assert result.unused == [], case.name
        assert result.interview.classification.ids == ["pensioner"], case.name


def test_a_man_born_1958_without_a_pension_is_a_pensioner_by_age(tmp_path):
    result, plan = replay_variant(
        tmp_path, RETRAINING, receives_old_age_pension=False, northern_years=10, insurance_years=42,
        list1_years=0, list2_years=0, other_early_work=False,
    )
    assert result.interview.classification.ids == ["pensioner"]
    assert "**Гражданин пенсионного возраста.** Пенсионный возраст наступил" in plan


def test_the_module_shows_the_seed_traits_and_how_to_talk():
    module = next(m for m in bundle().modules if m.id == "pensioner")
    assert len(module.traits) == 7
    assert "Имея пенсию стремится получить легкую работу, как прибавку к пенсии;" in module.traits
    assert any("не загружая ее терминами" in a for a in module.approach)


def test_plan_lists_the_seed_measures_in_its_words():
    _, plan = replay_plan(CASE)
    measures = plan_section(plan, "Мероприятия")
    for text in (
        "Работа с резюме. Важно не перегрузить потенциального работодателя (не указывать все 30 "
        "лет стажа), описать последние 10 лет",
        "Помощь в составлении резюме и заявления на портале «Работа России» при личном посещении "
        "Кадрового центра инспектором ЦЗН",
        "Повышение цифровой грамотности, обучение работы с порталами по поиску работы",
        "Предложить участие в оплачиваемых общественных работах.",
        "Проведение тематических ярмарок вакансий направленных на трудоустройство данной категории",
        "Дублирование информации в письменном виде",
        "Напоминание о предстоящих событиях по телефону",
        "Информирование о положении на рынке труда",
    ):
        assert text in measures, text
    assert "Направление на профессиональное обучение" not in measures  # she declined to study


def test_a_confident_user_with_a_resume_on_the_portal_gets_no_help_with_either():
    _, plan = replay_plan(RETRAINING)
    assert "Помощь в составлении резюме и заявления на портале" not in plan
    assert "Повышение цифровой грамотности" not in plan
    assert "Работа с резюме" not in plan
    assert "Предложить участие в оплачиваемых общественных работах" not in plan  # not interested
    assert "Дублирование информации в письменном виде" not in plan  # no paper wanted


def test_training_is_planned_with_what_the_client_wants_to_learn():
    _, plan = replay_plan(RETRAINING)
    assert (
        "Направление на профессиональное обучение, переподготовку, повышение квалификации. "
        "Возможность сменить профессию, потерявшую свою актуальность на рынке труда, или "
        "приобрести новые знания и навыки" in plan
    )
    # the typed full stop is not doubled
    interest = "оператор котельной на газовом топливе"
    assert f"*Клиент хочет освоить новую профессию (интересует: {interest}).*" in plan
    assert f"**Обучение:** Да, освоить новую профессию; интересует: {interest}." in plan


def test_resume_detail_follows_the_resume_the_client_has(tmp_path):
    _, plan = replay_plan(CASE)
    assert "*Резюме у клиента нет: составить новое.*" in plan
    _, outdated = replay_variant(tmp_path, CASE, pens_resume="outdated")
    assert "*Резюме клиента устарело: сократить и переработать.*" in outdated


def test_reminders_go_to_the_number_the_client_gave_for_them(tmp_path):
    _, plan = replay_plan(CASE)
    assert "Звонить по номеру +7 911 305-44-17 накануне каждой явки" in plan
    assert "**Напоминания по телефону:** по номеру +7 911 305-44-17." in plan
    _, confirmed = replay_variant(tmp_path, CASE, pens_phone_confirmed=True, pens_reminder_phone=None)
    assert "Звонить по номеру +7 921 274-15-36 накануне каждой явки" in confirmed
    _, none = replay_variant(
        tmp_path, CASE, pens_phone_reminders=False, pens_phone_confirmed=None, pens_reminder_phone=None
    )
    assert "Напоминание о предстоящих событиях по телефону" not in none
    assert "**Напоминания по телефону:** не нужны." in none
    assert "напомнить о ней по телефону" not in none


def test_work_kind_and_limits_become_job_search_criteria():
    _, plan = replay_plan(CASE)
    criteria = plan.split("Критерии подбора вакансий:")[1].split("##")[0]
    assert "- Неполный рабочий день, лёгкая работа — прибавка к пенсии" in criteria
    assert "- Без тяжёлой физической работы" in criteria
    assert "- Без работы в ночное время" in criteria
    assert (
        "*Подобрать общественные работы с учётом ограничений по условиям труда (см. критерии подбора "
        "вакансий), с неполным рабочим днём.*" in plan
    )


def test_client_commits_to_the_resume_portal_and_digital_training():
    _, plan = replay_plan(CASE)
    own = plan_section(plan, "Что клиент обязуется сделать")
    assert (
        "- Подготовить вместе с инспектором резюме, описав в нём последние 10 лет работы — "
        "до 11.12.2026." in own
    )
    assert "разместить резюме и заявление на портале «Работа России» — до 11.12.2026." in own
    assert (
        "- Пройти обучение работе с порталом «Работа России» и другими порталами поиска работы — "
        "до 28.12.2026." in own
    )


def test_plan_reads_cleanly():
    for case in (CASE, RETRAINING):
        _, plan = replay_plan(case)
        assert "None" not in plan and "none" not in plan
        assert ".." not in plan and ". ." not in plan and ";." not in plan
        assert "\n- \n" not in plan and "** ." not in plan
