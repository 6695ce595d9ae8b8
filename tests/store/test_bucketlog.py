"""Index buckets as append-only logs: what a search finds after appends, torn records,
rewrites by another process and compaction."""

from __future__ import annotations

import errno
import os
import shutil
from datetime import date
from pathlib import Path

import pytest

import tui.store.index as index_module
from tui.store import bucketlog
from tui.store.store import Store

CONSENT = {"given": True, "text_version": "2026-11", "how": "подписано на бумаге"}


def client(store: Store, last: str, first: str) -> str:
    iid = store.create_interview(interview_date=date(2026, 11, 27), scripts="t", mode="inspector",
                                 inspector="Петрова", consent=CONSENT)
    store.save_answer(iid, "last_name", last, by="Петрова")
    store.save_answer(iid, "first_name", first, by="Петрова")
    return iid


def first_names(store: Store, text: str) -> list[str]:
    return sorted(s.client["first_name"] for s in store.find(text))


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "data")


def test_a_changed_name_is_one_line_appended_to_its_bucket(store: Store) -> None:
    ids = [client(store, "Иванова", name) for name in ("Анна", "Ольга", "Мария")]
    bucket = store.bucket_path("name", "иванова")
    before = bucket.read_bytes()
    store.save_answer(ids[1], "first_name", "Ольга-Мария", by="Петрова")
    after = bucket.read_bytes()
    assert after.startswith(before)  # nothing rewritten: the cost does not grow with the bucket
    assert after[len(before):].decode("utf-8").strip().count("\n") == 0
    assert first_names(store, "Иванова") == ["Анна", "Мария", "Ольга-Мария"]


def test_a_record_torn_by_a_power_cut_is_skipped_and_the_next_one_is_read(store: Store) -> None:
    client(store, "Орлова", "Ирина")
    bucket = store.bucket_path("name", "орлова")
    with bucket.open("ab") as f:
        f.write(b'\n{"iid":"20261127-101500-123a1b2","first_na')  # the power went
    client(store, "Орлова", "Анна")  # the next process appends after the torn record
    assert first_names(store, "Орлова") == ["Анна", "Ирина"]
    assert bucketlog.read_bucket(bucket).bad == 1  # doctor reports it


def test_a_line_being_appended_is_not_read_until_it_is_complete(store: Store) -> None:
    iid = client(store, "Орлова", "Ирина")
    bucket = store.bucket_path("name", "орлова")
    with bucket.open("ab") as f:
        f.write(f'\n{{"iid":"{iid}","gone":tr'.encode())  # another process, mid-append
    assert bucketlog.read_bucket(bucket).bad == 0
    assert first_names(store, "Орлова") == ["Ирина"]


def test_a_reader_sees_appends_and_rewrites_made_by_another_process(tmp_path: Path, monkeypatch) -> None:
    desk, kiosk = Store(tmp_path / "data"), Store(tmp_path / "data")
    iid = client(desk, "Орлова", "Ирина")
    assert first_names(kiosk, "Орлова") == ["Ирина"]  # cached by the reader
    desk.save_answer(iid, "first_name", "Инна", by="Петрова")  # appended
    assert first_names(kiosk, "Орлова") == ["Инна"]
    monkeypatch.setattr(index_module, "COMPACT_SLACK", 0)
    desk.index.checkpoint()  # rewritten compact: a new file, read afresh
    assert len(desk.bucket_path("name", "орлова").read_text("utf-8").splitlines()) == 2
    desk.save_answer(iid, "first_name", "Ирина", by="Петрова")
    assert first_names(kiosk, "Орлова") == ["Ирина"]


def test_a_checkpoint_compacts_a_bucket_full_of_dead_records(store: Store) -> None:
    iid = client(store, "Орлова", "Ирина")
    other = client(store, "Орлова", "Анна")
    for k in range(40):
        store.save_answer(iid, "first_name", f"Ирина-{k}", by="Петрова")
    bucket = store.bucket_path("name", "орлова")
    assert len(bucket.read_text("utf-8").split()) > 40
    store.index.checkpoint()
    lines = bucket.read_text("utf-8").splitlines()
    assert len(lines) == 3  # the header and the two live entries
    assert first_names(store, "Орлова") == ["Анна", "Ирина-39"]
    assert {s.id for s in store.find("Орлова")} == {iid, other}


def test_a_bucket_without_its_header_is_named_and_left_as_it_is(store: Store) -> None:
    iid = client(store, "Орлова", "Ирина")
    bucket = store.bucket_path("name", "орлова")
    bucket.write_text('{"iid": "x"}\n', "utf-8")  # edited by hand
    store.save_answer(iid, "first_name", "Инна", by="Петрова")  # saved; the bucket untouched
    assert store.load(iid).answers["first_name"] == "Инна"
    assert bucket.read_text("utf-8") == '{"iid": "x"}\n'
    assert any("Указатель поиска не обновлён" in w for w in store.warnings)
    assert store.find("Орлова") == [] and store.damaged[0].path == bucket


