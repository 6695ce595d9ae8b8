"""The interview store: TinyDB files laid out so that no operation reads the whole store.

The layout of a data directory is in :mod:`tui.store.layout` (and ``docs/store.md``).
Every file is replaced atomically (:mod:`tui.store.files`); writers take a short lock on
``.lock`` (:mod:`tui.store.lock`); readers need no lock, as a file is never seen
half-written. Saving an answer rewrites that interview's file durably (fsync of the file
and its folder) and, for a name, phone or birth date, one index bucket: its cost does not
depend on how many interviews are stored. Index buckets are derived data: they are
replaced atomically but fsynced only at checkpoints. Before its first unsynced index write
a process notes in its own journal, durably, the time since which its index writes may be
lost; a checkpoint moves that time on (:mod:`tui.store.journal`). A process that ends
normally syncs its buckets and deletes its journal; the journal of a process that was
killed, or of a machine that lost power, is replayed by the next process that opens the
store: it indexes again, from their files, the interviews written since that time (a
month folder's mtime says whether any file in it was). So an identity answer costs one
durable write, like any other. ``rebuild_index`` makes the whole index again from the
interview files (:mod:`tui.store.rebuild`).

:class:`Store` is the facade the engine, the screens and the commands use. It owns
opening a data directory (schema, migrations, the index layout, replaying the journals of
dead processes), the meta file, and the life of one interview (create, answers, inspectors,
group confirmation, completion, discard, its lease); it holds the parts that do the rest:
``lock`` (:class:`~tui.store.lock.WritersLock`), ``index``
(:class:`~tui.store.index.Index`) and ``search`` (:class:`~tui.store.search.Search`).

Nothing reaches TinyDB except through the store's package (this facade and
:mod:`tui.store.files`), and nothing personal is written before the consent record exists
(an interview is created together with its consent).
"""

from __future__ import annotations

import contextlib
import copy
import os
import secrets
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tinydb import TinyDB

from tui.engine.policy import IDENTITY_FIELDS
from tui.store.audit import append_event, read_events
from tui.store.errors import DamagedFileError, InterviewBusyError, StoreError, describe_os_error, os_errors
from tui.store.files import AtomicJSONStorage, forget, next_doc_id, open_db
from tui.store.header import appended, describe, header_faults, interview_date, mended
from tui.store.index import Index, entries_of
from tui.store.layout import (
    COMPLETE,
    DRAFT,
    INDEX_LAYOUT,
    META_FILE,
    SCHEMA_VERSION,
    answer_record,
    has_interviews,
    identity_of,
    interview_files,
    interview_path,
    make_dirs,
    make_root,
    newer_schema_error,
    now_iso,
)
from tui.store.lease import Lease, lease_path, take_lease
from tui.store.leftovers import interview_temps, remove_leftovers_of, remove_temp_files
from tui.store.lock import LOCK_TIMEOUT, WritersLock
from tui.store.search import InterviewSummary, Search

__all__ = [
    "COMPLETE", "DRAFT", "IDENTITY_FIELDS", "SCHEMA_VERSION", "DamagedFileError",
    "InterviewBusyError", "InterviewSummary", "IssuedPlan", "Lease", "Store", "StoreError",
    "StoredInterview",
]


def _file_date(path: Path) -> date:
    """The day the file ``path`` was last written (today when it cannot be told)."""
    try:
        return date.fromtimestamp(os.lstat(path).st_mtime)
    except OSError:
        return date.today()


@dataclass(frozen=True)
class IssuedPlan:
    """A plan issued at the end of an interview: its text (Markdown), who issued it and
    when, and its value (:func:`tui.engine.plan_value.plan_value`, the centre's copy;
    ``None`` for a plan issued before values were kept, or withdrawn with a consent)."""

    text: str
    by: str
    issued_at: str | None
    value: dict[str, Any] | None = None

    @classmethod
    def of(cls, doc: Mapping[str, Any]) -> IssuedPlan:
        issued = doc.get("issued_at")
        value = doc.get("value")
        return cls(str(doc.get("markdown") or ""), str(doc.get("by") or ""),
                   None if issued is None else str(issued), value if isinstance(value, dict) else None)


