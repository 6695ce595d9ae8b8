"""Upgrading an older data directory in place, keeping a backup of it first.

Each step moves the directory from one schema version to the next. A step may be cut
short by a crash at any point: the version in ``sobesednik.json`` changes only when the
step has finished, and running the step again completes it.

* 1 → 2: interview files move from ``interviews/<id>.json`` into month folders
  ``interviews/<yyyymm>/<id>.json``; the single index in ``sobesednik.json`` (read and
  rewritten whole on every change) gives way to the sharded ``index/`` folder.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from tui.fs import atomic_write, file_kind, fsync_dir
from tui.store.errors import KINDS, StoreError, describe_os_error
from tui.store.files import dump_json, forget, read_json
from tui.store.layout import SCHEMA_VERSION, is_iid, links_message, now_iso

if TYPE_CHECKING:
    from tui.store.store import Store


#: What a backup before a migration leaves out (earlier backups, what doctor set aside,
#: leases, the lock; leftovers of an index rebuild start with ``.index``).
_NOT_COPIED = {"backups", "damaged", "leases", ".lock"}


def _copied(root: Path) -> list[Path]:
    return [e for e in root.iterdir() if e.name not in _NOT_COPIED and not e.name.startswith(".index")]


def _uncopyable(root: Path) -> tuple[list[str], list[str]]:
    """The symbolic links, and the named pipes, devices and sockets, among what the backup
    would copy (relative paths): a link would be copied as what it points to (a file
    outside, ``/dev/zero``), a device read without end."""
    links: list[str] = []
    special: list[str] = []
    stack = _copied(root)
    while stack:
        path = stack.pop()
        st = os.lstat(path)
        rel = path.relative_to(root).as_posix()
        if stat.S_ISLNK(st.st_mode):
            links.append(rel)
        elif stat.S_ISDIR(st.st_mode):
            stack += list(path.iterdir())
        elif not stat.S_ISREG(st.st_mode):
            special.append(f"{rel} ({KINDS[file_kind(st.st_mode)]})")
    return sorted(links), sorted(special)


def _refuse_uncopyable(store: Store, version: int) -> None:
    try:
        links, special = _uncopyable(store.root)
    except OSError as exc:
        raise StoreError(f"Обновление каталога данных {store.root} не начато: "
                         f"{describe_os_error(exc, Path(exc.filename or store.root), 'прочитать')}") from exc
    if not links and not special:
        return
    why = f"обновление со схемы {version} не начато, ничего не изменено."
    if links:
        raise StoreError(f"{links_message(store.root, links)} {why.capitalize()}")
    raise StoreError(f"В каталоге данных {store.root} не обычный файл: {', '.join(special)}. "
                     "Собеседник такие файлы не копирует и не открывает; удалите их (проверка: "
                     f"sobesednik doctor --check-only). {why.capitalize()}")


def backup_dir(store: Store, version: int) -> Path:
    """Copy everything but earlier backups to ``backups/schema-<version>-<time>``. A
    symbolic link or a special file among it stops the migration before anything is
    copied or changed (:class:`StoreError` naming each)."""
    _refuse_uncopyable(store, version)
    base = store.root / "backups"
    name = f"schema-{version}-{datetime.now():%Y%m%d-%H%M%S}"
    dest = base / name
    try:
        base.mkdir(mode=0o700, exist_ok=True)
        # A migration cut short and run again within the same second makes a second backup
        # (the first one, of the untouched directory, is kept as it is).
        n = 1
        while dest.exists():
            n += 1
            dest = base / f"{name}-{n}"
        dest.mkdir(mode=0o700)
        for entry in _copied(store.root):
            target = dest / entry.name
            # Links (none were found just now) would be copied as links, never followed.
            if entry.is_dir() and not entry.is_symlink():
                shutil.copytree(entry, target, symlinks=True)
            else:
                shutil.copy2(entry, target, follow_symlinks=False)
    except OSError as exc:
        raise StoreError(
            f"Обновление каталога данных {store.root} остановлено: не удалось сделать "
            f"резервную копию. {describe_os_error(exc, dest)}"
        ) from exc
    return dest


def _one_to_two(store: Store) -> None:
    base = store.root / "interviews"
    moved = 0
    for path in sorted(base.glob("*.json")) if base.is_dir() else []:
        target = store.interview_path(path.stem) if is_iid(path.stem) else None
        if target is None:
            continue  # not an interview file; doctor reports it
        target.parent.mkdir(mode=0o700, exist_ok=True)
        os.replace(path, target)
        forget(path)
        moved += 1
    if base.is_dir():
        for month in base.iterdir():
            if month.is_dir():
                fsync_dir(month)
        fsync_dir(base)
    # The old index table in sobesednik.json is dropped; rebuild_index makes index/.
    meta_path = store.meta_path
    data = read_json(meta_path) if meta_path.exists() else {}
    if not isinstance(data, dict):
        data = {}
    meta = dict((data.get("meta") or {}).get("1") or {})
    meta["schema_version"] = 1  # until the step is done: a crash before that runs it again
    atomic_write(meta_path, dump_json({"meta": {"1": meta}}))
    forget(meta_path)
    store.rebuild_index()


STEPS: dict[int, Callable[[Store], None]] = {1: _one_to_two}


def migrate(store: Store, version: int) -> None:
    """Bring ``store`` from ``version`` to the current schema (called under its lock)."""
    backup = backup_dir(store, version)
    done: list[dict[str, object]] = []
    while version < SCHEMA_VERSION:
        step = STEPS.get(version)
        if step is None:
            raise StoreError(
                f"Каталог данных {store.root}: схема {version} не поддерживается. "
                "Проверьте его командой «sobesednik doctor»."
            )
        try:
            step(store)
        except OSError as exc:
            raise StoreError(
                f"Обновление каталога данных {store.root} со схемы {version} не завершено: "
                f"{exc.strerror or exc}. Данные не потеряны, копия: {backup}."
            ) from exc
        done.append({"from": version, "to": version + 1, "at": now_iso(), "backup": str(backup)})
        version += 1
    previous = store.meta().get("migrations") or []
    store.set_meta(schema_version=SCHEMA_VERSION, migrations=[*previous, *done])
    store.audit("migrate", "sobesednik", to=SCHEMA_VERSION, backup=str(backup))
