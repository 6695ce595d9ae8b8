"""«Длительно не работающий гражданин»: module, measures and the measurable job-search plan.

The fixture tests/replays/long_unemployed.yaml is a 45-year-old woman whose last job ended
three years ago; variants change answers in a temporary copy.
"""

from __future__ import annotations

import re

from tests.helpers import MOTHER_TYPED, REPLAYS, bundle, plan_section, replay_plan, replay_variant

FIXTURE = REPLAYS / "long_unemployed.yaml"

#: The seed: «Обязательными мероприятиями для данной клиентской группы являются
#: профессиональная ориентация, социальная адаптация, психологическая поддержка».
MANDATORY = ("Профессиональная ориентация", "Социальная адаптация", "Психологическая поддержка")

#: Every answer that could bring a conditional measure, turned the other way.
NOTHING_EXTRA = {
    "lu_barriers": None,
    "lu_barriers_other": None,
    "lu_resume": "actual",
    "lu_side_income": "no",
    "lu_side_activity": None,
    "lu_here_and_now": "no",
    "lu_ready_to_train": "no",
}


def measure_titles(plan: str) -> list[str]:
    return re.findall(r"^\d+\. (.+)$", plan_section(plan, "Мероприятия"), re.M)


def test_fixture_replays_into_the_group():
    result, _ = replay_plan(FIXTURE)
    assert result.unused == []
    assert result.interview.classification.ids == ["long_unemployed"]


def test_plan_holds_the_seed_measures_of_the_group():
    _, plan = replay_plan(FIXTURE)
    for text in (
        "Выяснение жизненной ситуации клиента для «точечного» решения проблем - определение "
        "проблем, препятствующих трудоустройству гражданина, и формирование индивидуальной "
        "карты его развития (предложение всего спектра услуг и сервисов в рамках жизненной "
        "ситуации гражданина)",
        "Необходима тщательная проработка индивидуального плана поиска работы и "
        "использование четких критериев (сроки, измеряемость, достижимость и т.д.).",
        "Работа с резюме. Важно правильно обыграть перерыв в трудовой деятельности.",
        "Направление на мероприятия, посвященные процессам составления резюме и прохождения "
        "собеседований",
        "Направление на массовые открытые отборы, ярмарки вакансий",
        "Помощь клиенту в ориентации на рынке труда, освоение новой профессии либо "
        "актуализация имеющихся навыков. Необходимо использовать профессиональное обучение "
        "как способ получения новых профессиональных навыков.",
        "Направление на мероприятия по организации собственного дела (вывод клиента из "
        "теневой в официальную занятость)",
        "Предложение работы «здесь и сейчас» (общественные и временные работы)",
        "Информирование о положении на рынке труда",
        "Определение зоны взаимной ответственности: клиент должен принимать активное участие "
        "в поиске работы",
    ):
        assert text in plan, text


def test_mandatory_measures_stay_whatever_the_answers(tmp_path):
    for _, plan in (replay_plan(FIXTURE), replay_variant(tmp_path, FIXTURE, **NOTHING_EXTRA)):
        titles = measure_titles(plan)
        for text in MANDATORY:
            assert text in titles, text
        assert "*Обязательное мероприятие для длительно не работающих граждан" in plan


def test_measurable_steps_with_dates_from_answers_and_deadlines():
    _, plan = replay_plan(FIXTURE)
    steps = plan_section(plan, "Индивидуальный план поиска работы")
    # 10 responses a week until the plan measure's deadline (45 days: re-profiling).
    assert (
        "- Каждую неделю с 27.11.2026 по 11.01.2027 — не менее 10 откликов на вакансии "
        "(резюме, звонки работодателям): за 6 недель — не менее 60." in steps
    )
    assert "- До 11.01.2027 — не менее 5 посещений работодателей" in steps
    # The resume step carries the resume measure's deadline (14 days).
    assert "- До 11.12.2026 — обновить резюме и объяснить в нём перерыв в работе." in steps
    assert "- Отчёт о выполнении плана — на каждой явке: 11.12.2026, 25.12.2026, 11.01.2027." in steps
    # The measure itself states the targets, next to its deadline.
    assert "*Не менее 10 откликов на вакансии в неделю и не менее 5 посещений работодателей" in plan
    assert "Срок: **до 11.01.2027**" in plan


