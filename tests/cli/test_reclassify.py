"""``sobesednik reclassify``: when a rule's threshold changes, the centre learns whose groups
change and why; recording it is a new decision in the interview and the audit trail, never
a silent one; the inspector's overrides stay; a damaged file is named and skipped."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPLAYS, bundle, finish
from tui.cli import main
from tui.engine.replay import read_answers_file
from tui.engine.session import Session
from tui.paths import scripts_dir
from tui.store import files
from tui.store.reclassify import NO_PROFILE, NOT_CONFIRMED, outdated_plan
from tui.store.store import Store

INSPECTOR = "Петрова П. П."
METHODIST = "Методист М. М."
#: Clients of several ages (on 27.11.2026): 27, 24, 22, 21, 37 and 64.
CASES = ("youth", "combo_mother_youth_graduate", "graduate", "orphan", "mother_employer", "pensioner")


def store_case(store: Store, name: str, *, complete: bool = True, confirm: bool = True,
               decisions: dict[str, tuple[str, str]] | None = None, upto: str | None = None) -> str:
    """The replay case ``name`` kept as the app keeps it: answered at the desk, the groups
    confirmed (with the inspector's ``decisions``), finished with its plan unless not
    ``complete``; a draft stops at ``upto``. Its id."""
    f = read_answers_file(REPLAYS / f"{name}.yaml")
    session = Session(bundle(), store, f.date, inspector=INSPECTOR)
    while True:
        if confirm and session.needs_group_confirmation:
            session.confirm_groups(decisions or {})
        q = session.current
        if q is None or q.id == upto or (not confirm and session.needs_group_confirmation):
            break
        session.submit(f.answers.get(q.id))
    if complete:
        finish(session)
    session.close()
    assert session.iid is not None
    return session.iid


def scripts_with(tmp_path: Path, **params: int) -> Path:
    """A copy of the bundled scripts with some thresholds of groups.yaml changed."""
    copy = tmp_path / "scripts"
    shutil.copytree(scripts_dir(), copy)
    groups = copy / "groups.yaml"
    text = groups.read_text("utf-8")
    for key, value in params.items():
        text, n = re.subn(rf"^(\s+{key}:) \S+", rf"\g<1> {value}", text, count=1, flags=re.M)
        assert n == 1, key
    groups.write_text(text, encoding="utf-8")
    return copy


def run(store: Store, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    files._cache.clear()  # as a new process
    code = main(["reclassify", *args, "--data-dir", str(store.root)])
    out, err = capsys.readouterr()
    return code, out, err


def listed(out: str) -> list[str]:
    """The interview ids the listing names (each heads its own block)."""
    return re.findall(r"^(\d{8}-\d{6}-[0-9a-f]+)  ", out, flags=re.M)


def header(store: Store, iid: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(store.interview_path(iid).read_text("utf-8"))
    return dict(data["interview"]["1"])


def snapshot(store: Store) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((store.root / "interviews").glob("*/*.json"))}


def age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def actions(store: Store, action: str) -> list[dict[str, Any]]:
    return [e for e in store.audit_events() if e["action"] == action]


@pytest.fixture
def clients(store: Store) -> dict[str, str]:
    return {name: store_case(store, name) for name in CASES}


# --------------------------------------------------------------------------- dry run


def test_a_dry_run_lists_exactly_the_clients_a_lower_youth_bound_takes_out(store, clients, capsys, tmp_path):
    before = snapshot(store)
    youth_max = bundle().params["youth_max_age"]
    scripts = scripts_with(tmp_path, youth_max_age=22)
    code, out, err = run(store, capsys, "--dry-run", "--scripts", str(scripts))
    assert code == 0, err
    expected = set()
    for name, iid in clients.items():
        f = read_answers_file(REPLAYS / f"{name}.yaml")
        if 22 < age(f.answers["birth_date"], f.date) <= youth_max:
            expected.add(iid)
    assert expected and set(listed(out)) == expected
    youth = out.split(clients["youth"], 1)[1].split("\n\n")[0]
    # The client, the groups before and after, and the rule's own reason for the change.
    assert "Орлов Д. А., дата рождения 14.05.1999 · завершено, интервью 27.11.2026" in youth
    assert "группы: Молодежь → нет групп" in youth
    assert "− Молодежь: Возраст 27 лет, а молодёжь — от 14 до 22 лет включительно." in youth
    assert "план выдан по прежним группам" in youth
    assert re.search(rf"Проверено {len(CASES)} интервью: группы изменятся у {len(expected)}; пропущено 0; "
                     r"\d+ интервью в секунду\.\n\Z", out)
    assert snapshot(store) == before  # nothing written
    assert actions(store, "reclassify") == []
    (event,) = actions(store, "reclassify_run")
    assert event["dry_run"] is True and event["changed"] == len(expected)


def test_a_higher_youth_bound_brings_a_client_in_with_the_rules_reason(store, clients, capsys, tmp_path):
    code, out, _ = run(store, capsys, "--dry-run", "--scripts", str(scripts_with(tmp_path, youth_max_age=40)))
    assert code == 0
    assert listed(out) == [clients["mother_employer"]]
    assert "+ Молодежь: Возраст 37 лет (молодёжь — от 14 до 40 лет включительно)." in out
    assert "группы: Женщина с детьми дошкольного возраста → Молодежь; Женщина с детьми" in out


def test_with_the_rules_unchanged_nothing_is_listed(store, clients, capsys):
    code, out, _ = run(store, capsys, "--dry-run")
    assert code == 0 and listed(out) == []
    assert f"Проверено {len(CASES)} интервью: группы изменятся у 0;" in out


# --------------------------------------------------------------------------- recording


def test_a_real_run_records_the_decision_and_a_second_run_finds_nothing(store, clients, capsys, tmp_path):
    scripts = scripts_with(tmp_path, youth_max_age=22)
    iid = clients["youth"]
    plan_before = store.load(iid).plans
    code, out, _ = run(store, capsys, "--scripts", str(scripts), "--inspector", METHODIST)
    assert code == 0
    assert iid in listed(out) and "записано 2" in out
    h = header(store, iid)
    (note,) = h["reclassifications"]
    assert note["by"] == METHODIST and note["at"]
    assert "sha256" in note["scripts"] and "profile v" in note["scripts"]
    assert (note["from"], note["to"]) == (["youth"], [])
    assert note["changes"] == [{"group": "youth", "now": "out", "appears": False, "kept_override": False}]
    assert note["plan_outdated"] is True and outdated_plan(h) == note
    youth = next(g for g in h["groups"] if g["id"] == "youth")
    assert (youth["status"], youth["member"]) == ("out", False)
    assert store.load(iid).plans == plan_before  # the issued plan is never rewritten
    (event,) = [e for e in actions(store, "reclassify") if e["iid"] == iid]
    assert event["by"] == METHODIST and (event["from"], event["to"]) == (["youth"], [])
    assert event["scripts"] == note["scripts"]
    # Untouched: the interviews whose groups did not change.
    assert "reclassifications" not in header(store, clients["graduate"])

    code, out, _ = run(store, capsys, "--scripts", str(scripts), "--inspector", METHODIST)
    assert code == 0 and listed(out) == []
    assert "группы изменились у 0, записано 0" in out
    assert len(header(store, iid)["reclassifications"]) == 1


def test_back_to_the_old_rules_the_plan_fits_again(store, clients, capsys, tmp_path):
    iid = clients["youth"]
    run(store, capsys, "--scripts", str(scripts_with(tmp_path, youth_max_age=22)))
    code, out, _ = run(store, capsys)  # the bundled rules again
    assert code == 0 and iid in listed(out)
    assert "план выдан по прежним группам" not in out.split(iid, 1)[1]
    h = header(store, iid)
    assert [n["plan_outdated"] for n in h["reclassifications"]] == [True, False]
    assert outdated_plan(h) is None


def test_an_override_stays_and_the_change_it_hides_is_reported(store, capsys, tmp_path):
    # The inspector left youth out of this client's groups; the rules no longer find it.
    iid = store_case(store, "youth", decisions={"youth": ("remove", "Уже трудоустроен по договору")})
    assert [g["member"] for g in header(store, iid)["groups"] if g["id"] == "youth"] == [False]
    scripts = scripts_with(tmp_path, youth_max_age=22)
    code, out, _ = run(store, capsys, "--scripts", str(scripts))
    assert code == 0 and listed(out) == [iid]
    assert "группы: нет групп (без изменений)" in out
    assert ("! Молодежь: правило больше не относит к группе (Возраст 27 лет, а молодёжь — от 14 до 22 "
            "лет включительно.), но остаётся решение инспектора — группа исключена: "
            "«Уже трудоустроен по договору»") in out
    assert "план выдан по прежним группам" not in out
    h = header(store, iid)
    assert [o["group"] for o in h["group_overrides"]] == ["youth"]
    (note,) = h["reclassifications"]
    assert note["changes"][0]["kept_override"] is True and note["plan_outdated"] is False
    youth = next(g for g in h["groups"] if g["id"] == "youth")
    assert youth["override"]["reason"] == "Уже трудоустроен по договору" and youth["member"] is False
    assert actions(store, "reclassify")[0]["kept_overrides"] == ["youth"]


def test_a_confirmed_draft_records_the_change_and_asks_the_inspector_again(store, capsys, tmp_path):
    iid = store_case(store, "youth", complete=False)  # every answer given, not finished
    confirmed = header(store, iid)["groups_confirmed"]
    scripts = scripts_with(tmp_path, youth_max_age=22)
    code, out, _ = run(store, capsys, "--scripts", str(scripts))
    assert code == 0 and listed(out) == [iid]
    assert "не завершено" in out and "при продолжении интервью инспектор подтвердит группы снова" in out
    h = header(store, iid)
    assert h["groups_confirmed"] == confirmed  # the inspector's confirmation is theirs
    assert h["reclassifications"][0]["to"] == [] and "groups" not in h
    code, out, _ = run(store, capsys, "--scripts", str(scripts))
    assert listed(out) == []  # recorded once
    from tui.engine.loader import load_bundle_or_raise

    session = Session.resume(load_bundle_or_raise([scripts]), store, iid, inspector=INSPECTOR)
    assert session.needs_group_confirmation  # the app asks to confirm the new groups
    session.close()


def test_drafts_without_groups_are_counted_as_skipped_with_why(store, capsys):
    store_case(store, "youth", complete=False, upto="birth_date")  # stopped in the profile
    store_case(store, "youth", complete=False, confirm=False)  # profile done, not confirmed
    store_case(store, "graduate")
    code, out, err = run(store, capsys, "--dry-run")
    assert code == 0
    assert "Проверено 1 интервью: группы изменятся у 0; пропущено 2;" in out
    assert f"Пропущено ({NO_PROFILE}): 1" in err and f"Пропущено ({NOT_CONFIRMED}): 1" in err


def test_the_audit_trail_names_no_group_decided_from_health_data(store, capsys, tmp_path):
    iid = store_case(store, "disabled")
    scripts = scripts_with(tmp_path)
    groups = scripts / "groups.yaml"
    text = groups.read_text("utf-8")
    rule = "disability_group in ['I', 'II', 'III']"
    assert rule in text
    groups.write_text(text.replace(rule, "disability_group in ['I']"), encoding="utf-8")
    code, out, _ = run(store, capsys, "--scripts", str(scripts))
    assert code == 0 and iid in listed(out)
    assert "− Инвалиды: не выполняется правило «disability_group in ['I']» (disability_group: II)" in out
    assert "disabled" in header(store, iid)["reclassifications"][0]["from"]
    (event,) = actions(store, "reclassify")
    assert (event["iid"], event["from"], event["to"], event["kept_overrides"]) == (iid, [], [], [])
    assert "plan_outdated" not in event


def test_a_withdrawn_health_consent_takes_the_health_group_out_of_the_reclassifications(
        store, capsys, tmp_path):
    iid = store_case(store, "disabled")
    scripts = scripts_with(tmp_path)
    groups = scripts / "groups.yaml"
    text = groups.read_text("utf-8")
    groups.write_text(text.replace("disability_group in ['I', 'II', 'III']", "disability_group in ['I']"),
                      encoding="utf-8")
    assert run(store, capsys, "--scripts", str(scripts))[0] == 0
    assert header(store, iid)["reclassifications"][0]["from"] == ["disabled"]
    capsys.readouterr()
    assert main(["withdraw-consent", iid, "--health", "--yes", "--data-dir", str(store.root)]) == 0
    (note,) = header(store, iid)["reclassifications"]
    assert [note[k] for k in ("from", "to", "members_from", "members_to", "changes")] == [[]] * 5
    assert note["by"] and note["at"]  # the record of the decision stays


# --------------------------------------------------------------------------- bad input


def test_a_damaged_interview_is_named_and_skipped_and_the_others_are_checked(store, clients, capsys,
                                                                             tmp_path):
    bad = store.interview_path(clients["orphan"])
    bad.write_text('{"interview": {"1": {"id": ', encoding="utf-8")
    scripts = scripts_with(tmp_path, youth_max_age=22)
    code, out, err = run(store, capsys, "--dry-run", "--scripts", str(scripts))
    assert code == 1
    assert f"Пропущено: Файл данных повреждён: {bad}" in err
    assert clients["youth"] in listed(out)
    assert f"Проверено {len(CASES) - 1} интервью" in out and "не прочитано 1" in out
    assert "Traceback" not in out + err


def test_a_full_disk_stops_with_the_stores_message(store, clients, capsys, tmp_path, monkeypatch):
    import errno
    import os

    def no_space(*_: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    scripts = scripts_with(tmp_path, youth_max_age=22)
    monkeypatch.setattr(os, "fsync", no_space)
    monkeypatch.setattr(os, "fdatasync", no_space)
    code, out, err = run(store, capsys, "--scripts", str(scripts))
    assert code == 2
    assert "Диск заполнен" in err and "Traceback" not in err
    assert "Проверено" in out  # what was done until then
    monkeypatch.undo()
    assert all("reclassifications" not in header(store, i) for i in clients.values())


def test_the_progress_bar_is_drawn_on_a_terminal_only(store, clients, capsys, monkeypatch):
    import io
    import sys

    code, _, err = run(store, capsys, "--dry-run")
    assert code == 0 and "интервью, " not in err  # a pipe: nothing but messages

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    monkeypatch.setattr("tui.cli.reclassify.Progress.INTERVAL", 0.0)
    files._cache.clear()
    assert main(["reclassify", "--dry-run", "--data-dir", str(store.root)]) == 0
    drawn = screen.getvalue()
    assert f"] {len(CASES)}/{len(CASES)} интервью" in drawn
    assert drawn.endswith("\r\x1b[K")  # the bar is cleared before the summary


def test_reclassify_is_a_command(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "reclassify" in capsys.readouterr().out
