"""``sobesednik doctor``: check a whole data directory and repair what can be repaired.

:func:`diagnose` reads every file of the store (layout in :mod:`tui.store.store`) one at a
time, so memory does not grow with the number of interviews, and reports each problem
with its path and, in Russian, why it is one:

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
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import tarfile
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tui.fs import atomic_write, fsync_dir
from tui.store import bucketlog
from tui.store.files import DamagedFileError, StoreError, describe_os_error, dump_json, forget, read_json
from tui.store.store import (
    BUCKET_SUFFIX,
    DRAFT,
    IDENTITY_FIELDS,
    INDEX_LAYOUT,
    LOCK_TIMEOUT,
    META_FILE,
    SCHEMA_VERSION,
    Store,
    now_iso,
)

__all__ = ["DoctorReport", "Finding", "diagnose", "salvage_tables"]

_IID = re.compile(r"^(\d{8})-\d{6}-[0-9a-f]{6,}$")
_MONTH = re.compile(r"^\d{6}$")
_INDEX_KINDS = ("name", "phone", "birth")
#: ``.index-<pid>-<hex>`` (a rebuild in progress) and ``.index-old-<pid>-<hex>`` (the index
#: it replaced, removed right after).
_LEFTOVER_INDEX = re.compile(r"^\.index-(?:old-)?(\d+)(?:-[0-9a-f]+)?$")


def _is_temp(name: str) -> bool:
    """A temporary file of :func:`~tui.store.files.atomic_write` (``.<name>.<random>.tmp``)."""
    return name.startswith(".") and name.endswith(".tmp")


@dataclass
class Finding:
    """One problem: where, why, and what a repair did about it."""

    path: Path
    problem: str
    action: str = ""
    fixed: bool = False
    #: Reported, but the store works as it is and nothing is to be done (the audit trail).
    warning: bool = False
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = f"{self.path}: {self.problem}"
        if self.action:
            text += f" — {self.action}"
        for note in self.notes:
            text += f"; {note}"
        return text + "."


@dataclass
class DoctorReport:
    root: Path
    repair: bool
    findings: list[Finding] = field(default_factory=list)
    interviews: int = 0
    damaged: int = 0
    set_aside: int = 0
    moved: int = 0
    temp_files: int = 0
    temp_removed: int = 0
    salvaged: int = 0
    index_rebuilt: bool = False
    migrated: bool = False
    audit_bad_lines: int = 0
    #: Where damaged and stray files of this run were put (``None`` when none were).
    damaged_dir: Path | None = None

    @property
    def ok(self) -> bool:
        """The store is healthy now: nothing found, or everything found was repaired."""
        return all(f.fixed or f.warning for f in self.findings)

    def lines(self) -> list[str]:
        return [f.line() for f in self.findings]

    def counts(self) -> dict[str, Any]:
        """The counts of this run (for the audit trail: no names, no answers)."""
        return {
            "interviews": self.interviews, "damaged": self.damaged, "set_aside": self.set_aside,
            "moved": self.moved, "temp_removed": self.temp_removed, "salvaged": self.salvaged,
            "index_rebuilt": self.index_rebuilt, "migrated": self.migrated,
            "audit_bad_lines": self.audit_bad_lines,
        }

    def summary(self) -> str:
        parts = [f"проверено интервью: {self.interviews}", f"повреждённых файлов: {self.damaged}"]
        if self.repair:
            parts += [
                f"отложено в damaged/: {self.set_aside}",
                f"перемещено в свой месяц: {self.moved}",
                f"удалено временных файлов: {self.temp_removed}",
            ]
            if self.salvaged:
                parts.append(f"восстановлено из уцелевшего: {self.salvaged}")
            parts.append("указатель поиска перестроен" if self.index_rebuilt else "указатель поиска цел")
        else:
            parts.append(f"временных файлов: {self.temp_files}")
        if self.audit_bad_lines:
            parts.append(f"нечитаемых строк журнала: {self.audit_bad_lines}")
        text = "Итог: " + ", ".join(parts) + ". "
        remaining = sum(1 for f in self.findings if not (f.fixed or f.warning))
        if not remaining:
            fixed = any(f.fixed for f in self.findings)
            text += "Хранилище исправлено." if fixed else "Хранилище в порядке."
        elif self.repair:
            text += f"Осталось проблем: {remaining}."
        else:
            text += f"Найдено проблем: {remaining}. Исправить: sobesednik doctor (без --check-only)."
        return text


# ---------------------------------------------------------------------- salvage


_WS = re.compile(r"[ \t\n\r]*")


def salvage_tables(raw: bytes) -> tuple[dict[str, dict[str, Any]], bool]:
    """The tables and whole records that can be read from the start of a damaged TinyDB
    file, and whether the file was read to its end.

    Reading stops at the first byte that does not continue valid JSON, so what is returned
    is exactly what the file held before the damage: every record is complete and as
    written; records after the damage are not guessed at.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = raw[: exc.start].decode("utf-8")
    decoder = json.JSONDecoder()
    tables: dict[str, dict[str, Any]] = {}

    def skip(pos: int) -> int:
        m = _WS.match(text, pos)
        return m.end() if m else pos

    def expect(pos: int, char: str) -> int:
        pos = skip(pos)
        if not text.startswith(char, pos):
            raise ValueError(char)
        return skip(pos + 1)

    def string(pos: int) -> tuple[str, int]:
        value, end = decoder.raw_decode(text, pos)
        if not isinstance(value, str):
            raise ValueError("key")
        return value, end

    try:
        pos = expect(0, "{")
        if text.startswith("}", pos):
            return tables, not text[pos + 1:].strip()
        while True:
            name, pos = string(pos)
            pos = expect(pos, ":")
            pos = expect(pos, "{")
            table: dict[str, Any] = {}
            tables[name] = table
            if text.startswith("}", pos):
                pos += 1
            else:
                while True:
                    doc_id, pos = string(pos)
                    pos = expect(pos, ":")
                    doc, pos = decoder.raw_decode(text, pos)
                    table[doc_id] = doc
                    pos = skip(pos)
                    if text.startswith(",", pos):
                        pos = skip(pos + 1)
                        continue
                    pos = expect(pos, "}")
                    break
            pos = skip(pos)
            if text.startswith(",", pos):
                pos = skip(pos + 1)
                continue
            pos = expect(pos, "}")
            return tables, not text[pos:].strip()
    except (ValueError, IndexError):
        return tables, False


