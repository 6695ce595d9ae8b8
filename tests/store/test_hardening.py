"""Nothing a file holds crashes the store, leaks a client's data or reaches outside the data
directory (issue 10): symlinks are refused and named, unreadable folders and files are
said in Russian, a bad header field does not hide an interview, ``doctor`` sees what a
hand did to the directory and what it left behind."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from tests.helpers import TODAY, bundle
from tests.store.faults import ROOT_SKIP, deny_reading, deny_unlink
from tui.cli import main
from tui.engine.session import Session
from tui.store.doctor import diagnose
from tui.store.layout import is_iid
from tui.store.lease import lease_path
from tui.store.store import InterviewBusyError, Store, StoreError

CONSENT = {"given": True, "text_version": "2026-11", "how": "подписано на бумаге"}
CLIENT = (("consent_pd", True), ("last_name", "Смирнова"), ("first_name", "Ольга"),
          ("birth_date", "1987-08-14"), ("phone", "+7 921 555-12-34"), ("desired_work", "Парикмахер"))


def interview(store: Store, answers: tuple[tuple[str, object], ...] = CLIENT) -> str:
    iid = store.create_interview(interview_date=TODAY, scripts="profile v1", mode="inspector",
                                 inspector="Петрова", consent=CONSENT)
    for qid, value in answers:
        store.save_answer(iid, qid, value, by="Петрова")
    return iid


def doctor(capsys: pytest.CaptureFixture[str], root: Path, *flags: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["doctor", "--data-dir", str(root), *flags])
    out, err = capsys.readouterr()
    return code, out, err


def edit_header(store: Store, iid: str, **fields: object) -> None:
    path = store.interview_path(iid)
    data = json.loads(path.read_text("utf-8"))
    data["interview"]["1"].update(fields)
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the data directory, with a file nobody may change."""
    folder = tmp_path / "outside"
    folder.mkdir()
    secret = folder / "system.conf"
    secret.write_text("не JSON, системный файл\n", "utf-8")
    secret.chmod(0o644)
    return folder


# --------------------------------------------------------------------------- 3: symlinks


def test_doctor_never_chmods_or_moves_the_target_of_a_symlinked_interview_file(root, outside, capsys):
    store = Store(root)
    iid = interview(store)
    store.close()
    month = store.interview_path(iid).parent
    fake = f"{iid[:-1]}{'0' if iid[-1] != '0' else '1'}"
    link = month / f"{fake}.json"
    link.symlink_to(outside / "system.conf")
    target = outside / "system.conf"
    for flags in (("--check-only",), ()):
        code, out, _ = doctor(capsys, root, *flags)
        assert stat.S_IMODE(target.stat().st_mode) == 0o644
        assert target.read_text("utf-8") == "не JSON, системный файл\n"
        assert link.is_symlink()  # left where it is: never followed, never moved
        assert code == 1, out  # a link is never «repaired»: the store is not in order
        named = [ln for ln in out.splitlines() if f"interviews/{iid[:6]}/{fake}.json" in ln]
        assert len(named) == 1 and "символическая ссылка" in named[0], out
        assert "Хранилище в порядке" not in out and "Хранилище исправлено" not in out


def test_doctor_never_chmods_or_moves_a_file_outside_through_a_hard_link(root, outside, capsys):
    store = Store(root)
    iid = interview(store)
    store.close()
    target = outside / "system.conf"
    at_root = root / "notes.txt"
    os.link(target, at_root)  # wide (0644) at the root of the data directory
    stray = store.interview_path(iid).parent / "scan.txt"
    os.link(target, stray)  # a stray file in a month folder: set aside on repair
    code, out, _ = doctor(capsys, root)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644  # the file outside keeps its mode
    assert target.read_text("utf-8") == "не JSON, системный файл\n"
    assert code == 1, out
    line = next(ln for ln in out.splitlines() if "notes.txt" in ln)
    assert "жёсткие ссылки" in line and "права не сужаются" in line


def test_doctor_never_sets_files_aside_through_a_symlinked_damaged_folder(root, outside, capsys):
    store = Store(root)
    iid = interview(store)
    store.close()
    broken = store.interview_path(iid)
    broken.write_text('{"interview": {"1": {"id": ', "utf-8")
    (root / "damaged").symlink_to(outside)
    code, out, _ = doctor(capsys, root)
    assert sorted(p.name for p in outside.iterdir()) == ["system.conf"]
    assert broken.read_text("utf-8") == '{"interview": {"1": {"id": '  # not moved anywhere
    assert code == 1
    assert "damaged: символическая ссылка" in out


