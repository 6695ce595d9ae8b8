"""The lifecycle of stored data through the command line: export, import, backup, deleting
a client, purge by age and withdrawal of the health-data consent."""

from __future__ import annotations

import csv
import errno
import io
import json
import secrets
import shutil
import stat
import tarfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import REPLAYS, TODAY, bundle, draft_interview, finish
from tui import fs
from tui.cli import main
from tui.engine.policy import DataPolicy
from tui.engine.session import Session
from tui.paths import scripts_dir
from tui.store.importer import write_interview
from tui.store.records import read_record
from tui.store.store import Store

#: What identifies the two clients of these tests (MOTHER_TYPED and replays/disabled.yaml).
MOTHER = ("Смирнова", "Ольга", "Викторовна", "+7 921 555-12-34", "1987-08-14")
DISABLED = ("Соколов", "Андрей", "Игоревич", "+7 921 160-72-44", "1983-06-02")
HEALTH_TEXT = "Труд в оптимальных и допустимых условиях"  # the ИПРА's recommendation
HEALTH_IDS = {"disability_group", "dis_ipra_presented", "dis_ipra_recommended",
              "dis_ipra_contraindicated", "dis_work_conditions"}


def run(store: Store, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([*args, "--data-dir", str(store.root)])
    out, err = capsys.readouterr()
    return code, out, err


def disabled_interview(store: Store, *, complete: bool = True, upto: str | None = None) -> str:
    """Соколов's interview from replays/disabled.yaml: health consent, group II, the ИПРА."""
    answers = yaml.safe_load((REPLAYS / "disabled.yaml").read_text(encoding="utf-8"))["answers"]
    session = Session(bundle(), store, TODAY, inspector="Петрова П. П.")
    while True:
        if session.needs_group_confirmation:
            session.confirm_groups({})
        if session.current is None or session.current.id == upto:
            break
        session.submit(answers.get(session.current.id))
    if complete and session.current is None:
        finish(session)
    session.close()
    assert session.iid is not None
    return session.iid


def lines_of(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def audit_text(store: Store) -> str:
    return "".join(p.read_text("utf-8") for p in sorted((store.root / "audit").glob("*.jsonl")))


def actions(store: Store, action: str) -> list[dict[str, Any]]:
    return [e for e in store.audit_events() if e["action"] == action]


def interview_files(store: Store) -> list[Path]:
    return sorted((store.root / "interviews").glob("*/*.json"))


def damaged_copies(store: Store, iid: str) -> list[Path]:
    """The copies of interview ``iid`` under damaged/ (``<iid>.json``, ``<iid>.json.2`` ...)."""
    base = store.root / "damaged"
    return sorted(p for p in base.rglob(f"{iid}.json*") if p.is_file()) if base.is_dir() else []


def set_aside(store: Store, iid: str, stamp: str = "20260101-120000", suffix: str = "") -> Path:
    """A copy of interview ``iid`` where ``doctor`` sets a damaged one aside, cut short."""
    source = store.interview_path(iid)
    target = store.root / "damaged" / stamp / source.relative_to(store.root)
    target = target.with_name(target.name + suffix)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    raw = source.read_bytes()
    target.write_bytes(raw[: len(raw) * 3 // 4])
    return target


def drop_from_index(store: Store, iid: str) -> None:
    """Take ``iid`` out of every index bucket, as a lost index write would."""
    for bucket in (store.root / "index").glob("*/**/*.jsonl"):
        lines = bucket.read_text("utf-8").splitlines(keepends=True)
        bucket.write_text("".join(line for line in lines if iid not in line), encoding="utf-8")


def aged(store: Store, iid: str, when: datetime, answered: datetime | None = None) -> str:
    """A copy of interview ``iid`` that was created, answered and changed at ``when`` (its
    answers at ``answered`` if given), written under an id of that month; the original goes."""
    record = read_record(store, store.interview_path(iid))
    assert record is not None
    new = when.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)
    stamp, answer_stamp = when.isoformat(), (answered or when).isoformat()
    header = record["header"]
    header["id"] = new
    for key in ("created_at", "updated_at", "completed_at"):
        if key in header:
            header[key] = stamp
    for doc in record["answers"]:
        doc["at"] = answer_stamp
        for earlier in doc.get("previous") or []:
            earlier["at"] = answer_stamp
    obj = {**record, "export": {"version": 1, "personal": True}, "id": new}
    store.discard(iid, "test")
    assert write_interview(store, obj)
    return new


# --------------------------------------------------------------------------- the scripts


def test_the_scripts_mark_the_health_answers_and_the_consent_to_them():
    policy = DataPolicy.from_bundle(bundle())
    assert set(policy.special) == HEALTH_IDS
    assert policy.consent == {"health": "consent_health"}
    assert policy.special_groups == {"health": {"disabled"}}
    # pensioners' unsuitable working conditions are not diagnoses (the module's note)
    assert "pens_work_limits" not in policy.special and "prep_work_limits" not in policy.special
    assert bundle().params["retention_months"] == 60


# --------------------------------------------------------------------------- export


def test_export_gives_each_interview_with_answers_times_authors_and_plans(store, capsys):
    mother = draft_interview(store)
    store.save_answer(mother, "children_count", 3, by="Иванова И. И.")  # a changed answer
    disabled = disabled_interview(store)
    code, out, err = run(store, capsys, "export")
    assert code == 0
    assert "Выгружено 2 интервью с персональными данными" in err
    by_id = {line["id"]: line for line in lines_of(out)}
    assert set(by_id) == {mother, disabled}
    m = by_id[mother]
    assert m["header"]["status"] == "draft" and m["header"]["consent"]["given"] is True
    assert m["header"]["inspectors"] == ["Петрова П. П."]
    children = next(a for a in m["answers"] if a["question"] == "children_count")
    assert (children["value"], children["by"]) == (3, "Иванова И. И.") and children["at"]
    assert [p["value"] for p in children["previous"]] == [2]
    d = by_id[disabled]
    assert d["header"]["status"] == "complete" and d["header"]["completed_at"]
    assert [g["id"] for g in d["header"]["groups"] if g["member"]] == ["disabled"]
    assert "Индивидуальный план" in d["plans"][0]["markdown"]
    (event,) = actions(store, "export")
    assert (event["count"], event["personal"], event["format"]) == (2, True, "jsonl")
    assert "Смирнова" not in audit_text(store) and "Соколов" not in audit_text(store)


def test_export_to_a_file_is_for_its_owner_only(store, capsys, tmp_path):
    draft_interview(store)
    out_file = tmp_path / "all.jsonl"
    code, out, _ = run(store, capsys, "export", "--out", str(out_file))
    assert code == 0 and out == ""
    assert len(out_file.read_text("utf-8").splitlines()) == 1
    assert stat.S_IMODE(out_file.stat().st_mode) == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_an_export_to_a_file_survives_a_power_cut(store, capsys, tmp_path, monkeypatch):
    """The export is renamed into place and then its folder is fsynced: a rename is on
    disk only once its folder is."""
    draft_interview(store)
    target = tmp_path / "out.jsonl"
    synced: list[tuple[Path, bool]] = []  # (what was fsynced, whether the export was in place)
    real = fs.fsync_dir

    def fsync_dir(path: Path) -> None:
        synced.append((Path(path), target.exists()))
        real(path)

    monkeypatch.setattr(fs, "fsync_dir", fsync_dir)
    code = main(["export", "--data-dir", str(store.root), "--out", str(target)])
    capsys.readouterr()
    assert code == 0 and len(target.read_text("utf-8").splitlines()) == 1
    assert (tmp_path, True) in synced  # the folder of the export, after the file was renamed into it


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_an_export_without_personal_data_has_no_name_phone_birth_date_free_text_health_or_plan(
    store, capsys, fmt
):
    mother = draft_interview(store)
    again = draft_interview(store)  # the same client, a second time
    disabled = disabled_interview(store)
    # the mother signs the health-data consent; the inspector adds her to «Инвалиды» by her documents
    session = Session.resume(bundle(), store, mother, inspector="Петрова П. П.")
    session.goto("consent_health")
    session.submit("да")
    session.submit("none")  # disability_group: the question records none
    session.confirm_groups({"disabled": ("add", "Справка МСЭ, III группа")})
    session.close()
    assert any(o["group"] == "disabled" for o in store.load(mother).header["group_overrides"])
    code, out, _ = run(store, capsys, "export", "--no-personal", "--format", fmt)
    assert code == 0
    for text in (*MOTHER, *DISABLED, "555-12-34", "14.08.1987", "02.06.1983",
                 "Парикмахер",  # the work sought, typed by the inspector
                 HEALTH_TEXT, "disability_group", "dis_ipra", "Индивидуальный план",
                 "Петрова П. П.»",
                 # answers that exist only for a client with a disability
                 "dis_disclose", "dis_limited_mobility", "dis_escort",
                 # the group decided from health data, and the consent to tell it
                 "Инвалиды", "consent_health",
                 # exact dates of other answers: the youngest child's birth, the diploma
                 "2022-05-03", "2012-09-14", "2011-06-30", "2005-06-30"):
        assert text not in out, text
    for iid in (mother, again, disabled):
        assert iid in out  # analysts can count
    if fmt == "jsonl":
        rows = {line["id"]: line for line in lines_of(out)}
        assert rows[mother]["birth_year"] == 1987 and rows[disabled]["birth_year"] == 1983
        assert rows[mother]["client_key"] == rows[again]["client_key"] != rows[disabled]["client_key"]
        answers = {a["question"]: a["value"] for a in rows[mother]["answers"]}
        assert answers["children_count"] == 2 and answers["sex"] == "female"
        assert answers["youngest_child_birth_date"] == 2022  # the year only
        assert rows[disabled]["plans"] and "markdown" not in rows[disabled]["plans"][0]
        for iid in (mother, disabled):
            header = rows[iid]["header"]
            groups = {g["id"] for g in header.get("groups", [])}
            groups |= set(header["groups_confirmed"]["computed"])
            groups |= {o["group"] for o in header.get("group_overrides", [])}
            assert "disabled" not in groups, iid
        assert {g["id"] for g in rows[disabled]["header"]["groups"]} >= {"youth", "graduate"}
        assert rows[mother]["header"]["groups_confirmed"]["computed"] == ["mother_preschool"]
    else:
        rows = {r["id"]: r for r in csv.DictReader(io.StringIO(out))}
        assert rows[mother]["birth_year"] == "1987" and rows[mother]["children_count"] == "2"
        assert rows[mother]["youngest_child_birth_date"] == "2022"
        assert rows[mother]["groups"] == "mother_preschool"
        assert rows[disabled]["groups"] == "" and rows[disabled]["plans_issued"] == "1"
        assert all("disabled" not in r["group_overrides"] for r in rows.values())
    (event,) = actions(store, "export")
    assert event["personal"] is False and event["count"] == 3


def test_csv_has_a_row_per_interview_and_a_column_per_question(store, capsys):
    mother = draft_interview(store)
    disabled = disabled_interview(store)
    code, out, _ = run(store, capsys, "export", "--format", "csv")
    assert code == 0
    reader = csv.reader(io.StringIO(out))
    header = next(reader)
    assert header[:3] == ["id", "status", "interview_date"]
    # the questions follow in interview order: the consent first, then the client's names
    questions = header[header.index("plans_issued") + 1:]
    assert questions[:3] == ["consent_pd", "last_name", "first_name"]
    assert "dis_ipra_recommended" in questions and "salary_importance" in questions
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(out))}
    assert set(rows) == {mother, disabled}
    assert rows[mother]["last_name"] == "Смирнова" and rows[mother]["ever_worked"] == "да"
    assert rows[mother]["work_barriers"] == "long_break;search_skills"
    assert rows[mother]["dis_ipra_recommended"] == ""
    assert rows[disabled]["status"] == "complete" and rows[disabled]["groups"] == "disabled"


def test_a_damaged_file_is_named_and_the_export_finishes(store, capsys):
    good = draft_interview(store)
    bad = draft_interview(store)
    store.interview_path(bad).write_text('{"interview": {"1": {', encoding="utf-8")
    code, out, err = run(store, capsys, "export")
    assert code == 1
    assert [line["id"] for line in lines_of(out)] == [good]
    assert str(store.interview_path(bad)) in err and "повреждён" in err
    assert "Выгружено 1 интервью" in err


# --------------------------------------------------------------------------- import


def test_export_import_export_gives_the_same_lines(store, capsys, tmp_path):
    mother = draft_interview(store)
    store.save_answer(mother, "children_count", 3, by="Иванова И. И.")
    disabled_interview(store)
    code, first, _ = run(store, capsys, "export")
    assert code == 0
    exported = tmp_path / "all.jsonl"
    exported.write_text(first, encoding="utf-8")

    empty = Store(tmp_path / "restored")
    code, _, err = run(empty, capsys, "import", str(exported))
    assert code == 0
    assert "Загружено 2 интервью" in err
    code, second, _ = run(empty, capsys, "export")
    assert code == 0 and second == first
    # the index is made: the restored client is found and the draft can be resumed
    assert [s.id for s in empty.find("Смирнова")] == [mother]
    assert [s.id for s in empty.find("+7 921 160-72-44")]
    assert [s.id for s in empty.unfinished()] == [mother]
    (event,) = actions(empty, "import")
    assert (event["count"], event["existing"]) == (2, 0)


def test_import_leaves_interviews_the_store_has_and_counts_them(store, capsys, tmp_path):
    iid = draft_interview(store)
    _, out, _ = run(store, capsys, "export")
    exported = tmp_path / "all.jsonl"
    exported.write_text(out, encoding="utf-8")
    store.save_answer(iid, "children_count", 5, by="Иванова И. И.")  # changed after the export
    code, _, err = run(store, capsys, "import", str(exported))
    assert code == 0
    assert "Загружено 0 интервью; уже были в хранилище: 1" in err
    assert store.load(iid).answers["children_count"] == 5


def test_a_malformed_line_is_named_and_nothing_of_it_is_written(store, capsys, tmp_path):
    mother = draft_interview(store)
    disabled_interview(store)
    _, out, _ = run(store, capsys, "export")
    good, other = sorted(lines_of(out), key=lambda line: line["id"] != mother)
    no_consent = json.loads(json.dumps(other))
    del no_consent["header"]["consent"]
    wrong_id = json.loads(json.dumps(other))
    wrong_id["header"]["id"] = good["id"]
    exported = tmp_path / "mixed.jsonl"
    exported.write_text("\n".join([
        json.dumps(good, ensure_ascii=False),
        '{"export": {"version": 1, "personal": true}, "id": ',
        json.dumps(no_consent, ensure_ascii=False),
        json.dumps(wrong_id, ensure_ascii=False),
        "",
    ]), encoding="utf-8")

    target = Store(tmp_path / "target")
    code, _, err = run(target, capsys, "import", str(exported))
    assert code == 1
    assert f"{exported}:2: не разбирается как JSON" in err
    assert f"{exported}:3: нет записанного согласия на обработку ПДн" in err
    assert f"{exported}:4: номер интервью в заголовке" in err
    assert [p.stem for p in interview_files(target)] == [good["id"]]
    assert target.find("Соколов") == []


def test_an_export_without_personal_data_is_refused(store, capsys, tmp_path):
    draft_interview(store)
    _, out, _ = run(store, capsys, "export", "--no-personal")
    exported = tmp_path / "plain.jsonl"
    exported.write_text(out, encoding="utf-8")
    target = Store(tmp_path / "target")
    code, _, err = run(target, capsys, "import", str(exported))
    assert code == 2
    assert "без персональных данных" in err and "восстановить по ней интервью нельзя" in err
    assert interview_files(target) == []


def test_import_does_not_bring_back_a_client_deleted_on_request(store, capsys, tmp_path):
    iid = draft_interview(store)
    _, out, _ = run(store, capsys, "export")
    exported = tmp_path / "all.jsonl"
    exported.write_text(out, encoding="utf-8")
    assert run(store, capsys, "delete-client", iid, "--yes")[0] == 0
    code, _, err = run(store, capsys, "import", str(exported))
    assert code == 0
    assert "удалены раньше по просьбе клиента или по сроку и не возвращены: 1" in err
    assert store.find("Смирнова") == [] and interview_files(store) == []


def test_import_does_not_bring_back_an_interview_discarded_on_the_start_screen(store, capsys, tmp_path):
    discarded = draft_interview(store)
    kept = disabled_interview(store)
    _, out, _ = run(store, capsys, "export")
    exported = tmp_path / "all.jsonl"
    exported.write_text(out, encoding="utf-8")
    store.discard(discarded, "Петрова П. П.")  # «Удалить» on the start screen
    code, _, err = run(store, capsys, "import", str(exported))
    assert code == 0
    assert ("Загружено 0 интервью; уже были в хранилище: 1; удалены раньше по просьбе клиента или "
            "по сроку и не возвращены: 1") in err
    assert [p.stem for p in interview_files(store)] == [kept]
    assert store.find("Смирнова") == []


def test_import_of_a_missing_file_says_so(store, capsys, tmp_path):
    code, _, err = run(store, capsys, "import", str(tmp_path / "nowhere.jsonl"))
    assert code == 2 and "Нет файла" in err and "nowhere.jsonl" in err


# --------------------------------------------------------------------------- backup


def test_backup_holds_interviews_meta_and_audit_for_its_owner_only(store, capsys, tmp_path):
    iid = draft_interview(store)
    lease = store.lease(iid, inspector="Петрова П. П.", mode="inspector")  # a window is open
    earlier = store.root / "backups" / "sobesednik-20200101-000000.tar.gz"
    earlier.parent.mkdir(mode=0o700)
    earlier.write_bytes(b"an earlier backup")
    month = store.interview_path(iid).parent
    (month / f".{iid}.json.abc.tmp").write_text("half", encoding="utf-8")  # a write under way
    code, out, _ = run(store, capsys, "backup")
    lease.release()
    assert code == 0
    (archive,) = [p for p in (store.root / "backups").iterdir() if p != earlier]
    assert str(archive) in out and archive.name.endswith(".tar.gz")
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert stat.S_IMODE(archive.parent.stat().st_mode) == 0o700
    with tarfile.open(archive) as tar:
        members = {m.name: m for m in tar.getmembers()}
    rel = store.interview_path(iid).relative_to(store.root).as_posix()
    assert {"sobesednik.json", rel, "audit"} <= set(members)
    assert any(name.startswith("audit/") and name.endswith(".jsonl") for name in members)
    for name in members:
        assert not name.startswith(("index", "leases", "backups", ".lock")), name
        assert not Path(name).name.startswith("."), name
    assert all(m.mode == (0o700 if m.isdir() else 0o600) for m in members.values())
    (event,) = actions(store, "backup")
    assert event["files"] == sum(1 for m in members.values() if m.isfile())

    # Restoring, as the help says: extract into an empty folder, rebuild the index (doctor).
    restored = tmp_path / "restored"
    restored.mkdir(mode=0o700)
    with tarfile.open(archive) as tar:
        tar.extractall(restored, filter="data")
    again = Store(restored)
    again.rebuild_index()
    assert [s.id for s in again.find("Смирнова Ольга")] == [iid]
    assert again.load(iid).answers == store.load(iid).answers


def test_backup_help_tells_how_to_restore(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["backup", "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert "tar -xzf" in out and "sobesednik doctor --data-dir" in out and "пустой каталог" in out


def test_backup_on_a_full_disk_leaves_no_partial_archive(store, capsys, monkeypatch):
    draft_interview(store)
    written = []

    def full(self: tarfile.TarFile, info: tarfile.TarInfo, fileobj: Any = None) -> None:
        if written:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(info.name)
        original(self, info, fileobj)

    original = tarfile.TarFile.addfile
    monkeypatch.setattr(tarfile.TarFile, "addfile", full)
    code, out, err = run(store, capsys, "backup")
    assert code == 2
    assert "Диск заполнен" in err and "резервную копию" in err
    assert list((store.root / "backups").iterdir()) == []
    assert actions(store, "backup") == []


def test_backup_does_not_overwrite_a_file(store, capsys, tmp_path):
    draft_interview(store)
    target = tmp_path / "copy.tar.gz"
    target.write_bytes(b"keep me")
    code, _, err = run(store, capsys, "backup", "--out", str(target))
    assert code == 2 and "уже есть" in err
    assert target.read_bytes() == b"keep me"


# --------------------------------------------------------------------------- delete a client


def test_delete_client_removes_every_interview_of_the_client_and_no_other(store, capsys):
    first = draft_interview(store)
    second = draft_interview(store)
    other = disabled_interview(store)
    code, out, err = run(store, capsys, "delete-client", second, "--yes", "--inspector", "Иванова И. И.")
    assert code == 0, err
    assert "Клиент: Смирнова О. В., дата рождения 14.08.1987" in out
    assert first in out and second in out and other not in out
    assert "Удалено 2 интервью клиента" in out
    assert store.find("Смирнова") == [] and store.find("14.08.1987") == []
    assert store.find("+7 921 555-12-34") == []
    assert [s.id for s in store.unfinished()] == []
    assert [p.stem for p in interview_files(store)] == [other]
    assert list((store.root / "leases").iterdir()) == []  # a released lease leaves no file
    assert [s.id for s in store.find("Соколов")] == [other]
    assert sorted(e["iid"] for e in actions(store, "delete_client")) == sorted([first, second])
    (request,) = actions(store, "delete_client_request")
    assert (request["count"], request["by"]) == (2, "Иванова И. И.")
    assert "Смирнова" not in audit_text(store) and "Ольга" not in audit_text(store)


def test_delete_client_removes_the_copies_doctor_set_aside_and_names_the_backups(store, capsys, tmp_path):
    first = draft_interview(store)
    second = draft_interview(store)
    other = disabled_interview(store)
    assert run(store, capsys, "backup")[0] == 0
    (archive,) = (store.root / "backups").iterdir()
    unrelated = store.root / "backups" / "sobesednik-20200101-000000.tar.gz"
    with tarfile.open(unrelated, "w:gz") as tar:
        tar.add(store.meta_path, arcname="sobesednik.json")
    migration = store.root / "backups" / "schema-1-20250101-000000"
    (migration / "interviews").mkdir(parents=True)
    shutil.copy(store.interview_path(second), migration / "interviews" / f"{second}.json")
    # doctor set a damaged copy of the first aside, and recovered what survived
    path = store.interview_path(first)
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) * 3 // 4])
    assert main(["doctor", "--data-dir", str(store.root)]) == 0
    assert store.load(first).header["recovered"]
    assert len(damaged_copies(store, first)) == 1
    set_aside(store, second, suffix=".2")  # a second copy, named as doctor names it
    other_copy = set_aside(store, other)
    bucket = store.bucket_path("name", "смирнова")  # a damaged index file set aside: names
    bucket_copy = store.root / "damaged" / "20260101-120000" / bucket.relative_to(store.root)
    bucket_copy.parent.mkdir(parents=True)
    bucket_copy.write_bytes(bucket.read_bytes()[:-5])
    assert first in bucket_copy.read_text("utf-8", errors="replace")

    code, out, err = run(store, capsys, "delete-client", second, "--yes")
    assert code == 0, err
    assert "Удалено 2 интервью клиента" in out
    assert damaged_copies(store, first) == [] and damaged_copies(store, second) == []
    assert not bucket_copy.exists()
    assert "Удалено 3 повреждённые копии интервью клиента из damaged/" in out
    assert damaged_copies(store, other) == [other_copy]  # another client's copy stays
    (event,) = actions(store, "remove_damaged_copies")
    assert (event["count"], event["reason"]) == (3, "delete_client")
    # the backups still hold the client: named, not edited
    assert str(archive) in err and str(migration) in err and str(unrelated) not in err
    assert "не изменяются" in err
    assert archive.exists() and (migration / "interviews" / f"{second}.json").exists()


def test_delete_client_finds_an_interview_missing_from_the_index(store, capsys):
    lost = draft_interview(store)
    listed = draft_interview(store)
    other = disabled_interview(store)
    drop_from_index(store, lost)  # its index write failed
    assert [s.id for s in store.find("Смирнова")] == [listed]
    code, out, err = run(store, capsys, "delete-client", listed, "--yes")
    assert code == 0, err
    assert lost in out and "Интервью клиента: 2" in out
    assert "не найдено в указателе поиска, найдено просмотром всех файлов: 1" in out
    assert "Удалено 2 интервью клиента" in out
    assert [p.stem for p in interview_files(store)] == [other]
    (request,) = actions(store, "delete_client_request")
    assert (request["count"], request["by_scan"]) == (2, 1)


def test_delete_client_asks_first(store, capsys, monkeypatch):
    iid = draft_interview(store)
    monkeypatch.setattr("sys.stdin", io.StringIO("нет\n"))
    code, out, err = run(store, capsys, "delete-client", iid)
    assert code == 1
    assert "Это необратимо" in out and "Ничего не удалено" in err
    assert [s.id for s in store.find("Смирнова")] == [iid]
    monkeypatch.setattr("sys.stdin", io.StringIO("да\n"))
    code, out, _ = run(store, capsys, "delete-client", iid)
    assert code == 0 and store.find("Смирнова") == []


def test_delete_client_leaves_an_interview_open_in_another_window(store, capsys, tmp_path):
    open_one = draft_interview(store)
    closed = draft_interview(store)
    elsewhere = Store(store.root)  # another process with the interview on screen
    lease = elsewhere.lease(open_one, inspector="Сидорова С. С.", mode="inspector")
    try:
        code, out, err = run(store, capsys, "delete-client", closed, "--yes")
    finally:
        lease.release()
    assert code == 1
    assert f"Не удалено {open_one}" in err and "открыто в другом окне" in err
    assert "Удалено 1 интервью клиента" in out
    assert [p.stem for p in interview_files(store)] == [open_one]


def test_delete_client_of_an_unknown_id(store, capsys):
    code, _, err = run(store, capsys, "delete-client", "20261127-101500-abcdef", "--yes")
    assert code == 2 and "не найдено" in err


# --------------------------------------------------------------------------- purge


def test_purge_removes_only_interviews_older_than_the_retention(store, capsys):
    now = datetime.now().astimezone()
    old = aged(store, draft_interview(store), now - timedelta(days=7 * 365))
    old_complete = aged(store, disabled_interview(store), now - timedelta(days=6 * 365))
    # created long ago but answered last month: its last change is recent
    resumed = aged(store, draft_interview(store), now - timedelta(days=7 * 365),
                   answered=now - timedelta(days=30))
    recent = draft_interview(store)

    code, out, _ = run(store, capsys, "purge", "--dry-run")
    assert code == 0
    assert "Срок хранения 60 месяцев" in out
    assert "Найдено 2 интервью (завершённых 1, незавершённых 1)" in out
    assert old in out and old_complete in out and resumed not in out and recent not in out
    assert "Ничего не удалено" in out
    assert len(interview_files(store)) == 4

    code, out, _ = run(store, capsys, "purge", "--yes")
    assert code == 0 and "Удалено 2 интервью" in out
    assert sorted(p.stem for p in interview_files(store)) == sorted([resumed, recent])
    assert store.find("Соколов") == []
    (event,) = actions(store, "purge_run")
    assert (event["count"], event["months"]) == (2, 60)
    assert sorted(e["iid"] for e in actions(store, "purge")) == sorted([old, old_complete])


def test_purge_removes_the_copies_doctor_set_aside_of_the_purged_interviews(store, capsys):
    old = aged(store, draft_interview(store), datetime.now().astimezone() - timedelta(days=7 * 365))
    recent = draft_interview(store)
    set_aside(store, old)
    set_aside(store, old, stamp="20260102-120000", suffix=".2")
    recent_copy = set_aside(store, recent)
    code, out, _ = run(store, capsys, "purge", "--yes")
    assert code == 0 and "Удалено 1 интервью" in out
    assert damaged_copies(store, old) == []
    assert damaged_copies(store, recent) == [recent_copy]
    (event,) = actions(store, "remove_damaged_copies")
    assert (event["count"], event["reason"]) == (2, "purge")


def test_purge_reads_the_retention_from_the_scripts_or_the_option(store, capsys, tmp_path):
    two_years = aged(store, draft_interview(store), datetime.now().astimezone() - timedelta(days=730))
    code, out, _ = run(store, capsys, "purge", "--yes")
    assert code == 0 and "Удалять нечего" in out
    scripts = tmp_path / "scripts"
    shutil.copytree(scripts_dir(), scripts)
    groups = scripts / "groups.yaml"
    groups.write_text(groups.read_text("utf-8").replace("retention_months: 60", "retention_months: 12"),
                      encoding="utf-8")
    code, out, _ = run(store, capsys, "purge", "--dry-run", "--scripts", str(scripts))
    assert code == 0 and "Срок хранения 12 месяцев" in out and two_years in out
    code, out, _ = run(store, capsys, "purge", "--older-than", "18", "--yes")
    assert code == 0 and "Удалено 1 интервью" in out and interview_files(store) == []


def test_purge_without_a_retention_in_the_scripts_says_so(store, capsys, tmp_path):
    scripts = tmp_path / "scripts"
    shutil.copytree(scripts_dir(), scripts)
    groups = scripts / "groups.yaml"
    groups.write_text(groups.read_text("utf-8").replace("  retention_months: 60\n", ""), encoding="utf-8")
    code, _, err = run(store, capsys, "purge", "--scripts", str(scripts))
    assert code == 2 and "retention_months" in err


def test_purge_reads_only_the_month_folders_that_can_hold_old_interviews(store, capsys):
    old = aged(store, draft_interview(store), datetime.now().astimezone() - timedelta(days=7 * 365))
    damaged_old = aged(store, draft_interview(store), datetime.now().astimezone() - timedelta(days=7 * 365))
    damaged_new = draft_interview(store)
    for iid in (damaged_old, damaged_new):
        store.interview_path(iid).write_text("{", encoding="utf-8")
    code, out, err = run(store, capsys, "purge", "--dry-run")
    assert code == 1  # the damaged old file is named
    assert str(store.interview_path(damaged_old)) in err
    assert str(store.interview_path(damaged_new)) not in err  # this month was not read
    assert old in out


def test_purge_leaves_an_interview_open_in_another_window(store, capsys):
    old = aged(store, draft_interview(store), datetime.now().astimezone() - timedelta(days=7 * 365))
    lease = Store(store.root).lease(old, inspector="Сидорова С. С.", mode="inspector")
    try:
        code, out, err = run(store, capsys, "purge", "--yes")
    finally:
        lease.release()
    assert code == 1 and "открыто в другом окне" in err and "Удалено 0 интервью" in out
    assert [p.stem for p in interview_files(store)] == [old]


# --------------------------------------------------------------------------- consent withdrawal


def test_withdrawing_the_health_consent_removes_the_health_answers_and_their_history(store, capsys):
    complete = disabled_interview(store)
    store.save_answer(complete, "disability_group", "III", by="Петрова П. П.")  # II is in the history
    draft = disabled_interview(store, complete=False, upto="dis_disclose")
    mother = draft_interview(store)
    mother_before = store.interview_path(mother).read_bytes()
    assert '"II"' in store.interview_path(complete).read_text("utf-8")

    code, out, err = run(store, capsys, "withdraw-consent", draft, "--health", "--yes",
                         "--inspector", "Иванова И. И.")
    assert code == 0, err
    assert "Клиент: Соколов А. И." in out
    assert "Ответов со сведениями о здоровье: 10." in out  # 5 in each: the draft stopped after them
    assert "Отзыв согласия записан в 2 интервью" in out and "текстов планов с ними — 1" in out
    for iid in (complete, draft):
        text = store.interview_path(iid).read_text("utf-8")
        for gone in (HEALTH_TEXT, "Тяжёлый физический труд", '"II"', '"III"', "no_physical",
                     "Инвалидность", "disability_group", "dis_ipra"):
            assert gone not in text, (iid, gone)
        stored = store.load(iid)
        assert not HEALTH_IDS & set(stored.answers)
        assert stored.answers["consent_health"] is False
        assert stored.answer_meta["consent_health"]["by"] == "Иванова И. И."
        (withdrawal,) = stored.header["consent_withdrawals"]
        assert (withdrawal["category"], withdrawal["by"]) == ("health", "Иванова И. И.") and withdrawal["at"]
        # the rest of the interview stays: the client, the work sought
        assert stored.answers["last_name"] == "Соколов" and stored.answers["desired_work"]
    assert store.load(complete).answers["dis_disclose"] is True
    (plan,) = store.load(complete).plans
    assert "отозвал согласие на обработку сведений о здоровье" in plan["markdown"]
    assert store.interview_path(mother).read_bytes() == mother_before  # another client: untouched
    assert {s.id for s in store.find("Соколов Андрей")} == {complete, draft}  # nothing re-indexed
    events = actions(store, "withdraw_consent")
    assert sorted(e["iid"] for e in events) == sorted([complete, draft])
    assert all(e["category"] == "health" for e in events)
    assert "Соколов" not in audit_text(store) and HEALTH_TEXT not in audit_text(store)

    # the draft, resumed, no longer asks about health
    session = Session.resume(bundle(), store, draft, inspector="Иванова И. И.")
    asked = {q.id for q in session.interview.questions}
    session.close()
    assert "consent_health" in asked and not HEALTH_IDS & asked


def test_withdrawal_removes_the_damaged_copies_and_names_the_backups(store, capsys):
    iid = disabled_interview(store)
    mother = draft_interview(store)
    assert run(store, capsys, "backup")[0] == 0
    (archive,) = (store.root / "backups").iterdir()
    set_aside(store, iid)
    mother_copy = set_aside(store, mother)
    code, out, err = run(store, capsys, "withdraw-consent", iid, "--health", "--yes")
    assert code == 0, err
    assert damaged_copies(store, iid) == [] and damaged_copies(store, mother) == [mother_copy]
    assert "Удалена 1 повреждённая копия интервью клиента из damaged/" in out
    assert "очистить их от сведений о здоровье надёжно нельзя" in out
    assert str(archive) in err and "сведения о здоровье" in err
    for path in store.root.rglob("*.json*"):
        assert "disability_group" not in path.read_text("utf-8", errors="replace"), path
    (event,) = actions(store, "remove_damaged_copies")
    assert (event["count"], event["reason"]) == (1, "withdraw_consent")


def test_withdrawal_finds_an_interview_missing_from_the_index(store, capsys):
    listed = disabled_interview(store)
    lost = disabled_interview(store, complete=False, upto="dis_disclose")
    drop_from_index(store, lost)
    code, out, err = run(store, capsys, "withdraw-consent", listed, "--health", "--yes")
    assert code == 0, err
    assert lost in out
    assert "не найдено в указателе поиска, найдено просмотром всех файлов: 1" in out
    assert "Отзыв согласия записан в 2 интервью" in out
    assert "disability_group" not in store.interview_path(lost).read_text("utf-8")
    assert {s.id for s in store.find("Соколов")} == {listed, lost}  # the index is mended


def test_withdrawing_all_consent_points_to_delete_client(store, capsys):
    iid = disabled_interview(store)
    before = store.interview_path(iid).read_bytes()
    code, _, err = run(store, capsys, "withdraw-consent", iid, "--all")
    assert code == 1
    assert f"sobesednik delete-client {iid}" in err and "Ничего не изменено" in err
    assert store.interview_path(iid).read_bytes() == before


def test_withdrawal_leaves_an_interview_open_in_another_window(store, capsys):
    iid = disabled_interview(store)
    lease = Store(store.root).lease(iid, inspector="Сидорова С. С.", mode="inspector")
    try:
        code, _, err = run(store, capsys, "withdraw-consent", iid, "--health", "--yes")
    finally:
        lease.release()
    assert code == 1 and "открыто в другом окне" in err
    assert store.load(iid).answers["disability_group"] == "II"


def test_withdrawal_asks_first(store, capsys, monkeypatch):
    iid = disabled_interview(store)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, _, err = run(store, capsys, "withdraw-consent", iid, "--health")
    assert code == 1 and "Ничего не изменено" in err
    assert store.load(iid).answers["disability_group"] == "II"
