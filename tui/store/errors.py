"""What goes wrong with a data directory, said in Russian: the store's exceptions and the
sentence for an OS error.

Every problem a user can meet (a damaged file, a full or read-only disk, an interview open
in another window) reaches the app and the command line as a :class:`StoreError` whose
``str()`` says what happened and where; none is shown as a traceback.
"""

from __future__ import annotations

import errno
from pathlib import Path


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


def note_once(damaged: list[DamagedFileError], exc: DamagedFileError) -> None:
    """Add ``exc`` to ``damaged`` unless that file is named there already (a list or a
    search meets the same damaged file again and again)."""
    if all(d.path != exc.path for d in damaged):
        damaged.append(exc)


class InterviewBusyError(StoreError):
    """The interview is open in another process (another window, another terminal)."""


def describe_os_error(exc: OSError, path: Path, doing: str = "записать") -> str:
    """A Russian sentence for an OS error met while reading or writing ``path``."""
    if exc.errno == errno.ENOSPC or exc.errno == errno.EDQUOT:
        return f"Диск заполнен: не удалось {doing} {path}. Освободите место и повторите."
    if exc.errno == errno.EROFS:
        return f"Каталог данных только для чтения: не удалось {doing} {path}."
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"Нет прав: не удалось {doing} {path}. Проверьте права на каталог данных."
    return f"Не удалось {doing} {path}: {exc.strerror or exc}"
