"""Finding clients in the store: by surname, names, phone and birth date, without reading
every interview; the index survives a killed process and a lost unsynced write."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

from tests.helpers import ROOT
from tui.store import bucketlog, search
from tui.store.index import Index
from tui.store.store import COMPLETE, DRAFT, InterviewSummary, Store

TODAY = date(2026, 11, 27)
CONSENT = {"given": True, "text_version": "2026-11", "how": "подписано на бумаге"}


def client(store: Store, last: str, first: str, birth: str, phone: str = "", middle: str = "") -> str:
    iid = store.create_interview(
        interview_date=TODAY, scripts="t", mode="inspector", inspector="Петрова", consent=CONSENT
    )
    for qid, value in (("last_name", last), ("first_name", first), ("middle_name", middle),
                       ("birth_date", birth), ("phone", phone)):
        if value:
            store.save_answer(iid, qid, value, by="Петрова")
    return iid


def names(found: list[InterviewSummary]) -> list[str]:
    return [f"{s.client.get('last_name')} {s.client.get('first_name')}" for s in found]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "data")
    client(s, "Смирнова", "Ольга", "1987-08-14", "+7 921 555-12-34", "Викторовна")
    client(s, "Смирнов", "Пётр", "1960-01-02", "8 (815) 245-00-17")
    client(s, "Семёнова", "Анна", "1990-05-05", "+79110001234")
    client(s, "Иванова", "Анна", "1987-08-14")
    return s


def test_surname_finds_the_client_whatever_the_case_and_e_letter(store: Store) -> None:
    assert names(store.find("семенова")) == ["Семёнова Анна"]
    assert names(store.find("СЕМЁНОВА")) == ["Семёнова Анна"]


def test_beginning_of_a_surname_finds_every_surname_that_starts_so(store: Store) -> None:
    assert sorted(names(store.find("Смирн"))) == ["Смирнов Пётр", "Смирнова Ольга"]
    assert names(store.find("Смирнова")) == ["Смирнова Ольга"]


def test_first_and_middle_names_narrow_the_search(store: Store) -> None:
    assert names(store.find("Смирн оль")) == ["Смирнова Ольга"]
    assert names(store.find("Смирнова Ольга Викт")) == ["Смирнова Ольга"]
    assert store.find("Смирнова Анна") == []


def test_phone_in_any_writing_and_its_last_digits(store: Store) -> None:
    assert names(store.find("8 921 555 12 34")) == ["Смирнова Ольга"]
    assert names(store.find("+7(921)555-12-34")) == ["Смирнова Ольга"]
    # The last four digits are shared by two clients.
    assert sorted(names(store.find("1234"))) == ["Семёнова Анна", "Смирнова Ольга"]
    assert names(store.find("245-00-17")) == ["Смирнов Пётр"]
    assert store.find("34") == []  # too short to mean anything


def test_birth_date_as_typed_at_the_desk(store: Store) -> None:
    assert sorted(names(store.find("14.08.1987"))) == ["Иванова Анна", "Смирнова Ольга"]
    assert sorted(names(store.find("1987-08-14"))) == ["Иванова Анна", "Смирнова Ольга"]
    assert store.find("31.02.1987") == []


def test_a_corrected_surname_moves_the_client(store: Store) -> None:
    (found,) = store.find("Иванова")
    store.save_answer(found.id, "last_name", "Иваненко", by="Петрова")
    assert store.find("Иванова") == []
    assert names(store.find("Иваненко")) == ["Иваненко Анна"]
    assert store.bucket_path("name", "иваненко").exists()
    store.close()  # at the latest when the process ends, the emptied bucket goes:
    assert not store.bucket_path("name", "иванова").exists()  # its name is personal data


def test_search_never_opens_interviews_of_other_surnames(store: Store, monkeypatch) -> None:
    opened: list[str] = []
    real = search.read_summary

    def spy(path):
        opened.append(path.stem)
        return real(path)

    monkeypatch.setattr(search, "read_summary", spy)
    (found,) = store.find("Семёнова")
    assert opened == [found.id]


def test_unfinished_and_recent_lists(store: Store) -> None:
    (smirnova,) = store.find("Смирнова")
    store.complete(smirnova.id, groups=[], plan="# План", by="Петрова")
    drafts = store.unfinished()
    assert len(drafts) == 3 and all(d.status == DRAFT for d in drafts)
    assert smirnova.id not in [d.id for d in drafts]
    recent = store.recent(limit=2)
    assert len(recent) == 2
    assert [s.id for s in store.recent(10)][0] >= recent[1].id
    assert store.load(smirnova.id).status == COMPLETE
    assert store.load(smirnova.id).plans[0]["markdown"] == "# План"


def test_every_interview_of_one_person_and_no_namesake(store: Store) -> None:
    first = store.find("Смирнова")[0].id
    again = client(store, "Смирнова", "Ольга", "1987-08-14", middle="Викторовна")
    namesake = client(store, "Смирнова", "Ольга", "1991-03-03")
    ids = [s.id for s in store.client_interviews(first)]
    assert sorted(ids) == sorted([first, again])
    assert namesake not in ids


WRITER = textwrap.dedent(
    """
    import sys
    from datetime import date
    from tui.store.store import Store
    store = Store(sys.argv[1])
    iid = store.create_interview(interview_date=date(2026, 11, 27), scripts="t", mode="inspector",
                                 inspector="t", consent={"given": True})
    store.save_answer(iid, "last_name", "Кузнецова", by="t")
    store.save_answer(iid, "birth_date", "1975-03-08", by="t")
    store.save_answer(iid, "phone", "+7 921 000-77-66", by="t")
    print(iid, flush=True)
    sys.stdin.read()  # wait to be killed
    """
)


def test_index_writes_lost_with_the_power_are_redone_from_the_journal(tmp_path: Path) -> None:
    root = tmp_path / "data"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(root)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=env)
    iid = proc.stdout.readline().strip()
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # A power cut loses what was never fsynced: here every index bucket (the interview
    # file, the drafts list and the journal line were fsynced before the save returned).
    for kind in ("name", "phone", "birth"):
        shutil.rmtree(root / "index" / kind)
    assert list((root / "index" / "journal").glob("*.log")), "the journal was fsynced before the buckets"
    store = Store(root)  # replays the dead process's journal
    assert [s.id for s in store.find("Кузнецова")] == [iid]
    assert [s.id for s in store.find("08.03.1975")] == [iid]
    assert [s.id for s in store.find("7766")] == [iid]
    assert list((root / "index" / "journal").glob("*.log")) == []


def test_a_live_process_keeps_its_journal(tmp_path: Path) -> None:
    root = tmp_path / "data"
    writer = Store(root)
    client(writer, "Орлова", "Ирина", "1980-01-01")
    (journal,) = (root / "index" / "journal").glob("*.log")
    Store(root)  # another process opens the store while the writer lives
    assert journal.exists()
    writer.close()  # a normal end syncs the buckets and drops the journal
    assert not journal.exists()
    assert names(Store(root).find("Орлова")) == ["Орлова Ирина"]


def test_a_stale_index_entry_never_shows_another_client(store: Store) -> None:
    (found,) = store.find("Семёнова")
    path = store.interview_path(found.id)
    # The file says otherwise than the index (as after a lost index write): the file wins.
    data = json.loads(path.read_text("utf-8"))
    for doc in data["answers"].values():
        if doc["question"] == "last_name":
            doc["value"] = "Петрова"
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    assert store.find("Семёнова") == []


def test_a_data_dir_without_its_index_is_indexed_when_opened(store: Store) -> None:
    # As after restoring a backup, which carries the interviews but not the derived index.
    shutil.rmtree(store.root / "index")
    again = Store(store.root)
    assert names(again.find("Смирнова")) == ["Смирнова Ольга"]
    assert len(again.unfinished()) == 4


def test_answers_given_while_the_index_is_rebuilt_are_in_the_new_index(store: Store, monkeypatch) -> None:
    desk = Store(store.root)  # an inspector saving answers while `doctor` rebuilds the index
    (ivanova,) = desk.find("Иванова")
    real = Index.facts

    def read_and_meanwhile_a_save(self, path):
        facts = real(self, path)
        if path.stem == ivanova.id and not later:  # read as Иванова; then changed
            desk.save_answer(ivanova.id, "last_name", "Иваненко", by="Петрова")
            later.append(client(desk, "Орлова", "Ирина", "1980-01-01"))
        return facts

    later: list[str] = []
    monkeypatch.setattr(Index, "facts", read_and_meanwhile_a_save)
    store.rebuild_index()
    monkeypatch.undo()
    assert names(store.find("Иваненко")) == ["Иваненко Анна"]
    assert store.find("Иванова") == []
    assert [s.id for s in store.find("Орлова")] == later
    assert later[0] in [s.id for s in store.unfinished()]


def test_rebuilding_the_index_keeps_the_journal_of_a_running_process(tmp_path: Path) -> None:
    root = tmp_path / "data"
    desk = Store(root)
    client(desk, "Орлова", "Ирина", "1980-01-01")
    (journal,) = (root / "index" / "journal").glob("*.log")
    Store(root).rebuild_index()
    assert journal.exists()
    iid = client(desk, "Орлов", "Иван", "1979-02-02")
    # Then the desk dies with the power: its unsynced bucket writes are lost.
    os.close(desk.index.journal._fd)
    desk.index.journal._fd = None
    for kind in ("name", "birth", "drafts"):
        shutil.rmtree(root / "index" / kind)
    again = Store(root)  # the journal moved with the index: its time covers the desk's writes
    assert [s.id for s in again.find("Орлов Иван")] == [iid]
    assert iid in [s.id for s in again.unfinished()]


def drafts_path(store: Store) -> Path:
    return store.bucket_path("drafts", date.today().strftime("%Y%m"))


def test_an_identity_answer_costs_one_durable_write(store: Store, monkeypatch) -> None:
    (found,) = store.find("Семёнова")
    synced: list[str] = []
    for name in ("fsync", "fdatasync"):
        real = getattr(os, name)
        monkeypatch.setattr(os, name, lambda fd, real=real, name=name: (synced.append(name), real(fd))[1])
    store.save_answer(found.id, "last_name", "Семенченко", by="Петрова")
    store.save_answer(found.id, "phone", "+7 900 111-22-33", by="Петрова")
    assert synced == ["fsync", "fsync"] * 2  # the interview file and its folder, nothing else
    assert names(store.find("Семенченко")) == ["Семенченко Анна"]
    assert store.find("Семёнова") == []


def test_journal_of_a_dead_process_is_replayed_by_its_time_and_by_old_style_lines(tmp_path: Path) -> None:
    root = tmp_path / "data"
    desk = Store(root)
    early = client(desk, "Орлова", "Ирина", "1980-01-01")
    desk.close()
    desk = Store(root)
    late = client(desk, "Орлов", "Иван", "1979-02-02")
    os.close(desk.index.journal._fd)  # dies without a checkpoint
    desk.index.journal._fd = None
    shutil.rmtree(root / "index" / "name")
    (root / "index" / "journal" / "1-old.log").write_text(f"{early}\n", "ascii")  # an older store's
    again = Store(root)
    assert [s.id for s in again.find("Орлов Иван")] == [late]
    assert [s.id for s in again.find("Орлова")] == [early]
    assert list((root / "index" / "journal").glob("*.log")) == []


def test_a_checkpoint_moves_the_journal_time_on(tmp_path: Path, monkeypatch) -> None:
    import tui.store.index as index_module

    monkeypatch.setattr(index_module, "JOURNAL_CHECKPOINT", 3)
    root = tmp_path / "data"
    desk = Store(root)
    iid = client(desk, "Орлова", "Ирина", "1980-01-01")
    (journal,) = (root / "index" / "journal").glob("*.log")
    before = journal.read_text()
    desk.complete(iid, groups=[], plan="# План", by="Петрова")  # 4 index writes: a checkpoint
    after = journal.read_text()
    assert before.split()[0] == after.split()[0] == "since"
    assert int(after.split()[1]) > int(before.split()[1])


def test_an_index_of_an_older_layout_is_rebuilt_when_the_store_opens(store: Store) -> None:
    # The layout before the drafts list was split by month.
    shutil.rmtree(store.root / "index" / "drafts")
    listed = [{"iid": s.id, "created_at": "x"} for s in store.recent()]
    (store.root / "index" / "drafts.json").write_text(
        json.dumps({"_default": dict(enumerate(listed, 1))}), "utf-8")
    meta = json.loads(store.meta_path.read_text("utf-8"))
    del meta["meta"]["1"]["index_layout"]
    store.meta_path.write_text(json.dumps(meta), "utf-8")
    told: list[str] = []
    again = Store(store.root, progress=told.append)
    assert len(again.unfinished()) == 4
    assert not (store.root / "index" / "drafts.json").exists()
    assert again.meta()["index_layout"] >= 2
    assert len(told) == 1 and "Указатель поиска перестраивается" in told[0]  # said before the wait
    Store(store.root, progress=told.append)
    assert len(told) == 1  # once only


def test_unfinished_reads_the_newest_months_first_and_stops_at_the_limit(store: Store) -> None:
    old = store.bucket_path("drafts", "202001")
    old.write_text('{"_default": {"1": ', "utf-8")  # never read: the newer month fills the limit
    assert len(store.unfinished(3)) == 3 and store.damaged == []
    assert len(store.unfinished()) == 4 and store.damaged[0].path == old


def test_a_damaged_drafts_list_does_not_stop_interviews(store: Store) -> None:
    drafts_path(store).write_text('{"_default": {"1": ', "utf-8")
    iid = client(store, "Орлова", "Ирина", "1980-01-01")  # consent recorded, answers saved
    assert store.load(iid).answers["last_name"] == "Орлова"
    store.complete(iid, groups=[], plan="# План", by="Петрова")
    assert store.load(iid).status == COMPLETE
    assert any("Указатель поиска не обновлён" in w for w in store.warnings)
    assert drafts_path(store).read_text("utf-8") == '{"_default": {"1": '


def test_a_failed_index_write_is_mended_when_the_answer_is_given_again(store: Store, monkeypatch) -> None:
    iid = client(store, "Орлова", "Ирина", "1980-01-01")

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(bucketlog, "append", full_disk)
    store.save_answer(iid, "last_name", "Петренко", by="Петрова")  # the answer itself is saved
    monkeypatch.undo()
    assert store.load(iid).answers["last_name"] == "Петренко"
    assert store.find("Петренко") == []
    store.save_answer(iid, "last_name", "Петренко", by="Петрова")  # given again: same value
    assert [s.id for s in store.find("Петренко")] == [iid]


def test_an_index_write_that_failed_is_mended_by_the_next_process(tmp_path: Path, monkeypatch) -> None:
    root = tmp_path / "data"
    desk = Store(root)
    iid = client(desk, "Орлова", "Ирина", "1980-01-01")
    monkeypatch.setattr(bucketlog, "append", lambda *a, **k: (_ for _ in ()).throw(OSError(28, "full")))
    desk.save_answer(iid, "last_name", "Петренко", by="Петрова")
    monkeypatch.undo()
    desk.close()  # a normal end keeps the journal when an index write failed
    assert [s.id for s in Store(root).find("Петренко")] == [iid]


def test_completed_interview_is_never_listed_as_unfinished(store: Store) -> None:
    (found,) = store.find("Семёнова")
    store.complete(found.id, groups=[], plan="# План", by="Петрова")
    # As if the drafts list missed the change (a crash between the two writes).
    store.index.put("drafts", found.id[:6], {"iid": found.id, "created_at": "x"})
    assert found.id not in [s.id for s in store.unfinished()]
    assert store.load(found.id).plans[0]["markdown"] == "# План"


def test_deleting_the_last_interview_of_a_surname_leaves_no_file_named_after_it(store: Store) -> None:
    (found,) = store.find("Семёнова")
    store.discard(found.id, "Петрова")
    left = [p.name for p in (store.root / "index").rglob("*")]
    assert not any("семенова" in n or "1990-05-05" in n for n in left), left


def test_a_hand_edited_index_entry_does_not_break_lists(store: Store) -> None:
    month = date.today().strftime("%Y%m")
    store.index.put("drafts", month, {"iid": "../../etc/passwd", "created_at": "x"})
    store.index.put("drafts", month, {"iid": None, "created_at": "no id"})
    bucket = store.bucket_path("name", "смирнова")
    with bucket.open("a", encoding="utf-8") as f:
        f.write('{"first_name": "без номера"}\n{"iid": 5}\nне JSON\n')
    assert len(store.unfinished()) == 4
    assert names(store.find("Смирнова")) == ["Смирнова Ольга"]


def test_index_folders_are_for_the_owner_only(store: Store) -> None:
    import stat as st

    for path in [store.root, *(p for p in store.root.rglob("*") if p.is_dir())]:
        assert st.S_IMODE(path.stat().st_mode) == 0o700, path


DISCARD_KILLED = textwrap.dedent(
    """
    import os, pathlib, sys
    from tui.store.store import Store
    store = Store(sys.argv[1])
    target = store.interview_path(sys.argv[2])
    real = pathlib.Path.unlink

    def unlink(self, *args, **kwargs):
        if self == target:
            os._exit(9)  # killed after the index entries went, before the file
        return real(self, *args, **kwargs)

    pathlib.Path.unlink = unlink
    store.discard(sys.argv[2], "Петрова")
    """
)


def test_a_deletion_killed_midway_leaves_the_interview_findable(store: Store) -> None:
    (found,) = store.find("Семёнова")
    path = store.interview_path(found.id)
    store.close()
    hour_ago = path.stat().st_mtime - 3600  # written long before the deleting process started
    os.utime(path, (hour_ago, hour_ago))
    os.utime(path.parent, (hour_ago, hour_ago))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", DISCARD_KILLED, str(store.root), found.id], env=env)
    assert done.returncode == 9 and path.exists()
    again = Store(store.root)
    assert [s.id for s in again.find("Семёнова")] == [found.id]
    assert found.id in [s.id for s in again.unfinished()]
