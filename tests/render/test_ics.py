"""The plan on the client's phone: the calendar file (ICS) parsed back with icalendar, as a
phone's calendar reads it. Every dated event of the plan is there, on its working day, in
the client's words, with where the centre is and how to reach it; what a person typed
stays the text of one value."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from icalendar import Calendar

from tests.helpers import REPLAYS, bundle, replay_variant
from tests.render.office import META, OFFICE
from tui.engine.plan import Plan, build_plan
from tui.engine.plan_value import plan_value
from tui.engine.replay import replay
from tui.engine.workdays import is_working_day
from tui.render.ics import STEP_FALLBACK, render_ics

CASES = ["long_unemployed.yaml", "mother_employer.yaml", "combo_pre_pensioner_disabled_long_unemployed.yaml"]


def plan_of(name: str) -> Plan:
    return build_plan(replay(bundle(), REPLAYS / name).interview, META)


def events_of(ics: bytes) -> list:
    return list(Calendar.from_ical(ics).walk("VEVENT"))


def by_day(ics: bytes) -> dict[date, object]:
    return {e["DTSTART"].dt: e for e in events_of(ics)}


@pytest.mark.parametrize("case", CASES)
def test_every_dated_event_of_the_plan_is_an_all_day_event_on_its_working_day(case):
    value = plan_value(plan_of(case), "client")
    events = events_of(render_ics(value, OFFICE))
    days = [e["DTSTART"].dt for e in events]
    assert sorted(days) == sorted({date.fromisoformat(e["date"]) for e in value["events"]})
    assert len(days) == len(set(days)), "one entry a day on the phone"
    for e in events:
        start = e["DTSTART"].dt
        assert type(start) is date, "all-day: a date, no time"
        assert e["DTEND"].dt == start + timedelta(days=1)
        assert is_working_day(start), start


def test_the_visits_and_the_review_are_on_the_calendar_with_the_review_last():
    value = plan_value(plan_of("long_unemployed.yaml"), "client")
    days = by_day(render_ics(value, OFFICE))
    for visit in value["visits"][:-1]:
        assert str(days[date.fromisoformat(visit)]["SUMMARY"]) == "Приём в центре занятости"
    review = days[date.fromisoformat(value["review_date"])]
    assert str(review["SUMMARY"]) == "Приём в центре занятости: пересмотр плана"
    assert max(days) == date.fromisoformat(value["review_date"])


@pytest.mark.parametrize("case", CASES)
def test_each_step_due_is_listed_on_its_day_in_the_clients_words(case):
    value = plan_value(plan_of(case), "client")
    days = by_day(render_ics(value, OFFICE))
    measures = {m["id"]: m for m in value["measures"]}
    for event in value["events"]:
        if event["kind"] != "deadline":
            continue
        m = measures[event["measure"]]
        description = str(days[date.fromisoformat(event["date"])]["DESCRIPTION"])
        assert f"• {m['client_text'] or STEP_FALLBACK}" in description
        for detail in m["client_details"]:
            assert detail in description


def test_a_day_with_several_steps_says_how_many_more():
    value = plan_value(plan_of("long_unemployed.yaml"), "client")
    counts: dict[str, int] = {}
    for e in value["events"]:
        counts[e["date"]] = counts.get(e["date"], 0) + (e["kind"] == "deadline")
    visits = set(value["visits"])
    day, n = next((d, n) for d, n in sorted(counts.items()) if n >= 3 and d not in visits)
    summary = str(by_day(render_ics(value, OFFICE))[date.fromisoformat(day)]["SUMMARY"])
    assert summary.startswith("Срок: ")
    more = n - 1
    assert summary.endswith(f"и ещё {more} шага") or summary.endswith(f"и ещё {more} шагов"), summary


def test_no_step_without_a_date_and_no_centre_work_reaches_the_calendar():
    plan = plan_of("long_unemployed.yaml")
    ongoing = plan.client_measures[1]
    ongoing.ongoing, ongoing.deadline = "until_employed", None
    ongoing.client = "Рассказывать куратору об итогах каждой встречи-пометки"
    centre = plan.client_measures[2]
    centre.institutional, centre.client = True, "Работа центра с работодателями региона"
    ics = render_ics(plan_value(plan, "client"), OFFICE).decode("utf-8")
    assert "встречи-пометки" not in ics
    assert "работодателями региона" not in ics


def test_every_event_says_where_the_centre_is_and_how_to_reach_the_case_worker():
    for e in events_of(render_ics(plan_value(plan_of("mother_employer.yaml"), "client"), OFFICE)):
        assert str(e["LOCATION"]) == (
            "ГОБУ ЦЗН г. Мурманска, г. Мурманск, ул. Полярные Зори, д. 46, каб. 214")
        description = str(e["DESCRIPTION"])
        assert "тел. +7 (8152) 45-67-89" in description
        assert "часы работы: пн–чт 9:00–17:15, пт 9:00–16:00" in description
        assert ("Куратор: Иванова Анна Петровна, ведущий инспектор, тел. +7 (8152) 45-67-90, "
                "каб. 214") in description


def test_the_phone_reminds_the_morning_before():
    for e in events_of(render_ics(plan_value(plan_of("mother_employer.yaml"), "client"), OFFICE)):
        (alarm,) = e.walk("VALARM")
        assert str(alarm["ACTION"]) == "DISPLAY"
        assert alarm["TRIGGER"].dt == -timedelta(hours=15)  # 9:00 of the day before


def test_the_same_plan_imported_again_updates_its_events_rather_than_doubling_them():
    value = plan_value(plan_of("long_unemployed.yaml"), "client")
    first = [str(e["UID"]) for e in events_of(render_ics(value, OFFICE, stamp=datetime(2026, 11, 27, 9)))]
    again = [str(e["UID"]) for e in events_of(render_ics(value, OFFICE))]
    assert first == again
    assert len(set(first)) == len(first)


def test_answers_and_details_holding_ical_separators_stay_the_text_of_one_value(tmp_path):
    name = "Иванова;Петрова,\nBEGIN:VEVENT\nSUMMARY:взлом\\"
    result, _ = replay_variant(tmp_path, REPLAYS / "long_unemployed.yaml", last_name=name)
    plain = plan_value(plan_of("long_unemployed.yaml"), "centre")
    value = plan_value(build_plan(result.interview, META), "centre")
    office = {**OFFICE, "centre": {**OFFICE["centre"], "name": 'ЦЗН "Север"; отдел №2,\nкорпус Б'}}
    ics = render_ics(value, office)
    events = events_of(ics)
    assert len(events) == len(events_of(render_ics(plain, OFFICE)))
    for e in events:
        assert str(e["SUMMARY"]).startswith("Иванова;Петрова, BEGIN:VEVENT SUMMARY:взлом\\ Н. С.: ")
        assert str(e["LOCATION"]).startswith('ЦЗН "Север"; отдел №2,\nкорпус Б, ')
    assert b"\r\nBEGIN:VEVENT\r\nSUMMARY:\xd0\xb2\xd0\xb7" not in ics


def test_control_characters_never_reach_the_phone_they_are_written_out():
    # Answers cannot hold them (refused as typed); a settings file edited by hand can.
    office = {**OFFICE, "centre": {**OFFICE["centre"], "hours": "пн–пт\x1b[2J 9–17"}}
    ics = render_ics(plan_value(plan_of("long_unemployed.yaml"), "client"), office)
    assert b"\x1b" not in ics
    assert all("часы работы: пн–пт\\x1b[2J 9–17" in str(e["DESCRIPTION"]) for e in events_of(ics))


def test_the_clients_copy_names_no_group():
    value = plan_value(plan_of("combo_pre_pensioner_disabled_long_unemployed.yaml"), "client")
    text = b"".join(e.to_ical() for e in events_of(render_ics(value, OFFICE))).decode("utf-8").lower()
    for label in ("инвалид", "предпенсион", "длительно безработн", "группа"):
        assert label not in text
