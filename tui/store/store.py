"""The interview store: TinyDB files laid out so that no operation reads the whole store.

Layout of a data directory (schema 2; see ``docs/store.md``)::

    sobesednik.json                  meta: schema version, creation, migrations (TinyDB)
    interviews/<yyyymm>/<id>.json    one TinyDB file per interview: header (with the consent
                                     record), answers (with time, author and earlier values),
                                     issued plans
    index/drafts/<yyyymm>.jsonl      unfinished interviews, by the month they were started
    index/name/<letter>/<surname>.jsonl interviews by normalised surname, with first and
                                     middle name for narrowing a search
    index/phone/<last 4>.jsonl       interviews by phone
    index/birth/<yyyy-mm-dd>.jsonl   interviews by birth date
    index/journal/<pid>-<n>.log      since when a running process has index writes that
                                     may not be on disk yet
    audit/<yyyymm>.jsonl             who read or changed what and when (append-only)
    leases/<id>.lock                 which process has an interview open
    backups/, damaged/               copies kept by migrations and set aside by ``doctor``

Every file is replaced atomically (:mod:`tui.store.files`); writers take a short lock on
``.lock``; readers need no lock, as a file is never seen half-written. Saving an answer
rewrites that interview's file durably (fsync of the file and its folder) and, for a name,
phone or birth date, one index bucket: its cost does not depend on how many interviews are
stored. Index buckets are derived data: they are replaced atomically but fsynced only at
checkpoints. Before its first unsynced index write a process notes in its own journal,
durably, the time since which its index writes may be lost; a checkpoint moves that time
on. A process that ends normally syncs its buckets and deletes its journal; the journal of
a process that was killed, or of a machine that lost power, is replayed by the next
process that opens the store: it indexes again, from their files, the interviews written
since that time (a month folder's mtime says whether any file in it was). So an identity
answer costs one durable write, like any other. ``rebuild_index`` makes the whole index
again from the interview files.

Nothing reaches TinyDB except through :class:`Store`, and nothing personal is written
before the consent record exists (an interview is created together with its consent).
"""

from __future__ import annotations

import atexit
import contextlib
import copy
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tinydb import TinyDB

from tui.engine.policy import IDENTITY_FIELDS
from tui.fs import fsync_all, fsync_dir
from tui.store import bucketlog
from tui.store.files import (
    AtomicJSONStorage,
    DamagedFileError,
    StoreError,
    describe_os_error,
    forget,
    forget_under,
    read_json,
)

__all__ = [
    "COMPLETE", "DRAFT", "IDENTITY_FIELDS", "SCHEMA_VERSION", "DamagedFileError",
    "InterviewBusyError", "InterviewSummary", "Store", "StoreError", "StoredInterview",
]

SCHEMA_VERSION = 2
DRAFT, COMPLETE = "draft", "complete"
#: Seconds a writer waits for another process's short write before saying so.
LOCK_TIMEOUT = 10.0
#: Index writes after which a process syncs its index buckets (when it next completes an
#: interview) and moves its journal's time on.
JOURNAL_CHECKPOINT = 500
#: The layout of ``index/``; an older one is rebuilt from the interview files at open.
INDEX_LAYOUT = 3
#: Index buckets are logs of JSON lines (:mod:`tui.store.bucketlog`).
BUCKET_SUFFIX = ".jsonl"
#: Dead records a bucket may hold beyond its live ones before a checkpoint compacts it.
COMPACT_SLACK = 32
#: File times come from the kernel's coarse clock, which lags ``time.time_ns()`` by up to a
#: tick: times compared with file times keep this margin.
CLOCK_MARGIN_NS = 2_000_000_000
META_FILE = "sobesednik.json"
_IID = re.compile(r"^(\d{8})-\d{6}-[0-9a-f]{6,}$")


class InterviewBusyError(StoreError):
    """The interview is open in another process (another window, another terminal)."""


def now_iso() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def norm_text(value: Any) -> str:
    """Lower case, «ё» as «е», letters, digits and single hyphens only: a search key."""
    text = str(value or "").strip().lower().replace("ё", "е")
    text = re.sub(r"[^0-9a-zа-я-]+", "-", text)
    return re.sub(r"-{2,}", "-", text).strip("-")[:60]


def phone_digits(value: Any) -> str:
    digits = re.sub(r"\D", "", str(value or ""))
    # +7 921 ... and 8 921 ... are the same number.
    if len(digits) == 11 and digits[0] in "78":
        digits = digits[1:]
    return digits


def client_id(identity: dict[str, Any]) -> str | None:
    """A stable id for one person: surname, first and middle name and birth date."""
    key = [norm_text(identity.get(f)) for f in ("last_name", "first_name", "middle_name")]
    birth = str(identity.get("birth_date") or "")
    if not key[0] or not birth:
        return None
    return hashlib.sha256("|".join([*key, birth]).encode("utf-8")).hexdigest()[:16]


def parse_query_date(text: str) -> str | None:
    m = re.fullmatch(r"\s*(\d{1,2})[./-](\d{1,2})[./-](\d{4})\s*", text)
    try:
        if m:
            return date(int(m[3]), int(m[2]), int(m[1])).isoformat()
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        return None


@dataclass
class StoredInterview:
    id: str
    header: dict[str, Any]
    answers: dict[str, Any] = field(default_factory=dict)
    answer_meta: dict[str, dict[str, Any]] = field(default_factory=dict)
    plans: list[dict[str, Any]] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.header.get("status", DRAFT)

    @property
    def interview_date(self) -> date:
        return date.fromisoformat(self.header["interview_date"])

    @property
    def identity(self) -> dict[str, Any]:
        return {f: self.answers[f] for f in IDENTITY_FIELDS if self.answers.get(f) not in (None, "")}

    def summary(self) -> InterviewSummary:
        """What lists and search results show: no answers beyond the identity."""
        return InterviewSummary.of(self.header, self.identity)


