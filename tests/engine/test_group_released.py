"""«Гражданин, освободившийся из мест лишения свободы»: module, measures and plan sections.

The fixture tests/replays/released.yaml is a man released four months ago whose last job
ended before custody, so he is also «длительно не работающий»; variants change one or a few
answers in a temporary copy.
"""

from __future__ import annotations

import re

import pytest

from tests.helpers import REPLAYS, bundle, plan_section, replay_plan, replay_variant
from tui.engine.plan import choose_measures
from tui.engine.replay import ReplayResult

FIXTURE = REPLAYS / "released.yaml"

#: The released-only client: the last job ended shortly before a short term in custody, so
#: the long-unemployed module does not run and the released module asks its own targets.
RELEASED_ONLY = {
    "last_job_end_date": "2026-01-14",
    "lu_last_profession": None,
    "lu_barriers": None,
    "lu_resume": None,
    "lu_side_income": None,
    "lu_side_activity": None,
    "lu_here_and_now": None,
    "lu_ready_to_train": None,
    "lu_responses_per_week": None,
    "lu_employer_visits": None,
    "rel_prior_profession": "Электросварщик",
    "rel_ready_to_train": True,
    "rel_quick_work": "maybe",
    "rel_psych_support": True,
    "rel_calls_per_week": 5,
    "rel_employer_visits": 3,
}


def asked(result: ReplayResult) -> set[str]:
    return {q.id for q in result.interview.questions}


def test_fixture_replays_into_released_and_long_unemployed():
    result, _ = replay_plan(FIXTURE)
    assert result.unused == []
    assert {"released", "long_unemployed"} <= set(result.interview.classification.ids)


def test_plan_holds_the_seed_measures_of_the_group(tmp_path):
    # Released only: every measure of the group in its own words. (Long-term unemployed
    # too, the fixture: the plan of self-directed search merges into that group's plan.)
    result, plan = replay_variant(tmp_path, FIXTURE, **RELEASED_ONLY)
    assert result.interview.classification.ids == ["released"]
    for text in (
        "Определение границ разглашаемой информации с клиентом. Можно ли сообщить "
        "потенциальному работодателю о факте судимости",
        "Обязательное посещение клиентом занятий по составлению резюме и тренингов по "
        "проведению собеседования и телефонных переговоров с работодателем",
        "При направлении на собеседование к работодателю, информировать клиента обо всех "
        "этапах собеседования в том числе, где и во сколько состоится собеседование, как "
        "добраться до места встречи, какие документы необходимо взять с собой",
        "Обязательно предложить участие в оплачиваемых общественных работах и в программах "
        "временного трудоустройства для граждан испытывающих трудности в поиске работы",
        "Составить с клиентом план самостоятельного поиска работы, куда будут включены "
        "телефонные переговоры, самостоятельное посещение работодателя, посещения "
        "работодателя по направлению кадрового центра и результаты этих взаимодействий",
        "Проведение анализа востребованности имеющейся у клиента профессии",
        "Участие в мероприятиях по профессиональной ориентации, по результатам которой "
        "обязательно предложить пройти профессиональное обучение",
        "Информирование о положении на рынке труда",
    ):
        assert text in plan, text
    result, _ = replay_plan(FIXTURE)
    merged = {m.id: m.merged for m in choose_measures(result.interview)}
    assert merged["lu_individual_search_plan"][:2] == ["lu_individual_search_plan", "rel_search_plan"]


def test_no_question_asks_about_the_offence():
    module = next(s for s in bundle().modules if s.id == "released")
    for q in module.items():
        wording = f"{getattr(q, 'ask', '')} {getattr(q, 'ask_client', '') or ''}".lower()
        for word in ("статья", "статьи", "преступлен", "приговор", "за что", "срок наказания"):
            assert word not in wording, (q.id, word)


def test_disclosure_section_states_what_was_agreed():
    _, plan = replay_plan(FIXTURE)  # only with consent before each referral, only the fact
    disclosure = plan_section(plan, "Что можно сообщать работодателю")
    assert "только с согласия клиента, полученного перед каждым направлением" in disclosure
    assert "только факт судимости, без подробностей" in disclosure
    assert "24.07.2026" not in disclosure
    assert "За что была судимость, центр занятости не спрашивает, не записывает" in disclosure
    assert "справка о наличии (отсутствии) судимости" in disclosure


def test_disclosure_with_the_release_date(tmp_path):
    _, plan = replay_variant(
        tmp_path, FIXTURE, rel_disclose_conviction="yes", rel_disclose_scope="fact_and_date"
    )
    disclosure = plan_section(plan, "Что можно сообщать работодателю")
    assert (
        "Центр занятости может сообщить потенциальному работодателю факт судимости и дату "
        "освобождения (24.07.2026)." in disclosure
    )
    assert "справка о наличии (отсутствии) судимости" not in disclosure