@dataclass
class StoredInterview:
    id: str
    header: dict[str, Any]
    answers: dict[str, Any] = field(default_factory=dict)
    answer_meta: dict[str, dict[str, Any]] = field(default_factory=dict)
    plans: list[dict[str, Any]] = field(default_factory=list)

    @property
    def status(self) -> str:
        status: str = self.header.get("status", DRAFT)
        return status

    @property
    def interview_date(self) -> date:
        """The date of the interview (the day it was started when the header's date is
        impossible: :meth:`Store.load` says so)."""
        return interview_date(self.header, date.today)[0]

    @property
    def identity(self) -> dict[str, Any]:
        return {f: self.answers[f] for f in IDENTITY_FIELDS if self.answers.get(f) not in (None, "")}

    def summary(self) -> InterviewSummary:
        """What lists and search results show: no answers beyond the identity."""
        return InterviewSummary.of(self.header, self.identity)

    @property
    def latest_plan(self) -> IssuedPlan | None:
        """The plan issued last, if any."""
        return IssuedPlan.of(self.plans[-1]) if self.plans else None


class Store:
    """All persistence of interviews goes through this class (engine and screens alike)."""

    def __init__(
        self,
        data_dir: Path | str,
        *,
        lock_timeout: float = LOCK_TIMEOUT,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        """Open (or make) the data directory. ``progress`` is told, in Russian, before the
        opening does something long: a migration, or rebuilding the index."""
        self.root = Path(data_dir).expanduser()
        self._progress = progress
        #: Damaged files met while listing or searching (skipped, named for the user).
        self.damaged: list[DamagedFileError] = []
        #: Index or audit writes that failed after the data itself was saved (the journal
        #: keeps the interviews so the next open mends the index); messages for the user.
        self.warnings: list[str] = []
        make_root(self.root)
        #: The writers' lock of the directory: ``with store.lock:`` (re-entrant).
        self.lock = WritersLock(self.root, lock_timeout)
        self.index = Index(self.root, self.lock, damaged=self.damaged, warnings=self.warnings)
        self.search = Search(self.root, self.index)
        with os_errors(self.root):
            self._open()

    def _open(self) -> None:
        with self.lock:
            self._open_schema()
            stale_index = (
                not (self.root / "index").is_dir()  # restored from a backup (no index there)
                or self.meta().get("index_layout", 1) != INDEX_LAYOUT  # an older layout
            ) and has_interviews(self.root)
            if not stale_index:
                self.index.replay_journals()
        if stale_index:
            self._tell("Указатель поиска перестраивается по файлам интервью (один раз после "
                       f"обновления программы или восстановления из копии): {self.root}")
            self.rebuild_index()  # other desks wait only for its last step
            with self.lock:
                self.index.replay_journals()

    @property
    def lock_timeout(self) -> float:
        return self.lock.timeout

    def _tell(self, message: str) -> None:
        if self._progress is not None:
            self._progress(message)

    def take_warnings(self) -> list[str]:
        """The warnings gathered so far (:attr:`warnings`), which are cleared: each is
        shown once."""
        taken = list(self.warnings)
        self.warnings.clear()
        return taken

    def close(self) -> None:
        """Sync the index buckets this process changed and drop its journal."""
        self.index.close()
        self.lock.close()

    def __del__(self) -> None:
        index, lock = getattr(self, "index", None), getattr(self, "lock", None)
        if lock is not None and (index is None or not index.journal.is_open):
            lock.close()

    # ------------------------------------------------------------------ files

    def interview_path(self, iid: str) -> Path:
        return interview_path(self.root, iid)

    def _interview_db(self, iid: str, must_exist: bool = True) -> TinyDB:
        path = self.interview_path(iid)
        if must_exist and not path.exists():
            raise StoreError(f"Интервью {iid} не найдено в {self.root}.")
        return open_db(path)

    def interview_files(self) -> Iterator[Path]:
        """Every interview file, oldest month first (for doctor, export, purge)."""
        return interview_files(self.root)

    def iter_interviews(self) -> Iterator[StoredInterview | DamagedFileError]:
        for path in self.interview_files():
            try:
                yield self._load(open_db(path), path.stem)
            except DamagedFileError as exc:
                yield exc

    # ------------------------------------------------------------------ schema

    @property
    def meta_path(self) -> Path:
        return self.root / META_FILE

    def meta(self) -> dict[str, Any]:
        doc = open_db(self.meta_path).table("meta").get(doc_id=1)
        return dict(doc) if doc else {}

    def _open_schema(self) -> None:
        meta = open_db(self.meta_path).table("meta")
        doc = meta.get(doc_id=1)
        if doc is None:
            if any((self.root / "interviews").glob("*.json")):
                version = 1  # a schema-1 directory whose meta file was lost
            else:
                meta.insert({"schema_version": SCHEMA_VERSION, "created_at": now_iso(),
                             "migrations": [], "index_layout": INDEX_LAYOUT})
                return
        else:
            version = doc.get("schema_version", 0)
            if version == 0 and any((self.root / "interviews").glob("*.json")):
                version = 1  # a schema-1 migration cut short before it recorded the version
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            raise newer_schema_error(self.root, version)
        if version < SCHEMA_VERSION:
            from tui.store.migrations import migrate

            self._tell(f"Каталог данных {self.root} обновляется со схемы {version} "
                       f"до схемы {SCHEMA_VERSION}; копия сохраняется в backups/.")
            migrate(self, version)

    def set_meta(self, **fields: Any) -> None:
        with self.lock:
            table = open_db(self.meta_path).table("meta")
            if table.get(doc_id=1) is None:
                table.insert(fields)
            else:
                table.update(fields, doc_ids=[1])

    # ------------------------------------------------------------------ interviews

    def create_interview(
        self,
        *,
        interview_date: date,
        scripts: str,
        mode: str,
        inspector: str,
        consent: dict[str, Any],
    ) -> str:
        """Start an interview. ``consent`` is the consent record (who, when, text, how)."""
        if not consent.get("given"):
            raise StoreError("Интервью не создаётся без записанного согласия на обработку ПДн.")
        now = now_iso()
        header = {
            "schema_version": SCHEMA_VERSION,
            "interview_date": interview_date.isoformat(),
            "scripts": scripts,
            "mode": mode,
            "status": DRAFT,
            "created_at": now,
            "updated_at": now,
            "inspectors": [inspector],
            "consent": consent,
        }
        with self.lock:
            while True:
                now_dt = datetime.now()
                # Milliseconds first: ids sort in the order the interviews were started.
                iid = (now_dt.strftime("%Y%m%d-%H%M%S-") + f"{now_dt.microsecond // 1000:03d}"
                       + secrets.token_hex(2))
                path = self.interview_path(iid)
                if not path.exists():
                    break
            make_dirs(path.parent)
            self.index.journal_quietly()  # before the file: see tui.store.journal
            open_db(path).table("interview").insert({"id": iid, **header})
            self.index.maintain(
                lambda: self.index.put("drafts", iid[:6], {"iid": iid, "created_at": now})
            )
        self._audit_quietly("create", inspector, iid=iid, mode=mode)
        return iid

    def save_answer(self, iid: str, qid: str, value: Any, by: str) -> None:
        """Make one answer durable: it is on disk when this returns.

        The answer and the header's ``updated_at`` go to disk in one write of the interview
        file (through its TinyDB storage: the Table API would write once per table)."""
        with self.lock:
            storage, data = self._interview_data(iid)
            answers = dict(data.get("answers") or {})
            key, old = next(
                ((k, d) for k, d in answers.items() if isinstance(d, dict) and d.get("question") == qid),
                (None, None),
            )
            if old is not None and old.get("value") == value:
                if qid in IDENTITY_FIELDS and self.index.failed:  # given again after a failure
                    self.index.ensure_indexed(iid, identity_of(answers.values()))
                return
            now = now_iso()
            before = identity_of(answers.values()) if qid in IDENTITY_FIELDS else None
            if key is None:
                key = next_doc_id(answers)
            answers[key] = answer_record(qid, value, now, by, old)
            after = identity_of(answers.values()) if before is not None else None
            reindex = before is not None and entries_of(iid, before) != entries_of(iid, after or {})
            if reindex:
                self.index.journal_quietly()  # before the file (a no-op once the journal exists)
            header = {**data["interview"]["1"], "updated_at": now}
            # New containers for what changes: the cached copy stays as on disk until written.
            storage.write({**data, "answers": answers, "interview": {**data["interview"], "1": header}})
            if reindex:
                self.index.update(iid, before or {}, after or {}, prune=False)

    def _interview_data(self, iid: str) -> tuple[AtomicJSONStorage, dict[str, Any]]:
        """The storage of an interview file and its parsed content, for one write of it."""
        path = self.interview_path(iid)
        storage = AtomicJSONStorage(path)
        data = storage.read()
        if data is None:
            raise StoreError(f"Интервью {iid} не найдено в {self.root}.")
        if "1" not in data.get("interview", {}):
            raise DamagedFileError(path, "нет заголовка интервью")
        return storage, data

    def add_inspector(self, iid: str, inspector: str) -> None:
        """Record that ``inspector`` opened the interview (resumed it, perhaps after another)."""
        with self.lock:
            storage, data = self._interview_data(iid)
            header = data["interview"]["1"]
            updated = appended(header, "inspectors", inspector, inspector)  # on the usable names
            if updated != header:
                storage.write({**data, "interview": {**data["interview"], "1": updated}})
        self._audit_quietly("open", inspector, iid=iid)

    def load(self, iid: str) -> StoredInterview:
        """The interview ``iid``; an impossible header field (a date edited by hand) is read
        as :mod:`tui.store.header` says, and a warning says so."""
        with os_errors(self.root):
            stored = self._load(self._interview_db(iid), iid)
        faults = header_faults(stored.header, lambda: _file_date(self.interview_path(iid)))
        if faults:
            stored.header = mended(stored.header, faults)
            self.warnings += [f"Интервью {iid}: {what}. Исправить файл: sobesednik doctor."
                              for what in describe(faults)]
        return stored

    def _load(self, db: TinyDB, iid: str) -> StoredInterview:
        header = db.table("interview").get(doc_id=1)
        if header is None:
            raise DamagedFileError(self.interview_path(iid), "нет заголовка интервью")
        stored = StoredInterview(iid, copy.deepcopy(dict(header)))
        for doc in db.table("answers").all():
            qid = doc.get("question")
            if not isinstance(qid, str):
                continue
            stored.answers[qid] = copy.deepcopy(doc.get("value"))
            stored.answer_meta[qid] = {k: doc.get(k) for k in ("at", "by")}
        stored.plans = [copy.deepcopy(dict(p)) for p in db.table("plans").all()]
        return stored

    def save_group_confirmation(
        self, iid: str, *, overrides: list[dict[str, Any]], computed: list[str], by: str
    ) -> None:
        """The inspector confirmed the groups: their additions and removals with reasons,
        and the computed groups they saw (a later change of facts asks again)."""
        now = now_iso()
        with self.lock:
            self._interview_db(iid).table("interview").update(
                {"group_overrides": overrides,
                 "groups_confirmed": {"by": by, "at": now, "computed": computed},
                 "updated_at": now},
                doc_ids=[1],
            )

    def complete(self, iid: str, *, groups: list[dict[str, Any]], plan: str, by: str,
                 value: Mapping[str, Any] | None = None) -> None:
        """Finish the interview and keep the plan issued to the client: its text and,
        when given, its value (JSON-able: the events reminder calls read)."""
        now = now_iso()
        with self.lock:
            storage, data = self._interview_data(iid)
            header = {**data["interview"]["1"], "status": COMPLETE, "completed_at": now,
                      "completed_by": by, "updated_at": now, "groups": groups}
            plans = dict(data.get("plans") or {})
            issued: dict[str, Any] = {"issued_at": now, "by": by, "markdown": plan}
            if value is not None:
                issued["value"] = copy.deepcopy(dict(value))
            plans[next_doc_id(plans)] = issued
            self.index.journal_quietly()  # before the file: the drafts list follows it
            # Status and plan in one write: never «complete» without the plan it issued.
            storage.write({**data, "interview": {**data["interview"], "1": header}, "plans": plans})
            self.index.maintain(lambda: self.index.remove("drafts", iid[:6], iid))
            self.index.checkpoint_if_due()
        self._audit_quietly("complete", by, iid=iid)

    def discard(self, iid: str, by: str = "", *, reason: str = "discard") -> None:
        """Remove an interview with all its answers and index entries."""
        with self.lock:
            path = self.interview_path(iid)
            identity: dict[str, Any] = {}
            with contextlib.suppress(StoreError):
                identity = identity_of(open_db(path).table("answers").all()) if path.exists() else {}
            # Killed writes' leftovers of it first: a deletion that would leave one does not happen.
            remove_leftovers_of(self, iid, identity)
            # The trail first: a deletion that cannot be recorded does not happen.
            self.audit(reason, by, iid=iid)
            # Named in the journal: the index goes first and the file after it, so a kill
            # in between would leave the file unlisted (it is not newer than T).
            self.index.journal_quietly(iid)
            self.index.update(iid, identity, {})
            self.index.maintain(lambda: self.index.remove("drafts", iid[:6], iid))
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                with contextlib.suppress(StoreError):
                    self.reindex_interview(iid)  # still there: listed again
                raise StoreError(describe_os_error(exc, path, "удалить")) from exc
            forget(path)
            with contextlib.suppress(OSError):
                lease_path(self.root, iid).unlink()

    def remove_temp_files(self, iid: str, *, what: str = "") -> None:
        """Remove, durably, the temporary files a killed write of interview ``iid`` left in
        its folder: they hold its answers. :class:`StoreError` naming one that cannot be
        removed, beginning with ``what`` (what is not done because of it)."""
        with self.lock:
            remove_temp_files(self.root, [(self.interview_path(iid).parent, interview_temps(iid))],
                              what or f"Интервью {iid}: временные файлы не удалены")

    def lease(self, iid: str, *, inspector: str, mode: str) -> Lease:
        """Hold the interview open for this process until the lease is released or the
        process ends; another process trying the same gets :class:`InterviewBusyError`."""
        return take_lease(self.root, iid, inspector=inspector, mode=mode)

    # ------------------------------------------------------------------ index and search

    def bucket_path(self, kind: str, key: str) -> Path:
        """Where the index bucket ``key`` of ``kind`` lives (see :class:`Index`)."""
        return self.index.bucket_path(kind, key)

    def reindex_interview(self, iid: str, *, sync: bool = True) -> None:
        """Write the index entries of one interview from its file (durably, unless the
        caller syncs the buckets itself)."""
        self.index.reindex_interview(iid, sync=sync)

    def rebuild_index(self, *, durable: bool = True) -> dict[str, int]:
        """Make the whole index again from the interview files (``doctor``, migrations):
        beside the old one, without holding the lock but for its last step (see
        :mod:`tui.store.rebuild`). Damaged interview files are skipped and listed in
        :attr:`damaged`. Returns counts."""
        from tui.store.rebuild import rebuild_index

        return rebuild_index(self, durable=durable)

    def unfinished(self, limit: int | None = None) -> list[InterviewSummary]:
        """Unfinished interviews, the most recently started first."""
        with os_errors(self.root):
            return self.search.unfinished(limit)

    def recent(self, limit: int = 20) -> list[InterviewSummary]:
        """The most recently started interviews, finished or not."""
        with os_errors(self.root):
            return self.search.recent(limit)

    def find(self, text: str, limit: int = 50) -> list[InterviewSummary]:
        """Interviews of clients matching ``text``: a surname (or its beginning) with
        optional first and middle name, a phone (at least its last 4 digits) or a birth date.
        Newest first; reads only the index buckets that can match."""
        with os_errors(self.root):
            return self.search.find(text, limit)

    def client_interviews(self, iid: str) -> list[InterviewSummary]:
        """Every interview of the client of ``iid`` (same surname, names and birth date)."""
        with os_errors(self.root):
            identity = identity_of(self._interview_db(iid).table("answers").all())
            return self.search.client_interviews(iid, identity)

    # ------------------------------------------------------------------ audit

    def audit(self, action: str, by: str, **details: Any) -> None:
        """Append one event to the audit trail (no personal data: ids and counts only)."""
        append_event(self.root, action, by, **details)

    def _audit_quietly(self, action: str, by: str, **details: Any) -> None:
        """Audit an operation whose data is already saved: a failure to append the event is
        a warning, not a failure of the operation (the user would give the answer again)."""
        try:
            self.audit(action, by, **details)
        except StoreError as exc:
            self.warnings.append(f"Событие не записано в журнал аудита: {exc}")

    def audit_events(self, iid: str | None = None) -> list[dict[str, Any]]:
        """The audit trail, oldest first; a torn or edited line is skipped."""
        return read_events(self.root, iid)