@dataclass(frozen=True)
class InterviewSummary:
    """One interview as lists and search results show it: its header's dates, status and
    inspectors, and the client's identity answers; no other answer."""

    id: str
    status: str
    interview_date: str | None
    created_at: str | None
    updated_at: str | None
    completed_at: str | None
    mode: str | None
    inspectors: tuple[str, ...]
    #: The identity answers given (surname, first and middle name, birth date, phone).
    client: dict[str, Any]
    #: The same person's interviews share it (:func:`client_id`); ``None`` without a
    #: surname and a birth date.
    client_id: str | None

    @property
    def complete(self) -> bool:
        return self.status == COMPLETE

    @classmethod
    def of(cls, header: dict[str, Any], identity: dict[str, Any]) -> InterviewSummary:
        def text(key: str) -> str | None:
            value = header.get(key)
            return None if value is None else str(value)

        return cls(
            id=str(header.get("id")),
            status=str(header.get("status") or DRAFT),
            interview_date=text("interview_date"),
            created_at=text("created_at"),
            updated_at=text("updated_at"),
            completed_at=text("completed_at"),
            mode=text("mode"),
            inspectors=tuple(str(i) for i in header.get("inspectors") or []),
            client=dict(identity),
            client_id=client_id(identity),
        )


class Lease:
    """An interview held open by this process; other processes get :class:`InterviewBusyError`."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self, *, remove: bool = False) -> None:
        if self._fd is None:
            return
        if remove:
            with contextlib.suppress(OSError):
                self.path.unlink()
        with contextlib.suppress(OSError):
            os.close(self._fd)
        self._fd = None

    def __del__(self) -> None:  # the process ends or the session is dropped
        self.release()


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
        self.lock_timeout = lock_timeout
        self._progress = progress
        #: Damaged files met while listing or searching (skipped, named for the user).
        self.damaged: list[DamagedFileError] = []
        #: Index or audit writes that failed after the data itself was saved (the journal
        #: keeps the interviews so the next open mends the index); messages for the user.
        self.warnings: list[str] = []
        self._index_failed = False
        if self.root.exists() and not self.root.is_dir():
            raise StoreError(f"Каталог данных {self.root} — это файл, а не каталог.")
        try:
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"Не удалось создать каталог данных {self.root}: {exc.strerror or exc}"
            ) from exc
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise StoreError(f"Каталог данных {self.root} доступен только для чтения.")
        with contextlib.suppress(OSError):
            if self.root.stat().st_uid == os.getuid():
                self.root.chmod(0o700)  # the client's data is for its owner only
        try:
            self._lock_fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise StoreError(describe_os_error(exc, self.root / ".lock", "открыть")) from exc
        self._lock_depth = 0
        self._journal_fd: int | None = None
        self._journal_path: Path | None = None
        self._dirty_since = 0  # the time noted in this process's journal
        self._journal_end = 0  # its length: T, then any interviews named one by one
        self._unsynced = 0  # index writes since the last checkpoint
        self._touched: set[Path] = set()
        #: Entries a corrected answer left in its old bucket, as (kind, key, id). A search
        #: checks every hit against its file, so they are removed at the next checkpoint
        #: (at the latest when the process ends), not while the client waits.
        self._stale: set[tuple[str, str, str]] = set()
        with self._locked():
            self._open_schema()
            stale_index = (
                not (self.root / "index").is_dir()  # restored from a backup (no index there)
                or self.meta().get("index_layout", 1) != INDEX_LAYOUT  # an older layout
            ) and self._has_interviews()
            if not stale_index:
                self._replay_journals()
        if stale_index:
            self._tell("Указатель поиска перестраивается по файлам интервью (один раз после "
                       f"обновления программы или восстановления из копии): {self.root}")
            self.rebuild_index()  # other desks wait only for its last step
            with self._locked():
                self._replay_journals()

    def _tell(self, message: str) -> None:
        if self._progress is not None:
            self._progress(message)

    def close(self) -> None:
        """Sync the index buckets this process changed and drop its journal."""
        if self._journal_fd is not None:
            with contextlib.suppress(OSError, StoreError):
                with self._locked():
                    self._checkpoint()
                    os.close(self._journal_fd)  # unlocks it: replayed by the next open
                    self._journal_fd = None
                    if self._journal_path is not None and not self._index_failed:
                        self._journal_path.unlink()
        if self._lock_fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._lock_fd)
        self._lock_fd = -1
        atexit.unregister(self.close)

    def __del__(self) -> None:
        if getattr(self, "_journal_fd", None) is None and getattr(self, "_lock_fd", -1) >= 0:
            with contextlib.suppress(OSError):
                os.close(self._lock_fd)

    # ------------------------------------------------------------------ plumbing

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Serialise writers between processes sharing this data directory (re-entrant)."""
        if self._lock_depth:
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreError(self._busy_message()) from None
                time.sleep(0.005)
        try:
            with contextlib.suppress(OSError):
                os.pwrite(self._lock_fd, f"{os.getpid():>10} {int(time.time()):>12}\n".encode(), 0)
            self._lock_depth = 1
            yield
        finally:
            self._lock_depth = 0
            with contextlib.suppress(OSError):  # not ours any more: never blame us for a holder
                os.pwrite(self._lock_fd, b" " * 24 + b"\n", 0)
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def _busy_message(self) -> str:
        holder = ""
        with contextlib.suppress(OSError, ValueError):
            pid, since = os.pread(self._lock_fd, 64, 0).split()[:2]
            held = time.strftime("%H:%M:%S", time.localtime(int(since)))
            holder = f" (процесс {int(pid)}, с {held})"
        return (
            f"Каталог данных {self.root} занят другим процессом{holder} дольше "
            f"{self.lock_timeout:g} с. Ответ не сохранён; повторите, когда тот процесс закончит."
        )

    def _db(self, path: Path, durable: bool = True) -> TinyDB:
        return TinyDB(path, storage=AtomicJSONStorage, durable=durable)

    def _mkdir(self, path: Path) -> Path:
        """Create ``path`` and any missing parents, each readable by the owner only."""
        try:
            missing = []
            while not path.is_dir():
                missing.append(path)
                path = path.parent
            for folder in reversed(missing):
                folder.mkdir(mode=0o700, exist_ok=True)
            path = missing[0] if missing else path
        except OSError as exc:
            raise StoreError(describe_os_error(exc, path, "создать каталог")) from exc
        return path

    def interview_path(self, iid: str) -> Path:
        m = _IID.match(iid or "")
        if not m:
            raise StoreError(f"Неверный номер интервью: «{iid}».")
        return self.root / "interviews" / m[1][:6] / f"{iid}.json"

    def _interview_db(self, iid: str, must_exist: bool = True) -> TinyDB:
        path = self.interview_path(iid)
        if must_exist and not path.exists():
            raise StoreError(f"Интервью {iid} не найдено в {self.root}.")
        return self._db(path)

    # ------------------------------------------------------------------ schema

    @property
    def meta_path(self) -> Path:
        return self.root / META_FILE

    def meta(self) -> dict[str, Any]:
        doc = self._db(self.meta_path).table("meta").get(doc_id=1)
        return dict(doc) if doc else {}

    def _open_schema(self) -> None:
        meta = self._db(self.meta_path).table("meta")
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
            raise StoreError(
                f"Каталог данных {self.root} создан более новой версией Собеседника "
                f"(схема {version}, эта версия понимает {SCHEMA_VERSION}). Обновите программу."
            )
        if version < SCHEMA_VERSION:
            from tui.store.migrations import migrate

            self._tell(f"Каталог данных {self.root} обновляется со схемы {version} "
                       f"до схемы {SCHEMA_VERSION}; копия сохраняется в backups/.")
            migrate(self, version)

    def set_meta(self, **fields: Any) -> None:
        with self._locked():
            table = self._db(self.meta_path).table("meta")
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
        with self._locked():
            while True:
                now_dt = datetime.now()
                # Milliseconds first: ids sort in the order the interviews were started.
                iid = (now_dt.strftime("%Y%m%d-%H%M%S-") + f"{now_dt.microsecond // 1000:03d}"
                       + secrets.token_hex(2))
                path = self.interview_path(iid)
                if not path.exists():
                    break
            self._mkdir(path.parent)
            self._journal_quietly()  # before the file: see the journal below
            self._db(path).table("interview").insert({"id": iid, **header})
            self._maintain_index(
                lambda: self._bucket_put("drafts", iid[:6], {"iid": iid, "created_at": now})
            )
        self._audit_quietly("create", inspector, iid=iid, mode=mode)
        return iid

    def save_answer(self, iid: str, qid: str, value: Any, by: str) -> None:
        """Make one answer durable: it is on disk when this returns.

        The answer and the header's ``updated_at`` go to disk in one write of the interview
        file (through its TinyDB storage: the Table API would write once per table)."""
        with self._locked():
            storage, data = self._interview_data(iid)
            answers = dict(data.get("answers") or {})
            key, old = next(
                ((k, d) for k, d in answers.items() if isinstance(d, dict) and d.get("question") == qid),
                (None, None),
            )
            if old is not None and old.get("value") == value:
                if qid in IDENTITY_FIELDS and self._index_failed:  # given again after a failure
                    self._ensure_indexed(iid, _identity_of(answers.values()))
                return
            now = now_iso()
            record: dict[str, Any] = {"question": qid, "value": value, "at": now, "by": by}
            if old is not None:
                record["previous"] = (old.get("previous") or [])[-9:] + [
                    {"value": old.get("value"), "at": old.get("at"), "by": old.get("by")}
                ]
            before = _identity_of(answers.values()) if qid in IDENTITY_FIELDS else None
            if key is None:
                key = _next_doc_id(answers)
            answers[key] = record
            after = _identity_of(answers.values()) if before is not None else None
            reindex = before is not None and self._entries(iid, before) != self._entries(iid, after or {})
            if reindex:
                self._journal_quietly()  # before the file (a no-op once the journal exists)
            header = {**data["interview"]["1"], "updated_at": now}
            # New containers for what changes: the cached copy stays as on disk until written.
            storage.write({**data, "answers": answers, "interview": {**data["interview"], "1": header}})
            if reindex:
                self._update_index(iid, before or {}, after or {}, prune=False)

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
        with self._locked():
            table = self._interview_db(iid).table("interview")
            header = table.get(doc_id=1) or {}
            if inspector not in header.get("inspectors", []):
                table.update({"inspectors": [*header.get("inspectors", []), inspector]}, doc_ids=[1])
        self._audit_quietly("open", inspector, iid=iid)

    def load(self, iid: str) -> StoredInterview:
        return self._load(self._interview_db(iid), iid)

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
        with self._locked():
            self._interview_db(iid).table("interview").update(
                {"group_overrides": overrides,
                 "groups_confirmed": {"by": by, "at": now, "computed": computed},
                 "updated_at": now},
                doc_ids=[1],
            )

    def complete(self, iid: str, *, groups: list[dict[str, Any]], plan: str, by: str) -> None:
        """Finish the interview and keep the plan issued to the client."""
        now = now_iso()
        with self._locked():
            storage, data = self._interview_data(iid)
            header = {**data["interview"]["1"], "status": COMPLETE, "completed_at": now,
                      "completed_by": by, "updated_at": now, "groups": groups}
            plans = dict(data.get("plans") or {})
            plans[_next_doc_id(plans)] = {
                "issued_at": now, "by": by, "markdown": plan,
            }
            self._journal_quietly()  # before the file: the drafts list follows it
            # Status and plan in one write: never «complete» without the plan it issued.
            storage.write({**data, "interview": {**data["interview"], "1": header}, "plans": plans})
            self._maintain_index(lambda: self._remove_entry("drafts", iid[:6], iid))
            if self._unsynced >= JOURNAL_CHECKPOINT:
                self._checkpoint_quietly()
        self._audit_quietly("complete", by, iid=iid)

    def discard(self, iid: str, by: str = "", *, reason: str = "discard") -> None:
        """Remove an interview with all its answers and index entries."""
        with self._locked():
            path = self.interview_path(iid)
            identity: dict[str, Any] = {}
            with contextlib.suppress(StoreError):
                identity = self._identity(self._db(path)) if path.exists() else {}
            # The trail first: a deletion that cannot be recorded does not happen.
            self.audit(reason, by, iid=iid)
            # Named in the journal: the index goes first and the file after it, so a kill
            # in between would leave the file unlisted (it is not newer than T).
            self._journal_quietly(iid)
            self._update_index(iid, identity, {})
            self._maintain_index(lambda: self._remove_entry("drafts", iid[:6], iid))
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                with contextlib.suppress(StoreError):
                    self.reindex_interview(iid)  # still there: listed again
                raise StoreError(describe_os_error(exc, path, "удалить")) from exc
            forget(path)
            with contextlib.suppress(OSError):
                (self.root / "leases" / f"{iid}.lock").unlink()

    # ------------------------------------------------------------------ leases

    def lease(self, iid: str, *, inspector: str, mode: str) -> Lease:
        """Hold the interview open for this process until the lease is released or the
        process ends; another process trying the same gets :class:`InterviewBusyError`."""
        self.interview_path(iid)  # validates the id
        path = self._mkdir(self.root / "leases") / f"{iid}.lock"
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise StoreError(describe_os_error(exc, path, "открыть")) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder: dict[str, Any] = {}
            with contextlib.suppress(OSError, ValueError):
                holder = json.loads(os.pread(fd, 4096, 0).decode("utf-8") or "{}")
            os.close(fd)
            who = "терминал самообслуживания" if holder.get("mode") == "kiosk" else (
                f"инспектор {holder.get('inspector')}" if holder.get("inspector") else "другой процесс"
            )
            since = str(holder.get("since") or "")[11:16]
            raise InterviewBusyError(
                f"Это интервью сейчас открыто в другом окне ({who}"
                f"{', с ' + since if since else ''}, процесс {holder.get('pid', '?')}). "
                "Закройте его там, чтобы продолжить здесь: два окна не пишут одно интервью."
            ) from None
        info = json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "inspector": inspector,
                           "mode": mode, "since": now_iso()}, ensure_ascii=False).encode()
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, info, 0)
        return Lease(path, fd)

    # ------------------------------------------------------------------ index

    def bucket_path(self, kind: str, key: str) -> Path:
        """Where the index bucket ``key`` of ``kind`` lives. Surname buckets are split by
        their first letter, so a search by the beginning of a surname lists one folder."""
        return self.root / "index" / bucket_rel(kind, key)

    def _bucket_put(self, kind: str, key: str, entry: dict[str, Any]) -> None:
        """Put the entry of ``entry['iid']`` in a bucket: one append, whatever its size."""
        path = self.bucket_path(kind, key)
        self._put_entry(path, entry)
        self._touched.add(path)
        self._unsynced += 1

    def _put_entry(self, path: Path, entry: dict[str, Any]) -> None:
        if not path.parent.is_dir():
            self._mkdir(path.parent)
        bucketlog.append(path, [entry])

    def _remove_entry(self, kind: str, key: str, iid: str, *, prune: bool = True) -> None:
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
        removed = self._drop_entry(path, iid, scrub=kind != "drafts")
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

    @staticmethod
    def _drop_entry(path: Path, iid: str, *, scrub: bool = False) -> bool | None:
        """Take ``iid`` out of the bucket at ``path``: ``None`` if it was not there, True
        if the bucket was changed, False if it held nothing else and is gone. With
        ``scrub`` the bucket is rewritten without any record of ``iid`` (earlier values
        included: they are personal data) instead of getting a removal appended."""
        bucket = bucketlog.read_bucket(path)
        if bucket is None:
            return None
        if iid not in bucket.entries:
            if not (scrub and bucket.records > len(bucket.entries) and iid.encode() in path.read_bytes()):
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

    def _journal_quietly(self, iid: str | None = None) -> None:
        try:
            self._journal()
            if iid is not None:
                self._journal_name(iid)
        except StoreError as exc:
            self.warnings.append(str(exc))
            self._index_failed = True

    def _maintain_index(self, change: Callable[[], Any]) -> None:
        """Change the index after the interview file is durable (the journal is written
        before the file). A failure here (a damaged bucket, a full disk) must not fail the
        answer: it becomes a warning, and the journal is kept so that the next process to
        open the store mends the entries."""
        self._journal_quietly()
        try:
            change()
        except (StoreError, OSError) as exc:
            self._index_failed = True
            if isinstance(exc, DamagedFileError):
                self.damaged.append(exc)
            message = str(exc) if isinstance(exc, StoreError) else describe_os_error(
                exc, self.root / "index"
            )
            self.warnings.append(f"Указатель поиска не обновлён ({message}); ответ сохранён.")

    def _ensure_indexed(self, iid: str, identity: dict[str, Any]) -> None:
        """Put back any index entry of ``iid`` that is missing (a cheap check of one to
        three small buckets; writes only when something is missing)."""
        for kind, (key, entry) in self._entries(iid, identity).items():
            self._maintain_index(lambda k=kind, key=key, e=entry: self._put_if_missing(k, key, e))

    # The journal. Index buckets are written without fsync; before the first such write a
    # process notes durably, in its own journal file, a time T: every interview file whose
    # entries it may have left unsynced since was written after T. A checkpoint syncs the
    # buckets and moves T on; a normal end deletes the journal. The next process to open
    # the store indexes again the interviews written since T of every journal whose process
    # is gone (it held a lock on it while alive). So no identity answer waits for more than
    # the durable write of its own interview file.

    def _journal(self) -> None:
        now = time.time_ns()
        if self._journal_fd is not None and now >= self._dirty_since:
            return
        since = now - CLOCK_MARGIN_NS
        try:
            if self._journal_fd is None:
                folder = self._mkdir(self.root / "index" / "journal")
                path = folder / f"{os.getpid()}-{secrets.token_hex(4)}.log"
                self._journal_path = path
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                try:
                    # Held while alive. Blocking: `doctor` may be testing it for an instant;
                    # a replay cannot meet it, as it runs under the writers' lock held here.
                    fcntl.flock(fd, fcntl.LOCK_EX)
                    self._journal_fd = fd
                    self._note_since(since)
                    fsync_dir(folder)
                except OSError:
                    self._journal_fd = None
                    os.close(fd)
                    with contextlib.suppress(OSError):
                        path.unlink()
                    raise
                atexit.register(self.close)  # a normal end syncs the buckets
            else:  # the clock was set back: T must stay before every later write
                self._note_since(since)
        except OSError as exc:
            raise StoreError(describe_os_error(exc, self._journal_path or self.root / "index")) from exc

    def _note_since(self, since: int, *, drop_names: bool = False) -> None:
        """Write T over the journal (one short line of fixed width, fsynced); with
        ``drop_names`` (a checkpoint: their index writes are synced) the interviews named
        after it go."""
        assert self._journal_fd is not None
        line = f"since {since:020d}\n".encode()
        os.pwrite(self._journal_fd, line, 0)
        if drop_names or not self._journal_end:
            os.ftruncate(self._journal_fd, len(line))
            self._journal_end = len(line)
        os.fdatasync(self._journal_fd)
        self._dirty_since = since

    def _journal_name(self, iid: str) -> None:
        """Name one interview in the journal, to be indexed again whatever its file's time."""
        assert self._journal_fd is not None
        line = f"{iid}\n".encode()
        try:
            os.pwrite(self._journal_fd, line, self._journal_end)
            os.fdatasync(self._journal_fd)
        except OSError as exc:
            raise StoreError(describe_os_error(exc, self._journal_path or self.root / "index")) from exc
        self._journal_end += len(line)

    def _sync_touched(self) -> None:
        """Remove the entries corrected answers left behind, then make the bucket writes
        of this process durable; a bucket that has gathered many dead records on the way is
        rewritten compact (durably) instead."""
        for kind, key, iid in sorted(self._stale):
            facts = self._index_facts(self.interview_path(iid)) if _IID.match(iid) else None
            if facts is not None and facts[3].get(kind, ("",))[0] == key:
                continue  # the answer came back to this value: the entry is current
            try:
                removed = self._drop_entry(self.bucket_path(kind, key), iid, scrub=True)
            except DamagedFileError:
                continue  # doctor sets it aside and rebuilds
            if removed is False:
                self._removed(kind, self.bucket_path(kind, key))
            elif removed:
                self._touched.add(self.bucket_path(kind, key))
        self._stale.clear()
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

    def _checkpoint(self) -> None:
        """Make this process's bucket writes durable, then move its journal's time on."""
        started = time.time_ns() - CLOCK_MARGIN_NS
        self._sync_touched()
        self._unsynced = 0
        if self._index_failed:
            return  # T stays: the next process to open the store mends the index
        if self._journal_fd is not None:
            self._note_since(started, drop_names=True)

    def _checkpoint_quietly(self) -> None:
        try:
            self._checkpoint()
        except (OSError, StoreError) as exc:
            self._index_failed = True
            message = str(exc) if isinstance(exc, StoreError) else describe_os_error(
                exc, self.root / "index"
            )
            self.warnings.append(f"Указатель поиска не сохранён на диск ({message}).")

    def _replay_journals(self) -> None:
        """Index again the interviews written since the time in the journal of each process
        that is gone (killed, or the machine lost power); called under the lock."""
        folder = self.root / "index" / "journal"
        if not folder.is_dir():
            return
        for path in sorted(folder.glob("*.log")):
            if path == self._journal_path:
                continue
            try:
                fd = os.open(path, os.O_RDONLY)
            except FileNotFoundError:
                continue
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # its process is alive and keeps its own journal
                try:
                    since, iids = _journal_contents(path.read_bytes())
                    if since is not None:
                        iids |= set(self._written_since(since)[0])
                    for iid in sorted(iids):
                        self.reindex_interview(iid, sync=False)
                    self._sync_touched()
                    path.unlink()
                except (OSError, StoreError) as exc:  # the journal stays for the next open
                    self._index_failed = True
                    message = str(exc) if isinstance(exc, StoreError) else describe_os_error(exc, path)
                    self.warnings.append(f"Указатель поиска не восстановлен после сбоя ({message}); "
                                         "данные интервью не затронуты.")
            finally:
                os.close(fd)

    def _written_since(self, since: int) -> tuple[dict[str, Path], dict[str, set[str]]]:
        """The interview files written at ``since`` or later, by id; and the ids in each
        month folder listed on the way. A month folder's mtime changes with every file
        created, replaced or removed in it, so older folders are not listed."""
        written: dict[str, Path] = {}
        listed: dict[str, set[str]] = {}
        with contextlib.suppress(FileNotFoundError):
            for month in os.scandir(self.root / "interviews"):
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

    def reindex_interview(self, iid: str, *, sync: bool = True) -> None:
        """Write the index entries of one interview from its file (durably, unless the
        caller syncs the buckets itself)."""
        with self._locked():
            try:
                path = self.interview_path(iid)
            except StoreError:
                return
            if not path.exists():
                return
            found = self._index_facts(path)
            if found is None:
                return
            _, status, _, entries = found
            changes: list[Callable[[], Any]] = [
                lambda k=kind, key=key, e=entry: self._put_if_missing(k, key, e)
                for kind, (key, entry) in entries.items()
            ]
            if status != DRAFT:
                changes.append(lambda: self._remove_entry("drafts", iid[:6], iid))
            try:
                for change in changes:
                    try:
                        change()
                    except DamagedFileError as exc:  # doctor sets it aside; the others go on
                        if all(d.path != exc.path for d in self.damaged):
                            self.damaged.append(exc)
                if sync:
                    self._sync_touched()
            except OSError as exc:
                raise StoreError(describe_os_error(exc, self.root / "index")) from exc

    def _put_if_missing(self, kind: str, key: str, entry: dict[str, Any]) -> None:
        held = bucketlog.read_bucket(self.bucket_path(kind, key))
        if held is None or held.entries.get(entry["iid"]) != entry:
            self._bucket_put(kind, key, entry)

    @staticmethod
    def _identity(db: TinyDB) -> dict[str, Any]:
        return _identity_of(db.table("answers").all())

    @staticmethod
    def _entries(iid: str, identity: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
        """The index entries of one interview's identity: kind -> (bucket key, entry)."""
        out: dict[str, tuple[str, dict[str, Any]]] = {}
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

    def _update_index(
        self, iid: str, before: dict[str, Any], after: dict[str, Any], *, prune: bool = True
    ) -> None:
        old, new = self._entries(iid, before), self._entries(iid, after)
        if old == new:
            return

        def change() -> None:
            for kind in ("name", "phone", "birth"):
                o, n = old.get(kind), new.get(kind)
                if o == n:
                    continue
                if o is not None and (n is None or o[0] != n[0]):
                    self._remove_entry(kind, o[0], iid, prune=prune)
                if n is not None:
                    self._bucket_put(kind, n[0], n[1])

        self._maintain_index(change)

    def rebuild_index(self, *, durable: bool = True) -> dict[str, int]:
        """Make the whole index again from the interview files (``doctor``, migrations).

        The new index is built beside the old one without holding the writers' lock, so
        interviews go on meanwhile; then, under the lock, the interviews changed in the
        meantime are indexed again and the new index replaces the old one (the journals of
        running processes move along). Damaged interview files are skipped and listed in
        :attr:`damaged`. Returns counts.
        """
        try:
            return self._rebuild_index(durable)
        except OSError as exc:
            where = Path(exc.filename) if exc.filename else self.root / "index"
            raise StoreError(
                f"Указатель поиска не перестроен: {describe_os_error(exc, where)} "
                "Данные интервью не затронуты."
            ) from exc

    def _rebuild_index(self, durable: bool) -> dict[str, int]:
        started = time.time_ns() - CLOCK_MARGIN_NS  # no file replaced after this is missed
        fresh = self.root / f".index-{os.getpid()}-{secrets.token_hex(3)}"
        shutil.rmtree(fresh, ignore_errors=True)
        buckets: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
        keys: dict[str, tuple[str, ...]] = {}
        for path in list(self.interview_files()):
            found = self._index_facts(path)
            if found is None:
                continue
            iid, _, _, entries = found
            keys[iid] = tuple(bucket_rel(kind, key) for kind, (key, _) in entries.items())
            for kind, (key, entry) in entries.items():
                buckets.setdefault((kind, key), []).append(tuple(entry.values()))
        for (kind, key), rows in buckets.items():
            entries = [dict(zip(_ENTRY_FIELDS[kind], r, strict=True)) for r in rows]
            self._write_table(fresh / bucket_rel(kind, key), entries, False)
        count, nbuckets = len(keys), len(buckets)
        buckets.clear()
        if durable:
            os.sync()  # one flush for thousands of bucket files
        with self._locked():
            self._catch_up(fresh, started, keys, durable)
            old = self.root / "index"
            if (old / "journal").is_dir():
                os.replace(old / "journal", fresh / "journal")
            aside = self.root / f".index-old-{os.getpid()}-{secrets.token_hex(3)}"
            if old.exists():
                os.replace(old, aside)
            os.replace(fresh, old)
            if durable:
                fsync_dir(self.root)
            forget_under(old)
            if self.meta().get("index_layout") != INDEX_LAYOUT:
                self.set_meta(index_layout=INDEX_LAYOUT)
        shutil.rmtree(aside, ignore_errors=True)
        drafts = sum(1 for refs in keys.values() if any(r.startswith("drafts/") for r in refs))
        return {"interviews": count, "drafts": drafts, "buckets": nbuckets}

    def _index_facts(self, path: Path) -> tuple[str, str, Any, dict[str, tuple[str, dict[str, Any]]]] | None:
        """(id, status, created_at, index entries) of one interview file, read without the
        cache; ``None`` for a damaged file (added to :attr:`damaged`) or a vanished one."""
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
        status, created = header.get("status", DRAFT), header.get("created_at")
        entries = self._entries(iid, _identity_of(answers.values()))
        if status == DRAFT:  # the drafts list is a bucket per month like the others
            entries["drafts"] = (iid[:6], {"iid": iid, "created_at": created})
        return iid, status, created, entries

    def _catch_up(self, fresh: Path, started: int, keys: dict[str, tuple[str, ...]],
                  durable: bool) -> None:
        """Under the lock: index again, in ``fresh``, the interviews written since ``started``
        (a month folder's mtime changes with every file replaced in it)."""
        changed, listed = self._written_since(started)
        gone = [i for i in keys if i[:6] in listed and i not in listed[i[:6]]]
        written: set[Path] = set()
        for iid in [*gone, *sorted(changed)]:
            for ref in keys.pop(iid, ()):
                if self._drop_entry(fresh / ref, iid) is not None:
                    written.add(fresh / ref)
            found = self._index_facts(changed[iid]) if iid in changed else None
            if found is None:
                continue
            keys[iid] = tuple(bucket_rel(kind, key) for kind, (key, _) in found[3].items())
            for kind, (key, entry) in found[3].items():
                bucket = fresh / bucket_rel(kind, key)
                self._put_entry(bucket, entry)
                written.add(bucket)
        if durable:  # a few files: the bulk of the new index was synced before the lock
            fsync_all(written)

    def _write_table(self, path: Path, entries: list[dict[str, Any]], durable: bool) -> None:
        """A bucket of a rebuild's new index (its folder is not read by anyone yet)."""
        if not path.parent.is_dir():
            self._mkdir(path.parent)
        bucketlog.write_bucket(path, entries, durable=durable, fresh=True)

    # ------------------------------------------------------------------ listing and search

    def _has_interviews(self) -> bool:
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            with os.scandir(self.root / "interviews") as months:
                for month in months:
                    if not month.is_dir():
                        continue
                    with os.scandir(month.path) as files:
                        if any(f.name.endswith(".json") for f in files):
                            return True
        return False

    def interview_files(self) -> Iterator[Path]:
        """Every interview file, oldest month first (for doctor, export, purge)."""
        base = self.root / "interviews"
        if not base.is_dir():
            return
        for month in sorted(p for p in base.iterdir() if p.is_dir()):
            yield from sorted(month.glob("*.json"))

    def iter_interviews(self) -> Iterator[StoredInterview | DamagedFileError]:
        for path in self.interview_files():
            try:
                yield self._load(self._db(path), path.stem)
            except DamagedFileError as exc:
                yield exc

    def _summaries(
        self,
        iids: Iterable[str],
        limit: int | None,
        keep: Callable[[InterviewSummary], bool] | None = None,
    ) -> list[InterviewSummary]:
        """Summaries of ``iids``, newest first; ``keep`` checks each against its file (an
        index entry can be stale after a power cut until the journal is replayed)."""
        out: list[InterviewSummary] = []
        for iid in sorted(set(iids), reverse=True):  # ids begin with the creation time
            if limit is not None and len(out) >= limit:
                break
            try:
                path = self.interview_path(iid)
            except StoreError:
                continue  # an index entry edited by hand; doctor sets the index right
            if not path.exists():
                continue  # removed since the index was written; doctor tidies the index
            try:
                summary = self._read_summary(path)
            except DamagedFileError as exc:
                if all(d.path != exc.path for d in self.damaged):
                    self.damaged.append(exc)
                continue
            if keep is None or keep(summary):
                out.append(summary)
        return out

    def _read_summary(self, path: Path) -> InterviewSummary:
        """A summary straight from the file: no copy of the answers, and the parsed files
        of open interviews stay in the cache."""
        try:
            data = read_json(path)
        except DamagedFileError:
            raise
        except StoreError as exc:
            raise DamagedFileError(path, str(exc)) from exc
        header = (data.get("interview") or {}).get("1") if isinstance(data, dict) else None
        answers = data.get("answers") if isinstance(data, dict) else None
        if not isinstance(header, dict) or not isinstance(answers or {}, dict):
            raise DamagedFileError(path, "нет заголовка интервью")
        return InterviewSummary.of({**header, "id": path.stem}, _identity_of((answers or {}).values()))

    def _read_bucket(self, path: Path) -> list[dict[str, Any]]:
        """The entries of an index bucket; a line edited by hand into nonsense is skipped."""
        try:
            bucket = bucketlog.read_bucket(path)
            return [] if bucket is None else list(bucket.entries.values())
        except DamagedFileError as exc:
            if all(d.path != exc.path for d in self.damaged):
                self.damaged.append(exc)
            return []

    def unfinished(self, limit: int | None = None) -> list[InterviewSummary]:
        """Unfinished interviews, the most recently started first (the newest months'
        lists are read first, and only as many as the limit needs)."""
        out: list[InterviewSummary] = []
        folder = self.root / "index" / "drafts"
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            for name in sorted(os.listdir(folder), reverse=True):
                if not (name.endswith(BUCKET_SUFFIX) and name[:6].isdigit()):
                    continue
                docs = self._read_bucket(folder / name)
                out += self._summaries((d["iid"] for d in docs),
                                       None if limit is None else limit - len(out),
                                       lambda s: s.status == DRAFT)
                if limit is not None and len(out) >= limit:
                    break
        return out

    def recent(self, limit: int = 20) -> list[InterviewSummary]:
        """The most recently started interviews, finished or not."""
        base = self.root / "interviews"
        iids: list[str] = []
        if base.is_dir():
            for month in sorted((p for p in base.iterdir() if p.is_dir()), reverse=True):
                iids += [p.stem for p in month.glob("*.json")]
                if len(iids) >= limit:
                    break
        return self._summaries(iids, limit)

    def find(self, text: str, limit: int = 50) -> list[InterviewSummary]:
        """Interviews of clients matching ``text``: a surname (or its beginning) with
        optional first and middle name, a phone (at least its last 4 digits) or a birth date.
        Newest first; reads only the index buckets that can match."""
        text = (text or "").strip()
        if not text:
            return []
        birth = parse_query_date(text)
        if birth:
            docs = self._read_bucket(self.bucket_path("birth", birth))
            return self._summaries(
                (d["iid"] for d in docs), limit, lambda s: s.client.get("birth_date") == birth
            )
        if not re.search(r"[^\d\s()+.-]", text):
            digits = phone_digits(text)
            if len(digits) < 4:
                return []
            docs = self._read_bucket(self.bucket_path("phone", digits[-4:]))
            return self._summaries(
                (d["iid"] for d in docs if str(d.get("phone", "")).endswith(digits)), limit,
                lambda s: phone_digits(s.client.get("phone")).endswith(digits),
            )
        words = [norm_text(w) for w in text.split()]
        words = [w for w in words if w]
        if not words:
            return []
        surname, rest = words[0], words[1:]
        exact = self.bucket_path("name", surname)
        paths = [exact]
        with contextlib.suppress(OSError):  # the surnames that begin so, from one letter folder
            paths += sorted(
                exact.parent / n for n in os.listdir(exact.parent)
                if n.startswith(surname) and n.endswith(BUCKET_SUFFIX) and n != exact.name
            )

        def names_match(entry: dict[str, Any]) -> bool:
            names = [norm_text(entry.get("first_name")), norm_text(entry.get("middle_name"))]
            return all(any(n.startswith(w) for n in names) for w in rest)

        iids: list[str] = []
        for path in paths:
            if not path.exists():
                continue
            iids += [d["iid"] for d in self._read_bucket(path) if names_match(d)]
            if len(iids) >= 2 * limit:
                break  # enough: the surname typed in full comes first, then those that begin so
        return self._summaries(
            iids, limit,
            lambda s: norm_text(s.client.get("last_name")).startswith(surname)
            and names_match(s.client),
        )

    def client_interviews(self, iid: str) -> list[InterviewSummary]:
        """Every interview of the client of ``iid`` (same surname, names and birth date)."""
        identity = self._identity(self._interview_db(iid))
        cid = client_id(identity)
        if cid is None:
            return self._summaries([iid], None)
        # The birth-date bucket is the smallest that holds every interview of the person.
        docs = self._read_bucket(self.bucket_path("birth", identity["birth_date"]))
        return self._summaries(
            [*(d["iid"] for d in docs), iid], None, lambda s: s.client_id == cid
        )

    # ------------------------------------------------------------------ audit

    def audit(self, action: str, by: str, **details: Any) -> None:
        """Append one event to the audit trail (no personal data: ids and counts only)."""
        line = json.dumps({"at": now_iso(), "action": action, "by": by, **details},
                          ensure_ascii=False) + "\n"
        path = self._mkdir(self.root / "audit") / f"{datetime.now():%Y%m}.jsonl"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode("utf-8"))
                os.fdatasync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise StoreError(describe_os_error(exc, path)) from exc

    def _audit_quietly(self, action: str, by: str, **details: Any) -> None:
        """Audit an operation whose data is already saved: a failure to append the event is
        a warning, not a failure of the operation (the user would give the answer again)."""
        try:
            self.audit(action, by, **details)
        except StoreError as exc:
            self.warnings.append(f"Событие не записано в журнал аудита: {exc}")

    def audit_events(self, iid: str | None = None) -> list[dict[str, Any]]:
        """The audit trail, oldest first; a torn or edited line is skipped."""
        out: list[dict[str, Any]] = []
        base = self.root / "audit"
        for path in sorted(base.glob("*.jsonl")) if base.is_dir() else []:
            for line in path.read_text("utf-8", errors="replace").splitlines():
                with contextlib.suppress(ValueError):
                    event = json.loads(line)
                    if isinstance(event, dict) and (iid is None or event.get("iid") == iid):
                        out.append(event)
        return out


