"""``sobesednik doctor``: check a whole data directory and repair what can be repaired.

:func:`diagnose` reads every file of the store (layout in :mod:`tui.store.layout`) one at
a time, so memory does not grow with the number of interviews, and reports each problem
with its path and, in Russian, why it is one:

* the directory as a whole (:mod:`~tui.store.doctor.structure`): symbolic links anywhere
  (named, never followed: one among the store's own entries stops every repair), folders
  that cannot be read, the store's own entries of the wrong kind (``.lock`` a folder,
  ``audit`` or an index folder a file), a read-only directory, permissions wider than the
  owner's, lease files left by processes that ended;
* the meta file ``sobesednik.json``: parses, names a schema this version understands
  (a newer schema is refused, exactly as :class:`~tui.store.store.Store` does);
* every interview file: valid JSON in TinyDB's shape, a header whose id matches the file
  name, in the month folder of its id, answer records that name their question; anything
  else found in ``interviews/`` (stray files, files in another month's folder);
* temporary files left by a writer that was killed (never acknowledged data);
* the search index: readable and in agreement with the interview files;
* the audit trail: lines that do not parse are counted (the trail is never rewritten).

With ``repair`` it also mends what it can, and never deletes or overwrites data: a damaged
or stray file is moved to ``damaged/<yyyymmdd-HHMMSS>/<same relative path>``; a file in
the wrong month folder is moved to the right one; temporary files are removed; the index
is made again; a lost or damaged meta file is made again (a schema-1 directory is
upgraded by opening the store, which keeps a backup). From a damaged interview whose
header survives intact, the complete records that can still be read from it are written
back as the interview, marked ``recovered`` in its header; the damaged file itself stays
in ``damaged/`` and the report says what was recovered and whether a migration backup
holds a copy. Without ``repair`` nothing on disk changes (not even the lock file).

The reading pass takes no lock and each repair takes the store's lock only while it acts,
so interviews running in other processes go on (a rebuild of the index reads every
interview without it and takes it only to swap the new index in). A report made while
other processes write may therefore name an index difference that a second run no longer
sees.

The parts: :mod:`~tui.store.doctor.report` (findings and the report),
:mod:`~tui.store.doctor.salvage` (checking and recovering one interview file),
:mod:`~tui.store.doctor.repair` (what every repair shares), and the checks of the meta
file and leftovers (:mod:`~tui.store.doctor.meta`), the interviews
(:mod:`~tui.store.doctor.interviews`), the index (:mod:`~tui.store.doctor.index`) and the
audit trail (:mod:`~tui.store.doctor.audit`).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from tui.store.doctor.audit import check_audit
from tui.store.doctor.index import ExpectedIndex, IndexCheck
from tui.store.doctor.interviews import InterviewsCheck
from tui.store.doctor.meta import MetaCheck
from tui.store.doctor.repair import Repairs
from tui.store.doctor.report import DoctorReport, Finding
from tui.store.doctor.salvage import salvage_tables
from tui.store.doctor.structure import StructureCheck
from tui.store.errors import StoreError
from tui.store.layout import META_FILE, SCHEMA_VERSION

__all__ = ["DoctorReport", "Finding", "diagnose", "salvage_tables"]


def diagnose(root: Path | str, *, repair: bool, by: str = "doctor") -> DoctorReport:
    """Check the data directory ``root``; with ``repair`` also mend what can be mended.

    Raises :class:`StoreError` when the directory cannot be checked at all (missing, not a
    directory, unreadable, from a newer version, locked too long, read-only for a repair).
    """
    repairs = Repairs(Path(root).expanduser(), repair, by)
    try:
        _check(repairs)
        if repairs.opened is not None:
            repairs.opened.audit("doctor", by, **repairs.report.counts())
    except StoreError:
        if repairs.opened is not None:  # the repairs made before the error are recorded
            with contextlib.suppress(StoreError):
                repairs.opened.audit("doctor", by, interrupted=True, **repairs.report.counts())
        raise
    finally:
        repairs.close()
    return repairs.report


def _check(repairs: Repairs) -> None:
    root = repairs.root
    if not root.exists():
        raise StoreError(f"Каталог данных {root} не существует.")
    if not root.is_dir():
        raise StoreError(f"Каталог данных {root} — это файл, а не каталог.")
    if not os.access(root, os.R_OK | os.X_OK):
        raise StoreError(f"Нет прав на чтение каталога данных {root}.")
    if not any(os.path.lexists(root / name) for name in (META_FILE, "interviews", "index")):
        raise StoreError(f"В каталоге {root} нет данных Собеседника (нет {META_FILE} и interviews/).")
    StructureCheck(repairs).check()
    meta = MetaCheck(repairs)
    version = meta.check()
    if version == 1 and repairs.repair:
        meta.migrate()
        version = SCHEMA_VERSION
    meta.check_leftovers()
    expected = ExpectedIndex()
    interviews = InterviewsCheck(repairs, expected)
    interviews.check(flat_ok=version == 1)
    interviews.note_backup_copies()
    if version == SCHEMA_VERSION:
        IndexCheck(repairs, expected).check()
    check_audit(repairs)
