"""A named pipe (FIFO), a device or a socket inside the data directory (issue 10): the
store refuses it with a message naming it instead of waiting forever for a writer (the
desk froze on a search), commands go on past it, ``doctor`` names it as what it is and
removes it on repair. Each call that could hang runs under :func:`within`."""

from __future__ import annotations

import json
import os
import socket
import stat
from datetime import datetime
from pathlib import Path

import pytest

from tests.helpers import TODAY
from tests.store.faults import within
from tui.cli import main
from tui.store import bucketlog, files
from tui.store.store import Store, StoreError

CONSENT = {"given": True, "text_version": "2026-11", "how": "подписано на бумаге"}
LIMIT = 10.0  # seconds: every operation here takes milliseconds


def interview(store: Store, surname: str = "Смирнова") -> str:
    iid = store.create_interview(interview_date=TODAY, scripts="profile v1", mode="inspector",
                                 inspector="Петрова", consent=CONSENT)
    for qid, value in (("consent_pd", True), ("last_name", surname), ("first_name", "Ольга"),
                       ("birth_date", "1987-08-14")):
        store.save_answer(iid, qid, value, by="Петрова")
    return iid


def fresh() -> None:
    """As a new process: nothing is known of the files yet."""
    files._cache.clear()
    bucketlog._cache.clear()


def run(capsys: pytest.CaptureFixture[str], *args: str, fifos: tuple[Path, ...] = ()) -> tuple[int, str]:
    capsys.readouterr()
    code = within(LIMIT, main, list(args), fifos=fifos)
    out, err = capsys.readouterr()
    return code, out + err


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def smirnova(root: Path) -> str:
    store = Store(root)
    iid = interview(store)
    interview(store, "Кузнецова")
    store.close()
    fresh()
    return iid


def fifo_at(path: Path) -> Path:
    path.parent.mkdir(mode=0o700, exist_ok=True)
    path.unlink(missing_ok=True)
    os.mkfifo(path, 0o600)
    return path


def bucket(root: Path) -> Path:
    return root / "index" / "name" / "с" / "смирнова.jsonl"


# --------------------------------------------------------------------------- the desk


def test_a_search_does_not_hang_on_a_fifo_in_the_index_and_names_it(root, smirnova):
    fifo = fifo_at(bucket(root))
    store = Store(root)
    with pytest.raises(StoreError) as caught:
        within(LIMIT, store.find, "Смирнова", fifos=(fifo,))
    assert "index/name/с/смирнова.jsonl" in str(caught.value)
    assert "не обычный файл" in str(caught.value)
    assert [s.id for s in within(LIMIT, store.find, "Кузнецова")]  # the other buckets still work
    store.close()


def test_an_answer_is_saved_beside_a_fifo_in_the_index_with_a_warning(root, smirnova):
    fifo = fifo_at(bucket(root))
    store = Store(root)
    iid = within(LIMIT, interview, store, fifos=(fifo,))
    assert store.load(iid).answers["last_name"] == "Смирнова"  # the answer is saved
    assert any("не обычный файл" in w for w in store.take_warnings())
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # nothing written through it
    within(LIMIT, store.close, fifos=(fifo,))


def test_a_fifo_as_this_months_audit_file_does_not_hang_an_interview(root, smirnova):
    fifo = fifo_at(root / "audit" / f"{datetime.now():%Y%m}.jsonl")
    store = Store(root)
    iid = within(LIMIT, interview, store, fifos=(fifo,))
    assert store.load(iid).answers["last_name"] == "Смирнова"
    warnings = " ".join(store.take_warnings())
    assert "Событие не записано в журнал аудита" in warnings and "не обычный файл" in warnings
    store.close()


def test_opening_a_store_whose_meta_file_is_a_fifo_says_so(root, smirnova):
    fifo = fifo_at(root / "sobesednik.json")
    with pytest.raises(StoreError, match="sobesednik.json.*не обычный файл"):
        within(LIMIT, Store, root, fifos=(fifo,))


