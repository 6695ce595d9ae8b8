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
import stat
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from tui.fs import NotRegularFileError, file_kind, open_regular, replacing
from tui.store.errors import StoreError, describe_os_error, os_reason
from tui.store.layout import DOCUMENTS_DIR, META_FILE, SETTINGS_FILE, links_message, make_dirs

if TYPE_CHECKING:
    from tui.store.store import Store

#: What a backup holds, relative to the data directory (the index is rebuilt, leases,
#: the lock, temporary files and earlier backups are left out): the centre's settings and
#: the documents handed out are kept with the interviews.
BACKUP_PARTS = (META_FILE, "interviews", "audit", "damaged", SETTINGS_FILE, DOCUMENTS_DIR)


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
    #: (path relative to the data directory, why) of what could not be read: not in the copy
    skipped: list[tuple[str, str]] = field(default_factory=list)


def default_backup_name(now: datetime | None = None) -> str:
    return f"sobesednik-{(now or datetime.now()):%Y%m%d-%H%M%S}.tar.gz"


def backup(store: Store, out: Path | None = None, *, by: str) -> BackupResult:
    """A ``.tar.gz`` of the data directory: meta, interviews, audit trail and the files
    ``doctor`` set aside; not the index (rebuilt from the interviews), leases, the lock,
    temporary files or earlier backups. Written owner-only under a temporary name and
    renamed when complete; no write lock is held, each file is read whole at once.

    A symbolic link among what it would hold refuses the whole backup (:class:`StoreError`
    naming each): a copy that silently lacks data, or holds a file from outside the data
    directory, is worse than none. A file or folder that cannot be read is left out and
    named in :attr:`BackupResult.skipped`; the rest is still copied."""
    links = [rel for rel, _ in _entries(store.root) if rel.startswith("link:")]
    if links:
        raise StoreError(links_message(store.root, [rel[5:] for rel in links])
                         + " Резервная копия не сделана.")
    target = _target(store, out)
    result = BackupResult(target, 0, 0)
    try:
        with replacing(target) as fd:
            with open(fd, "wb", closefd=False) as raw:
                with ArchiveFile.open(fileobj=raw, mode="w:gz") as tar:
                    for arcname, path in _entries(store.root):
                        _add(tar, arcname, path, result)
                        tar.members.clear()  # kept only for listing: memory stays flat
    except OSError as exc:
        raise StoreError(describe_os_error(exc, target, "записать резервную копию в")) from exc
    result.size = target.stat().st_size
    store.audit("backup", by, files=result.files, path=str(target), skipped=len(result.skipped))
    return result


def _target(store: Store, out: Path | None) -> Path:
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
    return target


def _entries(root: Path) -> Iterator[tuple[str, Path | OSError]]:
    """(name in the archive, path) of each folder and file to keep, folders first; a
    symbolic link comes as ``link:<name>``, never followed; a folder that cannot be
    listed comes with the error instead of its path."""
    for part in BACKUP_PARTS:
        base = root / part
        try:
            st = os.lstat(base)
        except FileNotFoundError:
            continue
        except OSError as exc:
            yield part, exc
            continue
        if stat.S_ISLNK(st.st_mode):
            yield f"link:{part}", base
        elif stat.S_ISDIR(st.st_mode):
            yield from _folder(root, base)
        elif stat.S_ISREG(st.st_mode):
            yield part, base
        else:
            yield part, NotRegularFileError(base, file_kind(st.st_mode))


def _folder(root: Path, folder: Path) -> Iterator[tuple[str, Path | OSError]]:
    rel = folder.relative_to(root).as_posix()
    try:
        with os.scandir(folder) as found:
            entries = sorted(found, key=lambda e: e.name)
    except OSError as exc:
        yield rel, exc
        return
    yield rel, folder
    for entry in entries:
        if entry.name.startswith("."):  # temporary files of atomic writes
            continue
        if entry.is_symlink():
            yield f"link:{rel}/{entry.name}", Path(entry.path)
        elif entry.is_dir(follow_symlinks=False):
            yield from _folder(root, Path(entry.path))
        elif entry.is_file(follow_symlinks=False):
            yield f"{rel}/{entry.name}", Path(entry.path)
        else:  # a named pipe, a device, a socket: never read, named as left out
            yield f"{rel}/{entry.name}", NotRegularFileError(entry.path, _kind(entry))


def _kind(entry: os.DirEntry[str]) -> str:
    try:
        return file_kind(entry.stat(follow_symlinks=False).st_mode)
    except OSError:
        return "other"


def _open(path: Path) -> int:
    """A descriptor of the regular file or the folder ``path`` itself (never a link, a
    pipe or a device)."""
    try:
        return open_regular(path)
    except IsADirectoryError:
        return os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_DIRECTORY)


def _add(tar: tarfile.TarFile, arcname: str, path: Path | OSError, result: BackupResult) -> None:
    if isinstance(path, OSError):
        result.skipped.append((arcname, os_reason(path, folder=True)))
        return
    info = tarfile.TarInfo(arcname)
    info.uid, info.gid = os.getuid(), os.getgid()
    try:
        fd = _open(path)
    except FileNotFoundError:
        return  # removed since the folder was listed (discarded, purged)
    except OSError as exc:
        result.skipped.append((arcname, os_reason(exc)))
        return
    try:
        st = os.fstat(fd)
        data = b"" if stat.S_ISDIR(st.st_mode) else _read_all(fd)
    except OSError as exc:
        result.skipped.append((arcname, os_reason(exc)))
        return
    finally:
        os.close(fd)
    info.mtime = int(st.st_mtime)
    if stat.S_ISDIR(st.st_mode):
        info.type, info.mode = tarfile.DIRTYPE, 0o700
        tar.addfile(info)
        return
    if path.suffix == ".jsonl":
        data = data[: data.rfind(b"\n") + 1]  # an audit line being appended right now
    info.size, info.mode = len(data), 0o600
    tar.addfile(info, io.BytesIO(data))
    result.files += 1


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)
