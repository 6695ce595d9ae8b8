"""The federal profile group from «Работа России»: recorded by the inspector, printed in the
plan, and the date the plan's re-profiling (every 1.5 months, 565-ФЗ ст. 26 ч. 4) follows.

Expected dates are written out by hand: 1.5 months is one calendar month and 15 days
(ГК РФ ст. 192 п. 3), never 45 days.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.helpers import MOTHER_TYPED, REPLAYS, TODAY, bundle, plan_section, replay_variant
from tui.engine.interview import Interview
from tui.engine.replay import ReplayError
from tui.engine.session import INSPECTOR, KIOSK, Session
from tui.engine.values import AnswerError
from tui.store.store import Store

CASE = REPLAYS / "long_unemployed.yaml"
FEDERAL = ("federal_profile_group", "federal_profile_group_other", "federal_profile_date")
LINE = "**Профильная группа по федеральной методике («Работа России»):**"


def visits(plan: str) -> list[str]:
    return [line for line in plan_section(plan, "Даты явки в центр занятости").splitlines() if line]


def reprofiling(plan: str) -> str:
    """The re-profiling line of the attendance dates; the dates stay in calendar order."""
    lines = visits(plan)
    days = [date(int(x[8:12]), int(x[5:7]), int(x[2:4])) for x in lines]
    assert days == sorted(days), lines
    [line] = [x for x in lines if "повторное профилирование" in x]
    return line


def test_the_plan_prints_the_federal_group_and_its_date(tmp_path):
    result, plan = replay_variant(tmp_path, CASE, federal_profile_group="medium",
                                  federal_profile_date="20.11.2026")
    assert result.unused == []
    groups = plan_section(plan, "Клиентская группа")
    assert f"{LINE} Средний потенциал к трудоустройству, присвоена 20.11.2026." in groups


def test_a_group_not_on_the_list_is_printed_as_typed(tmp_path):
    _, plan = replay_variant(tmp_path, CASE, federal_profile_group="other",
                             federal_profile_group_other="Группа 2Б (новая методика)",
                             federal_profile_date="20.11.2026")
    assert f"{LINE} Группа 2Б (новая методика), присвоена 20.11.2026." in plan


def test_without_a_federal_group_the_plan_says_it_is_not_recorded(tmp_path):
    _, plan = replay_variant(tmp_path, CASE)
    assert f"{LINE} не внесена." in plan_section(plan, "Клиентская группа")


def test_reprofiling_follows_the_federal_date_by_a_month_and_15_days(tmp_path):
    _, plan = replay_variant(tmp_path, CASE, federal_profile_group="low",
                             federal_profile_date="20.11.2026")
    # 20.11.2026 + 1 month = 20.12.2026, + 15 days = 04.01.2027 (the interview is 27.11.2026),
    # a New Year holiday: the first working day after 1–8 January and the weekend is 11.01
    assert reprofiling(plan) == "- 11.01.2027 — повторное профилирование и пересмотр плана"
    assert "просрочено" not in plan


def test_reprofiling_on_a_visit_day_is_that_visit(tmp_path):
    _, plan = replay_variant(tmp_path, CASE, federal_profile_group="low",
                             federal_profile_date="10.11.2026")
    # 10.11.2026 + 1 month + 15 days = 25.12.2026, the second visit (every 14 days from 27.11):
    # the plan is reviewed then, so no visit of this plan comes after it
    assert visits(plan) == ["- 11.12.2026", "- 25.12.2026 — повторное профилирование и пересмотр плана"]


def test_without_a_federal_date_reprofiling_counts_from_the_interview(tmp_path):
    _, plan = replay_variant(tmp_path, CASE)
    # 27.11.2026 + 1 month = 27.12.2026, + 15 days = 11.01.2027
    assert reprofiling(plan) == "- 11.01.2027 — повторное профилирование и пересмотр плана"


def test_a_month_is_a_calendar_month_not_30_days():
    iv = Interview(bundle(), date(2027, 2, 10), {"federal_profile_group": "high",
                                                  "federal_profile_date": date(2027, 1, 31)})
    # 31.01 + 1 month = 28.02 (February has no 31st), + 15 days = 15.03; 45 days would be 17.03
    assert iv.context["reprofiling_date"] == date(2027, 3, 15)
    assert iv.context["reprofiling_overdue"] is False


def test_an_overdue_reprofiling_is_said_and_set_for_this_visit(tmp_path):
    _, plan = replay_variant(tmp_path, CASE, federal_profile_group="medium",
                             federal_profile_date="01.10.2026")
    # due 01.10.2026 + 1 month + 15 days = 16.11.2026, before the interview on 27.11.2026
    assert (
        "*Повторное профилирование просрочено: срок истёк 16.11.2026 (профилирование — 01.10.2026). "
        "Проведите его на «Работе России» на этом приёме и внесите новую группу и дату.*"
    ) in plan_section(plan, "Клиентская группа")
    assert reprofiling(plan) == (
        "- 27.11.2026 — повторное профилирование (просрочено: срок был 16.11.2026) и пересмотр плана"
    )


def test_reprofiling_due_on_the_interview_day_is_not_overdue(tmp_path):
    _, plan = replay_variant(tmp_path, CASE, federal_profile_group="medium",
                             federal_profile_date="12.10.2026")
    assert "просрочено" not in plan
    assert reprofiling(plan) == "- 27.11.2026 — повторное профилирование и пересмотр плана"


def test_the_disabled_plan_is_reviewed_on_the_reprofiling_date(tmp_path):
    _, plan = replay_variant(tmp_path, REPLAYS / "disabled.yaml", federal_profile_group="high",
                             federal_profile_date="20.11.2026")
    assert ("*Этот план; пересматривается при повторном профилировании 11.01.2027 и до "
            "трудоустройства.*") in plan


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("28.11.2026", "Дата не может быть позже 27.11.2026."),
        ("31.11.2026", "Такой даты нет: в ноябре 2026 года 30 дней."),
        ("01.01.1990", "Профилирование не могло быть раньше 14 лет клиента: проверьте дату."),
    ],
)
def test_a_bad_federal_date_is_refused_at_the_question(typed, message):
    iv = Interview(bundle(), TODAY, {"birth_date": date(1981, 6, 2), "federal_profile_group": "high"})
    with pytest.raises(AnswerError) as info:
        iv.answer("federal_profile_date", typed)
    assert message in str(info.value)


def test_a_recorded_group_needs_its_date(tmp_path):
    with pytest.raises(ReplayError) as info:
        replay_variant(tmp_path, CASE, federal_profile_group="high")
    assert "нет ответа на обязательный вопрос «federal_profile_date»" in info.value.message


def _walk(session: Session) -> list[str]:
    asked = []
    while session.current is not None:
        if session.needs_group_confirmation:
            session.confirm_groups({})
            continue
        asked.append(session.current.id)
        session.submit(MOTHER_TYPED.get(session.current.id))
    return asked


def test_a_kiosk_never_asks_the_federal_group_the_desk_does(tmp_path):
    store = Store(tmp_path)
    kiosk = Session(bundle(), store, TODAY, mode=KIOSK, inspector="киоск")
    asked = _walk(kiosk)
    assert asked[-1] != "desired_work"  # the module was asked too: the whole interview ran
    assert not set(FEDERAL) & set(asked)
    assert kiosk.complete
    assert not any(q.id in FEDERAL for q in kiosk.interview.questions)
    kiosk.close()
    # The same interview at the desk: the inspector records the group from the platform.
    desk = Session.resume(bundle(), store, kiosk.iid, mode=INSPECTOR, inspector="Петрова")
    assert desk.current is not None and desk.current.id == "federal_profile_group"
    desk.submit("medium")
    assert desk.current.id == "federal_profile_date"
