"""Several processes on one data directory: real processes saving, reading, holding an
interview or the lock, killed at every step of a write; a read-only and a full disk.

Child processes are ``python -c`` with PYTHONPATH set to the repository. Nothing here
depends on timing: processes wait for each other through lines on their stdout and files,
and a kill lands at a chosen step (the child kills itself with SIGKILL just before its
k-th write, rename, fsync or unlink), not after a guessed delay.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ROOT, bundle, draft_interview
from tui import fs
from tui.engine.session import Session
from tui.store import bucketlog
from tui.store.layout import norm_text, phone_digits
from tui.store.store import InterviewBusyError, Store, StoreError

REPO = ROOT
ENV = dict(os.environ, PYTHONPATH=str(REPO))
CONSENT = {"given": True, "text_version": "2026-11", "how": "подписано на бумаге"}
TODAY = date(2026, 11, 27)


def spawn(code: str, *args: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *map(str, args)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV, cwd=REPO,
    )


def expect_line(proc: subprocess.Popen[str], word: str) -> str:
    """The child's next stdout line, which must start with ``word`` (it is ready)."""
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith(word):
        proc.kill()
        _, err = proc.communicate()
        raise AssertionError(f"child said {line!r} instead of {word!r}; stderr:\n{err}")
    return line


def finish(proc: subprocess.Popen[str]) -> str:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, f"child failed with {proc.returncode}:\n{err}"
    return out


def kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.communicate()


def new_interview(store: Store) -> str:
    return store.create_interview(interview_date=TODAY, scripts="t", mode="inspector",
                                  inspector="Петрова", consent=CONSENT)


def fresh_answers(root: Path, iid: str) -> dict[str, Any]:
    """The answers as a new process reads them (no cache of this process involved)."""
    proc = spawn(
        """
        import json, sys
        from tui.store.store import Store
        print(json.dumps(Store(sys.argv[1]).load(sys.argv[2]).answers, ensure_ascii=False))
        """,
        root, iid,
    )
    return json.loads(finish(proc))


def temp_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.tmp"))


# ---------------------------------------------------------------------------- writers and readers

WRITER = """
import json, os, sys, time
from datetime import date
from tui.store.store import Store
root, tag, go, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
store = Store(root)
print("ready", flush=True)
while not os.path.exists(go):
    time.sleep(0.001)

def save(iid, qid, value):
    store.save_answer(iid, qid, value, by=tag)
    print("ack", iid, qid, json.dumps(value, ensure_ascii=False), flush=True)  # acknowledged

for k in range(count):
    iid = store.create_interview(interview_date=date(2026, 11, 27), scripts="t", mode="inspector",
                                 inspector=tag, consent={"given": True})
    print("iid", iid, flush=True)
    # Every writer puts every interview in the same name, birth-date and phone buckets.
    save(iid, "last_name", "Иванова")
    save(iid, "first_name", f"Анна-{tag}-{k}")
    save(iid, "birth_date", "1985-05-05")
    save(iid, "phone", f"+7 921 {k:03d}-12-34")
    for i in range(4):
        save(iid, f"q{i}", f"{tag} {k} {i}")
    if k % 2:
        save(iid, "last_name", "Петрова")  # out of one shared bucket into another
    if k % 3 == 0:
        save(iid, "phone", f"+7 921 {k:03d}-56-78")
    if k % 4 == 1:
        store.complete(iid, groups=[], plan="# План", by=tag)
        print("complete", iid, flush=True)
print("done", flush=True)
"""


def run_writers(root: Path, go: Path, count: int, tags: tuple[str, ...]) -> list[subprocess.Popen[str]]:
    writers = [spawn(WRITER, root, tag, go, count) for tag in tags]
    for w in writers:
        expect_line(w, "ready")
    go.touch()  # all start together
    return writers


def acknowledged(outputs: list[str]) -> tuple[dict[str, dict[str, Any]], set[str]]:
    """The last acknowledged value of each answer of each interview, and the completed ones."""
    answers: dict[str, dict[str, Any]] = {}
    completed = set()
    for out in outputs:
        for line in out.splitlines():
            word, *rest = line.split(" ", 3)
            if word == "iid":
                answers[rest[0]] = {}
            elif word == "ack":
                answers[rest[0]][rest[1]] = json.loads(rest[2])
            elif word == "complete":
                completed.add(rest[0])
    return answers, completed


