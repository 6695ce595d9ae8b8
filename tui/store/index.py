"""The search index: buckets of entries derived from the interview files, kept in step
with them after every durable write of an interview.

A bucket (:mod:`tui.store.bucketlog`) holds the interviews of one surname, one phone
ending, one birth date, or the drafts of one month (``index/<kind>/…``, see
:mod:`tui.store.layout`). Buckets are derived data: they are replaced atomically but
fsynced only at checkpoints, and this process's journal (:mod:`tui.store.journal`) says
since when its bucket writes may not be on disk yet. An index write that fails after the
interview file was saved (a damaged bucket, a full disk) never fails the answer: it
becomes a warning, and the journal is kept so that the next process to open the store
mends the entries (:meth:`Index.replay_journals`). A search checks every hit against its
file, so an entry stale for a moment never shows the wrong client.

:class:`Index` owns what this process changed and has not synced yet: the buckets
touched, the entries corrected answers left behind, the count that calls a checkpoint.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

from tui.fs import fsync_all, read_nofollow
from tui.store import bucketlog
from tui.store.errors import DamagedFileError, StoreError, describe_os_error, note_once
from tui.store.files import read_json
from tui.store.header import status_of
from tui.store.journal import CLOCK_MARGIN_NS, Journal, dead_journals, parse
from tui.store.layout import (
    DRAFT,
    IID,
    bucket_rel,
    identity_of,
    interview_path,
    make_dirs,
    norm_text,
    parse_query_date,
    phone_digits,
    refuse_links,
)
from tui.store.lock import WritersLock

#: Index writes after which a process syncs its index buckets (when it next completes an
#: interview) and moves its journal's time on.
JOURNAL_CHECKPOINT = 500
#: Dead records a bucket may hold beyond its live ones before a checkpoint compacts it.
COMPACT_SLACK = 32
#: The fields of an index entry of each kind, in order (see :func:`entries_of`).
ENTRY_FIELDS = {
    "name": ("iid", "first_name", "middle_name"),
    "phone": ("iid", "phone"),
    "birth": ("iid",),
    "drafts": ("iid", "created_at"),
}
IDENTITY_KINDS = ("name", "phone", "birth")

#: kind -> (bucket key, entry)
Entries = dict[str, tuple[str, dict[str, Any]]]


class Facts(NamedTuple):
    """What the index needs of one interview file."""

    iid: str
    status: str
    created_at: Any
    entries: Entries


def entries_of(iid: str, identity: dict[str, Any]) -> Entries:
    """The index entries of one interview's identity: kind -> (bucket key, entry)."""
    out: Entries = {}
    surname = norm_text(identity.get("last_name"))
    if surname:
        out["name"] = (surname, {"iid": iid, **{
            f: identity.get(f) for f in ("first_name", "middle_name")
        }})
    phone = phone_digits(identity.get("phone"))
    if len(phone) >= 4:
        out["phone"] = (phone[-4:], {"iid": iid, "phone": phone})
    birth = str(identity.get("birth_date") or "")
    if parse_query_date(birth):
        out["birth"] = (birth, {"iid": iid})
    return out


def put_entry(path: Path, entry: dict[str, Any]) -> None:
    """Append ``entry`` to the bucket at ``path`` (its folder made if need be)."""
    if not path.parent.is_dir():
        make_dirs(path.parent)
    bucketlog.append(path, [entry])


def drop_entry(path: Path, iid: str, *, scrub: bool = False) -> bool | None:
    """Take ``iid`` out of the bucket at ``path``: ``None`` if it was not there, True
    if the bucket was changed, False if it held nothing else and is gone. With
    ``scrub`` the bucket is rewritten without any record of ``iid`` (earlier values
    included: they are personal data) instead of getting a removal appended."""
    bucket = bucketlog.read_bucket(path)
    if bucket is None:
        return None
    if iid not in bucket.entries:
        if not (scrub and bucket.records > len(bucket.entries) and iid.encode() in read_nofollow(path)):
            return None
    kept = [e for k, e in bucket.entries.items() if k != iid]
    if not kept:
        path.unlink(missing_ok=True)
        bucketlog.forget(path)
        return False
    if scrub:
        bucketlog.write_bucket(path, kept, durable=False)
    else:
        bucketlog.append(path, [{"iid": iid, "gone": True}])
    return True


