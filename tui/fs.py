"""Durable file writes, shared by every part (the store, the engine's answer files, plans
saved by the app, exports and backups written by the CLI).

A file is replaced whole and atomically: the new content goes to a temporary file
``.<name>.<random>.tmp`` in the same folder (owner-only), which is fsynced, renamed over
the old file, and then the folder itself is fsynced. A process killed at any moment, or a
disk that fills mid-write, leaves either the old file or the new one, never a torn one,
and never the temporary file once the error has been seen.

Imports nothing of Sobesednik.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path


def fsync_dir(path: Path) -> None:
    """fsync a folder (or a file: the same call; never waiting on a named pipe)."""
    dir_fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def fsync_all(files: Iterable[Path], folders: Iterable[Path] = ()) -> None:
    """fsync each file that still exists, then its folder and ``folders``, each once."""
    synced: set[Path] = set(folders)
    for path in files:
        with contextlib.suppress(FileNotFoundError):
            fsync_dir(path)
            synced.add(path.parent)
    for folder in synced:
        with contextlib.suppress(FileNotFoundError):  # an emptied letter folder, removed
            fsync_dir(folder)


def write_all(fd: int, data: bytes) -> None:
    """``os.write`` until all of ``data`` is written."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class NotRegularFileError(OSError):
    """``path`` is a named pipe, a device or a socket, not a regular file: it is never read
    or written (a pipe would wait for a writer forever, a device read without end).
    ``kind``: ``"fifo"``, ``"device"``, ``"socket"`` or ``"other"``."""

    def __init__(self, path: Path | str, kind: str) -> None:
        super().__init__(errno.EINVAL, f"not a regular file ({kind})", os.fspath(path))
        self.kind = kind


def file_kind(mode: int) -> str:
    """What an ``st_mode`` that is neither a regular file nor a folder is (see
    :class:`NotRegularFileError`)."""
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "other"


def open_regular(path: Path, flags: int = os.O_RDONLY, mode: int = 0o600) -> int:
    """A descriptor of the regular file ``path`` itself (``flags`` as for ``os.open``):
    never through a symbolic link (``OSError`` with ``ELOOP``), never of a named pipe, a
    device or a socket (:class:`NotRegularFileError`; the open never waits on a pipe),
    ``IsADirectoryError`` for a folder. A special file is refused before it is opened
    (opening some devices does something), and again by what was opened (it may have
    been put there meanwhile)."""
    try:
        st = os.lstat(path)
    except OSError:
        pass  # os.open says what is wrong (or makes the file)
    else:
        if not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode) or stat.S_ISLNK(st.st_mode)):
            raise NotRegularFileError(path, file_kind(st.st_mode))
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK | os.O_NOCTTY, mode)
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a socket, or a pipe opened for writing alone
            raise NotRegularFileError(path, _kind_at(path, "socket")) from exc
        raise
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fspath(path))
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFileError(path, file_kind(st.st_mode))
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _kind_at(path: Path, default: str) -> str:
    try:
        return file_kind(os.lstat(path).st_mode)
    except OSError:
        return default


def read_nofollow(path: Path) -> bytes:
    """The bytes of the regular file ``path``, never through a symbolic link (``OSError``
    with ``ELOOP`` for a link) nor of a pipe or device (:class:`NotRegularFileError`)."""
    fd = open_regular(path)
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def chmod_nofollow(path: Path, mode: int) -> None:
    """Set the permissions of the file or folder ``path`` itself, never of what a symbolic
    link there points to (``OSError`` with ``ELOOP`` for a link), nor of a file that has
    other names (``OSError`` with ``EMLINK``: a hard link may be a file elsewhere)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK | os.O_NOCTTY)
    try:
        st = os.fstat(fd)
        if not stat.S_ISDIR(st.st_mode) and st.st_nlink > 1:
            raise OSError(errno.EMLINK, "the file has other names (hard links)", os.fspath(path))
        os.fchmod(fd, mode)
    finally:
        os.close(fd)


def is_temp_name(name: str) -> bool:
    """A temporary file of :func:`replacing` (``.<name>.<random>.tmp``)."""
    return name.startswith(".") and name.endswith(".tmp")


@contextlib.contextmanager
def replacing(path: Path, *, durable: bool = True) -> Iterator[int]:
    """Write ``path`` anew through a temporary file: yields its descriptor, then (unless
    the block raised) fsyncs it, renames it over ``path`` and fsyncs the folder. With
    ``durable=False`` the fsyncs are skipped: the file survives the process being killed
    but not a power cut, which suits derived files that can be rebuilt. On any error the
    temporary file is removed and the error goes on. A caller that wraps the descriptor
    in a file object opens it with ``closefd=False`` and flushes it inside the block."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        try:
            yield fd
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if durable:
        fsync_dir(path.parent)


def atomic_write(path: Path, text: str | bytes, *, durable: bool = True) -> None:
    """Replace ``path`` with ``text`` atomically (owner-only permissions); see
    :func:`replacing` for ``durable``."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    with replacing(path, durable=durable) as fd:
        write_all(fd, data)