def test_writers_in_parallel_lose_no_answer_and_no_index_entry(tmp_path):
    root = tmp_path / "data"
    Store(root).close()
    writers = run_writers(root, tmp_path / "go", 10, ("a", "b", "c"))
    answers, completed = acknowledged([finish(w) for w in writers])
    assert len(answers) == 30

    store = Store(root)
    for iid, acked in answers.items():
        stored = store.load(iid)
        assert {q: stored.answers.get(q) for q in acked} == acked, iid
        assert stored.status == ("complete" if iid in completed else "draft")

    def ids(text: str) -> set[str]:
        return {s.id for s in store.find(text, limit=1000)}

    # No update of a shared bucket was lost to another process's write of the same bucket.
    by = {q: {iid for iid, a in answers.items() if a.get("last_name") == q} for q in ("Иванова", "Петрова")}
    assert ids("Иванова") == by["Иванова"] and len(by["Иванова"]) == 15
    assert ids("Петрова") == by["Петрова"] and len(by["Петрова"]) == 15
    assert ids("05.05.1985") == set(answers)
    assert ids("1234") == {iid for iid, a in answers.items() if a["phone"].endswith("12-34")}
    assert ids("5678") == {iid for iid, a in answers.items() if a["phone"].endswith("56-78")}
    assert ids("Иванова Анна-b") == {iid for iid in by["Иванова"] if "-b-" in answers[iid]["first_name"]}
    assert {s.id for s in store.unfinished()} == set(answers) - completed
    store.close()


READER = """
import os, sys, time
from tui.store.store import Store
root, stop = sys.argv[1], sys.argv[2]
store = Store(root)
print("ready", flush=True)
seen = {}  # interview -> how many of its answers q0.. this process has seen
loops = checked = 0
while True:
    last = os.path.exists(stop)
    summaries = store.unfinished() + store.find("Иванова", limit=1000) + store.find("1234", limit=1000)
    for s in summaries:
        stored = store.load(s.id)
        steps = sorted(int(q[1:]) for q in stored.answers if q.startswith("q"))
        # A writer saves q0, q1, ... one at a time: any whole version has no gap, and no
        # later read may show fewer than an earlier one (no stale or torn file).
        assert steps == list(range(len(steps))), (s.id, steps)
        assert len(steps) >= seen.get(s.id, 0), (s.id, len(steps), seen[s.id])
        seen[s.id] = len(steps)
        checked += 1
    for s in store.find("Иванова", limit=1000):
        assert s.client["last_name"] == "Иванова", s
    assert not store.damaged, store.damaged
    loops += 1
    if last:
        break
print("loops", loops, "checked", checked, "interviews", len(seen), flush=True)
"""


def test_a_reader_never_sees_an_error_or_a_torn_file_while_others_write(tmp_path):
    root = tmp_path / "data"
    Store(root).close()
    stop = tmp_path / "stop"
    reader = spawn(READER, root, stop)
    expect_line(reader, "ready")
    writers = run_writers(root, tmp_path / "go", 8, ("a", "b"))
    answers, _ = acknowledged([finish(w) for w in writers])
    stop.touch()
    words = finish(reader).split()
    assert words[0] == "loops"
    assert int(words[5]) == len(answers) == 16  # its last pass, after the writers, saw every one


# ---------------------------------------------------------------------------- one interview, two windows

HOLDER = """
import sys, time
from tui.store.store import Store
store = Store(sys.argv[1])
lease = store.lease(sys.argv[2], inspector=sys.argv[3], mode=sys.argv[4])
print("held", flush=True)
time.sleep(120)
"""


@pytest.mark.parametrize(
    ("mode", "inspector", "named"),
    [("inspector", "Петрова П. П.", "инспектор Петрова П. П."),
     ("kiosk", "kiosk", "терминал самообслуживания")],
)
def test_an_interview_open_in_another_process_is_refused_until_that_process_dies(
    tmp_path, mode, inspector, named
):
    root = tmp_path / "data"
    store = Store(root)
    iid = draft_interview(store, upto="sex")
    holder = spawn(HOLDER, root, iid, inspector, mode)
    expect_line(holder, "held")
    try:
        with pytest.raises(InterviewBusyError) as busy:
            store.lease(iid, inspector="Иванова", mode="inspector")
        assert named in str(busy.value) and f"процесс {holder.pid}" in str(busy.value)
        with pytest.raises(InterviewBusyError, match=named):
            Session.resume(bundle(), store, iid, inspector="Иванова")
        assert "Иванова" not in store.load(iid).header["inspectors"]  # the refused window wrote nothing
    finally:
        kill(holder)
    session = Session.resume(bundle(), store, iid, inspector="Иванова")  # free again
    assert session.current is not None and session.current.id == "sex"
    assert store.load(iid).header["inspectors"][-1] == "Иванова"
    session.close()
    store.close()


