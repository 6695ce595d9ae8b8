"""Erasure: deleting a client's interviews at their request, purging interviews by age,
and the copies of them elsewhere (152-ФЗ ст. 21).

Changing holds the store's short write lock one interview at a time, and first takes the
interview's lease: an interview open in another window is left alone and named. The
audit trail gets ids and counts, never a name or an answer.

Deleting a client, purging and withdrawing a consent (:mod:`tui.store.consent`) also
remove the copies of the interviews concerned that ``doctor`` set aside in ``damaged/``
(a damaged file cannot be edited reliably); the backups under ``backups/`` are never
edited, only named (:func:`backups_holding`).
"""

from __future__ import annotations

import contextlib
import json
import os
import tarfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from tui.engine import dates
from tui.fs import fsync_dir, open_regular, read_nofollow
from tui.store.audit import audit_files
from tui.store.backup import ArchiveFile
from tui.store.errors import DamagedFileError, InterviewBusyError, StoreError, describe_os_error, note_once
from tui.store.layout import IID, IID_IN_BYTES, client_id
from tui.store.records import last_change, read_record, record_identity, records
from tui.store.search import InterviewSummary
from tui.store.store import Store, StoredInterview

#: The longest line of the audit trail read when looking for the archives it names (an
#: event is a few hundred bytes; a file without line breaks is not read whole).
AUDIT_LINE_LIMIT = 1 << 16

# --------------------------------------------------------------------------- one client's interviews


@dataclass
class ClientInterviews:
    """Every interview of one person, as :meth:`Store.client_interviews` lists them."""

    interviews: list[InterviewSummary] = field(default_factory=list)
    #: ids missing from the index (a lost index write), found by reading every file
    by_scan: list[str] = field(default_factory=list)
    #: files that could not be read: they may be the person's
    damaged: list[DamagedFileError] = field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        return [s.id for s in self.interviews]


def find_client(store: Store, iid: str) -> ClientInterviews:
    """The interviews of the person of ``iid`` (same surname, names and birth date): those
    the index gives, confirmed by reading every interview file one at a time (memory stays
    flat): an interview the index lost is found too, so a deletion or a withdrawal does not
    report success while one survives. Oldest first."""
    listed = store.client_interviews(iid)
    if not listed:
        raise StoreError(f"Интервью {iid} не найдено в {store.root}.")
    found = ClientInterviews(list(listed), damaged=list(store.damaged))
    cid = next((s.client_id for s in listed if s.id == iid), None)
    if cid is not None:  # without a birth date the person is known by this interview only
        known = set(found.ids)
        for item in records(store):
            if isinstance(item, DamagedFileError):
                note_once(found.damaged, item)
            elif item["id"] not in known and client_id(record_identity(item)) == cid:
                answers = {doc["question"]: doc.get("value") for doc in item["answers"]}
                found.interviews.append(StoredInterview(item["id"], item["header"], answers).summary())
                found.by_scan.append(item["id"])
    found.interviews.sort(key=lambda s: s.id)
    return found


# --------------------------------------------------------------------------- copies elsewhere


@dataclass
class CopiesRemoved:
    """The copies ``doctor`` set aside in ``damaged/`` that were removed."""

    removed: list[Path] = field(default_factory=list)
    #: what could not be removed, with the path, in Russian
    problems: list[str] = field(default_factory=list)


def _names_one_of(name: str, iids: set[str]) -> bool:
    """Whether a file name is a copy of one of ``iids``: ``<id>.json``, ``<id>.json.2``
    (a second copy set aside), ``.<id>.json.….tmp``."""
    stem = name.lstrip(".").split(".", 1)[0]
    return bool(IID.match(stem)) and stem in iids


