"""Leases: an interview held open by one process (``leases/<id>.lock``, ``flock``).

Two windows must not write one interview: the window that opens it takes its lease, and
another process trying the same is told who has it (:class:`InterviewBusyError`). The
lock goes with the process, even one that crashed, so a lease never outlives its window.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
from pathlib import Path
from typing import Any

from tui.fs import open_regular
from tui.store.errors import InterviewBusyError, StoreError, describe_os_error
from tui.store.layout import interview_path, make_dirs, now_iso


class Lease:
    """An interview held open by this process; other processes get :class:`InterviewBusyError`.

    Released, it leaves no file behind: the lease file names the inspector and the host,
    which nothing needs once the interview is closed."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self, *, remove: bool = True) -> None:
        """Let the interview go. The file is removed while still locked (a process that
        opened it meanwhile sees, once it has the lock, that the file is gone and takes a
        new one: see :func:`take_lease`); ``remove=False`` keeps it (a process ending)."""
        if self._fd is None:
            return
        if remove:
            with contextlib.suppress(OSError):
                if os.fstat(self._fd).st_ino == os.lstat(self.path).st_ino:
                    self.path.unlink()
        with contextlib.suppress(OSError):
            os.close(self._fd)
        self._fd = None

    def __del__(self) -> None:  # the session is dropped: as a release
        self.release()


def lease_path(root: Path, iid: str) -> Path:
    return root / "leases" / f"{iid}.lock"


#: Tries of a lease file that its holder removed while this process was opening it.
_TRIES = 20


def take_lease(root: Path, iid: str, *, inspector: str, mode: str) -> Lease:
    """Hold interview ``iid`` of the data directory ``root`` open for this process until
    the lease is released or the process ends; another process trying the same gets
    :class:`InterviewBusyError`, which names the holder."""
    interview_path(root, iid)  # validates the id
    path = make_dirs(root / "leases") / f"{iid}.lock"
    for _ in range(_TRIES):
        fd = _locked(path)
        if fd is not None:
            break
    else:
        raise StoreError(f"Не удалось открыть {path}: файл всё время удаляется другим процессом.")
    info = json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "inspector": inspector,
                       "mode": mode, "since": now_iso()}, ensure_ascii=False).encode()
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
        os.pwrite(fd, info, 0)
    return Lease(path, fd)


def _locked(path: Path) -> int | None:
    """The lease file at ``path``, opened and locked by this process; ``None`` when the
    file locked was removed by its last holder meanwhile (try again)."""
    try:
        fd = open_regular(path, os.O_RDWR | os.O_CREAT)
    except OSError as exc:
        raise StoreError(describe_os_error(exc, path, "открыть")) from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder: Any = {}
        with contextlib.suppress(OSError, ValueError):
            holder = json.loads(os.pread(fd, 4096, 0).decode("utf-8") or "{}")
        os.close(fd)
        raise InterviewBusyError(_busy_message(holder if isinstance(holder, dict) else {})) from None
    try:
        current = os.lstat(path).st_ino
    except FileNotFoundError:
        current = None
    if current != os.fstat(fd).st_ino:
        os.close(fd)
        return None
    return fd


def _busy_message(holder: dict[str, Any]) -> str:
    who = "терминал самообслуживания" if holder.get("mode") == "kiosk" else (
        f"инспектор {holder.get('inspector')}" if holder.get("inspector") else "другой процесс"
    )
    since = str(holder.get("since") or "")[11:16]
    return (
        f"Это интервью сейчас открыто в другом окне ({who}"
        f"{', с ' + since if since else ''}, процесс {holder.get('pid', '?')}). "
        "Закройте его там, чтобы продолжить здесь: два окна не пишут одно интервью."
    )
