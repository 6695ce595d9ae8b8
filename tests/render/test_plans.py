"""The plan as the client takes it home and the centre files it: every replay case renders
its golden documents byte for byte — the legacy Markdown plan (``*.plan.md``, what the app
shows until it renders the copies) and both copies in Markdown and plain text
(``*.client.md``, ``*.centre.md``, ``*.client.txt``, ``*.centre.txt``) — and the plan says
what the answers call for. ``UPDATE_GOLDEN=1`` writes them anew: read the diff."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import REPLAYS, bundle, plan_text
from tests.render.documents_support import case_plan, document
from tui.engine.replay import replay
from tui.render.documents import PlanError

CASES = sorted(p for p in REPLAYS.glob("*.yaml"))
DOCUMENTS = [(fmt, copy) for copy in ("client", "centre") for fmt in ("md", "txt")]


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


@pytest.mark.parametrize(("fmt", "copy"), DOCUMENTS, ids=[f"{c}.{f}" for f, c in DOCUMENTS])
@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_replay_reproduces_the_golden_documents(case, fmt, copy):
    plan = case_plan(case)
    expected = case.with_suffix(f".{copy}.{fmt}")
    if not plan.client_measures:
        # A plan without a measure for the client is not offered for signature.
        with pytest.raises(PlanError, match="нет ни одного мероприятия"):
            document(plan, fmt, copy)
        assert not expected.exists(), f"{expected.name}: the plan has no measures now"
        return
    text = document(plan, fmt, copy)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        expected.write_text(text, encoding="utf-8")
    assert expected.exists(), f"no golden {copy} copy for {case.name}: run with UPDATE_GOLDEN=1"
    assert text == expected.read_text(encoding="utf-8")


def plan_of(name: str) -> str:
    return plan_text(replay(bundle(), REPLAYS / name).interview, {"mode": "replay"})


def test_own_business_path_brings_financial_support_and_self_employment():
    own = plan_of("mother_own_business.yaml")
    employer = plan_of("mother_employer.yaml")
    assert "Информирование о дополнительной финансовой поддержке" in own
    assert "губернаторского стартапа" in own
    assert "открытие самозанятости" in own
    # The seed offers the support «при трудоустройстве» too: on the employer path, the
    # social contract for a job search, without the business grants.
    assert "Информирование о дополнительной финансовой поддержке" in employer
    assert "социальном контракте на поиск работы" in employer
    assert "социального контракта на открытие собственного дела" not in employer


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


def test_man_of_no_group_gets_the_baseline_measures():
    plan = plan_of("man_no_group.yaml")
    assert "Клиентская группа не определена" in plan
    assert "Мероприятия не назначены." not in plan
    assert "Информирование о положении на рынке труда" in plan
    assert "Предложить ознакомиться с подходящими для него вакансиями" in plan


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
