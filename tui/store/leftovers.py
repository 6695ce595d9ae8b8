"""The temporary files killed writes left behind (``.<name>.<random>.tmp``, see
:func:`tui.fs.replacing`), which an erasure removes: beside an interview file they hold
its answers; beside an index bucket, the names, phones and birth dates it was writing.

Every write of the store's files happens under the writers' lock, so under the lock any
temporary file in the interview and index folders is a leftover, never a write under way.
A leftover that cannot be removed stops the erasure before anything is deleted
(:class:`StoreError` naming it): an erasure never reports success while a copy of the
client's data is left.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from tui.fs import fsync_dir, is_temp_name
from tui.store.errors import StoreError, describe_os_error


def interview_temps(iid: str) -> Callable[[str], bool]:
    """Whether a name is a temporary file of interview ``iid``'s file."""
    return lambda name: name[1:].startswith(f"{iid}.json.")


def any_temp(name: str) -> bool:
    return True


def remove_temp_files(root: Path, folders: Iterable[tuple[Path, Callable[[str], bool]]], what: str) -> int:
    """Remove, durably, the temporary files in each folder whose names its test accepts
    (the caller holds the writers' lock); how many. :class:`StoreError` naming the first
    that cannot be removed (or a folder that cannot be listed), whose message begins with
    ``what`` (what did not happen because of it)."""
    removed = 0
    for folder, wanted in folders:
        try:
            names = [n for n in os.listdir(folder) if is_temp_name(n) and wanted(n)]
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise _left(root, folder, exc, "прочитать", what) from exc
        for name in names:
            try:
                os.unlink(folder / name)  # a link is removed itself, never followed
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise _left(root, folder / name, exc, "удалить", what) from exc
            removed += 1
        if names:
            try:
                fsync_dir(folder)
            except OSError as exc:
                raise _left(root, folder, exc, "записать", what) from exc
    return removed


def _left(root: Path, path: Path, exc: OSError, doing: str, what: str) -> StoreError:
    return StoreError(f"{what}: остался временный файл прерванной записи, в нём могут быть данные "
                      f"клиента. {describe_os_error(exc, path, doing, root=root)}")