# ---------------------------------------------------------------------------- the lock

STUCK = """
import os, sys, time
from tui.store.store import Store
store = Store(sys.argv[1])

def stuck(fd):  # the disk hangs in the middle of this process's save
    print("stuck", flush=True)
    time.sleep(120)

os.fsync = stuck
store.save_answer(sys.argv[2], "desired_work", "из другого окна", by="другой")
"""

RAW_LOCK = """
import fcntl, os, sys, time
fd = os.open(os.path.join(sys.argv[1], ".lock"), os.O_RDWR)
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(120)
"""


def test_a_save_waits_for_a_stuck_process_only_so_long_and_says_who(tmp_path):
    root = tmp_path / "data"
    store = Store(root, lock_timeout=0.2)
    iid = new_interview(store)
    store.save_answer(iid, "desired_work", "продавец", by="Петрова")
    other = spawn(STUCK, root, iid)
    expect_line(other, "stuck")
    try:
        with pytest.raises(StoreError, match="занят другим процессом") as busy:
            store.save_answer(iid, "desired_work", "администратор", by="Петрова")
        assert str(root) in str(busy.value) and f"процесс {other.pid}" in str(busy.value)
        assert "Ответ не сохранён" in str(busy.value)
    finally:
        kill(other)
    assert fresh_answers(root, iid) == {"desired_work": "продавец"}  # neither half-written
    store.save_answer(iid, "desired_work", "администратор", by="Петрова")  # the lock is free again
    assert fresh_answers(root, iid) == {"desired_work": "администратор"}
    store.close()


def test_a_lock_held_by_another_program_stops_the_save_cleanly(tmp_path):
    root = tmp_path / "data"
    store = Store(root, lock_timeout=0.2)
    iid = new_interview(store)
    store.save_answer(iid, "last_name", "Смирнова", by="Петрова")
    other = spawn(RAW_LOCK, root)
    expect_line(other, "locked")
    try:
        with pytest.raises(StoreError, match="занят другим процессом.*Ответ не сохранён"):
            store.save_answer(iid, "last_name", "Смирнова-Кузнецова", by="Петрова")
        with pytest.raises(StoreError, match="занят другим процессом"):
            new_interview(store)
    finally:
        kill(other)
    assert fresh_answers(root, iid) == {"last_name": "Смирнова"}
    assert [s.id for s in store.find("Смирнова")] == [iid]
    assert temp_files(root) == []
    store.close()


def test_a_lock_held_by_another_program_is_not_blamed_on_this_process(tmp_path):
    """The .lock file may still name the last Store that held it; that is not the holder."""
    root = tmp_path / "data"
    store = Store(root, lock_timeout=0.2)
    iid = new_interview(store)
    other = spawn(RAW_LOCK, root)
    expect_line(other, "locked")
    try:
        with pytest.raises(StoreError) as busy:
            store.save_answer(iid, "last_name", "Смирнова", by="Петрова")
    finally:
        kill(other)
        store.close()
    assert f"процесс {os.getpid()}" not in str(busy.value)


# ---------------------------------------------------------------------------- read-only and full disks


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


def _umount(path: Path) -> None:
    if subprocess.run(["umount", str(path)], capture_output=True).returncode != 0:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


