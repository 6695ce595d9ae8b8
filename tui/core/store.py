"""The interview store: TinyDB, laid out so that every answer is durable at once.

Layout of a data directory::

    sobesednik.json          index: one short summary per interview (TinyDB)
    interviews/<id>.json     one TinyDB file per interview: header and answers

Every write goes to a temporary file that is flushed, fsynced and atomically renamed over
the old one, so a process killed at any moment leaves either the old file or the new one,
never a torn one. Saving an answer rewrites only that interview's small file. Nothing
reaches TinyDB except through :class:`Store`, and nothing personal is written before the
consent record exists (an interview is created together with its consent).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tinydb import Query, TinyDB
from tinydb.storages import Storage

SCHEMA_VERSION = 1
DRAFT, COMPLETE = "draft", "complete"
#: Answers copied into the index so that interviews can be listed without opening them.
SUMMARY_FIELDS = ("last_name", "first_name", "middle_name", "birth_date")


class StoreError(Exception):
    """A problem with the data directory; ``str()`` says what and where, in Russian."""


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _describe_os_error(exc: OSError, path: Path) -> str:
    if exc.errno == errno.ENOSPC:
        return f"Диск заполнен: не удалось записать {path}. Освободите место и повторите."
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"Нет прав на запись: {path}. Проверьте права на каталог данных."
    return f"Не удалось записать {path}: {exc.strerror or exc}"


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` durably: temp file, fsync, rename, fsync directory."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class AtomicJSONStorage(Storage):
    """TinyDB storage that never writes in place (see :func:`atomic_write`)."""

    def __init__(self, path: str | Path, create: bool = True) -> None:
        self.path = Path(path)
        self.create = create

    def read(self) -> dict[str, dict[str, Any]] | None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StoreError(f"Не удалось прочитать {self.path}: {exc.strerror or exc}") from exc
        if not text.strip():
            return None
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise StoreError(
                f"Файл данных повреждён: {self.path} (не разбирается как JSON: {exc}). "
                "Он не будет перезаписан."
            ) from exc
        if not isinstance(data, dict):
            raise StoreError(f"Файл данных повреждён: {self.path} (ожидался объект JSON).")
        return data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
        try:
            atomic_write(self.path, text)
        except OSError as exc:
            raise StoreError(_describe_os_error(exc, self.path)) from exc

    def close(self) -> None:
        pass


@dataclass
class StoredInterview:
    id: str
    header: dict[str, Any]
    answers: dict[str, Any] = field(default_factory=dict)
    answer_meta: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return self.header.get("status", DRAFT)

    @property
    def interview_date(self) -> date:
        return date.fromisoformat(self.header["interview_date"])


class Store:
    """All persistence of interviews goes through this class."""

    def __init__(self, data_dir: Path | str) -> None:
        self.root = Path(data_dir).expanduser()
        if self.root.exists() and not self.root.is_dir():
            raise StoreError(f"Каталог данных {self.root} — это файл, а не каталог.")
        try:
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
            (self.root / "interviews").mkdir(mode=0o700, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"Не удалось создать каталог данных {self.root}: {exc.strerror}") from exc
        if not os.access(self.root, os.W_OK):
            raise StoreError(f"Каталог данных {self.root} доступен только для чтения.")
        self._index_path = self.root / "sobesednik.json"
        self._check_schema()

    # ------------------------------------------------------------------ plumbing

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Serialise index updates between processes sharing this data directory."""
        with open(self.root / ".lock", "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _index(self) -> TinyDB:
        return TinyDB(self._index_path, storage=AtomicJSONStorage)

    def _interview_path(self, iid: str) -> Path:
        if not iid or not all(c.isalnum() or c == "-" for c in iid):
            raise StoreError(f"Неверный номер интервью: «{iid}».")
        return self.root / "interviews" / f"{iid}.json"

    def _interview_db(self, iid: str, must_exist: bool = True) -> TinyDB:
        path = self._interview_path(iid)
        if must_exist and not path.exists():
            raise StoreError(f"Интервью {iid} не найдено в {self.root}.")
        return TinyDB(path, storage=AtomicJSONStorage)

    def _check_schema(self) -> None:
        with self._locked():
            meta = self._index().table("meta")
            doc = meta.get(doc_id=1)
            if doc is None:
                meta.insert({"schema_version": SCHEMA_VERSION, "created_at": _now()})
            elif doc.get("schema_version", 0) > SCHEMA_VERSION:
                raise StoreError(
                    f"Каталог данных {self.root} создан более новой версией Собеседника "
                    f"(схема {doc['schema_version']}, эта версия понимает {SCHEMA_VERSION}). "
                    "Обновите программу."
                )

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
        iid = datetime.now().strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)
        now = _now()
        header = {
            "id": iid,
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
        db = self._interview_db(iid, must_exist=False)
        db.table("interview").insert(header)
        with self._locked():
            self._index().table("interviews").insert(
                {"id": iid, "status": DRAFT, "created_at": now, "updated_at": now,
                 "interview_date": header["interview_date"], "mode": mode, "client": {}}
            )
        return iid

    def save_answer(self, iid: str, qid: str, value: Any, by: str) -> None:
        """Make one answer durable. Returns only once it is on disk."""
        db = self._interview_db(iid)
        now = _now()
        answers = db.table("answers")
        q = Query()
        record = {"question": qid, "value": value, "at": now, "by": by}
        old = answers.get(q.question == qid)
        if old is not None:
            if old.get("value") == value:
                return
            record["previous"] = (old.get("previous") or [])[-9:] + [
                {"value": old.get("value"), "at": old.get("at"), "by": old.get("by")}
            ]
        answers.upsert(record, q.question == qid)
        if qid in SUMMARY_FIELDS:
            with self._locked():
                idx = self._index().table("interviews")
                doc = idx.get(Query().id == iid) or {"client": {}}
                client = dict(doc.get("client") or {})
                client[qid] = value
                idx.update({"client": client, "updated_at": now}, Query().id == iid)

    def add_inspector(self, iid: str, inspector: str) -> None:
        db = self._interview_db(iid)
        table = db.table("interview")
        header = table.get(doc_id=1) or {}
        if inspector not in header.get("inspectors", []):
            table.update({"inspectors": header.get("inspectors", []) + [inspector]}, doc_ids=[1])

    def load(self, iid: str) -> StoredInterview:
        db = self._interview_db(iid)
        header = db.table("interview").get(doc_id=1)
        if header is None:
            raise StoreError(f"Файл интервью {self._interview_path(iid)} повреждён: нет заголовка.")
        stored = StoredInterview(iid, dict(header))
        for doc in db.table("answers").all():
            stored.answers[doc["question"]] = doc.get("value")
            stored.answer_meta[doc["question"]] = {k: doc.get(k) for k in ("at", "by")}
        return stored

    def save_group_confirmation(
        self, iid: str, *, overrides: list[dict[str, Any]], computed: list[str], by: str
    ) -> None:
        """The inspector confirmed the groups: their additions and removals with reasons,
        and the computed groups they saw (a later change of facts asks again)."""
        db = self._interview_db(iid)
        now = _now()
        db.table("interview").update(
            {"group_overrides": overrides,
             "groups_confirmed": {"by": by, "at": now, "computed": computed},
             "updated_at": now},
            doc_ids=[1],
        )

    def complete(self, iid: str, *, groups: list[dict[str, Any]], plan: str, by: str) -> None:
        now = _now()
        db = self._interview_db(iid)
        db.table("interview").update(
            {"status": COMPLETE, "completed_at": now, "updated_at": now, "groups": groups},
            doc_ids=[1],
        )
        db.table("plans").insert({"issued_at": now, "by": by, "markdown": plan})
        with self._locked():
            self._index().table("interviews").update(
                {"status": COMPLETE, "updated_at": now}, Query().id == iid
            )

    def discard(self, iid: str) -> None:
        """Remove an interview entirely (e.g. the client withdrew before finishing)."""
        with contextlib.suppress(FileNotFoundError):
            self._interview_path(iid).unlink()
        with self._locked():
            self._index().table("interviews").remove(Query().id == iid)

    def summaries(self, status: str | None = None) -> list[dict[str, Any]]:
        """Interview summaries, most recently updated first."""
        docs = self._index().table("interviews").all()
        if status is not None:
            docs = [d for d in docs if d.get("status") == status]
        return sorted((dict(d) for d in docs), key=lambda d: d.get("updated_at", ""), reverse=True)

    def unfinished(self) -> list[dict[str, Any]]:
        return self.summaries(DRAFT)