def damaged_copies(store: Store, iids: Iterable[str]) -> list[Path]:
    """The files under ``damaged/`` that are copies of the interviews ``iids``, and the
    damaged index files set aside that name one of them (derived data, which holds names,
    phones and birth dates: nothing is lost with them)."""
    wanted, base = set(iids), store.root / "damaged"
    if not wanted or not base.is_dir():
        return []
    out = []
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames.sort()
        folder = Path(dirpath)
        in_index = "index" in folder.relative_to(base).parts
        for name in sorted(filenames):
            path = folder / name
            if _names_one_of(name, wanted) or (in_index and _mentions_one_of(path, wanted)):
                out.append(path)
    return out


def _mentions_one_of(path: Path, iids: set[str]) -> bool:
    try:
        raw = read_nofollow(path)
    except OSError:
        return False
    return any(m.decode() in iids for m in IID_IN_BYTES.findall(raw))


def remove_damaged_copies(store: Store, iids: Iterable[str], *, by: str, reason: str) -> CopiesRemoved:
    """Remove the copies of ``iids`` that ``doctor`` set aside (whole: a damaged file cannot
    be edited reliably), and the folders they leave empty. The count is in the audit trail
    first: a deletion that cannot be recorded does not happen."""
    result = CopiesRemoved()
    found = damaged_copies(store, iids)
    if not found:
        return result
    store.audit("remove_damaged_copies", by, reason=reason, count=len(found))
    base = store.root / "damaged"
    for path in found:
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            result.problems.append(describe_os_error(exc, path, "удалить"))
            continue
        result.removed.append(path)
    for folder in sorted({p.parent for p in result.removed}, key=lambda f: -len(f.parts)):
        while folder != base and folder.is_relative_to(base):
            try:
                folder.rmdir()
            except OSError:
                with contextlib.suppress(OSError):
                    fsync_dir(folder)
                break
            folder = folder.parent
    with contextlib.suppress(OSError):
        fsync_dir(base)
    return result


@dataclass
class BackupsHolding:
    #: backups (archives, folders of migrations) with a file of one of the interviews
    holding: list[Path] = field(default_factory=list)
    #: archives that could not be read: they may hold them
    unreadable: list[Path] = field(default_factory=list)


def backups_holding(store: Store, iids: Iterable[str]) -> BackupsHolding:
    """The backups that still hold a file of one of ``iids``: the archives and migration
    folders under ``backups/`` and the archives written elsewhere (``backup --out``, known
    from the audit trail). They are never edited: the user must know of them. Archives are
    read as a stream, each up to its first match."""
    wanted = set(iids)
    result = BackupsHolding()
    if not wanted:
        return result
    base = store.root / "backups"
    # A symbolic link is never followed (doctor names it).
    candidates = sorted(p for p in base.iterdir() if not p.is_symlink()) if base.is_dir() else []
    for path in _archives_in_audit(store):
        if path.parent != base and path not in candidates:
            candidates.append(path)
    for path in candidates:
        if path.is_dir():
            if any(
                _names_one_of(n, wanted) for _, _, names in os.walk(path) for n in names
            ):
                result.holding.append(path)
        elif path.is_file() and path.name.endswith((".tar.gz", ".tgz", ".tar")):
            try:
                if _archive_holds(path, wanted):
                    result.holding.append(path)
            except (OSError, EOFError, tarfile.TarError, zlib.error):
                result.unreadable.append(path)
    return result


def _archive_holds(path: Path, wanted: set[str]) -> bool:
    # The archive itself, never through a link at its name, never a pipe or a device.
    with os.fdopen(open_regular(path), "rb") as raw, ArchiveFile.open(fileobj=raw, mode="r|*") as tar:
        for member in tar:
            tar.members.clear()  # kept only for listing: memory stays flat
            if member.isfile() and _names_one_of(Path(member.name).name, wanted):
                return True
    return False


def _lines(path: Path, limit: int) -> Iterator[bytes]:
    """The lines of the regular file ``path`` (never through a symbolic link, never a
    pipe or a device), each read with at most ``limit`` bytes: a longer line is skipped."""
    with os.fdopen(open_regular(path), "rb") as fh:
        while line := fh.readline(limit):
            if len(line) == limit and not line.endswith(b"\n"):
                while (rest := fh.readline(limit)) and not rest.endswith(b"\n"):
                    pass  # the rest of a line too long to be an event of the trail
                continue
            yield line


