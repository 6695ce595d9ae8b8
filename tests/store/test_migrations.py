"""Opening a data directory of the previous version (schema 1) upgrades it in place.

``tests/data/schema1/data`` was written by the schema-1 store of commit 409b582 (see
``tests/data/schema1/make_fixture.py``): three clients with Cyrillic names, one interview
complete with its plan, two unfinished. Each test works on a copy.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
from pathlib import Path

import pytest

import tui.store.migrations as migrations
from tests.helpers import DATA
from tui.store.store import COMPLETE, DRAFT, SCHEMA_VERSION, Store, StoreError

FIXTURE = DATA / "schema1" / "data"
SMIRNOVA, YOLKINA, KUZNETSOVA = (
    "20261014-093000-da22a4", "20261103-111500-adb172", "20261127-164000-03ebc5",
)
ALL = (SMIRNOVA, YOLKINA, KUZNETSOVA)


class Crash(BaseException):
    """The process dies here (not an error the code could handle)."""


def tree(root: Path) -> dict[str, bytes | None]:
    return {
        str(p.relative_to(root)): p.read_bytes() if p.is_file() else None
        for p in sorted(root.rglob("*"))
    }


def old_interview(iid: str) -> dict:
    """The interview as the schema-1 store wrote it."""
    return json.loads((FIXTURE / "interviews" / f"{iid}.json").read_text("utf-8"))


def old_answers(iid: str) -> dict:
    return {d["question"]: d["value"] for d in old_interview(iid)["answers"].values()}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    dest = tmp_path / "data"
    shutil.copytree(FIXTURE, dest)
    return dest


def ids(summaries: list[dict]) -> list[str]:
    return [s.id for s in summaries]


def assert_fully_migrated(root: Path, store: Store) -> None:
    """Every interview of the fixture is in its month folder, whole, and found again."""
    assert sorted(p.relative_to(root).as_posix() for p in (root / "interviews").rglob("*.json")) == [
        f"interviews/202610/{SMIRNOVA}.json",
        f"interviews/202611/{YOLKINA}.json",
        f"interviews/202611/{KUZNETSOVA}.json",
    ]
    for iid in ALL:
        stored = store.load(iid)
        assert stored.answers == old_answers(iid)
        assert stored.header == old_interview(iid)["interview"]["1"]
    assert ids(store.find("Смирнова")) == [SMIRNOVA]
    assert ids(store.find("Елкина Анна")) == [YOLKINA]  # «ё» is found as «е»
    assert ids(store.find("8 812 700-00-01")) == [KUZNETSOVA]
    assert ids(store.find("14.08.1987")) == [SMIRNOVA]
    assert ids(store.unfinished()) == [KUZNETSOVA, YOLKINA]
    meta = store.meta()
    assert meta["schema_version"] == SCHEMA_VERSION
    assert [(m["from"], m["to"]) for m in meta["migrations"]] == [(1, 2)]


def test_the_fixture_is_a_schema_1_directory():
    meta = json.loads((FIXTURE / "sobesednik.json").read_text("utf-8"))
    assert meta["meta"]["1"]["schema_version"] == 1
    assert len(meta["interviews"]) == 3  # the old single index
    assert sorted(p.name for p in (FIXTURE / "interviews").iterdir()) == [f"{i}.json" for i in ALL]


def test_opening_a_schema_1_directory_migrates_it_in_place(root):
    store = Store(root)
    assert_fully_migrated(root, store)
    complete = store.load(SMIRNOVA)
    assert complete.status == COMPLETE
    (old_plan,) = old_interview(SMIRNOVA)["plans"].values()
    assert [p["markdown"] for p in complete.plans] == [old_plan["markdown"]]
    assert complete.plans[0]["markdown"].startswith("# Индивидуальный план")
    assert store.load(YOLKINA).status == DRAFT
    # The old index left the meta file; the new one is in index/.
    assert "interviews" not in json.loads((root / "sobesednik.json").read_text("utf-8"))
    assert [s.id for s in store.unfinished()] == [KUZNETSOVA, YOLKINA]
    events = store.audit_events()
    assert [e["action"] for e in events] == ["migrate"]
    store.close()


def test_a_backup_of_the_schema_1_files_is_kept_byte_for_byte(root):
    Store(root).close()
    (backup,) = (root / "backups").iterdir()
    assert backup.name.startswith("schema-1-")
    assert tree(backup) == tree(FIXTURE)
    assert Store(root).meta()["migrations"][0]["backup"] == str(backup)


def test_a_schema_1_directory_that_lost_its_meta_file_is_migrated(root):
    (root / "sobesednik.json").unlink()
    store = Store(root)
    for iid in ALL:
        assert store.load(iid).answers == old_answers(iid)
    assert ids(store.find("Кузнецова")) == [KUZNETSOVA]
    assert store.meta()["schema_version"] == SCHEMA_VERSION


def crash_after_first_move(monkeypatch):
    real = migrations.forget
    moved = []

    def forget(path):
        real(path)
        moved.append(path)
        raise Crash

    monkeypatch.setattr(migrations, "forget", forget)


def crash_in_index(monkeypatch):
    def rebuild_index(self, **kw):
        raise Crash

    monkeypatch.setattr(Store, "rebuild_index", rebuild_index)


def crash_before_meta(monkeypatch):
    def set_meta(self, **fields):
        raise Crash

    monkeypatch.setattr(Store, "set_meta", set_meta)


@pytest.mark.parametrize("crash", [crash_after_first_move, crash_in_index, crash_before_meta])
def test_a_migration_cut_short_is_finished_by_the_next_open(root, monkeypatch, crash):
    crash(monkeypatch)
    with pytest.raises(Crash):
        Store(root)
    monkeypatch.undo()
    # The version changes only when the step has finished.
    assert json.loads((root / "sobesednik.json").read_text("utf-8"))["meta"]["1"]["schema_version"] == 1
    if crash is crash_after_first_move:
        assert (root / "interviews" / "202610" / f"{SMIRNOVA}.json").is_file()
        assert (root / "interviews" / f"{YOLKINA}.json").is_file()
    store = Store(root)
    assert_fully_migrated(root, store)
    # The first backup, made before anything moved, is the untouched schema-1 directory.
    first = sorted((root / "backups").iterdir())[0]
    assert tree(first) == tree(FIXTURE)
    store.close()


def test_a_full_disk_during_the_migration_says_so_and_loses_nothing(root, monkeypatch):
    real = os.replace
    calls = []

    def replace(src, dst):
        calls.append(src)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(migrations.os, "replace", replace)
    with pytest.raises(StoreError) as info:
        Store(root)
    monkeypatch.undo()
    message = str(info.value)
    assert "со схемы 1 не завершено" in message and "Данные не потеряны" in message
    (backup,) = (root / "backups").iterdir()
    assert str(backup) in message
    assert_fully_migrated(root, Store(root))


def test_a_directory_from_a_newer_version_is_refused_and_left_alone(root):
    meta_path = root / "sobesednik.json"
    data = json.loads(meta_path.read_text("utf-8"))
    data["meta"]["1"]["schema_version"] = SCHEMA_VERSION + 1
    meta_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    before = tree(root)
    with pytest.raises(StoreError) as info:
        Store(root)
    assert str(info.value) == (
        f"Каталог данных {root} создан более новой версией Собеседника "
        f"(схема {SCHEMA_VERSION + 1}, эта версия понимает {SCHEMA_VERSION}). Обновите программу."
    )
    after = tree(root)
    # Only the store's lock file appears; nothing is moved, backed up or rewritten.
    after.pop(".lock")
    assert after == before


# ------------------------------------------------------------- links and special files (issue 10)


def test_a_migration_never_copies_what_a_symbolic_link_points_to(root, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "shadow").write_text("секрет системы\n", "utf-8")
    (root / "interviews" / "scan.pdf").symlink_to(outside / "shadow")
    (root / "notes").symlink_to(outside, target_is_directory=True)
    before = tree(root)
    with pytest.raises(StoreError) as caught:
        Store(root)
    message = str(caught.value)
    assert "символическая ссылка" in message
    assert "interviews/scan.pdf" in message and "notes" in message
    copied = list((root / "backups").rglob("*")) if (root / "backups").exists() else []
    assert not copied  # nothing was copied (the link's target least of all): not started
    assert {k: v for k, v in tree(root).items() if not k.startswith(".lock")} == {
        k: v for k, v in before.items() if not k.startswith(".lock")}
    assert (outside / "shadow").read_text("utf-8") == "секрет системы\n"


def test_a_migration_never_copies_a_device_or_a_pipe(root):
    os.mkfifo(root / "interviews" / "pipe")
    node = root / "zero"
    try:
        os.mknod(node, 0o600 | stat.S_IFCHR, os.makedev(1, 3))  # /dev/null: harmless if read
    except OSError:
        node = None
    with pytest.raises(StoreError) as caught:
        Store(root)
    message = str(caught.value)
    assert "interviews/pipe" in message and "не обычный файл" in message
    if node is not None:
        assert "zero" in message
    assert not (root / "backups").exists() or not list((root / "backups").rglob("*"))