# ---------------------------------------------------------------------- interview checks


@dataclass
class _Interview:
    """What the check of one interview file found."""

    why: str | None = None  # why it is damaged; None when it is sound
    status: str = DRAFT
    identity: dict[str, Any] = field(default_factory=dict)


def _check_header(header: Any, iid: str) -> str | None:
    if not isinstance(header, dict):
        return "нет заголовка интервью"
    if header.get("id") != iid:
        return f"номер в заголовке («{header.get('id')}») не совпадает с именем файла"
    try:
        date.fromisoformat(str(header.get("interview_date")))
    except ValueError:
        return f"в заголовке неверная дата интервью «{header.get('interview_date')}»"
    return None


def _check_tables(data: Any) -> str | None:
    if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
        return "ожидался объект JSON с таблицами"
    for name, table in data.items():
        for doc_id, doc in table.items():
            if not doc_id.isdigit() or not isinstance(doc, dict):
                return f"в таблице «{name}» запись «{doc_id}» не запись TinyDB"
    return None


def _parse(raw: bytes) -> tuple[Any, str | None]:
    try:
        return json.loads(raw.decode("utf-8")), None
    except UnicodeDecodeError as exc:
        return None, f"не в кодировке UTF-8: {exc.reason}"
    except json.JSONDecodeError as exc:
        return None, "файл пуст" if not raw.strip() else (
            f"не разбирается как JSON: строка {exc.lineno}, столбец {exc.colno}"
        )


def check_interview(raw: bytes, iid: str) -> _Interview:
    """Check the content of one interview file (``raw``) named ``<iid>.json``."""
    data, why = _parse(raw)
    why = why or _check_tables(data)
    if why is None:
        why = _check_header((data.get("interview") or {}).get("1"), iid)
    if why is not None:
        return _Interview(why)
    answers: dict[str, Any] = {}
    for doc_id, doc in (data.get("answers") or {}).items():
        qid = doc.get("question")
        if not isinstance(qid, str):
            return _Interview(f"запись ответа {doc_id} без вопроса")
        answers[qid] = doc.get("value")
    identity = {f: answers[f] for f in IDENTITY_FIELDS if answers.get(f) not in (None, "")}
    return _Interview(None, data["interview"]["1"].get("status", DRAFT), identity)


@dataclass
class _Recovered:
    tables: dict[str, dict[str, Any]]
    answers: int
    plans: int
    truncated: bool  # reading stopped at the damage: later records are unknown
    dropped: int  # records read whole but unusable (an answer without its question ...)

    def note(self, target: Path | None) -> str:
        what = f"заголовок, ответов: {self.answers}, планов: {self.plans}"
        if self.truncated:
            what += " (записи после места повреждения не прочитаны)"
        if self.dropped:
            what += f" (не восстановлено неполных записей: {self.dropped})"
        if target is None:
            return f"из уцелевшей части можно восстановить {what}"
        return f"из уцелевшей части восстановлено в {target}: {what}; в заголовке помечено «recovered»"


