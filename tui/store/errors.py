"""What goes wrong with a data directory, said in Russian: the store's exceptions and the
sentence for an OS error.

Every problem a user can meet (a damaged file, a full or read-only disk, an interview open
in another window) reaches the app and the command line as a :class:`StoreError` whose
``str()`` says what happened and where; none is shown as a traceback.
"""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Iterator
from pathlib import Path

from tui.fs import NotRegularFileError

#: What a special file is, in the words of a message («не обычный файл (…)»).
KINDS = {"fifo": "именованный канал", "device": "устройство", "socket": "сокет",
         "other": "канал/устройство"}


def not_regular(kind: str) -> str:
    """Why a named pipe, a device or a socket is not read: «не обычный файл (сокет)»."""
    return f"не обычный файл ({KINDS.get(kind, KINDS['other'])})"


class StoreError(Exception):
    """A problem with the data directory; ``str()`` says what and where, in Russian."""


class DamagedFileError(StoreError):
    """A store file that cannot be parsed. It is never overwritten; ``doctor`` sets it aside."""

    def __init__(self, path: Path, why: str) -> None:
        self.path = path
        self.why = why
        super().__init__(
            f"Файл данных повреждён: {path} ({why}). Он не будет перезаписан; "
            "проверьте хранилище командой «sobesednik doctor»."
        )


class UnreadableFileError(DamagedFileError):
    """A store file or folder that this process cannot read (no permission, a symbolic
    link, an I/O error): skipped and named like a damaged file, but never set aside."""

    def __init__(self, path: Path, why: str, root: Path | None = None) -> None:
        self.path = path
        self.why = why
        StoreError.__init__(self, f"Не прочитано: {where(path, root)} ({why}).")


def where(path: Path, root: Path | None) -> str:
    """``path`` as a user reads it: relative to the data directory ``root`` when it is in
    it (with the directory named once), else as it is."""
    if root is not None and path.is_relative_to(root) and path != root:
        return f"{path.relative_to(root).as_posix()} в каталоге данных {root}"
    return str(path)


def os_reason(exc: OSError, *, folder: bool = False) -> str:
    """Why ``exc`` stopped a read, in a few Russian words («нет прав на чтение»)."""
    if isinstance(exc, NotRegularFileError):
        return not_regular(exc.kind)
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "нет прав на чтение" + (" каталога" if folder else "")
    if exc.errno == errno.ELOOP:
        return "символическая ссылка: Собеседник не открывает файлы по ссылкам"
    if exc.errno == errno.ENOTDIR:
        return "не каталог"
    if exc.errno == errno.EISDIR:
        return "каталог, а не файл"
    if exc.errno == errno.EIO:
        return "ошибка чтения с диска"
    if exc.errno == errno.EMLINK:
        return "у файла есть другие имена (жёсткие ссылки): права не меняются"
    return str(exc.strerror or exc)


@contextlib.contextmanager
def os_errors(root: Path, doing: str = "прочитать") -> Iterator[None]:
    """Turn an OS error met inside into a :class:`StoreError` naming the path it is about
    (relative to the data directory ``root``)."""
    try:
        yield
    except OSError as exc:
        path = Path(exc.filename) if exc.filename else root
        raise StoreError(describe_os_error(exc, path, doing, root=root)) from exc


def note_once(damaged: list[DamagedFileError], exc: DamagedFileError) -> None:
    """Add ``exc`` to ``damaged`` unless that file is named there already (a list or a
    search meets the same damaged file again and again)."""
    if all(d.path != exc.path for d in damaged):
        damaged.append(exc)


class InterviewBusyError(StoreError):
    """The interview is open in another process (another window, another terminal)."""


def describe_os_error(exc: OSError, path: Path, doing: str = "записать", *, root: Path | None = None) -> str:
    """A Russian sentence for an OS error met while reading or writing ``path`` (named
    relative to the data directory ``root`` when it is given)."""
    name = where(path, root)
    if isinstance(exc, NotRegularFileError):
        return (f"Не удалось {doing} {name}: {not_regular(exc.kind)}. Собеседник открывает только "
                "обычные файлы; проверьте каталог данных командой «sobesednik doctor».")
    if exc.errno == errno.ENOSPC or exc.errno == errno.EDQUOT:
        return f"Диск заполнен: не удалось {doing} {name}. Освободите место и повторите."
    if exc.errno == errno.EROFS:
        return f"Каталог данных только для чтения: не удалось {doing} {name}."
    if exc.errno in (errno.EACCES, errno.EPERM):
        what = "нет прав на чтение" if doing == "прочитать" else "нет прав"
        return f"Нет прав: не удалось {doing} {name} ({what}). Проверьте права на каталог данных."
    if exc.errno == errno.ELOOP:
        return (f"Не удалось {doing} {name}: это символическая ссылка. Собеседник не открывает "
                "файлы по ссылкам, чтобы не выйти за пределы каталога данных.")
    if exc.errno == errno.EISDIR:
        return f"Не удалось {doing} {name}: это каталог, а не файл."
    return f"Не удалось {doing} {name}: {exc.strerror or exc}"
