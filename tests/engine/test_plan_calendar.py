"""Every date of a plan is a working day of the Russian production calendar, the third
visit is the re-profiling, no deadline outlives the plan, and the plan as a value
(``plan_value``) carries every dated event.

The expected days are written out from the calendar, not computed with it: 04.01.2027 is
a New Year holiday (1–8 January, then the weekend: the first working day is 11.01), 27.12.2026
and 12.12.2026 are a Sunday and a Saturday, 20.02.2027 is a Saturday the government made a
working day (its day off moved to 22.02).
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from tests.helpers import REPLAYS, bundle
from tui.engine.plan import build_plan
from tui.engine.plan_value import DEADLINE, REVIEW, VISIT, plan_value
from tui.engine.replay import replay
from tui.engine.workdays import is_working_day, next_working_day, working_day


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 12, 25), True),  # Friday
        (date(2026, 12, 27), False),  # Sunday
        (date(2026, 12, 31), False),  # a weekday made a day off (moved from 03.01)
        (date(2027, 1, 4), False),  # New Year holidays
        (date(2027, 1, 8), False),
        (date(2027, 1, 11), True),
        (date(2027, 2, 20), True),  # a Saturday made a working day
        (date(2027, 2, 22), False),  # the day off it was moved to
        (date(2027, 2, 23), False),
        (date(2027, 11, 4), False),
    ],
)
def test_the_production_calendar(day, working):
    assert is_working_day(day) is working


def test_a_day_off_moves_to_the_next_working_day():
    assert next_working_day(date(2027, 1, 1)) == date(2027, 1, 11)
    assert next_working_day(date(2026, 12, 12)) == date(2026, 12, 14)
    assert next_working_day(date(2026, 12, 14)) == date(2026, 12, 14)
    assert working_day(None) is None  # an unanswered date passes through
    assert next_working_day(date(9999, 12, 31)) == date(9999, 12, 31)  # never overflows


def _plan(case: str, when: date):
    result = replay(bundle(), REPLAYS / case, today=when)
    return build_plan(result.interview, {"mode": "replay"})


def test_an_interview_before_the_new_year_gets_no_visit_on_the_holidays():
    # 21.12.2026 + 14 days = 04.01.2027 (a holiday): the visit moves to 11.01; the plan is
    # reviewed 21.12 + 1 month + 15 days = 05.02.2027, a Friday, the third visit.
    plan = _plan("long_unemployed.yaml", date(2026, 12, 21))
    assert plan.visits == [date(2027, 1, 11), date(2027, 1, 18), date(2027, 2, 5)]
    assert plan.review_date == date(2027, 2, 5)


def test_a_saturday_interview_gives_no_saturday_visits():
    plan = _plan("long_unemployed.yaml", date(2026, 11, 28))
    assert date(2026, 12, 12) not in plan.visits
    assert plan.visits[0] == date(2026, 12, 14)
    assert all(d.weekday() < 5 for d in plan.visits)


@pytest.mark.parametrize("case", sorted(p.name for p in REPLAYS.glob("*.yaml")))
@pytest.mark.parametrize("offset", [0, 3, 24, 26, 39])
def test_every_date_is_a_working_day_and_none_after_the_review(case, offset):
    # the golden interviews moved to days around weekends and the New Year holidays
    plan = _plan(case, date(2026, 11, 27) + timedelta(days=offset))
    assert plan.review_date is not None and plan.visits[-1] == plan.review_date
    assert len(plan.visits) == len(set(plan.visits)) and plan.visits == sorted(plan.visits)
    for day in plan.visits:
        assert is_working_day(day), (case, day)
    for m in plan.measures:
        if m.deadline is not None and not m.at_interview:
            assert is_working_day(m.deadline), (m.id, m.deadline)
            assert m.deadline <= plan.review_date, (m.id, m.deadline)
        if m.ongoing:
            assert m.deadline is None and m.when_text in ("постоянно", "до трудоустройства")


def test_the_plan_value_is_json_with_every_dated_event():
    plan = _plan("combo_pre_pensioner_disabled_long_unemployed.yaml", date(2026, 11, 27))
    value = json.loads(json.dumps(plan_value(plan, "centre")))
    assert value["schema"] == "sobesednik.plan/1"
    assert value["review_date"] == "2027-01-11"
    kinds = [(e["date"], e["kind"]) for e in value["events"] if e["kind"] != DEADLINE]
    assert kinds == [("2026-12-11", VISIT), ("2026-12-25", VISIT), ("2027-01-11", REVIEW)]
    deadlines = {e["measure"] for e in value["events"] if e["kind"] == DEADLINE}
    dated = {m.id for m in plan.client_measures if m.deadline and not m.at_interview}
    assert deadlines == dated and dated
    assert [e["date"] for e in value["events"]] == sorted(e["date"] for e in value["events"])
    assert {g["id"] for g in value["groups"]} == {"pre_pensioner", "disabled", "long_unemployed"}


def test_the_client_value_leaves_out_the_groups_and_the_staff_wording():
    plan = _plan("released.yaml", date(2026, 11, 27))
    value = plan_value(plan, "client")
    text = json.dumps(value, ensure_ascii=False)
    assert "groups" not in value and "federal_profile" not in value
    assert all("text" not in m and "groups" not in m for m in value["measures"])
    assert "освобод" not in text.lower() and "released" not in text
    with pytest.raises(ValueError):
        plan_value(plan, "kiosk")