def _recover(raw: bytes, iid: str) -> _Recovered | None:
    """The interview that can honestly be made again from a damaged file: its whole header
    (with the consent) and every whole record that is usable. ``None`` when the header did
    not survive (then nothing, not even the consent, can be vouched for)."""
    data, why = _parse(raw)
    if why is None and isinstance(data, dict):
        tables = {k: v for k, v in data.items() if isinstance(v, dict)}
        truncated, dropped = False, len(data) - len(tables)
    else:
        tables, whole = salvage_tables(raw)
        truncated, dropped = not whole, 0
    header = (tables.get("interview") or {}).get("1")
    if _check_header(header, iid) is not None or not (header.get("consent") or {}).get("given"):
        return None
    out: dict[str, dict[str, Any]] = {"interview": {"1": dict(header)}}
    for name, table in tables.items():
        if name == "interview":
            continue
        kept: dict[str, Any] = {}
        for doc_id, doc in table.items():
            ok = doc_id.isdigit() and isinstance(doc, dict)
            if ok and name == "answers":
                ok = isinstance(doc.get("question"), str)
            if ok:
                kept[doc_id] = doc
            else:
                dropped += 1
        out[name] = kept
    return _Recovered(out, len(out.get("answers", {})), len(out.get("plans", {})), truncated, dropped)


# ---------------------------------------------------------------------- the doctor


