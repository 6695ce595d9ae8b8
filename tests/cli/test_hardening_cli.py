"""The lifecycle commands on a data directory a hand or a crash has changed (issue 10):
an unreadable folder or file is named and the rest still goes out, a symlink is never
followed, an erased client leaves nothing behind in temporary files."""

from __future__ import annotations

import json
import os
import tarfile
from pathlib import Path

import pytest

from tests.helpers import TODAY
from tests.store.faults import ROOT_SKIP, deny_reading, deny_unlink
from tui.cli import main
from tui.store import files
from tui.store.store import Store

CONSENT = {"given": True, "text_version": "2026-11", "how": "подписано на бумаге"}


def interview(store: Store, surname: str, *extra: tuple[str, object]) -> str:
    iid = store.create_interview(interview_date=TODAY, scripts="profile v1", mode="inspector",
                                 inspector="Петрова", consent=CONSENT)
    for qid, value in (("consent_pd", True), ("last_name", surname), ("first_name", "Ольга"),
                       ("birth_date", "1987-08-14"), *extra):
        store.save_answer(iid, qid, value, by="Петрова")
    return iid


def run(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([*args, "--data-dir", str(root)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def three(root: Path) -> list[str]:
    store = Store(root)
    iids = [interview(store, s) for s in ("Смирнова", "Кузнецова", "Петрова")]
    store.close()
    files._cache.clear()  # as a new process: nothing is known of the files yet
    return iids


def rel(iid: str) -> str:
    return f"interviews/{iid[:6]}/{iid}.json"


# --------------------------------------------------------------------------- 6: partial export, backup


def test_export_with_one_unreadable_interview_exports_the_others_and_fails(root, three, capsys, monkeypatch):
    deny_reading(monkeypatch, root / rel(three[1]))
    code, out, err = run(root, capsys, "export")
    assert sorted(json.loads(line)["id"] for line in out.splitlines()) == [three[0], three[2]]
    assert code == 1
    assert f"{rel(three[1])}: нет прав на чтение" in err
    assert "Выгружено 2 интервью" in err


def test_export_of_an_unreadable_month_folder_is_not_a_success(root, three, capsys, monkeypatch):
    deny_reading(monkeypatch, root / "interviews" / three[0][:6])
    code, out, err = run(root, capsys, "export")
    assert out == ""
    assert code == 1
    assert f"interviews/{three[0][:6]}: нет прав на чтение" in err


def test_backup_with_one_unreadable_interview_keeps_the_others_and_fails(root, three, capsys, monkeypatch):
    deny_reading(monkeypatch, root / rel(three[1]))
    code, out, err = run(root, capsys, "backup")
    assert code == 1
    (archive,) = (root / "backups").iterdir()
    monkeypatch.undo()
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    assert {rel(three[0]), rel(three[2])} <= names and rel(three[1]) not in names
    assert f"{rel(three[1])}: нет прав на чтение" in err
    assert "не вошло в копию" in err


def test_backup_of_an_unreadable_month_folder_is_not_a_success(root, three, capsys, monkeypatch):
    deny_reading(monkeypatch, root / "interviews" / three[0][:6])
    code, _, err = run(root, capsys, "backup")
    assert code == 1
    assert f"interviews/{three[0][:6]}: нет прав на чтение" in err


@ROOT_SKIP
def test_export_of_a_month_folder_without_read_permission_fails(root, three, capsys):
    month = root / "interviews" / three[0][:6]
    month.chmod(0)
    try:
        code, _, err = run(root, capsys, "export")
    finally:
        month.chmod(0o700)
    assert code == 1 and "нет прав на чтение" in err


# --------------------------------------------------------------------------- 3: symlinks


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "elsewhere" / "secret.json"
    path.parent.mkdir()
    path.write_text('{"interview": {"1": {"id": "x"}}, "answers": {"1": {"question": "last_name", '
                    '"value": "Чужая"}}}', "utf-8")
    return path


def test_backup_refuses_a_data_directory_with_a_symlink_and_names_it(root, three, secret, capsys):
    link = root / "interviews" / three[0][:6] / "notes.json"
    link.symlink_to(secret)
    code, _, err = run(root, capsys, "backup")
    assert code == 2
    assert f"interviews/{three[0][:6]}/notes.json" in err and "символическ" in err
    assert not (root / "backups").exists() or list((root / "backups").iterdir()) == []


def test_export_does_not_read_through_a_symlinked_interview_file(root, three, secret, capsys):
    path = root / rel(three[1])
    path.unlink()
    path.symlink_to(secret)
    code, out, err = run(root, capsys, "export")
    assert "Чужая" not in out
    assert code == 1
    assert f"{rel(three[1])}: символическая ссылка" in err


def test_import_does_not_write_through_a_symlinked_month_folder(root, three, tmp_path, capsys):
    code, exported, _ = run(root, capsys, "export")
    assert code == 0
    store = Store(root)
    for iid in three:
        store.discard(iid, "Петрова", reason="test")  # audit: «test», so import may bring them back
    store.close()
    month = root / "interviews" / three[0][:6]
    for p in month.iterdir():
        p.unlink()
    month.rmdir()
    elsewhere = tmp_path / "elsewhere-month"
    elsewhere.mkdir()
    month.symlink_to(elsewhere, target_is_directory=True)
    lines = tmp_path / "export.jsonl"
    lines.write_text(exported, "utf-8")
    code, _, err = run(root, capsys, "import", str(lines))
    assert list(elsewhere.iterdir()) == []
    assert code != 0
    assert "символическая ссылка" in err


# ------------------------------------------------------------------- 5: temp files of an erased client


def test_delete_client_removes_the_clients_leftover_temporary_files(root, three, capsys):
    month = root / "interviews" / three[0][:6]
    leftover = month / f".{three[0]}.json.x8y9z0.tmp"
    leftover.write_text('{"answers": {"1": {"question": "phone", "value": "+7 921 555-12-34"}}}', "utf-8")
    code, _, err = run(root, capsys, "delete-client", three[0], "--yes")
    assert code == 0, err
    assert not leftover.exists()
    assert not any(three[0] in p.name for p in month.iterdir())


def test_withdraw_consent_removes_the_leftover_temporary_files_of_the_interview(root, capsys):
    store = Store(root)
    iid = interview(store, "Соколов", ("consent_health", True), ("disability_group", "II"))
    store.close()
    month = root / "interviews" / iid[:6]
    leftover = month / f".{iid}.json.q1w2e3.tmp"
    leftover.write_text('{"answers": {"1": {"question": "disability_group", "value": "II"}}}', "utf-8")
    code, _, err = run(root, capsys, "withdraw-consent", iid, "--health", "--yes")
    assert code == 0, err
    assert not leftover.exists()
    assert os.listdir(month) == [f"{iid}.json"]


def test_delete_client_removes_leftover_temporary_files_of_the_index_buckets(root, three, capsys):
    """A bucket rewrite killed midway leaves the names it was writing beside the bucket."""
    index = root / "index"
    leftovers = [
        index / "name" / "с" / ".смирнова.jsonl.k9l8m7.tmp",
        index / "birth" / ".1987-08-14.jsonl.p0o9i8.tmp",
        index / "drafts" / f".{three[0][:6]}.jsonl.u7y6t5.tmp",
    ]
    line = json.dumps({"iid": three[0], "first_name": "ольга"}, ensure_ascii=False) + "\n"
    for path in leftovers:
        path.write_text(line, "utf-8")
    code, out, err = run(root, capsys, "delete-client", three[0], "--yes")
    assert code == 0, out + err
    assert [p for p in leftovers if p.exists()] == []
    assert not [p for p in index.rglob("*") if p.is_file() and "ольга" in p.read_text("utf-8")]


def test_delete_client_says_so_when_a_leftover_temp_file_is_not_removed(root, three, capsys, monkeypatch):
    month = root / "interviews" / three[0][:6]
    leftover = month / f".{three[0]}.json.x8y9z0.tmp"
    leftover.write_text('{"answers": {"1": {"question": "phone", "value": "+7 921 555-12-34"}}}', "utf-8")
    deny_unlink(monkeypatch, leftover)
    code, out, err = run(root, capsys, "delete-client", three[0], "--yes")
    assert code != 0
    assert leftover.name in err and "не удал" in err.lower()
    assert "Удалено 1 интервью" not in out  # never a success with the client's data left
    assert leftover.exists()


def test_withdraw_consent_says_so_when_a_leftover_temporary_file_cannot_be_removed(root, capsys, monkeypatch):
    store = Store(root)
    iid = interview(store, "Соколов", ("consent_health", True), ("disability_group", "II"))
    store.close()
    leftover = root / "interviews" / iid[:6] / f".{iid}.json.q1w2e3.tmp"
    leftover.write_text('{"answers": {"1": {"question": "disability_group", "value": "II"}}}', "utf-8")
    deny_unlink(monkeypatch, leftover)
    code, out, err = run(root, capsys, "withdraw-consent", iid, "--health", "--yes")
    assert code != 0
    assert leftover.name in err and "не отозвано" in err