@contextlib.contextmanager
def read_only(path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Make ``path`` read-only for this process; yields how.

    chmod does not stop root, and the tests run as root in CI. As root, a read-only bind
    mount of the directory over itself makes the kernel refuse every write under it with
    EROFS, as on a disk mounted read-only (and it works while files below are open). A
    normal user gets chmod 0500, which the kernel enforces. Only root without the right to
    mount (a container without CAP_SYS_ADMIN) falls back to the last resort: os.access and
    os.open answer for the directory as a read-only file system would (EROFS).
    """
    if os.geteuid() != 0:
        path.chmod(0o500)
        try:
            yield "chmod"
        finally:
            path.chmod(0o700)
        return
    if _mount("--bind", str(path), str(path)):
        try:
            if _mount("-o", "remount,bind,ro", str(path)):
                yield "mount"
                return
        finally:
            _umount(path)
    real_access, real_open = os.access, os.open
    writing = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND

    def under(target: Any) -> bool:
        return Path(os.fsdecode(target)).resolve().is_relative_to(path.resolve())

    def access(target: Any, mode: int, *args: Any, **kwargs: Any) -> bool:
        if mode & os.W_OK and under(target):
            return False
        return real_access(target, mode, *args, **kwargs)

    def open_(target: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & writing and under(target):
            raise OSError(errno.EROFS, "Read-only file system", os.fsdecode(target))
        return real_open(target, flags, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(os, "access", access)
        patch.setattr(os, "open", open_)
        yield "emulated"


def test_a_read_only_data_dir_is_named_as_such(tmp_path, monkeypatch):
    root = tmp_path / "data"
    store = Store(root)
    iid = new_interview(store)
    store.save_answer(iid, "last_name", "Смирнова", by="Петрова")
    with read_only(root, monkeypatch) as how:
        with pytest.raises(StoreError, match=re.escape(f"Каталог данных {root} доступен только для чтения")):
            Store(root)
        if how != "chmod":  # the disk became read-only under an open store
            where = re.escape(str(store.interview_path(iid)))
            with pytest.raises(StoreError, match=f"только для чтения.*{where}"):
                store.save_answer(iid, "last_name", "Смирнова-Кузнецова", by="Петрова")
            with pytest.raises(StoreError, match="только для чтения"):
                new_interview(store)
            assert store.load(iid).answers == {"last_name": "Смирнова"}  # reading still works
    store.close()
    assert fresh_answers(root, iid) == {"last_name": "Смирнова"}


@pytest.fixture
def small_disk(tmp_path) -> Iterator[Path]:
    """A 1 MB file system of its own (tmpfs), so that it can really fill up."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if not _mount("-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(disk)):
        pytest.skip("cannot mount a small tmpfs here (needs root); see the emulated full disk test")
    try:
        yield disk
    finally:
        _umount(disk)