class _Doctor:
    def __init__(self, root: Path, repair: bool, by: str) -> None:
        self.root = root
        self.repair = repair
        self.by = by
        self.report = DoctorReport(root, repair)
        self._store: Store | None = None
        self._stamp: Path | None = None
        self._rebuild = False
        # The index the interview files call for, as a multiset hash per kind: memory
        # does not grow with the number of interviews.
        self._expected: dict[str, list[int]] = {k: [0, 0] for k in _INDEX_KINDS}
        self._drafts: set[str] = set()
        self._migration: Finding | None = None
        self._raw_lock_held = False
        self._damaged: dict[str, Finding] = {}  # damaged interviews, by id

    # ------------------------------------------------------------ plumbing

    def add(self, path: Path, problem: str, **kw: Any) -> Finding:
        finding = Finding(path, problem, **kw)
        self.report.findings.append(finding)
        return finding

    def _writable(self) -> None:
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise StoreError(
                f"Каталог данных {self.root} доступен только для чтения: исправить его "
                "нельзя. Проверить без исправлений: sobesednik doctor --check-only."
            )

    def store(self) -> Store:
        """The store, opened at the first repair (a check alone never opens it)."""
        if self._store is None:
            self._writable()
            self._store = Store(self.root)
        return self._store

    @contextlib.contextmanager
    def locked(self) -> Iterator[Store]:
        store = self.store()
        with store._locked():  # the store's own writer lock, held for one repair
            yield store

    def damaged_dir(self) -> Path:
        if self._stamp is None:
            base = self.root / "damaged"
            stamp = base / datetime.now().strftime("%Y%m%d-%H%M%S")
            n = 1
            while stamp.exists():
                n += 1
                stamp = base / f"{datetime.now():%Y%m%d-%H%M%S}-{n}"
            self._mkdirs(stamp)
            self._stamp = stamp
            self.report.damaged_dir = stamp
        return self._stamp

    def _mkdirs(self, path: Path) -> None:
        """Create ``path`` and its missing parents inside the root, owner-only."""
        missing = []
        p = path
        while not p.exists():
            missing.append(p)
            p = p.parent
        for d in reversed(missing):
            try:
                d.mkdir(mode=0o700)
            except FileExistsError:
                pass
            except OSError as exc:
                raise StoreError(describe_os_error(exc, d, "создать каталог")) from exc
            os.chmod(d, 0o700)

    def set_aside(self, path: Path) -> Path:
        """Move ``path`` to ``damaged/<stamp>/<relative path>``; returns where it went."""
        dest = self.damaged_dir() / path.relative_to(self.root)
        self._mkdirs(dest.parent)
        n = 1
        while dest.exists():
            n += 1
            dest = dest.with_name(f"{path.name}.{n}")
        try:
            os.replace(path, dest)
            os.chmod(dest, 0o700 if dest.is_dir() else 0o600)
            fsync_dir(dest.parent)
            fsync_dir(path.parent)
        except OSError as exc:
            raise StoreError(describe_os_error(exc, path, "переместить")) from exc
        forget(path)
        self.report.set_aside += 1
        return dest

    def rel(self, path: Path) -> str:
        return str(path.relative_to(self.root))

    # ------------------------------------------------------------ run

    def run(self) -> DoctorReport:
        try:
            self._run()
            if self._store is not None:
                self._store.audit("doctor", self.by, **self.report.counts())
        except StoreError:
            if self._store is not None:  # the repairs made before the error are recorded
                with contextlib.suppress(StoreError):
                    self._store.audit("doctor", self.by, interrupted=True, **self.report.counts())
            raise
        finally:
            if self._store is not None:
                self._store.close()
        return self.report

    def _run(self) -> None:
        root = self.root
        if not root.exists():
            raise StoreError(f"Каталог данных {root} не существует.")
        if not root.is_dir():
            raise StoreError(f"Каталог данных {root} — это файл, а не каталог.")
        if not os.access(root, os.R_OK | os.X_OK):
            raise StoreError(f"Нет прав на чтение каталога данных {root}.")
        version = self.check_meta()
        if version == 1:
            if self.repair:
                self.migrate()
                version = SCHEMA_VERSION
        self.check_root_leftovers()
        self.check_interviews(flat_ok=version == 1)
        self.note_backup_copies()
        if version == SCHEMA_VERSION:
            self.check_index()
        self.check_audit()

    # ------------------------------------------------------------ meta

    def check_meta(self) -> int:
        """The schema version of the directory, after the meta file is checked (and made
        again on repair)."""
        root, path = self.root, self.root / META_FILE
        interviews, index = root / "interviews", root / "index"
        flat = interviews.is_dir() and any(
            e.is_file() and e.name.endswith(".json") and _IID.match(e.name[:-5])
            for e in os.scandir(interviews)
        )
        if not path.exists():
            if not interviews.exists() and not index.exists():
                raise StoreError(
                    f"В каталоге {root} нет данных Собеседника (нет {META_FILE} и interviews/)."
                )
            if flat:
                return self._schema_one(path, f"нет файла {META_FILE}; каталог в схеме 1")
            finding = self.add(path, "нет файла описания хранилища")
            if self.repair:
                with self._dir_lock():
                    self._new_meta(path, None)
                finding.action, finding.fixed = "создан заново (схема 2)", True
            return SCHEMA_VERSION
        why: str | None = None
        version: Any = None
        try:
            data = read_json(path)
        except DamagedFileError as exc:
            why = exc.why
        else:
            doc = (data.get("meta") or {}).get("1") if isinstance(data, dict) else None
            if _check_tables(data) is not None or not isinstance(doc, dict):
                why = "нет таблицы meta с записью 1"
            else:
                version = doc.get("schema_version")
                if not isinstance(version, int) or isinstance(version, bool) or version < 1:
                    why = f"неверная версия схемы «{version}»"
        if why is None:
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"Каталог данных {root} создан более новой версией Собеседника "
                    f"(схема {version}, эта версия понимает {SCHEMA_VERSION}). Обновите программу."
                )
            if version == 1:
                return self._schema_one(path, "каталог в схеме 1 (предыдущая версия программы)")
            return version
        self.report.damaged += 1
        finding = self.add(path, f"файл описания хранилища повреждён ({why})")
        if self.repair:
            with self._dir_lock():
                dest = self.set_aside(path)
                if not flat:
                    self._new_meta(path, dest)
            finding.fixed = True
            finding.action = f"отложен в {dest}" + ("" if flat else "; создан заново (схема 2)")
        return 1 if flat else SCHEMA_VERSION

    def _schema_one(self, path: Path, problem: str) -> int:
        self._migration = self.add(path, problem)
        if not self.repair:
            self._migration.action = "обновится до схемы 2 при исправлении (с резервной копией)"
        return 1

    def migrate(self) -> None:
        store = self.store()  # opening the store upgrades it, keeping a backup
        self.report.migrated = True
        migrations = store.meta().get("migrations") or []
        backup = migrations[-1].get("backup") if migrations else None
        finding = self._migration or self.add(self.root / META_FILE, "каталог в схеме 1")
        finding.action = "обновлён до схемы 2" + (f", резервная копия: {backup}" if backup else "")
        finding.fixed = True

    def _new_meta(self, path: Path, damaged: Path | None) -> None:
        """Write a fresh meta file for a schema-2 layout (under the directory lock)."""
        if path.exists():
            return  # another process made it meanwhile
        now = now_iso()
        recreated: dict[str, Any] = {"at": now, "by": "doctor"}
        if damaged is not None:
            recreated["damaged_copy"] = self.rel(damaged)
        meta = {"schema_version": SCHEMA_VERSION, "created_at": now, "migrations": [],
                "recreated": recreated}
        if not (self.root / "index" / "drafts.json").exists():
            # The index is checked entry by entry next; only an older layout is rebuilt.
            meta["index_layout"] = INDEX_LAYOUT
        try:
            atomic_write(path, dump_json({"meta": {"1": meta}}))
        except OSError as exc:
            raise StoreError(describe_os_error(exc, path)) from exc
        forget(path)

    @contextlib.contextmanager
    def _dir_lock(self) -> Iterator[None]:
        """The store's writer lock before a :class:`Store` can be opened (damaged meta)."""
        if self._store is not None:
            with self._store._locked():
                yield
            return
        if self._raw_lock_held:
            yield
            return
        self._writable()
        lock = self.root / ".lock"
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise StoreError(describe_os_error(exc, lock, "открыть")) from exc
        try:
            deadline = time.monotonic() + LOCK_TIMEOUT
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise StoreError(
                            f"Каталог данных {self.root} занят другим процессом дольше "
                            f"{LOCK_TIMEOUT:g} с. Повторите, когда тот процесс закончит."
                        ) from None
                    time.sleep(0.01)
            self._raw_lock_held = True
            try:
                yield
            finally:
                self._raw_lock_held = False
        finally:
            os.close(fd)

    # ------------------------------------------------------------ leftovers

    def temp_files(self, directory: Path, names: list[str]) -> list[str]:
        """Temporary files of killed writers among ``names`` in ``directory``: counted,
        removed on repair. Returns the other names."""
        temps = [n for n in names if _is_temp(n) and (directory / n).is_file()]
        if temps:
            self._temp_files(directory, temps)
        return [n for n in names if n not in set(temps)]

    def _temp_files(self, directory: Path, names: list[str]) -> None:
        self.report.temp_files += len(names)
        finding = self.add(directory, f"временных файлов от прерванной записи: {len(names)}")
        if not self.repair:
            return
        removed = 0
        with self.locked():  # no writer of this store is in the middle of a write now
            for name in names:
                try:
                    (directory / name).unlink()
                    removed += 1
                except FileNotFoundError:
                    removed += 1  # its writer finished after all
                except OSError as exc:
                    raise StoreError(describe_os_error(exc, directory / name, "удалить")) from exc
        self.report.temp_removed += removed
        finding.action, finding.fixed = "удалены (это не сохранённые данные)", True

    def check_root_leftovers(self) -> None:
        names = sorted(os.listdir(self.root))
        for name in self.temp_files(self.root, names):
            m = _LEFTOVER_INDEX.match(name)
            if not m or int(m[1]) == os.getpid():
                continue
            if _alive(int(m[1])):
                continue  # a rebuild of the index under way in another process: not ours
            path = self.root / name
            finding = self.add(path, "остаток прерванной перестройки указателя поиска")
            if self.repair:
                with self.locked():
                    shutil.rmtree(path, ignore_errors=True)
                    if path.exists() and not path.is_dir():
                        path.unlink()
                finding.action, finding.fixed = "удалён (указатель выводится из файлов интервью)", True

    # ------------------------------------------------------------ interviews

    def check_interviews(self, *, flat_ok: bool) -> None:
        base = self.root / "interviews"
        if not base.exists():
            return
        if not base.is_dir():
            self._stray(base, "должен быть каталогом")
            return
        for name in self.temp_files(base, sorted(os.listdir(base))):
            path = base / name
            if path.is_dir() and _MONTH.match(name):
                self._check_month(path)
            elif path.is_file() and name.endswith(".json") and _IID.match(name[:-5]):
                self._check_file(path, misplaced=not flat_ok)
            else:
                self._stray(path, "не файл интервью и не каталог месяца")

    def _check_month(self, month: Path) -> None:
        for name in self.temp_files(month, sorted(os.listdir(month))):
            path = month / name
            m = _IID.match(name[:-5]) if name.endswith(".json") else None
            if m is None or not path.is_file():
                self._stray(path, "не файл интервью")
                continue
            self._check_file(path, misplaced=m[1][:6] != month.name)

    def _stray(self, path: Path, why: str) -> None:
        finding = self.add(path, why)
        if self.repair:
            with self.locked():
                dest = self.set_aside(path)
            finding.action, finding.fixed = f"отложен в {dest}", True

    def _check_file(self, path: Path, *, misplaced: bool) -> None:
        iid = path.name[:-5]
        self.report.interviews += 1
        try:
            result = check_interview(path.read_bytes(), iid)
        except OSError as exc:
            self.add(path, describe_os_error(exc, path, "прочитать"))
            return
        target = self.root / "interviews" / iid[:6] / path.name
        if result.why is not None:
            self._damaged_interview(path, iid, result.why, target)
        elif not misplaced or self._move_misplaced(path, target):
            self._expect(iid, result)

    def _expect(self, iid: str, result: _Interview) -> None:
        if result.status == DRAFT:
            self._drafts.add(iid)
        for kind, (key, entry) in Store._entries(iid, result.identity).items():
            acc = self._expected[kind]
            acc[0] += 1
            acc[1] = (acc[1] + _entry_hash(kind, key, entry)) % (1 << 64)

    def _move_misplaced(self, path: Path, target: Path) -> bool:
        """Move a sound interview file found outside its month folder; True when it is (or
        will be, on repair) where the store looks for it."""
        where = f"не в своём каталоге месяца (должен быть в {target.parent})"
        finding = self.add(path, where)
        if target.exists():
            same = _same_bytes(path, target)
            finding.problem = where + (
                "; в своём каталоге лежит такой же файл" if same
                else "; в своём каталоге лежит другая версия этого интервью"
            )
            if self.repair:
                with self.locked():
                    dest = self.set_aside(path)
                finding.action, finding.fixed = f"эта копия отложена в {dest}", True
                self._rebuild = True
            return False
        if self.repair:
            with self.locked():
                self._mkdirs(target.parent)
                try:
                    os.replace(path, target)
                    fsync_dir(target.parent)
                    fsync_dir(path.parent)
                except OSError as exc:
                    raise StoreError(describe_os_error(exc, path, "переместить")) from exc
                forget(path)
            self.report.moved += 1
            self._rebuild = True
            finding.action, finding.fixed = "перемещён в свой каталог", True
        return True

    def _damaged_interview(self, path: Path, iid: str, why: str, target: Path) -> None:
        self.report.damaged += 1
        finding = self.add(path, f"файл интервью повреждён ({why})")
        self._damaged[iid] = finding
        if not self.repair:
            recovered = _recover(path.read_bytes(), iid)
            finding.notes.append(
                recovered.note(None) if recovered else "заголовок интервью не уцелел: восстановить нечего"
            )
            return
        with self.locked():
            raw = path.read_bytes()
            if check_interview(raw, iid).why is None:  # mended since the reading pass
                self.report.damaged -= 1
                self.report.findings.remove(finding)
                del self._damaged[iid]
                return
            dest = self.set_aside(path)
            self._rebuild = True
            finding.action, finding.fixed = f"отложен в {dest}", True
            recovered = _recover(raw, iid)
            del raw
            if recovered is None:
                finding.notes.append("заголовок интервью не уцелел: восстановить нечего")
            elif target.exists():
                finding.notes.append(f"в своём каталоге уже есть другая версия этого интервью: {target}")
            else:
                recovered.tables["interview"]["1"]["recovered"] = {
                    "at": now_iso(), "by": "doctor", "damaged_copy": self.rel(dest),
                    "truncated": recovered.truncated, "dropped": recovered.dropped,
                    "answers": recovered.answers, "plans": recovered.plans,
                }
                self._mkdirs(target.parent)
                try:
                    atomic_write(target, dump_json(recovered.tables))
                except OSError as exc:
                    raise StoreError(describe_os_error(exc, target)) from exc
                forget(target)
                self.report.salvaged += 1
                finding.notes.append(recovered.note(target))

    def note_backup_copies(self) -> None:
        """Name, for each damaged interview, the sound copies kept under ``backups/``: the
        folders of migrations and the archives of ``sobesednik backup`` (newest first; the
        archives are read only until every damaged interview has a copy). Never restored:
        a copy may be older than the damaged file."""
        base = self.root / "backups"
        if not self._damaged or not base.is_dir():
            return
        found: dict[str, list[str]] = {iid: [] for iid in self._damaged}
        for backup in sorted(base.iterdir(), reverse=True):
            if backup.is_dir():
                for iid, copies in found.items():
                    for candidate in (backup / "interviews" / f"{iid}.json",
                                      backup / "interviews" / iid[:6] / f"{iid}.json"):
                        with contextlib.suppress(OSError):
                            if candidate.is_file() and _sound(candidate.read_bytes(), iid):
                                copies.append(str(candidate))
            elif backup.name.endswith(".tar.gz") and not all(found.values()):
                self._archive_copies(backup, found)
        for iid, copies in found.items():
            self._damaged[iid].notes += [
                f"есть копия в резервной копии (может быть старше, не восстановлена): {c}" for c in copies
            ]

    def _archive_copies(self, archive: Path, found: dict[str, list[str]]) -> None:
        wanted = {f"interviews/{iid[:6]}/{iid}.json": iid for iid in found}
        try:
            with tarfile.open(archive, "r|gz") as tar:
                for member in tar:
                    iid = wanted.get(member.name)
                    fh = tar.extractfile(member) if iid and member.isfile() else None
                    if fh is not None and _sound(fh.read(), iid):
                        found[iid].append(f"{archive} (файл {member.name})")
        except (OSError, EOFError, tarfile.TarError, zlib.error):
            self.add(archive, "резервная копия не читается", warning=True)

    # ------------------------------------------------------------ index

    def check_index(self) -> None:
        base = self.root / "index"
        aside: list[Finding] = []  # damaged or stray index files, set aside before a rebuild
        actual: dict[str, list[int]] = {k: [0, 0] for k in _INDEX_KINDS}
        drafts: list[Any] | None = []  # None: a drafts list is damaged, nothing to compare
        misfiled = 0  # drafts listed under another month than the one they were started in
        journal: Finding | None = None
        if base.exists() and not base.is_dir():
            aside.append(self.add(base, "должен быть каталогом"))
        elif base.is_dir():
            for name in self.temp_files(base, sorted(os.listdir(base))):
                path = base / name
                if name == "drafts" and path.is_dir():
                    for month in self.temp_files(path, sorted(os.listdir(path))):
                        file = path / month
                        if not (month[:6].isdigit() and month[6:] == BUCKET_SUFFIX and file.is_file()):
                            aside.append(self.add(file, "лишний файл в указателе поиска"))
                            continue
                        docs = self._index_docs(file, aside)
                        if docs is None or drafts is None:
                            drafts = None
                            continue
                        drafts += [d.get("iid") for d in docs]
                        misfiled += sum(1 for d in docs if str(d.get("iid"))[:6] != month[:6])
                elif name in _INDEX_KINDS and path.is_dir():
                    self._index_kind(path, actual[name], aside)
                elif name == "journal" and path.is_dir():
                    dead = _dead_journals(path)
                    if dead:
                        journal = self.add(path, "журналы указателя от процессов, завершившихся "
                                           f"аварийно: {dead} (указатель мог отстать)")
                else:
                    aside.append(self.add(path, "лишний файл в указателе поиска"))
        stale: list[Finding] = [journal] if journal else []
        for kind in _INDEX_KINDS:
            have, want = actual[kind], self._expected[kind]
            if have != want:
                stale.append(self.add(base / kind, (
                    f"в указателе записей {have[0]}, по файлам интервью должно быть {want[0]}"
                    if have[0] != want[0] else "записи указателя расходятся с файлами интервью"
                )))
        listed = set(drafts or ())
        missing = len(self._drafts - listed)
        extra = listed - self._drafts
        if drafts is not None and (missing or extra or misfiled or len(listed) != len(drafts)):
            gone = sum(1 for i in extra if not _exists(self.root, i))
            parts = []
            if missing:
                parts.append(f"не указано незаконченных интервью: {missing}")
            if len(extra) > gone:
                parts.append(f"указаны законченные или повреждённые: {len(extra) - gone}")
            if gone:
                parts.append(f"указаны несуществующие: {gone}")
            if len(listed) != len(drafts):
                parts.append("есть повторы")
            if misfiled:
                parts.append(f"указаны не в своём месяце: {misfiled}")
            stale.append(self.add(base / "drafts", "список незаконченных интервью неверен: "
                                  + ", ".join(parts)))
        if not self.repair or not (aside or stale or self._rebuild):
            return
        with self.locked() as store:
            for finding in aside:
                if finding.path.exists():
                    finding.action = f"отложен в {self.set_aside(finding.path)}"
                finding.fixed = True
            store.damaged.clear()
        # Without the lock: the rebuild takes it only for its last step, so the desks and
        # kiosks working on this directory meanwhile are not kept waiting.
        store.rebuild_index()
        self.report.index_rebuilt = True
        for finding in stale:
            finding.action, finding.fixed = "указатель перестроен по файлам интервью", True
        for exc in store.damaged:  # damaged after the reading pass (by another process)
            self.add(exc.path, f"файл интервью повреждён ({exc.why})")

    def _index_docs(self, path: Path, aside: list[Finding]) -> list[dict[str, Any]] | None:
        """The entries of one index bucket; a damaged one (no header, or records that do
        not read, as a power cut can leave) is added to ``aside`` (``None``)."""
        try:
            bucket = bucketlog.read_bucket(path)
            if bucket is not None and bucket.partial:
                time.sleep(0.05)  # an append in progress ends in microseconds; a torn one stays
                bucket = bucketlog.read_bucket(path)
        except DamagedFileError as exc:
            why: str | None = exc.why
        except StoreError as exc:
            why = str(exc)
        else:
            bad = 0 if bucket is None else bucket.bad + (1 if bucket.partial else 0)
            why = f"нечитаемых записей: {bad}" if bad else None
        if why is not None:
            self.report.damaged += 1
            aside.append(self.add(path, f"файл указателя повреждён ({why})"))
            return None
        return [] if bucket is None else list(bucket.entries.values())

    def _index_kind(self, directory: Path, acc: list[int], aside: list[Finding], kind: str = "",
                    letter: str = "") -> None:
        kind = kind or directory.name
        for name in self.temp_files(directory, sorted(os.listdir(directory))):
            path = directory / name
            if kind == "name" and not letter and path.is_dir() and len(name) == 1:
                self._index_kind(path, acc, aside, kind, name)  # surnames by first letter
                continue
            key = name[:-len(BUCKET_SUFFIX)]
            if (not name.endswith(BUCKET_SUFFIX) or not path.is_file()
                    or (kind == "name" and key[:1] != letter)):
                aside.append(self.add(path, "лишний файл в указателе поиска"))
                continue
            docs = self._index_docs(path, aside)
            if docs == []:  # a process ended before it deleted a bucket a corrected answer emptied
                self._empty_bucket(path)
            for entry in docs or []:
                acc[0] += 1
                acc[1] = (acc[1] + _entry_hash(kind, key, entry)) % (1 << 64)

    def _empty_bucket(self, path: Path) -> None:
        """An index bucket with no entry left: its name (a surname, a birth date) is
        personal data that nothing needs any more, so it is deleted, not set aside."""
        finding = self.add(path, "файл указателя без записей", warning=True)
        if self.repair:
            with self.locked():
                with contextlib.suppress(FileNotFoundError, StoreError):
                    docs = bucketlog.read_bucket(path)
                    if docs is not None and not docs.entries:
                        path.unlink()
                        fsync_dir(path.parent)
                        finding.action = "удалён"
            finding.action = finding.action or "записи появились, файл оставлен"
            finding.fixed = True

    # ------------------------------------------------------------ audit

    def check_audit(self) -> None:
        base = self.root / "audit"
        if not base.is_dir():
            return
        for path in sorted(base.glob("*.jsonl")):
            bad = 0
            try:
                with path.open("rb") as fh:
                    for line in fh:
                        if not line.strip():
                            continue
                        try:
                            event = json.loads(line.decode("utf-8"))
                        except ValueError:
                            bad += 1
                            continue
                        if not isinstance(event, dict):
                            bad += 1
            except OSError as exc:
                self.add(path, describe_os_error(exc, path, "прочитать"))
                continue
            if bad:
                self.report.audit_bad_lines += bad
                self.add(path, f"нечитаемых строк журнала: {bad}",
                         action="журнал не переписывается, остальные строки читаются", warning=True)


