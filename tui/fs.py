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
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path


def fsync_dir(path: Path) -> None:
    """fsync a folder (or a file: the same call)."""
    dir_fd = os.open(path, os.O_RDONLY)
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


def read_nofollow(path: Path) -> bytes:
    """The bytes of the file ``path``, never through a symbolic link (``OSError`` with
    ``ELOOP`` for a link)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def chmod_nofollow(path: Path, mode: int) -> None:
    """Set the permissions of the file or folder ``path`` itself, never of what a symbolic
    link there points to (``OSError`` with ``ELOOP`` for a link)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    try:
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