def fill(disk: Path) -> Path:
    """Fill the file system up to the last byte; returns the filler file."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as fh:
        chunk = b"\0" * 4096
        with contextlib.suppress(OSError):
            while True:
                fh.write(chunk)
        with contextlib.suppress(OSError):
            while True:
                fh.write(b"\0")
    return filler


def test_a_disk_that_fills_mid_write_keeps_every_earlier_answer_and_saving_resumes(small_disk):
    root = small_disk / "data"
    store = Store(root)
    iid = new_interview(store)
    before = {"last_name": "Смирнова", "first_name": "Ольга", "phone": "+7 921 555-12-34",
              "desired_work": "продавец"}
    for qid, value in before.items():
        store.save_answer(iid, qid, value, by="Петрова")
    filler = fill(small_disk)
    with open(filler, "r+b") as fh:  # room for 8 KB: the 40 KB answer runs out part way
        fh.truncate(filler.stat().st_size - 8192)
    long_text = "Опыт работы продавцом-консультантом, кассиром и администратором. " * 350
    where = re.escape(str(store.interview_path(iid)))
    with pytest.raises(StoreError, match=f"Диск заполнен: не удалось записать {where}"):
        store.save_answer(iid, "desired_work", long_text, by="Петрова")
    assert temp_files(small_disk) == []
    assert store.load(iid).answers == before
    assert fresh_answers(root, iid) == before  # another process opens the store and reads them all
    other = Store(root)  # opens on the full disk
    assert [s.id for s in other.find("Смирнова")] == [iid]
    other.close()

    filler.unlink()  # space is freed
    store.save_answer(iid, "desired_work", long_text, by="Петрова")
    assert fresh_answers(root, iid) == {**before, "desired_work": long_text}
    assert temp_files(small_disk) == []
    store.close()


def test_a_full_disk_at_create_leaves_no_half_interview(small_disk):
    root = small_disk / "data"
    store = Store(root)
    kept = new_interview(store)
    store.save_answer(kept, "last_name", "Смирнова", by="Петрова")
    filler = fill(small_disk)
    with pytest.raises(StoreError, match="Диск заполнен"):
        new_interview(store)
    assert temp_files(small_disk) == []
    assert [s.id for s in store.unfinished()] == [kept]
    filler.unlink()
    assert len(store.unfinished()) == 1
    other = new_interview(store)
    assert {s.id for s in store.unfinished()} == {kept, other}
    store.close()


def test_emulated_full_disk_mid_write_keeps_the_old_file(tmp_path, monkeypatch):
    """Where no small file system can be mounted: ENOSPC from os.write after some bytes."""
    root = tmp_path / "data"
    store = Store(root)
    iid = new_interview(store)
    store.save_answer(iid, "desired_work", "продавец", by="Петрова")
    real_write = os.write
    written = [0]

    def short_write(fd: int, data: Any) -> int:
        if written[0] == 0 and len(data) > 4096:
            written[0] = real_write(fd, bytes(data[:4096]))  # part of it, then the disk is full
            return written[0]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", short_write)
    with pytest.raises(StoreError, match="Диск заполнен"):
        store.save_answer(iid, "desired_work", "администратор " * 2000, by="Петрова")
    monkeypatch.undo()
    assert written[0] == 4096  # the write did start
    assert temp_files(root) == []
    assert fresh_answers(root, iid) == {"desired_work": "продавец"}
    store.save_answer(iid, "desired_work", "администратор", by="Петрова")
    assert fresh_answers(root, iid) == {"desired_work": "администратор"}
    store.close()


@pytest.mark.parametrize("mend", ["given again", "next process"])
def test_a_name_whose_index_bucket_cannot_be_written_is_saved_and_found_later(tmp_path, monkeypatch, mend):
    """The interview file fits, its index bucket does not (emulated: ENOSPC for every file
    written under index/, as when the disk fills between the two writes)."""
    root = tmp_path / "data"
    store = Store(root)
    iid = new_interview(store)
    real = fs.atomic_write

    def index_full(path: Path, text: str, *, durable: bool = True) -> None:
        if "index" in path.parts:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, text, durable=durable)

    monkeypatch.setattr(fs, "atomic_write", index_full)
    monkeypatch.setattr(bucketlog, "append", lambda path, records: index_full(path, ""))
    store.save_answer(iid, "last_name", "Смирнова", by="Петрова")  # the answer is saved all the same
    monkeypatch.undo()
    assert any("Указатель поиска не обновлён" in w and "ответ сохранён" in w for w in store.warnings)
    assert fresh_answers(root, iid) == {"last_name": "Смирнова"}
    if mend == "given again":  # the inspector saves the same answer once space is back
        store.save_answer(iid, "last_name", "Смирнова", by="Петрова")
        assert [s.id for s in store.find("Смирнова")] == [iid]
        store.close()
    else:  # the session ends; the next process to open the store mends the index
        store.close()
        assert [s.id for s in Store(root).find("Смирнова")] == [iid]


# ---------------------------------------------------------------------------- killed at every step

KILLED = """
import os, signal, sys
from datetime import date
from tui.store.store import Store
root, op, iid, k = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
store = Store(root)
steps = 0

def step(name):
    real = getattr(os, name)

    def wrapped(*args, **kwargs):
        global steps
        steps += 1
        if steps == k:
            os.kill(os.getpid(), signal.SIGKILL)  # just before this write, rename, sync or unlink
        return real(*args, **kwargs)

    setattr(os, name, wrapped)

for name in ("write", "replace", "rename", "fsync", "fdatasync", "ftruncate", "unlink"):
    step(name)
if op == "create":
    print("created", store.create_interview(interview_date=date(2026, 11, 27), scripts="t",
          mode="inspector", inspector="Петрова", consent={"given": True}), flush=True)
elif op == "last_name":
    store.save_answer(iid, "last_name", "Петрова", by="Петрова")
elif op == "phone":
    store.save_answer(iid, "phone", "+7 921 555-99-88", by="Петрова")
elif op == "complete":
    store.complete(iid, groups=[], plan="# План", by="Петрова")