@pytest.mark.parametrize("entry", [".lock", "index", "audit", "leases", "damaged", "interviews",
                                   "sobesednik.json", "index/journal", "logs"])
def test_a_symlink_among_the_stores_own_entries_is_refused_and_named(root, outside, entry, capsys):
    store = Store(root)
    interview(store)
    store.close()
    path = root / entry
    if path.is_dir():
        os.rename(path, outside / "moved")
        path.symlink_to(outside / "moved", target_is_directory=True)
    elif path.exists():
        os.rename(path, outside / "moved")
        path.symlink_to(outside / "moved")
    else:
        path.symlink_to(outside, target_is_directory=True)
    before = sorted(str(p) for p in outside.rglob("*"))
    with pytest.raises(StoreError, match=f"символическ.*{entry}"):
        Store(root)
    code, out, _ = doctor(capsys, root)
    assert code == 1
    assert f"{entry}: символическая ссылка" in out
    assert sorted(str(p) for p in outside.rglob("*")) == before


def test_a_symlinked_interview_file_is_not_read_by_load(root, outside):
    store = Store(root)
    iid = interview(store)
    real = store.interview_path(iid)
    os.rename(real, outside / "copy.json")
    real.symlink_to(outside / "copy.json")
    with pytest.raises(StoreError, match="символическая ссылка"):
        store.load(iid)
    store.close()


def test_a_symlinked_month_folder_is_not_written_through(root, outside):
    store = Store(root)
    iid = interview(store)
    month = store.interview_path(iid).parent
    for p in month.iterdir():
        os.rename(p, outside / p.name)
    month.rmdir()
    month.symlink_to(outside, target_is_directory=True)
    before = {p.name: p.read_bytes() for p in outside.iterdir()}
    with pytest.raises(StoreError, match="символическая ссылка"):
        store.save_answer(iid, "last_name", "Кузнецова", by="Петрова")
    with pytest.raises(StoreError, match="символическая ссылка"):
        interview(store)
    assert {p.name: p.read_bytes() for p in outside.iterdir()} == before
    store.close()


def test_a_symlinked_index_letter_folder_is_not_written_through(root, outside):
    store = Store(root)
    interview(store)
    letter = root / "index" / "name" / "с"
    for p in letter.iterdir():
        p.unlink()
    letter.rmdir()
    letter.symlink_to(outside, target_is_directory=True)
    iid = interview(store)  # Смирнова again: her bucket is behind the link
    assert sorted(p.name for p in outside.iterdir()) == ["system.conf"]
    assert store.load(iid).answers["last_name"] == "Смирнова"  # the answer is saved
    assert any("символическая ссылка" in w for w in store.take_warnings())
    with pytest.raises(StoreError, match="символическая ссылка: index/name/с"):
        store.find("Смирнова")
    store.close()


# --------------------------------------------------------------------------- 5: temp files


def test_erasing_an_interview_removes_its_leftover_temporary_files(root):
    store = Store(root)
    gone, kept = interview(store), interview(store, (("consent_pd", True), ("last_name", "Кузнецова")))
    month = store.interview_path(gone).parent
    leftover = month / f".{gone}.json.k3j4h5.tmp"
    leftover.write_text('{"answers": {"1": {"question": "last_name", "value": "Смирнова"}}}', "utf-8")
    other = month / f".{kept}.json.a1b2c3.tmp"
    other.write_text("{}", "utf-8")
    store.discard(gone, "Петрова", reason="delete_client")
    assert not leftover.exists()
    assert other.exists()  # another interview's: doctor's business
    assert not lease_path(root, gone).exists()
    store.close()


# --------------------------------------------------------------------------- 7: OS errors


def test_an_unreadable_journal_folder_is_a_store_error_naming_it(root, monkeypatch):
    store = Store(root)
    interview(store)
    store.index.checkpoint()  # this process's own journal stays open (and locked)
    journal = root / "index" / "journal"
    journal.mkdir(exist_ok=True)
    (journal / "1-dead.log").write_bytes(b"since 00000000000000000001\n")
    deny_reading(monkeypatch, journal / "1-dead.log")
    with pytest.raises(StoreError, match="index/journal/1-dead.log.*нет прав на чтение"):
        Store(root)


def test_lists_and_search_with_an_unreadable_index_are_store_errors(root, monkeypatch):
    store = Store(root)
    interview(store)
    deny_reading(monkeypatch, root / "index" / "drafts", root / "index" / "name")
    with pytest.raises(StoreError, match="index/drafts.*нет прав на чтение"):
        store.unfinished()
    with pytest.raises(StoreError, match="index/name.*нет прав на чтение"):
        store.find("Смирнова")


