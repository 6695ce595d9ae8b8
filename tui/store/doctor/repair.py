"""The plumbing every repair of ``doctor`` shares: the findings of the run, the store
opened at the first repair (a check alone never opens it), the writers' lock (before a
store can be opened too), the run's folder under ``damaged/``, setting a file aside or
moving it, and the temporary files of killed writers.

Without ``repair`` none of this touches the disk. With it, nothing is deleted or
overwritten but temporary files (never acknowledged data) and leftovers of an
interrupted rebuild of the index.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from tui.fs import chmod_nofollow, fsync_dir, is_temp_name
from tui.store.doctor.report import DoctorReport, Finding
from tui.store.errors import StoreError, describe_os_error, os_reason
from tui.store.files import forget
from tui.store.layout import make_dirs
from tui.store.lock import WritersLock
from tui.store.store import Store

#: How a wait for the lock ends, for doctor (no answer is at stake).
RETRY_LATER = "Повторите, когда тот процесс закончит."


class Repairs:
    """One run of ``doctor`` on the data directory ``root``: what it found, and the means
    to repair (``repair``) on behalf of ``by``."""

    def __init__(self, root: Path, repair: bool, by: str) -> None:
        self.root = root
        self.repair = repair
        self.by = by
        self.report = DoctorReport(root, repair)
        self._store: Store | None = None
        self._stamp: Path | None = None
        self._dir_lock: WritersLock | None = None
        #: Symbolic links found in the directory: named, never followed, never repaired.
        self.links: set[Path] = set()
        #: Folders that could not be listed (named once).
        self.unreadable: set[Path] = set()
        #: Named pipes, devices and sockets: named, never opened (removed on repair).
        self.special: set[Path] = set()

    def add(self, path: Path, problem: str, **kw: Any) -> Finding:
        finding = Finding(path, problem, **kw)
        self.report.findings.append(finding)
        return finding

    def rel(self, path: Path) -> str:
        return str(path.relative_to(self.root))

    def skip(self, path: Path) -> bool:
        """Whether ``path`` is a symbolic link, a folder that could not be listed or a pipe
        or device (all named already): it is not read, nor anything through it."""
        return path in self.links or path in self.unreadable or path in self.special

    def listing(self, directory: Path) -> list[str]:
        """The names in ``directory`` by name, without symbolic links and temporary files
        of killed writers (counted, removed on repair: :meth:`temp_files`); a folder that
        cannot be listed is named once and gives no names."""
        if self.skip(directory):
            return []
        try:
            names = sorted(os.listdir(directory))
        except (FileNotFoundError, NotADirectoryError):
            return []
        except OSError as exc:
            self.unreadable.add(directory)
            self.add(directory, os_reason(exc, folder=True))
            return []
        return self.temp_files(directory, [n for n in names if not self.skip(directory / n)])

    # ------------------------------------------------------------ the store and its lock

    def _writable(self) -> None:
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise StoreError(
                f"Каталог данных {self.root} доступен только для чтения: исправить его "
                "нельзя. Проверить без исправлений: sobesednik doctor --check-only."
            )

    def store(self) -> Store:
        """The store, opened at the first repair (a check alone never opens it)."""
        if self._store is None:
            self._writable()
            self._store = Store(self.root)
        return self._store

    @contextlib.contextmanager
    def locked(self) -> Iterator[Store]:
        store = self.store()
        with store.lock:  # the store's own writer lock, held for one repair
            yield store

    @contextlib.contextmanager
    def dir_lock(self) -> Iterator[None]:
        """The store's writer lock before a :class:`Store` can be opened (damaged meta)."""
        if self._store is not None:
            with self._store.lock:
                yield
            return
        if self._dir_lock is not None:  # held: this is a repair within a repair
            with self._dir_lock:
                yield
            return
        self._writable()
        lock = self._dir_lock = WritersLock(self.root, then=RETRY_LATER)
        try:
            with lock:
                yield
        finally:
            self._dir_lock = None
            lock.close()

    @property
    def opened(self) -> Store | None:
        """The store, if a repair opened it."""
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()

    # ------------------------------------------------------------ moving files

    def damaged_dir(self) -> Path:
        """This run's folder ``damaged/<yyyymmdd-HHMMSS>``, made at its first use."""
        if self._stamp is None:
            base = self.root / "damaged"
            stamp = base / datetime.now().strftime("%Y%m%d-%H%M%S")
            n = 1
            while stamp.exists():
                n += 1
                stamp = base / f"{datetime.now():%Y%m%d-%H%M%S}-{n}"
            make_dirs(stamp)
            self._stamp = stamp
            self.report.damaged_dir = stamp
        return self._stamp

    def set_aside(self, path: Path) -> Path:
        """Move ``path`` to ``damaged/<stamp>/<relative path>``; returns where it went."""
        dest = self.damaged_dir() / path.relative_to(self.root)
        make_dirs(dest.parent)
        n = 1
        while dest.exists():
            n += 1
            dest = dest.with_name(f"{path.name}.{n}")
        self.move(path, dest, private=True)
        self.report.set_aside += 1
        return dest

    def move(self, path: Path, dest: Path, *, private: bool = False) -> None:
        """Move ``path`` to ``dest`` (whose folder exists) durably; ``private``: owner-only."""
        try:
            os.replace(path, dest)
            if private:  # never through a symbolic link (none is ever moved)
                _owner_only(dest)
            fsync_dir(dest.parent)
            fsync_dir(path.parent)
        except OSError as exc:
            raise StoreError(describe_os_error(exc, path, "переместить")) from exc
        forget(path)

    # ------------------------------------------------------------ temporary files

    def temp_files(self, directory: Path, names: list[str]) -> list[str]:
        """Temporary files of killed writers among ``names`` in ``directory``: counted,
        removed on repair. Returns the other names."""
        temps = [n for n in names if is_temp_name(n) and (directory / n).is_file()
                 and not (directory / n).is_symlink()]
        if temps:
            self._temp_files(directory, temps)
        return [n for n in names if n not in set(temps)]

    def _temp_files(self, directory: Path, names: list[str]) -> None:
        self.report.temp_files += len(names)
        finding = self.add(directory, f"временных файлов от прерванной записи: {len(names)}")
        if not self.repair:
            return
        removed = 0
        with self.locked():  # no writer of this store is in the middle of a write now
            for name in names:
                try:
                    (directory / name).unlink()
                    removed += 1
                except FileNotFoundError:
                    removed += 1  # its writer finished after all
                except OSError as exc:
                    raise StoreError(describe_os_error(exc, directory / name, "удалить")) from exc
        self.report.temp_removed += removed
        finding.action, finding.fixed = "удалены (это не сохранённые данные)", True


def _owner_only(path: Path) -> None:
    """Make what was set aside at ``path`` its owner's only; a file with other names (a
    hard link, perhaps to a file outside) keeps its mode: ``damaged/`` is the owner's."""
    try:
        chmod_nofollow(path, 0o700 if path.is_dir() and not path.is_symlink() else 0o600)
    except OSError as exc:
        if exc.errno != errno.EMLINK:
            raise