def test_targets_follow_the_answers(tmp_path):
    _, plan = replay_variant(
        tmp_path, FIXTURE, lu_responses_per_week=3, lu_employer_visits=1, lu_resume="none"
    )
    steps = plan_section(plan, "Индивидуальный план поиска работы")
    assert "не менее 3 откликов на вакансии" in steps
    assert "не менее 18." in steps
    assert "не менее 1 посещения работодателей" in steps
    assert "— составить резюме" in steps


def test_barriers_are_listed_for_the_pointed_solution():
    _, plan = replay_plan(FIXTURE)
    situation = plan_section(plan, "Жизненная ситуация и перерыв в работе")
    assert (
        "- **Что мешает трудоустройству:** Утрачены профессиональные навыки; Нет навыков "
        "поиска работы и прохождения собеседований; Отказы работодателей, неверие в успех; "
        "Нет опыта работы с новыми кассовыми программами." in situation
    )
    assert "- **Резюме:** Есть, но устарело." in situation
    assert "Другое" not in situation


def test_conditional_measures_follow_the_answers(tmp_path):
    _, plan = replay_variant(tmp_path, FIXTURE, **NOTHING_EXTRA)
    titles = " ".join(measure_titles(plan))
    assert "организации собственного дела" not in titles  # no side income
    assert "«здесь и сейчас»" not in titles  # wants a permanent job only
    assert "Клиент пока не готов к обучению" in plan
    assert "Резюме актуально: проверить, как в нём объяснён перерыв." in plan
    assert "Критерии подбора вакансий" not in plan
    assert "**Что мешает трудоустройству:** ничего не указано." in plan


def test_side_income_brings_the_own_business_measure_with_the_activity():
    _, plan = replay_plan(FIXTURE)
    assert "«Шитьё и ремонт одежды на заказ») как самозанятость или ИП" in plan


def test_here_and_now_readiness_becomes_a_criterion():
    _, plan = replay_plan(FIXTURE)
    criteria = plan.split("Критерии подбора вакансий:")[1].split("##")[0]
    assert "- Рассматриваются также оплачиваемые общественные работы и временная работа" in criteria


def test_commitments_carry_the_deadlines():
    _, plan = replay_plan(FIXTURE)
    own = plan_section(plan, "Что клиент обязуется сделать")
    assert (
        "- Отправлять не менее 10 откликов на вакансии в неделю и посетить не менее 5 работодателей"
        " — до 11.01.2027."
    ) in own
    assert "- Посещать занятия по социальной адаптации — до 28.12.2026." in own
    assert "None" not in plan


def test_a_mother_is_not_asked_barriers_and_training_twice(tmp_path):
    """With a preschool child she is also in mother_preschool, whose module asks barriers,
    training and the psychologist in its own words: asked once, and the plan says each once."""
    module = next(s for s in bundle().modules if s.id == "mother_preschool")
    mother = {q.id: MOTHER_TYPED[q.id] for q in module.items() if q.id in MOTHER_TYPED}
    result, plan = replay_variant(
        tmp_path, FIXTURE, children_count=2, youngest_child_birth_date="03.05.2022", **mother,
        lu_barriers=None, lu_barriers_other=None, lu_ready_to_train=None,
    )
    assert result.unused == []
    assert set(result.interview.classification.ids) == {"long_unemployed", "mother_preschool"}
    questions = {q.id for q in result.interview.questions}
    assert "lu_barriers" not in questions and "lu_ready_to_train" not in questions
    assert plan.count("**Что мешает трудоустройству:**") == 1
    titles = measure_titles(plan)
    # Psychological support is mandatory: here in the mother's fuller words.
    assert "Психологическая поддержка" not in titles
    assert any(t.startswith("Консультация психолога") for t in titles)
    assert "Социальная адаптация" in titles and "Профессиональная ориентация" in titles
    # Resume and interview training once, in shared.yaml's words.
    assert not any(t.startswith("Направление на мероприятия, посвященные процессам") for t in titles)
    assert any(t.startswith("Участие в тренингах, направленных на получение навыков") for t in titles)
    assert "Клиент пока не готов к обучению" in plan  # her «нет» to ready_to_study