def test_disclosure_refused(tmp_path):
    result, plan = replay_variant(tmp_path, FIXTURE, rel_disclose_conviction="no", rel_disclose_scope=None)
    assert "rel_disclose_scope" not in asked(result)
    disclosure = plan_section(plan, "Что можно сообщать работодателю")
    assert "Центр занятости не сообщает работодателю о судимости" in disclosure
    assert "решает сам клиент" in disclosure
    assert "Клиент не разрешил сообщать работодателю о судимости" in plan


def test_long_unemployed_client_is_not_asked_the_same_twice():
    result, plan = replay_plan(FIXTURE)
    questions = asked(result)
    for qid in ("rel_prior_profession", "rel_ready_to_train", "rel_quick_work",
                "rel_psych_support", "rel_calls_per_week", "rel_employer_visits"):
        assert qid not in questions, qid
    # ... and the released measures read the long-unemployed module's answers: the plan of
    # self-directed search, merged into that group's plan, keeps its targets once.
    assert plan.count("Не менее 8 откликов на вакансии в неделю и не менее 4 посещений") == 1
    assert "Посещения работодателей по направлению центра занятости" in plan
    assert "Профессия «Электросварщик ручной сварки»" in plan
    assert "«Оператор швейного оборудования»" in plan
    # The shorter long-unemployed wordings that the released measures cover are left out.
    assert "Предложение работы «здесь и сейчас»" not in plan
    assert "Направление на мероприятия, посвященные процессам составления резюме" not in plan
    assert not re.search(r"^\d+\. Профессиональная ориентация$", plan, re.M)
    assert "Профессиональная ориентация обязательна и для длительно не работающих" in plan


def test_released_only_client_sets_own_targets_with_dates(tmp_path):
    result, plan = replay_variant(tmp_path, FIXTURE, **RELEASED_ONLY)
    assert result.unused == []
    assert result.interview.classification.ids == ["released"]
    own = plan_section(plan, "План самостоятельного поиска работы")
    assert "Каждую неделю с 27.11.2026 по 11.01.2027 — не менее 5 телефонных звонков работодателям." in own
    assert "До 11.01.2027 — не менее 3 самостоятельных посещений работодателей." in own
    assert "Не менее 5 телефонных звонков работодателям в неделю" in plan
    criteria = plan.split("Критерии подбора вакансий:")[1].split("##")[0]
    assert "- Рассматриваются также оплачиваемые общественные работы и временная работа" in criteria


def test_psychological_support_follows_the_wish(tmp_path):
    _, wanted = replay_variant(tmp_path, FIXTURE, **RELEASED_ONLY)
    _, declined = replay_variant(tmp_path, FIXTURE, **{**RELEASED_ONLY, "rel_psych_support": False})
    assert "Участие в занятиях по психологической поддержке" in wanted
    assert "Участие в занятиях по психологической поддержке" not in declined


def test_public_works_are_offered_even_to_who_wants_only_a_permanent_job(tmp_path):
    _, plan = replay_variant(tmp_path, FIXTURE, **{**RELEASED_ONLY, "rel_quick_work": "no"})
    assert "Обязательно предложить участие в оплачиваемых общественных работах" in plan
    assert "Клиент ищет только постоянную работу: предложение сделано" in plan
    assert "Рассматриваются также оплачиваемые общественные работы" not in plan


def test_profession_demand_analysis_needs_a_profession(tmp_path):
    _, plan = replay_variant(
        tmp_path, FIXTURE, **{**RELEASED_ONLY, "rel_prior_profession": None, "rel_custody_profession": None}
    )
    assert "Проведение анализа востребованности имеющейся у клиента профессии" not in plan
    # Career guidance with the offer of training stays: the seed makes the offer mandatory.
    assert "обязательно предложить пройти профессиональное обучение" in plan


@pytest.mark.parametrize(
    ("documents", "missing", "absent"),
    [
        (["passport", "release_certificate", "snils"],
         "Нет на руках: трудовая книжка или сведения о трудовой деятельности, документ об "
         "образовании или профессии", "паспорт,"),
        (["passport", "snils", "work_record", "education", "military_id"], None, "Нет на руках"),
    ],
)
def test_interview_briefing_names_missing_documents(tmp_path, documents, missing, absent):
    _, plan = replay_variant(tmp_path, FIXTURE, rel_documents=documents)
    briefing = plan.split("какие документы необходимо взять с собой")[1].split("Выполняет")[0]
    if missing:
        assert missing in briefing
    assert absent not in briefing
    assert "Маршрут до места встречи объяснить подробно" in briefing


def test_group_section_lists_documents_and_income_not_the_offence():
    _, plan = replay_plan(FIXTURE)
    own = plan_section(plan, "Профессия, документы и выход на работу")
    assert "- **Документы на руках:** Паспорт; Справка об освобождении; СНИЛС." in own
    assert "- **Средства к существованию:** Нет ни дохода, ни поддержки." in own
    assert "None" not in plan and "—." not in plan