#: The fields of an index entry of each kind, in order (see ``Store._entries``).
_ENTRY_FIELDS = {
    "name": ("iid", "first_name", "middle_name"),
    "phone": ("iid", "phone"),
    "birth": ("iid",),
    "drafts": ("iid", "created_at"),
}


def _next_doc_id(table: dict[str, Any]) -> str:
    """The id TinyDB would give the next document of a raw table."""
    return str(max((int(k) for k in table if k.isdigit()), default=0) + 1)


def _identity_of(answers: Iterable[Any]) -> dict[str, Any]:
    """The identity answers among answer documents."""
    out: dict[str, Any] = {}
    for doc in answers:
        if not isinstance(doc, dict) or doc.get("question") not in IDENTITY_FIELDS:
            continue
        if doc.get("value") not in (None, ""):
            out[doc["question"]] = doc["value"]
    return out


def bucket_rel(kind: str, key: str) -> str:
    """An index bucket's path inside ``index/`` (surnames are split by first letter)."""
    return f"{kind}/{key[0]}/{key}{BUCKET_SUFFIX}" if kind == "name" else f"{kind}/{key}{BUCKET_SUFFIX}"


def _journal_contents(raw: bytes) -> tuple[int | None, set[str]]:
    """(T, ids) of a journal: the time since which its process's index writes may be lost,
    and ids named one per line by an earlier version of the store. A journal that cannot
    be read gives T = 0: every interview is indexed again."""
    since: int | None = None
    iids: set[str] = set()
    try:
        words = raw.decode("ascii").split()
    except UnicodeDecodeError:
        return 0, iids
    for i, word in enumerate(words):
        if word == "since" and i + 1 < len(words) and words[i + 1].isdigit():
            since = int(words[i + 1])
        elif _IID.match(word):
            iids.add(word)
        elif not word.isdigit():
            return 0, iids
    return since, iids