def written_since(root: Path, since: int) -> tuple[dict[str, Path], dict[str, set[str]]]:
    """The interview files written at ``since`` or later, by id; and the ids in each
    month folder listed on the way. A month folder's mtime changes with every file
    created, replaced or removed in it, so older folders are not listed."""
    written: dict[str, Path] = {}
    listed: dict[str, set[str]] = {}
    with contextlib.suppress(FileNotFoundError):
        for month in os.scandir(root / "interviews"):
            if not month.is_dir() or month.stat().st_mtime_ns < since:
                continue
            ids = listed[month.name] = set()
            for f in os.scandir(month.path):
                if not f.name.endswith(".json") or f.name.startswith("."):
                    continue
                ids.add(f.name[:-5])
                with contextlib.suppress(FileNotFoundError):
                    if f.stat().st_mtime_ns >= since:
                        written[f.name[:-5]] = Path(f.path)
    return written, listed


def _message(exc: OSError | StoreError, where: Path) -> str:
    return str(exc) if isinstance(exc, StoreError) else describe_os_error(exc, where)


class Index:
    """The index of one data directory as this process keeps it.

    ``damaged`` and ``warnings`` are the store's lists (the same objects): damaged files
    met, and index writes that failed after the data itself was saved."""

    def __init__(self, root: Path, lock: WritersLock, *, damaged: list[DamagedFileError],
                 warnings: list[str]) -> None:
        self.root = root
        self.lock = lock
        self.damaged = damaged
        self.warnings = warnings
        #: An index write failed: the journal is kept for the next process to mend it.
        self.failed = False
        self.journal = Journal(root, at_exit=self.close)
        self._unsynced = 0  # index writes since the last checkpoint
        self._touched: set[Path] = set()
        #: Entries a corrected answer left in its old bucket, as (kind, key, id). A search
        #: checks every hit against its file, so they are removed at the next checkpoint
        #: (at the latest when the process ends), not while the client waits.
        self._stale: set[tuple[str, str, str]] = set()

    def bucket_path(self, kind: str, key: str) -> Path:
        """Where the index bucket ``key`` of ``kind`` lives. Surname buckets are split by
        their first letter, so a search by the beginning of a surname lists one folder.
        :class:`StoreError` when a folder on the way is a symbolic link (never followed)."""
        path = self.root / "index" / bucket_rel(kind, key)
        refuse_links(self.root, path.parent)
        return path

    def note_damaged(self, exc: DamagedFileError) -> None:
        """Name a damaged file once (a list or a search meets it again and again)."""
        note_once(self.damaged, exc)

    # ------------------------------------------------------------------ reading

    def bucket_entries(self, path: Path) -> list[dict[str, Any]]:
        """The entries of an index bucket; a line edited by hand into nonsense is skipped."""
        try:
            bucket = bucketlog.read_bucket(path)
            return [] if bucket is None else list(bucket.entries.values())
        except DamagedFileError as exc:
            self.note_damaged(exc)
            return []

    def facts(self, path: Path) -> Facts | None:
        """The id, status, creation time and index entries of one interview file, read
        without the cache; ``None`` for a damaged file (added to :attr:`damaged`) or a
        vanished one."""
        try:
            data = read_json(path)
            header = data["interview"]["1"]
            answers = data.get("answers") or {}
            if not isinstance(header, dict) or not isinstance(answers, dict):
                raise TypeError
        except DamagedFileError as exc:
            self.damaged.append(exc)
            return None
        except StoreError:
            return None  # removed meanwhile
        except (KeyError, TypeError, AttributeError):
            self.damaged.append(DamagedFileError(path, "нет заголовка интервью"))
            return None
        iid = path.stem
        status, created = status_of(header), header.get("created_at")
        entries = entries_of(iid, identity_of(answers.values()))
        if status == DRAFT:  # the drafts list is a bucket per month like the others
            entries["drafts"] = (iid[:6], {"iid": iid, "created_at": created})
        return Facts(iid, status, created, entries)

    # ------------------------------------------------------------------ changing

    def put(self, kind: str, key: str, entry: dict[str, Any]) -> None:
        """Put the entry of ``entry['iid']`` in a bucket: one append, whatever its size."""
        path = self.bucket_path(kind, key)
        put_entry(path, entry)
        self._touched.add(path)
        self._unsynced += 1

    def put_if_missing(self, kind: str, key: str, entry: dict[str, Any]) -> None:
        held = bucketlog.read_bucket(self.bucket_path(kind, key))
        if held is None or held.entries.get(entry["iid"]) != entry:
            self.put(kind, key, entry)

    def remove(self, kind: str, key: str, iid: str, *, prune: bool = True) -> None:
        """Remove ``iid`` from a bucket; an emptied bucket goes too: its name is personal
        data (a surname, a birth date) that must not outlive the client's interviews.

        With ``prune`` (a deletion) the bucket is rewritten at once without any record of
        the interview. Without it (an answer corrected) nothing is written now: the next
        checkpoint (at the latest when the process ends) rewrites the bucket without the old
        record, or deletes it if that emptied it, unless the interview has come back to it.
        The drafts lists hold no personal data: a removal is appended."""
        path = self.bucket_path(kind, key)
        if not prune:
            self._stale.add((kind, key, iid))
            self._unsynced += 1
            return
        removed = drop_entry(path, iid, scrub=kind != "drafts")
        if removed is None:
            return
        self._unsynced += 1
        if removed:
            self._touched.add(path)
            return
        self._removed(kind, path)

    def _removed(self, kind: str, path: Path) -> None:
        """A bucket was deleted: its folder is synced at the checkpoint."""
        self._touched.discard(path)
        self._touched.add(path.parent)  # the folder's fsync makes the removal durable
        with contextlib.suppress(OSError):
            if kind == "name":
                path.parent.rmdir()  # the letter folder, when it is empty

    def update(self, iid: str, before: dict[str, Any], after: dict[str, Any], *, prune: bool = True) -> None:
        """Move the entries of ``iid`` from those of identity ``before`` to those of
        ``after`` (after the interview file is durable)."""
        old, new = entries_of(iid, before), entries_of(iid, after)
        if old == new:
            return

        def change() -> None:
            for kind in IDENTITY_KINDS:
                o, n = old.get(kind), new.get(kind)
                if o == n:
                    continue
                if o is not None and (n is None or o[0] != n[0]):
                    self.remove(kind, o[0], iid, prune=prune)
                if n is not None:
                    self.put(kind, n[0], n[1])

        self.maintain(change)

    def journal_quietly(self, iid: str | None = None) -> None:
        """Note the journal's time before an unsynced write (and name ``iid`` in it); a
        failure is a warning, and the index is marked failed."""
        try:
            self.journal.note()
            if iid is not None:
                self.journal.name(iid)
        except StoreError as exc:
            self.warnings.append(str(exc))
            self.failed = True

    def maintain(self, change: Callable[[], object]) -> None:
        """Change the index after the interview file is durable (the journal is written
        before the file). A failure here (a damaged bucket, a full disk) must not fail the
        answer: it becomes a warning, and the journal is kept so that the next process to
        open the store mends the entries."""
        self.journal_quietly()
        try:
            change()
        except (StoreError, OSError) as exc:
            self.failed = True
            if isinstance(exc, DamagedFileError):
                self.damaged.append(exc)
            self.warnings.append(
                f"Указатель поиска не обновлён ({_message(exc, self.root / 'index')}); ответ сохранён."
            )

    def ensure_indexed(self, iid: str, identity: dict[str, Any]) -> None:
        """Put back any index entry of ``iid`` that is missing (a cheap check of one to
        three small buckets; writes only when something is missing)."""
        for kind, (key, entry) in entries_of(iid, identity).items():
            self.maintain(partial(self.put_if_missing, kind, key, entry))

    # ------------------------------------------------------------------ syncing

    def _drop_stale(self) -> None:
        """Remove the entries corrected answers left behind, unless the answer came back."""
        for kind, key, iid in sorted(self._stale):
            facts = self.facts(interview_path(self.root, iid)) if IID.match(iid) else None
            if facts is not None and facts.entries.get(kind, ("",))[0] == key:
                continue  # the answer came back to this value: the entry is current
            path = self.bucket_path(kind, key)
            try:
                removed = drop_entry(path, iid, scrub=True)
            except DamagedFileError:
                continue  # doctor sets it aside and rebuilds
            if removed is False:
                self._removed(kind, path)
            elif removed:
                self._touched.add(path)
        self._stale.clear()

    def sync_touched(self) -> None:
        """Remove the entries corrected answers left behind, then make the bucket writes
        of this process durable; a bucket that has gathered many dead records on the way is
        rewritten compact (durably) instead."""
        self._drop_stale()
        files: list[Path] = []
        folders: set[Path] = set()
        for path in self._touched:
            if path.is_dir():
                folders.add(path)
                continue
            try:
                bucket = bucketlog.read_bucket(path)
            except DamagedFileError:
                bucket = None  # left as it is for doctor
            if bucket is None:
                continue
            if bucket.records > 2 * len(bucket.entries) + COMPACT_SLACK:
                bucketlog.write_bucket(path, bucket.entries.values(), durable=True)
                continue
            files.append(path)
        fsync_all(files, folders)
        self._touched.clear()

    def checkpoint(self) -> None:
        """Make this process's bucket writes durable, then move its journal's time on."""
        started = time.time_ns() - CLOCK_MARGIN_NS
        self.sync_touched()
        self._unsynced = 0
        if self.failed:
            return  # T stays: the next process to open the store mends the index
        self.journal.move_on(started)

    def checkpoint_quietly(self) -> None:
        try:
            self.checkpoint()
        except (OSError, StoreError) as exc:
            self.failed = True
            message = _message(exc, self.root / "index")
            self.warnings.append(f"Указатель поиска не сохранён на диск ({message}).")

    def checkpoint_if_due(self) -> None:
        """A checkpoint once :data:`JOURNAL_CHECKPOINT` index writes are unsynced (called
        when an interview is completed: a long-running kiosk's journal moves on)."""
        if self._unsynced >= JOURNAL_CHECKPOINT:
            self.checkpoint_quietly()

    def close(self) -> None:
        """Sync the index buckets this process changed and drop its journal (a normal
        end of the process, or of the store)."""
        if self.journal.is_open:
            with contextlib.suppress(OSError, StoreError):
                with self.lock:
                    self.checkpoint()
                    self.journal.close(keep=self.failed)  # unlocked: replayed by the next open
        atexit.unregister(self.close)

    # ------------------------------------------------------------------ mending

    def replay_journals(self) -> None:
        """Index again the interviews written since the time in the journal of each process
        that is gone (killed, or the machine lost power); called under the lock."""
        folder = self.root / "index" / "journal"
        if not folder.is_dir():
            return
        for path in dead_journals(folder, skip=self.journal.path):
            try:
                since, iids = parse(read_nofollow(path))
                if since is not None:
                    iids |= set(written_since(self.root, since)[0])
                for iid in sorted(iids):
                    self.reindex_interview(iid, sync=False)
                self.sync_touched()
                path.unlink()
            except (OSError, StoreError) as exc:  # the journal stays for the next open
                self.failed = True
                self.warnings.append(f"Указатель поиска не восстановлен после сбоя ({_message(exc, path)}); "
                                     "данные интервью не затронуты.")

    def reindex_interview(self, iid: str, *, sync: bool = True) -> None:
        """Write the index entries of one interview from its file (durably, unless the
        caller syncs the buckets itself)."""
        with self.lock:
            try:
                path = interview_path(self.root, iid)
            except StoreError:
                return
            found = self.facts(path) if path.exists() else None
            if found is None:
                return
            changes: list[Callable[[], object]] = [
                partial(self.put_if_missing, kind, key, entry) for kind, (key, entry) in found.entries.items()
            ]
            if found.status != DRAFT:
                changes.append(partial(self.remove, "drafts", iid[:6], iid))
            try:
                self._apply(changes)
                if sync:
                    self.sync_touched()
            except OSError as exc:
                raise StoreError(describe_os_error(exc, self.root / "index")) from exc

    def _apply(self, changes: list[Callable[[], object]]) -> None:
        for change in changes:
            try:
                change()
            except DamagedFileError as exc:  # doctor sets it aside; the others go on
                self.note_damaged(exc)