def test_a_fifo_lease_file_does_not_hang_opening_the_interview(root, smirnova):
    fifo = fifo_at(root / "leases" / f"{smirnova}.lock")
    store = Store(root)
    with pytest.raises(StoreError, match="не обычный файл"):
        within(LIMIT, lambda: store.lease(smirnova, inspector="Иванова", mode="inspector"), fifos=(fifo,))
    store.close()


# --------------------------------------------------------------------------- commands


def test_export_names_a_fifo_in_place_of_an_interview_and_exports_the_others(root, smirnova, capsys):
    fifo = fifo_at(root / "interviews" / smirnova[:6] / f"{smirnova}.json")
    code, out = run(capsys, "export", "--data-dir", str(root), fifos=(fifo,))
    assert code == 1, out
    assert "Кузнецова" in out
    assert f"interviews/{smirnova[:6]}/{smirnova}.json" in out and "не обычный файл" in out


def test_backup_names_a_fifo_in_place_of_an_interview_and_copies_the_others(root, smirnova, capsys, tmp_path):
    fifo = fifo_at(root / "interviews" / smirnova[:6] / f"{smirnova}.json")
    archive = tmp_path / "copy.tar.gz"
    code, out = run(capsys, "backup", "--data-dir", str(root), "--out", str(archive), fifos=(fifo,))
    assert code == 1, out
    assert f"interviews/{smirnova[:6]}/{smirnova}.json" in out and "не обычный файл" in out
    assert archive.exists()


def test_delete_client_does_not_hang_on_a_fifo_in_the_audit_folder(root, smirnova, capsys):
    fifo = fifo_at(root / "audit" / "199901.jsonl")
    code, out = run(capsys, "delete-client", smirnova, "--yes", "--data-dir", str(root), fifos=(fifo,))
    assert code == 0, out
    assert "Удалено 1 интервью" in out
    assert not (root / "interviews" / smirnova[:6] / f"{smirnova}.json").exists()


def test_delete_client_never_reads_an_audit_file_through_a_symbolic_link(root, smirnova, capsys, tmp_path):
    """A link in ``audit/`` to a file outside, which names an archive holding the client:
    the archive is named only if the link was followed."""
    elsewhere = tmp_path / "elsewhere.tar.gz"
    code, out = run(capsys, "backup", "--data-dir", str(root), "--out", str(elsewhere))
    assert code == 0, out
    for log in (root / "audit").iterdir():  # the trail no longer names it ...
        kept = [ln for ln in log.read_text("utf-8").splitlines() if '"backup"' not in ln]
        log.write_text("".join(f"{ln}\n" for ln in kept), "utf-8")
    outside = tmp_path / "outside.jsonl"  # ... but a file outside does
    outside.write_text(json.dumps({"action": "backup", "path": str(elsewhere)}) + "\n", "utf-8")
    (root / "audit" / "199901.jsonl").symlink_to(outside)
    code, out = run(capsys, "delete-client", smirnova, "--yes", "--data-dir", str(root))
    assert code == 0, out
    assert str(elsewhere) not in out


def test_delete_client_reads_a_long_audit_line_with_a_bound(root, smirnova, capsys, tmp_path, monkeypatch):
    from tui.store import erase

    monkeypatch.setattr(erase, "AUDIT_LINE_LIMIT", 4096)
    elsewhere = tmp_path / "elsewhere.tar.gz"
    code, out = run(capsys, "backup", "--data-dir", str(root), "--out", str(elsewhere))
    assert code == 0, out
    log = next((root / "audit").iterdir())
    text = log.read_text("utf-8")
    log.write_text('{"action": "backup", "pad": "' + "x" * 10_000 + '"}\n' + text, "utf-8")
    code, out = run(capsys, "delete-client", smirnova, "--yes", "--data-dir", str(root))
    assert code == 0, out
    assert str(elsewhere) in out  # the lines after the long one are still read