def test_a_bucket_being_made_reads_as_empty_and_is_made_again_after_a_power_cut(store: Store) -> None:
    bucket = store.bucket_path("name", "орлова")
    bucket.parent.mkdir(parents=True)
    bucket.write_bytes(b'{"sobesednik_index":1,"ge')  # the header cut short
    assert store.find("Орлова") == [] and store.damaged == []
    client(store, "Орлова", "Ирина")
    assert first_names(store, "Орлова") == ["Ирина"]
    assert bucket.read_text("utf-8").startswith('{"sobesednik_index":1,"gen":"')


def test_a_deleted_interview_leaves_no_record_in_a_bucket_it_shared(store: Store) -> None:
    kept = client(store, "Иванова", "Анна")
    gone = client(store, "Иванова", "Ольга")
    store.save_answer(gone, "first_name", "Ольга-Мария", by="Петрова")  # an earlier value too
    store.save_answer(gone, "phone", "+7 921 123-45-67", by="Петрова")
    store.save_answer(kept, "phone", "+7 900 000-45-67", by="Петрова")
    store.discard(gone, "Петрова", reason="delete_client")
    for kind, key in (("name", "иванова"), ("phone", "4567")):
        text = store.bucket_path(kind, key).read_text("utf-8")
        assert gone not in text and "Ольга" not in text and "9211234567" not in text, text
    assert first_names(store, "Иванова") == ["Анна"]


def test_a_corrected_surname_leaves_no_old_record_once_the_session_ends(store: Store) -> None:
    client(store, "Кузнецова", "Анна")
    typo = client(store, "Кузнецова", "Ирина")  # typed wrong: the client is Кузнецкая
    store.save_answer(typo, "last_name", "Кузнецкая", by="Петрова")
    assert first_names(store, "Кузнецова") == ["Анна"]
    store.close()
    text = store.bucket_path("name", "кузнецова").read_text("utf-8")
    assert typo not in text and "Ирина" not in text


def test_an_index_the_open_cannot_mend_now_is_mended_by_a_later_open(tmp_path: Path, monkeypatch) -> None:
    root = tmp_path / "data"
    desk = Store(root)
    iid = client(desk, "Орлова", "Ирина")
    desk.save_answer(iid, "phone", "+7 921 123-45-67", by="Петрова")
    os.close(desk.index.journal._fd)  # the desk dies with the power: its bucket writes are lost
    desk.index.journal._fd = None
    shutil.rmtree(root / "index" / "name")
    (root / "index" / "phone" / "4567.jsonl").unlink()

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(bucketlog, "append", full)
    kiosk = Store(root)  # opens all the same, and says so
    assert any("Указатель поиска не восстановлен после сбоя" in w and "Диск заполнен" in w
               for w in kiosk.warnings)
    assert kiosk.load(iid).answers["last_name"] == "Орлова"
    monkeypatch.undo()
    again = Store(root)  # space is back: the journal was kept
    assert [s.id for s in again.find("Орлова")] == [iid]
    assert [s.id for s in again.find("4567")] == [iid]


def test_a_damaged_bucket_does_not_stop_the_other_entries_of_a_replay(tmp_path: Path) -> None:
    root = tmp_path / "data"
    desk = Store(root)
    iid = client(desk, "Орлова", "Ирина")
    desk.save_answer(iid, "phone", "+7 921 123-45-67", by="Петрова")
    os.close(desk.index.journal._fd)
    desk.index.journal._fd = None
    store_bucket = desk.bucket_path("name", "орлова")
    store_bucket.write_text("не JSON\n", "utf-8")  # damaged
    (root / "index" / "phone" / "4567.jsonl").unlink()  # lost with the power
    again = Store(root)
    assert [s.id for s in again.find("4567")] == [iid]
    assert [d.path for d in again.damaged] == [store_bucket]


def test_a_surname_corrected_back_and_forth_stays_findable_after_the_checkpoint(store: Store) -> None:
    iid = client(store, "Орлова", "Ирина")
    old = store.bucket_path("name", "орлова")
    before = old.read_bytes()
    store.save_answer(iid, "last_name", "Орлов", by="Петрова")
    assert old.read_bytes() == before  # the client waits for no second bucket write
    assert store.find("Орлова") == []  # the stale entry is checked against the file
    store.save_answer(iid, "last_name", "Орлова", by="Петрова")  # it was right after all
    store.close()
    assert first_names(store, "Орлова") == ["Ирина"]
    assert not store.bucket_path("name", "орлов").exists()