def test_recent_with_an_unreadable_interviews_folder_is_a_store_error(root, monkeypatch):
    store = Store(root)
    interview(store)
    deny_reading(monkeypatch, root / "interviews")
    with pytest.raises(StoreError, match="interviews.*нет прав на чтение"):
        store.recent()


def test_doctor_names_an_unreadable_month_folder_and_index(root, monkeypatch, capsys):
    store = Store(root)
    iid = interview(store)
    store.close()
    deny_reading(monkeypatch, root / "interviews" / iid[:6], root / "index" / "name")
    code, out, err = doctor(capsys, root, "--check-only")
    assert code == 1, err
    assert f"interviews/{iid[:6]}: нет прав на чтение" in out
    assert "index/name: нет прав на чтение" in out


@ROOT_SKIP
def test_doctor_names_a_month_folder_without_read_permission(root, capsys):
    store = Store(root)
    iid = interview(store)
    store.close()
    month = root / "interviews" / iid[:6]
    month.chmod(0)
    try:
        code, out, _ = doctor(capsys, root, "--check-only")
    finally:
        month.chmod(0o700)
    assert code == 1 and f"interviews/{iid[:6]}: нет прав на чтение" in out


# --------------------------------------------------------------------------- 9: a bad header field


@pytest.mark.parametrize("bad", ["2026-13-45", "31.02.2026", None, 20261127])
def test_an_impossible_interview_date_does_not_stop_resume(root, bad):
    store = Store(root)
    iid = interview(store)
    edit_header(store, iid, interview_date=bad)
    session = Session.resume(bundle(), store, iid, inspector="Иванова")
    created = store.load(iid).header["created_at"][:10]
    assert session.today.isoformat() == created
    assert session.interview.answers["last_name"] == "Смирнова"
    warnings = " ".join(store.take_warnings())
    assert (f"неверная дата интервью «{bad}»" if bad else "нет даты интервью") in warnings
    assert iid in warnings
    session.close()
    store.close()


def test_doctor_repairs_a_bad_interview_date_and_keeps_the_answers(root, capsys):
    store = Store(root)
    iid = interview(store)
    store.close()
    edit_header(store, iid, interview_date="2026-13-45")
    code, out, _ = doctor(capsys, root, "--check-only")
    assert code == 1 and "неверная дата интервью «2026-13-45»" in out
    code, out, _ = doctor(capsys, root)
    assert code == 0, out
    assert not (root / "damaged").exists()  # nothing set aside
    again = Store(root)
    stored = again.load(iid)
    assert stored.answers["last_name"] == "Смирнова" and len(stored.answers) == len(CLIENT)
    assert stored.header["interview_date"] == stored.header["created_at"][:10]
    assert stored.header["repaired"][0]["interview_date"] == "2026-13-45"
    assert [s.id for s in again.find("Смирнова")] == [iid]
    again.close()


# --------------------------------------------------------------------------- 11: what doctor must see


def test_doctor_sees_a_lock_that_is_a_folder_and_an_audit_that_is_a_file(root, capsys):
    store = Store(root)
    interview(store)
    store.close()
    (root / ".lock").unlink()
    (root / ".lock").mkdir()
    audit = root / "audit"
    for p in audit.iterdir():
        p.unlink()
    audit.rmdir()
    audit.write_text("не каталог", "utf-8")
    code, out, _ = doctor(capsys, root, "--check-only")
    assert code == 1
    assert ".lock: должен быть файлом" in out and "audit: должен быть каталогом" in out
    code, out, _ = doctor(capsys, root)
    assert code == 0, out
    store = Store(root)
    interview(store)  # the store works again: the lock and the trail are made anew
    store.close()
    assert (root / ".lock").is_file() and (root / "audit").is_dir()
    assert len(list((root / "damaged").glob("*/audit"))) == 1  # what stood there is kept


def test_doctor_sees_a_read_only_data_directory(root, capsys):
    store = Store(root)
    interview(store)
    store.close()
    root.chmod(0o500)
    try:
        code, out, _ = doctor(capsys, root, "--check-only")
    finally:
        root.chmod(0o700)
    assert code == 1
    assert "только для чтения" in out and "Хранилище в порядке" not in out


