"""``sobesednik calls``: whom the centre phones the day before a visit, the re-profiling or
a deadline of the client's own measure (the seed's «Напоминание о предстоящих событиях по
телефону»), read from the plan value kept with each issued plan.

What the inspector making the calls notices: the client's name and phone, what the event
is in words, its date and the centre's hours; nobody who said no to reminders; nobody
erased; an older plan replaced by the newer one; interviews of older versions named
rather than silently dropped.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPLAYS, ROOT, bundle, finish
from tui.cli import main
from tui.engine.plan_value import plan_value
from tui.engine.replay import read_answers_file
from tui.engine.session import Session
from tui.store import Store
from tui.store.reminders import CONSENT_QUESTIONS, PHONE_QUESTIONS, PROFILE_PHONE
from tui.store.settings import Centre, Settings, save_settings

#: The interview date of the answer files: Friday 27.11.2026.
TODAY = date(2026, 11, 27)
HOURS = "пн–чт 9:00–17:00, пт 9:00–15:00"


def complete(store: Store, case: str, today: date = TODAY, **changes: Any) -> str:
    """The interview of ``tests/replays/<case>.yaml`` (with ``changes``) run through a
    session on ``store`` and completed as the app completes it; its id."""
    answers = dict(read_answers_file(REPLAYS / f"{case}.yaml").answers)
    answers.update(changes)
    session = Session(bundle(), store, today, inspector="petrova")
    while True:
        if session.needs_group_confirmation:
            session.confirm_groups({})
        if session.current is None:
            break
        session.submit(answers.get(session.current.id))
    finish(session)
    assert session.iid is not None
    session.close()
    return session.iid


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store(root: Path) -> Store:
    s = Store(root)
    save_settings(root, Settings(centre=Centre(hours=HOURS)))
    yield s
    s.close()


def calls(capsys: pytest.CaptureFixture[str], root: Path, *flags: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["calls", "--data-dir", str(root), *flags])
    out, err = capsys.readouterr()
    return code, out, err


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def events_of(store: Store, iid: str) -> list[dict[str, Any]]:
    plan = store.load(iid).latest_plan
    assert plan is not None and plan.value is not None
    return list(plan.value["events"])


# ---------------------------------------------------------------- the plan value kept


def test_a_completed_interview_keeps_its_plan_value(store: Store) -> None:
    iid = complete(store, "pensioner")
    plan = store.load(iid).latest_plan
    assert plan is not None and plan.value is not None
    session = Session.resume(bundle(), store, iid, inspector="petrova")
    expected = plan_value(session.plan(), "centre")
    session.close()
    assert plan.value["schema"] == "sobesednik.plan/1"
    assert plan.value["events"] == expected["events"]
    assert plan.value["interview"]["id"] == iid
    assert plan.text.startswith("#")  # the text is kept beside it, as before


def test_the_full_export_carries_the_value_and_import_keeps_it(
        store: Store, root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    iid = complete(store, "pensioner")
    out = tmp_path / "all.jsonl"
    assert main(["export", "--data-dir", str(root), "--out", str(out)]) == 0
    lines = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    exported = next(line for line in lines if line.get("id") == iid)
    assert exported["plans"][0]["value"]["events"] == events_of(store, iid)
    other = tmp_path / "other"
    assert main(["import", "--data-dir", str(other), str(out)]) == 0
    copy = Store(other)
    assert events_of(copy, iid) == events_of(store, iid)
    copy.close()


# ---------------------------------------------------------------- the list


def test_the_day_before_a_visit_the_client_is_listed_with_phone_event_and_hours(
        store: Store, root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    iid = complete(store, "pensioner")
    visit = next(e["date"] for e in events_of(store, iid) if e["kind"] == "visit")
    day_before = date.fromordinal(date.fromisoformat(visit).toordinal() - 1)
    code, out, err = calls(capsys, root, "--date", day_before.strftime("%d.%m.%Y"), "--csv")
    assert code == 0, err
    [row] = rows(out)
    assert row["Клиент"] == "Васильева Галина Петровна"
    assert row["Телефон"] == "+7 911 305-44-17"  # the number she gave for reminders
    assert row["Дата"] == date.fromisoformat(visit).strftime("%d.%m.%Y")
    assert row["Время"] == HOURS
    assert row["Интервью"] == iid
    assert row["События"].startswith("явка в центр занятости")
    # the client's own measures due that day are said too; the centre's own duties are not
    assert "срок: Составить резюме вместе с инспектором" in row["События"]
    assert "Напоминание о предстоящих событиях" not in row["События"]


def test_on_a_friday_the_call_is_about_monday(store: Store, root: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    iid = complete(store, "pensioner")
    visits = [e["date"] for e in events_of(store, iid) if e["kind"] in ("visit", "review")]
    fridays = [d for d in map(date.fromisoformat, visits) if d.weekday() == 0]
    assert fridays, f"a Monday visit is expected among {visits}"
    monday = fridays[0]
    friday = date.fromordinal(monday.toordinal() - 3)
    code, out, _ = calls(capsys, root, "--date", friday.strftime("%d.%m.%Y"), "--csv")
    assert [r["Дата"] for r in rows(out)] == [monday.strftime("%d.%m.%Y")]


def test_days_covers_the_whole_plan_and_the_review_is_named(
        store: Store, root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    iid = complete(store, "pensioner")
    code, out, _ = calls(capsys, root, "--date", "27.11.2026", "--days", "40", "--csv")
    listed = rows(out)
    visits = {e["date"] for e in events_of(store, iid) if e["kind"] in ("visit", "review")}
    assert {date.fromisoformat(d).strftime("%d.%m.%Y") for d in visits} <= {r["Дата"] for r in listed}
    assert [r["Дата"] for r in listed] == sorted((r["Дата"] for r in listed),
                                                key=lambda d: date(int(d[6:]), int(d[3:5]), int(d[:2])))
    assert any("повторное профилирование и пересмотр плана" in r["События"] for r in listed)


def test_a_terminal_table(store: Store, root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    complete(store, "pensioner")
    code, out, _ = calls(capsys, root, "--date", "27.11.2026", "--days", "40")
    lines = out.splitlines()
    assert lines[0] == "Позвонить (30.11.2026–02.02.2027): 4 звонка."
    assert lines[1] == f"Время событий — часы приёма центра: {HOURS}."
    assert lines[3].startswith("11.12.2026  Васильева Галина Петровна  +7 911 305-44-17  2")
    assert lines[4].startswith(
        "    явка в центр занятости; срок: Составить резюме вместе с инспектором; срок:")
    assert max(len(line) for line in lines) <= 80  # a terminal of 80 columns


def test_nobody_to_call_is_said(store: Store, root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    complete(store, "pensioner")
    code, out, _ = calls(capsys, root, "--date", "01.06.2027")
    assert code == 0
    assert out == "Событий на 02.06.2027 нет: звонить некому.\n"


def test_a_client_who_declined_reminders_is_not_listed_but_counted(
        store: Store, root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    complete(store, "pensioner", pens_phone_reminders=False)
    code, out, err = calls(capsys, root, "--date", "27.11.2026", "--days", "40", "--csv")
    assert rows(out) == []
    assert "Не в списке — 1 клиент: отказались от напоминаний по телефону." in err


def test_the_number_given_for_reminders_is_the_one_listed(
        store: Store, root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    complete(store, "pensioner", pens_phone_reminders=True, pens_phone_confirmed=False,
             pens_reminder_phone="+7 911 000-22-33")
    code, out, _ = calls(capsys, root, "--date", "27.11.2026", "--days", "40", "--csv")
    assert {r["Телефон"] for r in rows(out)} == {"+7 911 000-22-33"}


def test_a_client_never_asked_is_listed_at_the_profile_phone(
        store: Store, root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    complete(store, "youth")
    code, out, _ = calls(capsys, root, "--date", "27.11.2026", "--days", "40", "--csv")
    listed = rows(out)
    assert listed and all(r["Телефон"] for r in listed)


def test_a_client_without_a_phone_is_counted(store: Store, root: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """The profile requires a phone today; an imported or older interview may have none."""
    source = complete(store, "youth")
    value = store.load(source).latest_plan.value  # type: ignore[union-attr]
    assert main(["delete-client", source, "--data-dir", str(store.root), "--yes"]) == 0
    iid = store.create_interview(interview_date=TODAY, scripts="profile v1", mode="inspector",
                                 inspector="petrova", consent={"given": True})
    for qid, answer in (("consent_pd", True), ("last_name", "Орлов"), ("birth_date", "1999-05-14")):
        store.save_answer(iid, qid, answer, by="petrova")
    store.complete(iid, groups=[], plan="# План\n", by="petrova", value=value)
    code, out, err = calls(capsys, root, "--date", "27.11.2026", "--days", "40", "--csv")
    assert rows(out) == []
    assert "Не в списке — 1 клиент: нет номера телефона." in err


def test_a_newer_plan_replaces_the_older_ones_dates(store: Store, root: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    older = complete(store, "pensioner", today=date(2026, 10, 1))
    newer = complete(store, "pensioner")
    code, out, _ = calls(capsys, root, "--date", "01.10.2026", "--days", "66", "--csv")
    assert {r["Интервью"] for r in rows(out)} == {newer}
    assert older != newer


def test_drafts_and_erased_clients_are_never_listed(store: Store, root: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from tests.helpers import draft_interview

    draft_interview(store, "children_count")
    iid = complete(store, "pensioner")
    assert main(["delete-client", iid, "--data-dir", str(root), "--yes"]) == 0
    code, out, err = calls(capsys, root, "--date", "27.11.2026", "--days", "40", "--csv")
    assert rows(out) == []
    assert "Не в списке" not in err


def test_a_plan_withdrawn_with_the_health_consent_loses_its_value(
        store: Store, root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    iid = complete(store, "disabled")
    assert main(["withdraw-consent", iid, "--health", "--data-dir", str(root), "--yes"]) == 0
    plan = store.load(iid).latest_plan
    assert plan is not None and plan.value is None
    code, out, err = calls(capsys, root, "--date", "27.11.2026", "--days", "40", "--csv")
    assert rows(out) == []
    assert "план отозван вместе с согласием на обработку данных о здоровье" in err


def test_an_interview_of_an_older_version_is_named_when_its_text_has_such_a_date(
        store: Store, root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = store.create_interview(interview_date=TODAY, scripts="profile v1", mode="inspector",
                                 inspector="petrova", consent={"given": True})
    for qid, value in (("consent_pd", True), ("last_name", "Смирнова"), ("first_name", "Ольга"),
                       ("birth_date", "1987-08-14"), ("phone", "+7 921 555-12-34")):
        store.save_answer(old, qid, value, by="petrova")
    store.complete(old, groups=[], plan="# План\n\nЯвка: 11.12.2026\n", by="petrova")  # no value
    code, out, err = calls(capsys, root, "--date", "10.12.2026", "--csv")
    assert rows(out) == []
    assert f"прочитайте планы интервью: {old}." in err
    code, out, err = calls(capsys, root, "--date", "14.12.2026", "--csv")
    assert "Не в списке" not in err  # its text names no date of those days


def test_out_writes_an_owner_only_file_and_the_audit_trail_has_no_names(
        store: Store, root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    complete(store, "pensioner")
    target = tmp_path / "calls.csv"
    code, out, err = calls(capsys, root, "--date", "27.11.2026", "--days", "40", "--csv",
                           "--out", str(target))
    assert code == 0 and out == ""
    assert "Васильева" in target.read_text("utf-8")
    assert target.stat().st_mode & 0o077 == 0
    event = [e for e in store.audit_events() if e.get("action") == "calls"][-1]
    assert "Васильева" not in json.dumps(event, ensure_ascii=False)
    assert event["count"] == len(rows(target.read_text("utf-8")))


def test_bad_arguments_are_said_in_russian(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for flags, words in ((("--days", "0"), "число дней — от 1 до 66"),
                         (("--days", "много"), "ожидается число дней"), (("--date", "31.02.2026"), "")):
        with pytest.raises(SystemExit) as stop:
            main(["calls", "--data-dir", str(root), *flags])
        assert stop.value.code == 2
        assert words in capsys.readouterr().err


def test_the_reminder_questions_are_still_in_the_scripts() -> None:
    """The questions calls reads are the scripts' own: renamed there, this fails."""
    questions = bundle().questions()
    for qid in (*CONSENT_QUESTIONS, *PHONE_QUESTIONS, PROFILE_PHONE):
        assert qid in questions, qid
    assert all(questions[q].type == "yes_no" for q in CONSENT_QUESTIONS)
    assert all(questions[q].type == "phone" for q in (*PHONE_QUESTIONS, PROFILE_PHONE))