store.close()
print("steps", steps, flush=True)
"""

PREPARED = {"last_name": "Иванова", "first_name": "Анна", "birth_date": "1980-02-03",
            "phone": "+7 921 555-12-34", "desired_work": "продавец"}
CHANGED = {"last_name": ("last_name", "Петрова"), "phone": ("phone", "+7 921 555-99-88")}


def prepare(root: Path) -> tuple[str, str]:
    """A store with one finished and one unfinished interview of the same client."""
    shutil.rmtree(root, ignore_errors=True)
    store = Store(root)
    done = new_interview(store)
    for qid, value in PREPARED.items():
        store.save_answer(done, qid, value, by="Петрова")
    store.complete(done, groups=[], plan="# План", by="Петрова")
    iid = new_interview(store)
    for qid, value in PREPARED.items():
        store.save_answer(iid, qid, value, by="Петрова")
    store.close()
    return done, iid


def inconsistencies(store: Store) -> list[str]:
    """Where search and the list of unfinished interviews disagree with the interview files."""
    drafts, by_name, by_phone, by_birth = set(), {}, {}, {}
    for it in store.iter_interviews():
        assert not isinstance(it, Exception), it
        if it.status == "draft":
            drafts.add(it.id)
        by_name.setdefault(norm_text(it.answers.get("last_name")), set()).add(it.id)
        by_phone.setdefault(phone_digits(it.answers.get("phone"))[-4:], set()).add(it.id)
        by_birth.setdefault(it.answers.get("birth_date"), set()).add(it.id)
    out = []
    listed = {s.id for s in store.unfinished()}
    if listed != drafts:
        out.append(f"unfinished() lists {sorted(listed)}, the files say {sorted(drafts)}")
    for text, truth in (("Иванова", by_name.get("иванова")), ("Петрова", by_name.get("петрова")),
                        ("1234", by_phone.get("1234")), ("9988", by_phone.get("9988")),
                        ("03.02.1980", by_birth.get("1980-02-03"))):
        found = {s.id for s in store.find(text)}
        if found != (truth or set()):
            out.append(f"find({text!r}) gives {len(found)}, the files say {len(truth or ())}")
    return out


def kill_at_every_step(root: Path, op: str) -> dict[int, list[str]]:
    """Run ``op`` in a child killed just before each of its steps in turn; after each kill
    check what a user would notice. Returns, per step, what search and the list of
    unfinished interviews got wrong before ``rebuild_index`` (empty lists: nothing)."""
    done, iid = prepare(root)
    dry = spawn(KILLED, root, op, iid, 0)
    total = int(finish(dry).split()[-1])
    assert total >= 4
    found: dict[int, list[str]] = {}
    for k in range(1, total + 1):
        done, iid = prepare(root)
        child = spawn(KILLED, root, op, iid, k)
        out, err = child.communicate(timeout=60)
        assert child.returncode == -signal.SIGKILL, (k, child.returncode, err)
        store = Store(root)  # opens: nothing is torn, the dead child's journal is replayed
        assert store.load(done).answers == PREPARED and store.load(done).status == "complete"
        answers = store.load(iid).answers
        qid, new = CHANGED.get(op, (None, None))
        for q, value in PREPARED.items():
            # No acknowledged answer is lost; the one being saved is the old or the new value.
            assert answers[q] == value or (q == qid and answers[q] == new), (k, q, answers[q])
        if op == "complete":
            assert store.load(iid).status in ("draft", "complete")
        found[k] = inconsistencies(store)
        if found[k]:
            store.rebuild_index()  # what `sobesednik doctor` does
            assert inconsistencies(store) == [], (k, found[k])
        assert not store.damaged
        store.close()
    return found


_sweeps: dict[str, dict[int, list[str]]] = {}


def sweep(tmp_path_factory: pytest.TempPathFactory, op: str) -> dict[int, list[str]]:
    if op not in _sweeps:
        _sweeps[op] = kill_at_every_step(tmp_path_factory.mktemp(f"kill-{op}") / "data", op)
    return _sweeps[op]


@pytest.mark.parametrize("op", ["create", "last_name", "phone", "complete"])
def test_a_kill_at_any_step_leaves_a_store_that_opens_with_every_answer_and_repairs(tmp_path_factory, op):
    steps = sweep(tmp_path_factory, op)  # asserts as it goes
    assert len(steps) >= 4


@pytest.mark.parametrize("op", ["create", "last_name", "phone", "complete"])
def test_a_kill_at_any_step_leaves_search_and_unfinished_consistent_without_repair(tmp_path_factory, op):
    wrong = {k: v for k, v in sweep(tmp_path_factory, op).items() if v}
    assert wrong == {}