def _entry_hash(kind: str, key: str, entry: Any) -> int:
    text = json.dumps([kind, key, entry], ensure_ascii=False, sort_keys=True, default=str)
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


def _sound(raw: bytes, iid: str) -> bool:
    return check_interview(raw, iid).why is None


def _same_bytes(a: Path, b: Path) -> bool:
    try:
        return a.read_bytes() == b.read_bytes()
    except OSError:
        return False


def _exists(root: Path, iid: Any) -> bool:
    return isinstance(iid, str) and bool(_IID.match(iid)) and (
        root / "interviews" / iid[:6] / f"{iid}.json"
    ).is_file()


def _dead_journals(folder: Path) -> int:
    """Index journals left by processes that ended without syncing their index buckets
    (a live process holds a lock on its journal). Taking the lock changes nothing on disk."""
    dead = 0
    for path in folder.glob("*.log"):
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue
        finally:
            os.close(fd)
        dead += 1
    return dead


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def diagnose(root: Path | str, *, repair: bool, by: str = "doctor") -> DoctorReport:
    """Check the data directory ``root``; with ``repair`` also mend what can be mended.

    Raises :class:`StoreError` when the directory cannot be checked at all (missing, not a
    directory, unreadable, from a newer version, locked too long, read-only for a repair).
    """
    return _Doctor(Path(root).expanduser(), repair, by).run()
