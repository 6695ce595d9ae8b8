"""The writers' lock of a data directory: ``<data dir>/.lock``, taken with ``flock``.

Writers (every process that changes a file of the store, ``doctor`` included) hold it for
the few milliseconds of a write; readers take no lock, as no file is ever seen
half-written. The holder writes its pid and since when into the file, so a writer that
waits longer than the timeout is told who holds it («занят другим процессом …») and its
change is not made; the holder blanks the line before it lets go, so a program that takes
the lock without writing there is never blamed on an earlier holder.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from pathlib import Path
from types import TracebackType

from tui.fs import open_regular
from tui.store.errors import StoreError, describe_os_error

#: Seconds a writer waits for another process's short write before saying so.
LOCK_TIMEOUT = 10.0
#: What the busy message says of a save that could not wait (the store's writes).
ANSWER_NOT_SAVED = "Ответ не сохранён; повторите, когда тот процесс закончит."
#: Seconds between two tries of a lock held by another process.
_POLL = 0.005


class WritersLock:
    """The lock on ``<root>/.lock``, re-entrant within this object: ``with lock:``.

    ``then`` ends the message of a writer that waited longer than ``timeout``."""

    def __init__(self, root: Path, timeout: float = LOCK_TIMEOUT, *, then: str = ANSWER_NOT_SAVED) -> None:
        self.root = root
        self.path = root / ".lock"
        self.timeout = timeout
        self.then = then
        self._depth = 0
        try:
            self._fd = open_regular(self.path, os.O_RDWR | os.O_CREAT)
        except OSError as exc:
            raise StoreError(describe_os_error(exc, self.path, "открыть")) from exc

    @property
    def held(self) -> bool:
        return self._depth > 0

    @property
    def is_open(self) -> bool:
        return self._fd >= 0

    def __enter__(self) -> None:
        if self._depth:
            self._depth += 1
            return
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreError(self._busy_message()) from None
                time.sleep(_POLL)
        with contextlib.suppress(OSError):
            os.pwrite(self._fd, f"{os.getpid():>10} {int(time.time()):>12}\n".encode(), 0)
        self._depth = 1

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._depth > 1:
            self._depth -= 1
            return
        self._depth = 0
        with contextlib.suppress(OSError):  # not ours any more: never blame us for a holder
            os.pwrite(self._fd, b" " * 24 + b"\n", 0)
        fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _busy_message(self) -> str:
        holder = ""
        with contextlib.suppress(OSError, ValueError):
            pid, since = os.pread(self._fd, 64, 0).split()[:2]
            held = time.strftime("%H:%M:%S", time.localtime(int(since)))
            holder = f" (процесс {int(pid)}, с {held})"
        return (
            f"Каталог данных {self.root} занят другим процессом{holder} дольше "
            f"{self.timeout:g} с. {self.then}"
        )

    def close(self) -> None:
        """Close the lock file (a lock still held is let go with it)."""
        if self._fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._fd)
        self._fd = -1
