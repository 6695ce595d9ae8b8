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

import contextlib
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.fs import fsync_dir, is_temp_name
from tui.store.errors import StoreError, describe_os_error
from tui.store.index import entries_of

if TYPE_CHECKING:
    from tui.store.store import Store


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


def remove_leftovers_of(store: Store, iid: str, identity: Mapping[str, Any]) -> None:
    """Before interview ``iid`` is erased (under the lock): remove, durably, the temporary
    files killed writes left beside its file (its answers) and in the folders of its index
    buckets by its ``identity`` and of its month's drafts list (names, phones, birth dates).
    :class:`StoreError` naming one that cannot be removed: the erasure does not happen."""
    folders = [(store.interview_path(iid).parent, interview_temps(iid))]
    buckets = [(kind, key) for kind, (key, _) in entries_of(iid, dict(identity)).items()]
    for kind, key in [*buckets, ("drafts", iid[:6])]:
        with contextlib.suppress(StoreError):  # a linked folder: the index update says so
            folders.append((store.bucket_path(kind, key).parent, any_temp))
    with store.lock:
        remove_temp_files(store.root, folders, f"Интервью {iid} не удалено")


def _left(root: Path, path: Path, exc: OSError, doing: str, what: str) -> StoreError:
    return StoreError(f"{what}: остался временный файл прерванной записи, в нём могут быть данные "
                      f"клиента. {describe_os_error(exc, path, doing, root=root)}")