def _archives_in_audit(store: Store) -> list[Path]:
    """The archives ``sobesednik backup`` wrote, by the audit trail, that still exist. A
    month of the trail that cannot be read (a link, a pipe: doctor names it) is passed over."""
    out: list[Path] = []
    for log in audit_files(store.root):
        try:
            for line in _lines(log, AUDIT_LINE_LIMIT):
                if b'"backup"' not in line:
                    continue
                with contextlib.suppress(ValueError):
                    event = json.loads(line)
                    if isinstance(event, dict) and event.get("action") == "backup" and isinstance(
                        event.get("path"), str
                    ):
                        path = Path(event["path"])
                        if path.is_file() and path not in out:
                            out.append(path)
        except OSError:
            continue
    return out


# --------------------------------------------------------------------------- removing interviews


@dataclass
class Removal:
    removed: list[str] = field(default_factory=list)
    #: (id, why) of interviews open in another window: not removed
    busy: list[tuple[str, str]] = field(default_factory=list)
    #: ids that no longer qualified when their turn came (changed meanwhile)
    kept: list[str] = field(default_factory=list)
    #: the copies of the removed interviews that ``doctor`` had set aside
    copies: CopiesRemoved = field(default_factory=CopiesRemoved)


def remove_interviews(
    store: Store,
    iids: Iterable[str],
    *,
    by: str,
    reason: str,
    still: Callable[[str], bool] | None = None,
) -> Removal:
    """Remove each interview with its answers, plans, index entries and lease, unless it
    is open in another window (its lease is held) or ``still(iid)`` says it no longer
    qualifies. Each removal is in the audit trail with ``reason`` as its action."""
    result = Removal()
    for iid in iids:
        try:
            lease = store.lease(iid, inspector=by, mode=reason)
        except InterviewBusyError as exc:
            result.busy.append((iid, str(exc)))
            continue
        try:
            if still is not None and not still(iid):
                result.kept.append(iid)
                continue
            store.discard(iid, by, reason=reason)
            result.removed.append(iid)
        finally:
            lease.release()
    return result


def delete_client(store: Store, iid: str, *, by: str, found: ClientInterviews | None = None) -> Removal:
    """Delete every interview of the client of ``iid`` (found by name and birth date, see
    :func:`find_client`), or those of ``found``, as shown to the person who confirmed; and
    the copies of them that ``doctor`` set aside."""
    if found is None:
        found = find_client(store, iid)
    result = remove_interviews(store, found.ids, by=by, reason="delete_client")
    result.copies = remove_damaged_copies(store, result.removed, by=by, reason="delete_client")
    store.audit("delete_client_request", by, iid=iid, count=len(result.removed), busy=len(result.busy),
                by_scan=len(found.by_scan), damaged_copies=len(result.copies.removed))
    return result


def purge_cutoff(months: int, now: datetime | None = None) -> datetime:
    """The moment before which an interview's last change makes it old enough to purge."""
    now = (now or datetime.now()).astimezone()
    return datetime.combine(dates.add_months(now.date(), -months), now.timetz())


def purge(store: Store, iids: Iterable[str], cutoff: datetime, *, by: str, months: int) -> Removal:
    """Remove the old interviews ``iids`` (:func:`~tui.store.records.old_interviews`),
    each checked again when its turn comes."""

    def still_old(iid: str) -> bool:
        try:
            record = read_record(store, store.interview_path(iid))
        except DamagedFileError:
            return False  # damaged since it was found: doctor's business, not purge's
        moment = last_change(record) if record is not None else None
        return moment is not None and moment < cutoff

    result = remove_interviews(store, iids, by=by, reason="purge", still=still_old)
    result.copies = remove_damaged_copies(store, result.removed, by=by, reason="purge")
    store.audit("purge_run", by, count=len(result.removed), months=months, before=cutoff.isoformat(),
                busy=len(result.busy), kept=len(result.kept), damaged_copies=len(result.copies.removed))
    return result
