"""This process's index journal: since when its index writes may not be on disk yet.

Index buckets are written without fsync; before the first such write a process notes
durably, in its own journal file ``index/journal/<pid>-<random>.log``, a time T: every
interview file whose entries it may have left unsynced since was written after T. A
checkpoint syncs the buckets and moves T on; a normal end deletes the journal. The next
process to open the store indexes again the interviews written since T of every journal
whose process is gone (it held a lock on it while alive). So no identity answer waits for
more than the durable write of its own interview file.

The journal is one line of fixed width, ``since <T in ns>``, rewritten in place and
fdatasynced, then any interviews named one per line to be indexed again whatever their
file's time (a deletion: its index entries go before its file). An older store wrote ids
only; :func:`parse` reads both.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import os
import secrets
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from tui.fs import fsync_dir, open_regular
from tui.store.errors import StoreError, describe_os_error
from tui.store.layout import IID, make_dirs

#: File times come from the kernel's coarse clock, which lags ``time.time_ns()`` by up to a
#: tick: times compared with file times keep this margin.
CLOCK_MARGIN_NS = 2_000_000_000


class Journal:
    """The journal of this process, made at its first unsynced index write.

    ``at_exit`` is registered to run at a normal end of the process once the journal
    exists (it syncs the buckets and deletes the journal)."""

    def __init__(self, root: Path, at_exit: Callable[[], None]) -> None:
        self.root = root
        self._at_exit = at_exit
        self._fd: int | None = None
        #: The journal file, once it is made.
        self.path: Path | None = None
        self._since = 0  # T, as noted in the journal
        self._end = 0  # its length: T, then any interviews named one by one

    @property
    def is_open(self) -> bool:
        return self._fd is not None

    def _where(self) -> Path:
        return self.path or self.root / "index"

    def note(self) -> None:
        """Before an unsynced index write: make the journal if there is none, and keep T
        before now (the clock may have been set back)."""
        now = time.time_ns()
        if self._fd is not None and now >= self._since:
            return
        since = now - CLOCK_MARGIN_NS
        try:
            if self._fd is None:
                self._open(since)
            else:  # the clock was set back: T must stay before every later write
                self._write_since(since)
        except OSError as exc:
            raise StoreError(describe_os_error(exc, self._where())) from exc

    def _open(self, since: int) -> None:
        folder = make_dirs(self.root / "index" / "journal")
        path = folder / f"{os.getpid()}-{secrets.token_hex(4)}.log"
        self.path = path
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            # Held while alive. Blocking: `doctor` may be testing it for an instant; a
            # replay cannot meet it, as it runs under the writers' lock held here.
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._fd = fd
            self._write_since(since)
            fsync_dir(folder)
        except OSError:
            self._fd = None
            os.close(fd)
            with contextlib.suppress(OSError):
                path.unlink()
            raise
        atexit.register(self._at_exit)  # a normal end syncs the buckets

    def _write_since(self, since: int, *, drop_names: bool = False) -> None:
        """Write T over the journal (one short line of fixed width, fsynced); with
        ``drop_names`` (a checkpoint: their index writes are synced) the interviews named
        after it go."""
        assert self._fd is not None
        line = f"since {since:020d}\n".encode()
        os.pwrite(self._fd, line, 0)
        if drop_names or not self._end:
            os.ftruncate(self._fd, len(line))
            self._end = len(line)
        os.fdatasync(self._fd)
        self._since = since

    def name(self, iid: str) -> None:
        """Name one interview in the journal, to be indexed again whatever its file's time."""
        assert self._fd is not None
        line = f"{iid}\n".encode()
        try:
            os.pwrite(self._fd, line, self._end)
            os.fdatasync(self._fd)
        except OSError as exc:
            raise StoreError(describe_os_error(exc, self._where())) from exc
        self._end += len(line)

    def move_on(self, since: int) -> None:
        """At a checkpoint (the index writes made so far are synced): T becomes ``since``
        and the interviews named go. Raises OSError."""
        if self._fd is not None:
            self._write_since(since, drop_names=True)

    def close(self, *, keep: bool) -> None:
        """Close the journal (which unlocks it); delete it unless ``keep`` (an index write
        failed: the next process to open the store replays it)."""
        if self._fd is None:
            return
        os.close(self._fd)
        self._fd = None
        if self.path is not None and not keep:
            self.path.unlink()


def parse(raw: bytes) -> tuple[int | None, set[str]]:
    """(T, ids) of a journal: the time since which its process's index writes may be lost,
    and ids named one per line (by a deletion, or by an earlier version of the store). A
    journal that cannot be read gives T = 0: every interview is indexed again."""
    since: int | None = None
    iids: set[str] = set()
    try:
        words = raw.decode("ascii").split()
    except UnicodeDecodeError:
        return 0, iids
    for i, word in enumerate(words):
        if word == "since" and i + 1 < len(words) and words[i + 1].isdigit():
            since = int(words[i + 1])
        elif IID.match(word):
            iids.add(word)
        elif not word.isdigit():
            return 0, iids
    return since, iids


def dead_journals(folder: Path, *, skip: Path | None = None, lenient: bool = False) -> Iterator[Path]:
    """The journals in ``folder`` left by processes that ended without syncing their
    index buckets (a live process holds a lock on its journal), by name; each is held
    (locked) until the caller asks for the next. ``skip``: this process's own journal.
    ``lenient``: a journal that cannot be opened is passed over instead of raising
    OSError. Taking the lock changes nothing on disk."""
    for path in sorted(folder.glob("*.log")):
        if path == skip:
            continue
        try:
            fd = open_regular(path)
        except FileNotFoundError:
            continue
        except OSError:
            if lenient:
                continue
            raise
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # its process is alive and keeps its own journal
            yield path
        finally:
            os.close(fd)
