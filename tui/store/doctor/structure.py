"""``doctor``'s check of the data directory as a whole, before its files are read.

* Symbolic links, anywhere in it: named, never followed, never moved or changed (the
  store refuses them too). One among the store's own entries (``index``, ``.lock``,
  ``damaged`` …) stops every repair of the run: a repair would go through it.
* Folders that cannot be listed: named.
* The store's own entries of the wrong kind: ``.lock`` that is not a file, ``audit``,
  ``leases`` or an index folder that is not a folder. On repair each is set aside in
  ``damaged/`` (the store then makes it anew; the index is rebuilt).
* A data directory that is read-only: nothing can be saved there (no repair is tried).
* Named pipes, devices and sockets, anywhere in it: named as what they are (the store
  never opens one); on repair their names are removed (nothing is read, nothing behind a
  device is touched).
* Permissions wider than the owner's (a ``chmod -R`` by hand): narrowed on repair to
  0600 for files and 0700 for folders, never through a symbolic link, and never of a file
  with other names (a hard link may be a file outside the data directory: named instead).
* Lease files left by processes that ended (they name the inspector and the host):
  removed on repair.
* ``settings.yaml`` (the centre's details, :mod:`tui.store.settings`): a folder in its
  place is set aside on repair; a file that does not read is named with its
  ``file:line: what`` and left for the administrator (``sobesednik setup`` writes it
  anew). ``documents/`` (plans written for printing) is a folder like the store's own.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
from pathlib import Path

from tui.fs import chmod_nofollow, file_kind, fsync_dir, open_regular
from tui.store.doctor.repair import Repairs
from tui.store.errors import StoreError, not_regular, os_reason
from tui.store.layout import DOCUMENTS_DIR, INDEX_FOLDERS, OWN_ENTRIES, SETTINGS_FILE
from tui.store.settings import SettingsError, load_settings

#: What is said of a symbolic link in the data directory.
LINK = ("символическая ссылка — не открывается и не переносится (она может вести за пределы "
        "каталога данных); замените её настоящим файлом или каталогом либо удалите")
#: The store's own folders (a file in the place of one is set aside on repair).
FOLDERS = ("audit", "leases", DOCUMENTS_DIR, *INDEX_FOLDERS)
#: How many entries a finding about many of them names.
SHOWN = 5


def _mode(st: os.stat_result) -> str:
    return f"{stat.S_IMODE(st.st_mode):04o}"


def _owner_only(st: os.stat_result) -> bool:
    return not stat.S_IMODE(st.st_mode) & 0o077


class StructureCheck:
    """The walk over the whole directory, and what it finds of its shape."""

    def __init__(self, repairs: Repairs) -> None:
        self.repairs = repairs
        self.root = repairs.root
        self._wide: list[tuple[Path, os.stat_result]] = []
        #: Files with other names (hard links) whose permissions are wider than the owner's.
        self._linked: list[tuple[Path, os.stat_result]] = []
        #: Named pipes, devices, sockets: (path, kind).
        self._special: list[tuple[Path, str]] = []

    def check(self) -> None:
        self._walk()
        self._stop_repairs_if_needed()
        self._specials()
        self._kinds()
        self._settings()
        self._permissions()
        self._leases()

    # ------------------------------------------------------------ the walk

    def _walk(self) -> None:
        """Every entry, with ``lstat`` only: links noted, modes compared."""
        root_st = os.lstat(self.root)
        if not _owner_only(root_st):
            self._wide.append((self.root, root_st))
        folders = [self.root]
        while folders:
            folder = folders.pop()
            try:
                with os.scandir(folder) as found:
                    entries = sorted(found, key=lambda e: e.name)
            except OSError as exc:
                self.repairs.unreadable.add(folder)
                self.repairs.add(folder, os_reason(exc, folder=True))
                continue
            for entry in entries:
                self._entry(entry, folders)

    def _entry(self, entry: os.DirEntry[str], folders: list[Path]) -> None:
        path = Path(entry.path)
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError as exc:
            self.repairs.add(path, os_reason(exc))
            return
        if stat.S_ISLNK(st.st_mode):
            self.repairs.links.add(path)
            self.repairs.add(path, LINK)
            return
        if stat.S_ISDIR(st.st_mode):
            folders.append(path)
        elif not stat.S_ISREG(st.st_mode):
            self.repairs.special.add(path)
            self._special.append((path, file_kind(st.st_mode)))
            return
        if _owner_only(st):
            return
        if stat.S_ISREG(st.st_mode) and st.st_nlink > 1:
            self._linked.append((path, st))  # a chmod would change the file elsewhere too
        else:
            self._wide.append((path, st))

    def _stop_repairs_if_needed(self) -> None:
        """No repair goes through a link among the store's own entries, nor into a
        directory where nothing can be saved."""
        why = ""
        own = [rel for rel in OWN_ENTRIES if self.root / rel in self.repairs.links]
        if own:
            why = f"символическая ссылка среди каталогов хранилища ({', '.join(own)})"
        elif not _writable(self.root):
            why = "каталог данных доступен только для чтения"
            self.repairs.add(self.root, f"{why}: Собеседник не сможет сохранять ответы; "
                             "верните владельцу право записи (chmod u+w)")
        if why and self.repairs.repair:
            self.repairs.repair = False
            self.repairs.add(self.root, f"исправления не выполнялись: {why}")

    # ------------------------------------------------------------ pipes, devices, sockets

    def _specials(self) -> None:
        """A named pipe, a device or a socket holds no data of the store, and the store
        refuses to open one (a pipe would make it wait forever). On repair its name is
        removed: nothing is read, and a device or what is behind it is not touched."""
        for path, kind in self._special:
            finding = self.repairs.add(path, f"{not_regular(kind)} — Собеседник такие файлы не "
                                             "открывает, данных в нём нет")
            if not self.repairs.repair:
                continue
            try:
                path.unlink()
                fsync_dir(path.parent)
            except FileNotFoundError:
                pass
            except OSError as exc:
                finding.action = f"не удалось удалить: {os_reason(exc)}"
                continue
            finding.action, finding.fixed = "удалён (удалено только имя в каталоге)", True

    # ------------------------------------------------------------ the store's own entries

    def _kinds(self) -> None:
        lock = self.root / ".lock"
        st = _lstat(lock)
        if (st is not None and not stat.S_ISLNK(st.st_mode) and not stat.S_ISREG(st.st_mode)
                and lock not in self.repairs.special):
            self._aside(lock, "должен быть файлом (блокировка записи)", locked=False)
        for rel in FOLDERS:
            path = self.root / rel
            st = _lstat(path)
            if (st is not None and not stat.S_ISLNK(st.st_mode) and not stat.S_ISDIR(st.st_mode)
                    and path not in self.repairs.special):
                self._aside(path, "должен быть каталогом", locked=True)

    def _settings(self) -> None:
        """``settings.yaml`` is a regular file that reads (a link or a pipe is named by the
        walk already); what is wrong in it is the administrator's to correct."""
        path = self.root / SETTINGS_FILE
        st = _lstat(path)
        if st is None or stat.S_ISLNK(st.st_mode) or path in self.repairs.special:
            return
        if not stat.S_ISREG(st.st_mode):
            self._aside(path, "должен быть файлом (настройки центра занятости)", locked=False)
            return
        try:
            load_settings(self.root)
        except SettingsError as exc:
            self.repairs.add(path, f"настройки не читаются: {exc.message} (строка {exc.line}); "
                             "исправьте файл или заполните его заново: sobesednik setup")

    def _aside(self, path: Path, problem: str, *, locked: bool) -> None:
        """Set the entry ``path`` of the wrong kind aside; ``locked``: under the writers'
        lock (``.lock`` itself cannot be taken while it is not a file: no writer runs)."""
        finding = self.repairs.add(path, problem)
        if not self.repairs.repair:
            return
        if locked:
            with self.repairs.dir_lock():
                dest = self.repairs.set_aside(path)
        else:
            dest = self.repairs.set_aside(path)
        finding.action, finding.fixed = f"отложен в {dest}; будет создан заново", True

    # ------------------------------------------------------------ permissions

    def _hard_links(self) -> None:
        """Files with wide permissions and other names: a chmod would change the file
        wherever its other names are (outside the data directory, perhaps)."""
        for path, st in self._linked:
            self.repairs.add(path, (
                f"права шире, чем только для владельца ({_mode(st)}), а у файла есть другие имена "
                f"(жёсткие ссылки, всего имён: {st.st_nlink}) — права не сужаются: это изменило бы и "
                "файл за пределами каталога данных; замените ссылку копией файла"))

    def _permissions(self) -> None:
        self._hard_links()
        if not self._wide:
            return
        shown = ", ".join(f"{self._rel(p)} ({_mode(st)})" for p, st in self._wide[:SHOWN])
        more = f" и ещё {len(self._wide) - SHOWN}" if len(self._wide) > SHOWN else ""
        finding = self.repairs.add(
            self.root, f"права шире, чем только для владельца: {shown}{more} (всего {len(self._wide)})"
        )
        if not self.repairs.repair:
            return
        failed = []
        for path, st in self._wide:
            try:
                chmod_nofollow(path, 0o700 if stat.S_ISDIR(st.st_mode) else 0o600)
            except FileNotFoundError:
                continue  # set aside meanwhile (owner-only there)
            except OSError as exc:
                failed.append(f"{self._rel(path)}: {os_reason(exc)}")
        if failed:
            finding.action = "не удалось сузить права: " + "; ".join(failed[:SHOWN])
            return
        finding.action, finding.fixed = "права сужены до 0600 (файлы) и 0700 (каталоги)", True

    def _rel(self, path: Path) -> str:
        return "." if path == self.root else path.relative_to(self.root).as_posix()

    # ------------------------------------------------------------ leases

    def _leases(self) -> None:
        """Lease files no process holds: left by processes that ended (or by an earlier
        version, which kept them). They name the inspector and the host."""
        folder = self.root / "leases"
        stale = [name for name in self.repairs.listing(folder)
                 if name.endswith(".lock") and _stale(folder / name, remove=False)]
        if not stale:
            return
        shown = ", ".join(stale[:SHOWN]) + (f" и ещё {len(stale) - SHOWN}" if len(stale) > SHOWN else "")
        finding = self.repairs.add(
            folder, f"файлы открытых интервью от завершившихся процессов ({len(stale)}: {shown}); "
            "в них имя инспектора и компьютера", warning=True)
        if self.repairs.repair:
            removed = sum(1 for name in stale if _stale(folder / name, remove=True))
            finding.action, finding.fixed = f"удалено: {removed}", True


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except OSError:
        return None


def _writable(root: Path) -> bool:
    """Whether the owner may write the directory (its mode says so, not only ``access``:
    root may write anywhere, the inspector's account may not)."""
    try:
        st = os.stat(root)
    except OSError:
        return False
    return bool(st.st_mode & stat.S_IWUSR) and os.access(root, os.W_OK | os.X_OK)


def _stale(path: Path, *, remove: bool) -> bool:
    """Whether no process holds the lease file ``path``; with ``remove`` it is removed
    while locked here (a process opening it meanwhile sees it gone and takes a new one)."""
    try:
        fd = open_regular(path)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return False  # its interview is open in a window now
    try:
        if remove:
            with contextlib.suppress(OSError, StoreError):
                path.unlink()
        return True
    finally:
        os.close(fd)
