"""Backup: a ``.tar.gz`` of a data directory, made while interviews run.

The archive holds the meta file, the interviews, the audit trail and the files ``doctor``
set aside; not the index (rebuilt from the interviews when the copy is opened), leases,
the lock, temporary files or earlier backups. No write lock is held: each file is read
whole at once (every store file is replaced atomically). The archive is written
owner-only under a temporary name and appears under its own only when complete and on
disk (:func:`tui.fs.replacing`).
"""

from __future__ import annotations

import io
import os
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from tui.fs import replacing
from tui.store.errors import StoreError, describe_os_error
from tui.store.layout import META_FILE, make_dirs

if TYPE_CHECKING:
    from tui.store.store import Store

#: What a backup holds, relative to the data directory (the index is rebuilt, leases,
#: the lock, temporary files and earlier backups are left out).
BACKUP_PARTS = (META_FILE, "interviews", "audit", "damaged")


class ArchiveFile(tarfile.TarFile):
    """A tar archive read or written as a stream, member by member.

    ``TarFile`` keeps every member it has read or written in its (undocumented, and so
    untyped) list ``members``, which only listing needs; declared here so that a stream
    can empty it after each member and keep memory flat (``tar.members.clear()``)."""

    members: list[tarfile.TarInfo]


@dataclass
class BackupResult:
    path: Path
    files: int
    size: int


def default_backup_name(now: datetime | None = None) -> str:
    return f"sobesednik-{(now or datetime.now()):%Y%m%d-%H%M%S}.tar.gz"


def backup(store: Store, out: Path | None = None, *, by: str) -> BackupResult:
    """A ``.tar.gz`` of the data directory: meta, interviews, audit trail and the files
    ``doctor`` set aside; not the index (rebuilt from the interviews), leases, the lock,
    temporary files or earlier backups. Written owner-only under a temporary name and
    renamed when complete; no write lock is held, each file is read whole at once."""
    if out is None:
        target = make_dirs(store.root / "backups") / default_backup_name()
    elif out.is_dir():
        target = out / default_backup_name()
    else:
        target = out
    if not target.parent.is_dir():
        raise StoreError(f"Нет каталога {target.parent}: резервная копия не записана.")
    if target.exists():
        raise StoreError(f"Файл {target} уже есть: резервная копия не перезаписывает файлы. "
                         "Укажите другое имя (--out).")
    files = 0
    try:
        with replacing(target) as fd:
            with open(fd, "wb", closefd=False) as raw:
                with ArchiveFile.open(fileobj=raw, mode="w:gz") as tar:
                    for arcname, path in _backup_entries(store.root):
                        files += _add_to_archive(tar, arcname, path)
                        tar.members.clear()  # kept only for listing: memory stays flat
    except OSError as exc:
        raise StoreError(describe_os_error(exc, target, "записать резервную копию в")) from exc
    size = target.stat().st_size
    store.audit("backup", by, files=files, path=str(target))
    return BackupResult(target, files, size)


def _backup_entries(root: Path) -> Iterator[tuple[str, Path]]:
    """(name in the archive, path) of each folder and file to keep, folders first."""
    for part in BACKUP_PARTS:
        base = root / part
        if base.is_file():
            yield part, base
            continue
        if not base.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            folder = Path(dirpath)
            yield folder.relative_to(root).as_posix(), folder
            for name in sorted(filenames):
                if not name.startswith("."):  # temporary files of atomic writes
                    yield (folder / name).relative_to(root).as_posix(), folder / name


def _add_to_archive(tar: tarfile.TarFile, arcname: str, path: Path) -> int:
    info = tarfile.TarInfo(arcname)
    info.uid, info.gid = os.getuid(), os.getgid()
    if path.is_dir():
        info.type, info.mode = tarfile.DIRTYPE, 0o700
        info.mtime = int(path.stat().st_mtime)
        tar.addfile(info)
        return 0
    try:
        with open(path, "rb") as f:
            data = f.read()
            info.mtime = int(os.fstat(f.fileno()).st_mtime)
    except FileNotFoundError:
        return 0  # removed since the folder was listed (discarded, purged)
    except OSError as exc:
        raise StoreError(describe_os_error(exc, path, "прочитать")) from exc
    if path.suffix == ".jsonl":
        data = data[: data.rfind(b"\n") + 1]  # an audit line being appended right now
    info.size, info.mode = len(data), 0o600
    tar.addfile(info, io.BytesIO(data))
    return 1