# --------------------------------------------------------------------------- doctor


def test_doctor_names_a_fifo_in_the_index_as_a_pipe_and_removes_it(root, smirnova, capsys):
    fifo = fifo_at(bucket(root))
    code, out = run(capsys, "doctor", "--check-only", "--data-dir", str(root), fifos=(fifo,))
    assert code == 1, out
    line = next(ln for ln in out.splitlines() if "смирнова.jsonl" in ln)
    assert "не обычный файл (именованный канал)" in line
    assert "лишний файл" not in line
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # check-only changes nothing
    code, out = run(capsys, "doctor", "--data-dir", str(root), fifos=(fifo,))
    assert code == 0, out
    assert not os.path.lexists(fifo) or not stat.S_ISFIFO(os.lstat(fifo).st_mode)
    fresh()
    store = Store(root)
    assert [s.id for s in within(LIMIT, store.find, "Смирнова")] == [smirnova]  # the index rebuilt
    store.close()


def test_doctor_names_a_fifo_in_place_of_an_interview_and_removes_it(root, smirnova, capsys):
    fifo = fifo_at(root / "interviews" / smirnova[:6] / f"{smirnova}.json")
    code, out = run(capsys, "doctor", "--check-only", "--data-dir", str(root), fifos=(fifo,))
    assert code == 1, out
    line = next(ln for ln in out.splitlines() if f"{smirnova}.json" in ln)
    assert "не обычный файл (именованный канал)" in line
    code, out = run(capsys, "doctor", "--data-dir", str(root), fifos=(fifo,))
    assert code == 0, out
    assert not [p for p in root.rglob("*") if stat.S_ISFIFO(os.lstat(p).st_mode)]  # nor set aside


def test_doctor_does_not_hang_on_a_fifo_lease_or_journal(root, smirnova, capsys):
    fifos = (fifo_at(root / "leases" / f"{smirnova}.lock"),
             fifo_at(root / "index" / "journal" / "1-dead.log"))
    code, out = run(capsys, "doctor", "--check-only", "--data-dir", str(root), fifos=fifos)
    assert code == 1, out
    for fifo in fifos:
        assert any(fifo.name in ln and "именованный канал" in ln for ln in out.splitlines()), out


def test_doctor_names_a_socket_as_a_socket(root, smirnova, capsys, monkeypatch):
    folder = root / "index" / "birth"
    monkeypatch.chdir(folder)  # a socket's path is limited to about 100 bytes
    server = socket.socket(socket.AF_UNIX)
    server.bind("1990-01-01.jsonl")
    try:
        code, out = run(capsys, "doctor", "--check-only", "--data-dir", str(root))
        assert code == 1, out
        assert any("1990-01-01.jsonl" in ln and "не обычный файл (сокет)" in ln for ln in out.splitlines())
        code, out = run(capsys, "doctor", "--data-dir", str(root))
        assert code == 0, out
        assert not os.path.lexists(folder / "1990-01-01.jsonl")
    finally:
        server.close()


def test_a_device_in_the_index_is_refused_and_doctor_names_it(root, smirnova, capsys):
    node = bucket(root)
    node.unlink()
    try:
        os.mknod(node, 0o600 | stat.S_IFCHR, os.makedev(1, 5))  # /dev/zero: reads without end
    except (PermissionError, OSError) as exc:
        pytest.skip(f"no device nodes here: {exc}")
    store = Store(root)
    with pytest.raises(StoreError, match="не обычный файл"):
        within(LIMIT, store.find, "Смирнова")
    store.close()
    code, out = run(capsys, "doctor", "--check-only", "--data-dir", str(root))
    assert code == 1
    assert any("смирнова.jsonl" in ln and "не обычный файл (устройство)" in ln for ln in out.splitlines())
    code, out = run(capsys, "doctor", "--data-dir", str(root))
    assert code == 0, out
    assert not node.exists() or stat.S_ISREG(os.lstat(node).st_mode)