def test_calls_as_a_real_command(store: Store, root: Path) -> None:
    complete(store, "pensioner")
    done = subprocess.run([sys.executable, "-m", "tui", "calls", "--data-dir", str(root),
                           "--date", "27.11.2026", "--days", "40", "--csv"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert rows(done.stdout)[0]["Клиент"] == "Васильева Галина Петровна"


def test_an_older_plans_dates_are_not_called_about_once_a_newer_plan_is_issued(
        store: Store, root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    older = complete(store, "pensioner", today=date(2026, 10, 1))
    first_visit = next(e["date"] for e in events_of(store, older) if e["kind"] == "visit")
    day_before = date.fromordinal(date.fromisoformat(first_visit).toordinal() - 1).strftime("%d.%m.%Y")
    code, out, _ = calls(capsys, root, "--date", day_before, "--csv")
    assert [r["Интервью"] for r in rows(out)] == [older]
    complete(store, "pensioner")  # re-profiled on 27.11: the new plan's dates are all later
    code, out, err = calls(capsys, root, "--date", day_before, "--csv")
    assert rows(out) == []
    assert "Не в списке" not in err


def test_a_damaged_file_naming_a_date_of_the_window_is_reported(
        store: Store, root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    iid = complete(store, "pensioner")
    path = store.interview_path(iid)
    path.write_bytes(path.read_bytes()[:-200])  # torn
    code, out, err = calls(capsys, root, "--date", "10.12.2026", "--csv")
    assert code == 1
    assert f"Не прочитано: Файл данных повреждён: {path}" in err