def test_doctor_narrows_permissions_widened_by_hand(root, capsys):
    store = Store(root)
    iid = interview(store)
    store.close()
    path = store.interview_path(iid)
    path.chmod(0o644)
    path.parent.chmod(0o755)
    root.chmod(0o755)
    code, out, _ = doctor(capsys, root, "--check-only")
    assert code == 1
    assert f"interviews/{iid[:6]}/{iid}.json" in out and "0644" in out
    code, out, _ = doctor(capsys, root)
    assert code == 0, out
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(root.stat().st_mode) == 0o700


@pytest.mark.parametrize("where", ["index", "index/drafts", "index/name"])
def test_an_index_folder_replaced_by_a_file_is_a_store_error_and_doctor_mends_it(root, where, capsys):
    import shutil

    store = Store(root)
    iid = interview(store)
    store.close()
    shutil.rmtree(root / where)
    (root / where).write_text("не каталог", "utf-8")
    with pytest.raises(StoreError, match=f"{where}.*не каталог"):
        Store(root)
    code, out, _ = doctor(capsys, root)
    assert code == 0, out
    again = Store(root)
    assert [s.id for s in again.find("Смирнова")] == [iid]
    assert [s.id for s in again.unfinished()] == [iid]
    again.close()


# --------------------------------------------------------------------------- 12: leftovers and odd files


def test_a_new_data_directory_and_its_parents_are_for_the_owner_only(tmp_path):
    old = os.umask(0o002)
    try:
        Store(tmp_path / "a" / "b" / "data").close()
    finally:
        os.umask(old)
    for folder in (tmp_path / "a", tmp_path / "a" / "b", tmp_path / "a" / "b" / "data"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_a_released_lease_leaves_no_file_with_the_inspectors_name(root):
    store = Store(root)
    iid = interview(store)
    lease = store.lease(iid, inspector="Петрова П. П.", mode="inspector")
    assert lease_path(root, iid).exists()
    lease.release()
    assert not lease_path(root, iid).exists()
    again = store.lease(iid, inspector="Иванова", mode="inspector")  # still works after
    with pytest.raises(InterviewBusyError):
        Store(root).lease(iid, inspector="Сидорова", mode="inspector")
    again.release()
    store.close()


def test_doctor_removes_stale_lease_files(root, capsys):
    store = Store(root)
    iid = interview(store)
    store.close()
    stale = lease_path(root, iid)
    stale.parent.mkdir(exist_ok=True)
    stale.write_text('{"pid": 1, "host": "desk-7", "inspector": "Петрова П. П."}', "utf-8")
    code, out, _ = doctor(capsys, root)
    assert code == 0, out
    assert not stale.exists()
    assert f"leases/{iid}.lock" in out


def test_a_meta_file_of_the_wrong_shape_is_reported_not_a_crash(root, capsys):
    Store(root).close()
    (root / "sobesednik.json").write_text('{"meta": [1]}', "utf-8")
    code, out, err = doctor(capsys, root, "--check-only")
    assert code == 1, err
    assert "sobesednik.json" in out and "повреждён" in out


def test_a_lease_file_holding_a_list_gives_the_busy_message(root):
    store = Store(root)
    iid = interview(store)
    lease = store.lease(iid, inspector="Петрова", mode="inspector")
    os.pwrite(lease._fd or -1, b"[1, 2, 3]" + b" " * 200, 0)
    with pytest.raises(InterviewBusyError, match="открыто в другом окне"):
        Store(root).lease(iid, inspector="Иванова", mode="inspector")
    lease.release()
    store.close()


def test_an_interview_id_with_a_trailing_newline_is_not_an_id(root):
    assert not is_iid("20261127-101500-123abc\n")
    store = Store(root)
    with pytest.raises(StoreError, match="Неверный номер интервью"):
        store.interview_path("20261127-101500-123abc\n")
    store.close()


def test_diagnose_of_a_healthy_store_finds_nothing(root):
    store = Store(root)
    interview(store)
    store.close()
    assert diagnose(root, repair=False).findings == []


def test_discarding_an_interview_whose_leftover_cannot_be_removed_keeps_it_and_says_so(root, monkeypatch):
    store = Store(root)
    iid = interview(store)
    month = store.interview_path(iid).parent
    leftover = month / f".{iid}.json.k3j4h5.tmp"
    leftover.write_text('{"answers": {"1": {"question": "last_name", "value": "Смирнова"}}}', "utf-8")
    deny_unlink(monkeypatch, leftover)
    with pytest.raises(StoreError, match=f"не удалено.*{leftover.name}"):
        store.discard(iid, "Петрова")
    monkeypatch.undo()
    assert store.load(iid).answers["last_name"] == "Смирнова"  # nothing was deleted
    assert [s.id for s in store.find("Смирнова")] == [iid]
    store.close()
