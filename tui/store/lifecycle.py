"""The lifecycle of stored data: export, import, backup, deleting a client, purge by age,
and withdrawal of the consent to a special category of data (152-ФЗ ст. 5 ч. 7, ст. 10, 21).

Reading (export, backup, finding old interviews) takes no write lock: every store file is
replaced atomically, so each is read whole, old or new, never torn; an export or a backup
runs while interviews run. Changing (import, delete, purge, withdrawal) holds the store's
short write lock one interview at a time, and first takes the interview's lease: an
interview open in another window is left alone and named.

What is personal comes from the scripts (:class:`DataPolicy`): the identity answers, the
free-text answers (text, long text, phone), the answers marked ``special`` (health) and
what reveals them (the groups decided from them, the questions of those groups' modules,
the separate consent to them); the exact dates of other answers are personal too (an
export without personal data keeps their year). The audit trail gets ids and counts,
never a name or an answer.

Deleting a client, purging and withdrawing a consent also remove the copies of the
interviews concerned that ``doctor`` set aside in ``damaged/`` (a damaged file cannot be
edited reliably); the backups under ``backups/`` are never edited, only named
(:func:`backups_holding`).
"""

from __future__ import annotations

import contextlib
import copy
import csv
import hashlib
import io
import json
import os
import re
import secrets
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, TextIO

from tui.engine import dates
from tui.engine.policy import HEALTH, DataPolicy
from tui.fs import atomic_write, fsync_dir
from tui.store.files import DamagedFileError, StoreError, describe_os_error, dump_json, forget
from tui.store.store import (
    COMPLETE,
    DRAFT,
    IDENTITY_FIELDS,
    META_FILE,
    SCHEMA_VERSION,
    InterviewBusyError,
    InterviewSummary,
    Store,
    StoredInterview,
    client_id,
    now_iso,
)

#: Version of the export line format (``{"export": {"version": 1, "personal": …}, …}``).
EXPORT_VERSION = 1
FORMATS = ("jsonl", "csv")
#: Audit actions after which an interview must not come back by an import: deleted at the
#: client's request, purged by age, discarded on the start screen (``Store.discard``).
GONE_ACTIONS = frozenset({"delete_client", "purge", "discard"})
#: What a backup holds, relative to the data directory (the index is rebuilt, leases,
#: the lock, temporary files and earlier backups are left out).
BACKUP_PARTS = (META_FILE, "interviews", "audit", "damaged")

# Header fields an export without personal data keeps as they are.
_PLAIN_HEADER = (
    "id", "schema_version", "interview_date", "scripts", "mode", "status", "created_at",
    "updated_at", "completed_at", "completed_by", "inspectors", "groups_confirmed",
    "consent_withdrawals",
)
_CONSENT_KEYS = ("given", "at", "recorded_by", "text_version", "how", "categories")
_CSV_HEADER = (
    "id", "status", "interview_date", "created_at", "updated_at", "completed_at", "mode",
    "scripts", "inspectors", "consent_at", "consent_text_version", "consent_how", "groups",
    "group_overrides", "consent_withdrawals", "plans_issued",
)
#: Left out of an export without personal data: a withdrawal of the consent to a special
#: category tells that the client once gave it (and so, most likely, the data).
_PERSONAL_HEADER = ("consent_withdrawals",)
_MONTH = re.compile(r"^\d{6}$")
_IID_NAME = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{6,}$")
_IID_BYTES = re.compile(rb"\d{8}-\d{6}-[0-9a-f]{6,}")


# --------------------------------------------------------------------------- reading files


def read_record(store: Store, path: Path) -> dict[str, Any] | None:
    """Everything one interview file holds: ``{"id", "header", "answers", "plans"}``, the
    answers as stored (value, time, author, earlier values). ``None`` when the file is gone
    (removed since it was listed); :class:`DamagedFileError` when it cannot be read."""
    data = store._db(path).storage.read()
    if data is None:
        return None
    header = (data.get("interview") or {}).get("1")
    if not isinstance(header, dict):
        raise DamagedFileError(path, "нет заголовка интервью")
    answers = [
        doc for doc in (data.get("answers") or {}).values()
        if isinstance(doc, dict) and isinstance(doc.get("question"), str)
    ]
    plans = [doc for doc in (data.get("plans") or {}).values() if isinstance(doc, dict)]
    return copy.deepcopy({"id": path.stem, "header": header, "answers": answers, "plans": plans})


def records(
    store: Store, months: Callable[[str], bool] | None = None
) -> Iterator[dict[str, Any] | DamagedFileError]:
    """Every interview of the store, oldest month first, one at a time (memory stays flat);
    ``months`` chooses the month folders (``yyyymm``) to read."""
    base = store.root / "interviews"
    if not base.is_dir():
        return
    for month in sorted(p for p in base.iterdir() if p.is_dir()):
        if months is not None and not months(month.name):
            continue
        for path in sorted(month.glob("*.json")):
            try:
                record = read_record(store, path)
            except DamagedFileError as exc:
                yield exc
                continue
            if record is not None:
                yield record


def identity_of(record: dict[str, Any]) -> dict[str, Any]:
    return {
        doc["question"]: doc.get("value") for doc in record["answers"]
        if doc["question"] in IDENTITY_FIELDS and doc.get("value") not in (None, "")
    }


def _parse_time(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = datetime.combine(date.fromisoformat(text), time())
        except ValueError:
            return None
    return moment if moment.tzinfo else moment.astimezone()


def last_change(record: dict[str, Any]) -> datetime | None:
    """When the interview last changed: the latest of its creation, change and completion
    times and of its answers' times (the interview date when none of them reads)."""
    h = record["header"]
    moments = [_parse_time(h.get(k)) for k in ("created_at", "updated_at", "completed_at")]
    moments += [_parse_time(doc.get("at")) for doc in record["answers"]]
    found = [m for m in moments if m is not None]
    if found:
        return max(found)
    return _parse_time(h.get("interview_date"))


# --------------------------------------------------------------------------- export


@dataclass
class ExportResult:
    count: int = 0
    damaged: list[DamagedFileError] = field(default_factory=list)


def export_line(record: dict[str, Any], *, personal: bool, policy: DataPolicy | None = None,
                salt: bytes = b"") -> dict[str, Any]:
    """One interview as an export object. With ``personal`` everything is kept, as stored
    (an import restores it). Without: no names, phone, birth date (its year is kept), no
    free-text or special-category answer, no plan text, no reasons typed by inspectors;
    a ``client_key`` (a hash keyed by ``salt``) lets one export count clients. Nothing
    is given of the groups decided from special-category data (membership, confirmation,
    the inspector's override) nor of the questions of their modules; dates of answers are
    given as their year; consent withdrawals are left out."""
    if personal:
        return {"export": {"version": EXPORT_VERSION, "personal": True}, "id": record["id"],
                "header": record["header"], "answers": record["answers"], "plans": record["plans"]}
    if policy is None:
        raise ValueError("an export without personal data needs the scripts' DataPolicy")
    h = record["header"]
    identity = identity_of(record)
    cid = client_id(identity)
    birth = str(identity.get("birth_date") or "")
    hidden = policy.hidden_groups
    header = {k: copy.deepcopy(h[k]) for k in _PLAIN_HEADER if k in h and k not in _PERSONAL_HEADER}
    consent = h.get("consent")
    if isinstance(consent, dict):
        header["consent"] = {k: consent[k] for k in _CONSENT_KEYS if k in consent}
    if isinstance(h.get("groups"), list):
        header["groups"] = [
            _plain_group(g) for g in h["groups"] if isinstance(g, dict) and g.get("id") not in hidden
        ]
    confirmed = header.get("groups_confirmed")
    if isinstance(confirmed, dict) and isinstance(confirmed.get("computed"), list):
        confirmed["computed"] = [g for g in confirmed["computed"] if g not in hidden]
    if isinstance(h.get("group_overrides"), list):
        header["group_overrides"] = [
            {k: o.get(k) for k in ("group", "action", "by", "at")}
            for o in h["group_overrides"] if isinstance(o, dict) and o.get("group") not in hidden
        ]
    return {
        "export": {"version": EXPORT_VERSION, "personal": False},
        "id": record["id"],
        "client_key": hashlib.sha256(salt + cid.encode()).hexdigest()[:16] if cid else None,
        "birth_year": int(birth[:4]) if re.match(r"^\d{4}-", birth) else None,
        "header": header,
        "answers": [
            {"question": doc["question"], "value": policy.plain_value(doc["question"], doc.get("value")),
             "at": doc.get("at"), "by": doc.get("by")}
            for doc in record["answers"] if policy.keeps(doc["question"])
        ],
        "plans": [{k: p.get(k) for k in ("issued_at", "by")} for p in record["plans"]],
    }


def _plain_group(g: dict[str, Any]) -> dict[str, Any]:
    out = {k: g[k] for k in ("id", "title", "status", "member", "withdrawn") if k in g}
    if isinstance(g.get("override"), dict):
        out["override"] = {"action": g["override"].get("action")}
    return out


def export(
    store: Store,
    out: TextIO,
    *,
    fmt: str = "jsonl",
    personal: bool = True,
    policy: DataPolicy | None = None,
    by: str,
) -> ExportResult:
    """Write every interview to ``out`` (JSON Lines: one object per interview; CSV: one row
    per interview, a column per question). Damaged files are skipped and listed."""
    if fmt not in FORMATS:
        raise StoreError(f"Неизвестный формат выгрузки «{fmt}» (допустимы: {', '.join(FORMATS)}).")
    if not personal and policy is None:
        raise StoreError("Для выгрузки без персональных данных нужны сценарии интервью.")
    result = ExportResult()
    salt = secrets.token_bytes(16)

    def lines() -> Iterator[dict[str, Any]]:
        for item in records(store):
            if isinstance(item, DamagedFileError):
                result.damaged.append(item)
                continue
            yield export_line(item, personal=personal, policy=policy, salt=salt)

    if fmt == "jsonl":
        for obj in lines():
            out.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n")
            result.count += 1
    else:
        columns = _csv_questions(store, personal, policy)
        writer = csv.writer(out)
        fixed = list(_CSV_HEADER)
        if not personal:
            fixed = [k for k in fixed if k not in _PERSONAL_HEADER]
            fixed[1:1] = ["client_key", "birth_year"]
        writer.writerow(fixed + columns)
        for obj in lines():
            writer.writerow(_csv_row(obj, fixed, columns))
            result.count += 1
    store.audit("export", by, count=result.count, personal=personal, format=fmt,
                damaged=len(result.damaged))
    return result


def _csv_questions(store: Store, personal: bool, policy: DataPolicy | None) -> list[str]:
    """The question columns: every question answered in any interview (a first pass over
    the files), in interview order of the scripts, then the others by name."""
    seen: set[str] = set()
    for item in records(store):
        if isinstance(item, dict):
            seen.update(
                doc["question"] for doc in item["answers"]
                if personal or (policy is not None and policy.keeps(doc["question"]))
            )
    order = list(policy.questions) if policy is not None else []
    known = [q for q in order if q in seen]
    return known + sorted(seen - set(known))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, list):
        return ";".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def member_groups(header: dict[str, Any]) -> list[str]:
    """The client's groups: those of the finished interview, or those confirmed so far."""
    if isinstance(header.get("groups"), list):
        return [g.get("id") for g in header["groups"] if isinstance(g, dict) and g.get("member")]
    confirmed = list((header.get("groups_confirmed") or {}).get("computed") or [])
    for o in header.get("group_overrides") or []:
        if not isinstance(o, dict):
            continue
        if o.get("action") == "add" and o.get("group") not in confirmed:
            confirmed.append(o.get("group"))
        elif o.get("action") == "remove" and o.get("group") in confirmed:
            confirmed.remove(o.get("group"))
    return confirmed


def _csv_row(obj: dict[str, Any], fixed: list[str], columns: list[str]) -> list[str]:
    h = obj["header"]
    consent = h.get("consent") if isinstance(h.get("consent"), dict) else {}
    values: dict[str, Any] = {k: h.get(k) for k in fixed if k in h}
    values.update({
        "id": obj["id"],
        "client_key": obj.get("client_key"),
        "birth_year": obj.get("birth_year"),
        "consent_at": consent.get("at"),
        "consent_text_version": consent.get("text_version"),
        "consent_how": consent.get("how"),
        "groups": member_groups(h),
        "group_overrides": [f"{o.get('group')}:{o.get('action')}"
                            for o in h.get("group_overrides") or [] if isinstance(o, dict)],
        "consent_withdrawals": [f"{w.get('category')}:{w.get('at')}"
                                for w in h.get("consent_withdrawals") or [] if isinstance(w, dict)],
        "plans_issued": len(obj["plans"]),
    })
    answers = {doc["question"]: doc.get("value") for doc in obj["answers"]}
    return [_cell(values.get(k)) for k in fixed] + [_cell(answers.get(q)) for q in columns]


# --------------------------------------------------------------------------- import


@dataclass
class ImportResult:
    imported: int = 0
    #: ids already in the store: left as they are
    existing: int = 0
    #: ids deleted at the client's request or purged: not brought back
    gone: int = 0
    #: ``FILE:line: what`` for each line not written
    problems: list[str] = field(default_factory=list)
    #: the store refused a write (a full disk): the rest of the file was not read
    stopped: bool = False


NO_PERSONAL_REFUSED = (
    "{path}: это выгрузка без персональных данных (--no-personal): в ней нет имён, телефонов, "
    "дат рождения и части ответов, и восстановить по ней интервью нельзя. Загрузите полную "
    "выгрузку (sobesednik export без --no-personal)."
)


def import_file(store: Store, path: Path, *, by: str) -> ImportResult:
    """Write each interview of a full JSON Lines export that the store does not have, with
    its id and content, and index it. A line that is not a valid interview is named
    (``FILE:line: what``) and nothing of it is written. An export without personal data
    is refused whole (StoreError) before anything is written."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below; lines are read one by one
    except OSError as exc:
        raise StoreError(describe_os_error(exc, path, "прочитать")) from exc
    result = ImportResult()
    gone: set[str] | None = None
    first = True
    with handle:
        for number, raw in enumerate(_lines(handle, path), start=1):
            if not raw.strip():
                continue
            where = f"{path}:{number}"
            try:
                obj = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                result.problems.append(f"{where}: строка не в кодировке UTF-8")
                first = False
                continue
            except json.JSONDecodeError as exc:
                result.problems.append(f"{where}: не разбирается как JSON (столбец {exc.colno}: {exc.msg})")
                first = False
                continue
            mark = obj.get("export") if isinstance(obj, dict) else None
            if isinstance(mark, dict) and mark.get("personal") is False:
                if first:
                    raise StoreError(NO_PERSONAL_REFUSED.format(path=path))
                result.problems.append(f"{where}: строка выгрузки без персональных данных: не загружена")
                continue
            first = False
            problem = check_line(store, obj)
            if problem:
                result.problems.append(f"{where}: {problem}")
                continue
            if gone is None:
                gone = {e.get("iid") for e in store.audit_events() if e.get("action") in GONE_ACTIONS}
            if obj["id"] in gone:
                result.gone += 1
                continue
            try:
                written = write_interview(store, obj)
            except StoreError as exc:
                result.problems.append(f"{where}: {exc}")
                result.stopped = True
                break
            if written:
                result.imported += 1
            else:
                result.existing += 1
    store.audit("import", by, count=result.imported, existing=result.existing, gone=result.gone,
                problems=len(result.problems))
    return result


def _lines(handle: Any, path: Path) -> Iterator[bytes]:
    try:
        yield from handle
    except OSError as exc:
        raise StoreError(describe_os_error(exc, path, "прочитать")) from exc


def check_line(store: Store, obj: Any) -> str | None:
    """What is wrong with one line of a full export, in Russian; ``None`` when it is fine."""
    if not isinstance(obj, dict):
        return "строка — не объект JSON выгрузки Собеседника"
    mark = obj.get("export")
    if not isinstance(mark, dict) or not isinstance(mark.get("version"), int):
        return "нет отметки «export» с версией: это не строка выгрузки Собеседника"
    if mark["version"] > EXPORT_VERSION:
        return f"выгрузка более новой версии Собеседника (формат {mark['version']}): обновите программу"
    if mark.get("personal") is not True:
        return "не отмечено, что это полная выгрузка («personal»: true)"
    iid = obj.get("id")
    if not isinstance(iid, str):
        return "нет номера интервью («id»)"
    try:
        store.interview_path(iid)
    except StoreError as exc:
        return str(exc)
    header = obj.get("header")
    if not isinstance(header, dict):
        return "нет заголовка интервью («header»)"
    if header.get("id") != iid:
        return f"номер интервью в заголовке («{header.get('id')}») не совпадает с «id» ({iid})"
    version = header.get("schema_version", SCHEMA_VERSION)
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        return (f"интервью записано более новой версией Собеседника (схема {version}, эта версия "
                f"понимает {SCHEMA_VERSION}): обновите программу")
    if header.get("status") not in (DRAFT, COMPLETE):
        return f"неизвестное состояние интервью «{header.get('status')}»"
    try:
        date.fromisoformat(str(header.get("interview_date")))
    except ValueError:
        return f"неверная дата интервью «{header.get('interview_date')}»"
    consent = header.get("consent")
    if not isinstance(consent, dict) or not consent.get("given"):
        return "нет записанного согласия на обработку ПДн: такое интервью не сохраняется"
    answers, plans = obj.get("answers"), obj.get("plans")
    if not isinstance(answers, list) or not isinstance(plans, list):
        return "«answers» и «plans» должны быть списками"
    seen: set[str] = set()
    for i, doc in enumerate(answers, start=1):
        if not isinstance(doc, dict) or not isinstance(doc.get("question"), str) or not doc["question"]:
            return f"ответ {i}: нет вопроса («question»)"
        if doc["question"] in seen:
            return f"ответ на вопрос «{doc['question']}» повторяется"
        seen.add(doc["question"])
    if not all(isinstance(p, dict) for p in plans):
        return "план должен быть объектом JSON"
    return None


def write_interview(store: Store, obj: dict[str, Any]) -> bool:
    """Write one checked export object as an interview file (one atomic, durable write) and
    index it; ``False`` when the store already has that id (nothing is changed then)."""
    iid = obj["id"]
    with store._locked():
        path = store.interview_path(iid)
        if path.exists():
            return False
        store._mkdir(path.parent)
        data = {
            "interview": {"1": obj["header"]},
            "answers": {str(i): doc for i, doc in enumerate(obj["answers"], start=1)},
            "plans": {str(i): doc for i, doc in enumerate(obj["plans"], start=1)},
        }
        try:
            atomic_write(path, dump_json(data))
        except OSError as exc:
            raise StoreError(describe_os_error(exc, path)) from exc
        finally:
            forget(path)
        store.reindex_interview(iid)
    return True


# --------------------------------------------------------------------------- backup


@dataclass
class BackupResult:
    path: Path
    files: int
    size: int


def default_backup_name(now: datetime | None = None) -> str:
    return f"sobesednik-{(now or datetime.now()):%Y%m%d-%H%M%S}.tar.gz"


def backup(store: Store, out: Path | None = None, *, by: str) -> BackupResult:
    """A ``.tar.gz`` of the data directory: meta, interviews, audit trail and the files
    ``doctor`` set aside; not the index (rebuilt from the interviews), leases, the lock,
    temporary files or earlier backups. Written owner-only under a temporary name and
    renamed when complete; no write lock is held, each file is read whole at once."""
    if out is None:
        target = store._mkdir(store.root / "backups") / default_backup_name()
    elif out.is_dir():
        target = out / default_backup_name()
    else:
        target = out
    if not target.parent.is_dir():
        raise StoreError(f"Нет каталога {target.parent}: резервная копия не записана.")
    if target.exists():
        raise StoreError(f"Файл {target} уже есть: резервная копия не перезаписывает файлы. "
                         "Укажите другое имя (--out).")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise StoreError(describe_os_error(exc, target, "записать резервную копию в")) from exc
    files = 0
    try:
        with os.fdopen(fd, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz") as tar:
                for arcname, path in _backup_entries(store.root):
                    files += _add_to_archive(tar, arcname, path)
                    tar.members.clear()  # kept only for listing: memory stays flat
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, target)
        fsync_dir(target.parent)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise StoreError(describe_os_error(exc, target, "записать резервную копию в")) from exc
        raise
    size = target.stat().st_size
    store.audit("backup", by, files=files, path=str(target))
    return BackupResult(target, files, size)


def _backup_entries(root: Path) -> Iterator[tuple[str, Path]]:
    """(name in the archive, path) of each folder and file to keep, folders first."""
    for part in BACKUP_PARTS:
        base = root / part
        if base.is_file():
            yield part, base
            continue
        if not base.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            folder = Path(dirpath)
            yield folder.relative_to(root).as_posix(), folder
            for name in sorted(filenames):
                if not name.startswith("."):  # temporary files of atomic writes
                    yield (folder / name).relative_to(root).as_posix(), folder / name


def _add_to_archive(tar: tarfile.TarFile, arcname: str, path: Path) -> int:
    info = tarfile.TarInfo(arcname)
    info.uid, info.gid = os.getuid(), os.getgid()
    if path.is_dir():
        info.type, info.mode = tarfile.DIRTYPE, 0o700
        info.mtime = int(path.stat().st_mtime)
        tar.addfile(info)
        return 0
    try:
        with open(path, "rb") as f:
            data = f.read()
            info.mtime = int(os.fstat(f.fileno()).st_mtime)
    except FileNotFoundError:
        return 0  # removed since the folder was listed (discarded, purged)
    except OSError as exc:
        raise StoreError(describe_os_error(exc, path, "прочитать")) from exc
    if path.suffix == ".jsonl":
        data = data[: data.rfind(b"\n") + 1]  # an audit line being appended right now
    info.size, info.mode = len(data), 0o600
    tar.addfile(info, io.BytesIO(data))
    return 1


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
                if all(d.path != item.path for d in found.damaged):
                    found.damaged.append(item)
            elif item["id"] not in known and client_id(identity_of(item)) == cid:
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
    return bool(_IID_NAME.match(stem)) and stem in iids


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
        raw = path.read_bytes()
    except OSError:
        return False
    return any(m.decode() in iids for m in _IID_BYTES.findall(raw))


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
    candidates = sorted(base.iterdir()) if base.is_dir() else []
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
    with tarfile.open(path, "r|*") as tar:
        for member in tar:
            tar.members.clear()  # kept only for listing: memory stays flat
            if member.isfile() and _names_one_of(Path(member.name).name, wanted):
                return True
    return False


def _archives_in_audit(store: Store) -> list[Path]:
    """The archives ``sobesednik backup`` wrote, by the audit trail, that still exist."""
    out: list[Path] = []
    folder = store.root / "audit"
    for log in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        try:
            with log.open("rb") as fh:
                for line in fh:
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


def old_interviews(store: Store, cutoff: datetime) -> Iterator[dict[str, Any] | DamagedFileError]:
    """Interviews last changed before ``cutoff``: ``{"id", "status", "last_change"}``. Only
    month folders up to the cutoff's month are read: an interview created later changed
    later too."""
    last_month = cutoff.strftime("%Y%m")
    for item in records(store, lambda month: bool(_MONTH.match(month)) and month <= last_month):
        if isinstance(item, DamagedFileError):
            yield item
            continue
        moment = last_change(item)
        if moment is not None and moment < cutoff:
            yield {"id": item["id"], "status": item["header"].get("status"), "last_change": moment}


def purge(store: Store, iids: Iterable[str], cutoff: datetime, *, by: str, months: int) -> Removal:
    """Remove the old interviews ``iids``, each checked again when its turn comes."""

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


# --------------------------------------------------------------------------- consent withdrawal


@dataclass
class Withdrawal:
    #: (id, answers removed, plans withdrawn) of each interview changed
    changed: list[tuple[str, int, int]] = field(default_factory=list)
    busy: list[tuple[str, str]] = field(default_factory=list)
    #: files that could not be read: not changed (``doctor`` sets them aside)
    damaged: list[DamagedFileError] = field(default_factory=list)
    #: the copies of the changed interviews that ``doctor`` had set aside: removed whole
    copies: CopiesRemoved = field(default_factory=CopiesRemoved)

    @property
    def answers(self) -> int:
        return sum(c[1] for c in self.changed)

    @property
    def plans(self) -> int:
        return sum(c[2] for c in self.changed)


def check_withdrawable(policy: DataPolicy, category: str) -> None:
    if not policy.special_ids(category) or category not in policy.consent:
        raise StoreError(
            f"В сценариях интервью нет вопросов, отмеченных «special: {category}», или нет вопроса "
            f"согласия «consent_for: {category}»: неизвестно, какие ответы удалять."
        )


def special_answers(record: dict[str, Any], policy: DataPolicy, category: str) -> int:
    ids = policy.special_ids(category)
    return sum(1 for doc in record["answers"] if doc["question"] in ids)


def withdraw_consent(store: Store, policy: DataPolicy, iid: str, *, category: str = HEALTH,
                     by: str, found: ClientInterviews | None = None) -> Withdrawal:
    """The client of ``iid`` withdrew the separate consent to ``category``: in each of
    their interviews remove the answers of that category with their earlier values, record
    the consent answer as «no» (who, when), drop what was decided from those answers (the
    group's facts and reason, the inspector's override of that group, the issued plan's
    text when it holds them) and keep a withdrawal record in the header. The index holds
    nothing of these answers and is not touched. The copies of those interviews that
    ``doctor`` set aside are removed whole: a damaged file cannot be scrubbed reliably.
    ``found``: the client's interviews, when they were already listed (:func:`find_client`)."""
    check_withdrawable(policy, category)
    if found is None:
        found = find_client(store, iid)
    result = Withdrawal()
    for one in found.ids:
        if not store.interview_path(one).exists():
            continue  # removed since it was listed
        try:
            lease = store.lease(one, inspector=by, mode="withdraw_consent")
        except InterviewBusyError as exc:
            result.busy.append((one, str(exc)))
            continue
        try:
            removed, plans = _withdraw_one(store, policy, one, category, by)
        except DamagedFileError as exc:
            result.damaged.append(exc)
            continue
        finally:
            lease.release()
        result.changed.append((one, removed, plans))
        store.audit("withdraw_consent", by, iid=one, category=category, removed=removed, plans=plans)
    result.copies = remove_damaged_copies(store, [c[0] for c in result.changed], by=by,
                                          reason="withdraw_consent")
    return result


def withdrawn_plan_text(category: str, at: str) -> str:
    when = at[8:10] + "." + at[5:7] + "." + at[:4] if len(at) >= 10 else at
    what = "сведений о здоровье" if category == HEALTH else f"данных категории «{category}»"
    return (f"*План удалён {when}: клиент отозвал согласие на обработку {what}, а план их "
            "содержал. Чтобы выдать план снова, проведите интервью заново.*\n")


def _withdraw_one(store: Store, policy: DataPolicy, iid: str, category: str, by: str) -> tuple[int, int]:
    special = policy.special_ids(category)
    consent_q = policy.consent[category]
    derived = policy.special_groups.get(category, set())
    with store._locked():
        path = store.interview_path(iid)
        db = store._db(path)
        data = db.storage.read()
        if data is None:
            raise StoreError(f"Интервью {iid} не найдено в {store.root}.")
        data = copy.deepcopy(data)
        header = (data.get("interview") or {}).get("1")
        if not isinstance(header, dict):
            raise DamagedFileError(path, "нет заголовка интервью")
        at = now_iso()
        answers: dict[str, Any] = data.setdefault("answers", {})
        removed_values = [answers[k].get("value") for k in answers if answers[k].get("question") in special]
        for key in [k for k, doc in answers.items() if doc.get("question") in special]:
            del answers[key]  # the record goes whole: its value and every earlier value
        _record_no(answers, consent_q, at, by)
        was_member = _scrub_groups(header, derived, special)
        plans_withdrawn = 0
        texts = [v for v in removed_values if isinstance(v, str) and len(v) >= 3]
        for plan in (data.get("plans") or {}).values():
            markdown = str(plan.get("markdown") or "")
            if plan.get("withdrawn") or not markdown:
                continue
            if was_member or any(t in markdown for t in texts):
                plan["markdown"] = withdrawn_plan_text(category, at)
                plan["withdrawn"] = {"category": category, "at": at, "by": by}
                plans_withdrawn += 1
        header["consent_withdrawals"] = [
            *(header.get("consent_withdrawals") or []), {"category": category, "at": at, "by": by}
        ]
        db.storage.write(data)
    return len(removed_values), plans_withdrawn


def _record_no(answers: dict[str, Any], qid: str, at: str, by: str) -> None:
    """Set the consent answer ``qid`` to «no», keeping its earlier values (as saving does)."""
    key = next((k for k, doc in answers.items() if doc.get("question") == qid), None)
    record: dict[str, Any] = {"question": qid, "value": False, "at": at, "by": by}
    if key is None:
        ids = [int(k) for k in answers if k.isdigit()]
        answers[str(max(ids, default=0) + 1)] = record
        return
    old = answers[key]
    if old.get("value") is False:
        return
    record["previous"] = (old.get("previous") or [])[-9:] + [
        {"value": old.get("value"), "at": old.get("at"), "by": old.get("by")}
    ]
    answers[key] = record


def _scrub_groups(header: dict[str, Any], derived: set[str], special: set[str]) -> bool:
    """Drop from the header what was decided from the removed answers; True when the client
    was in such a group (the plan then speaks of it)."""
    was_member = False
    groups = header.get("groups")
    if isinstance(groups, list):
        kept = []
        for g in groups:
            if not isinstance(g, dict):
                continue
            facts = g.get("facts") if isinstance(g.get("facts"), dict) else {}
            if g.get("id") in derived or special & set(facts):
                was_member = was_member or bool(g.get("member"))
                g = {"id": g.get("id"), "title": g.get("title"), "withdrawn": True}
            kept.append(g)
        header["groups"] = kept
    overrides = header.get("group_overrides")
    if isinstance(overrides, list):
        was_member = was_member or any(
            isinstance(o, dict) and o.get("group") in derived and o.get("action") == "add" for o in overrides
        )
        header["group_overrides"] = [
            o for o in overrides if not (isinstance(o, dict) and o.get("group") in derived)
        ]
    confirmed = header.get("groups_confirmed")
    if isinstance(confirmed, dict) and isinstance(confirmed.get("computed"), list):
        was_member = was_member or any(g in derived for g in confirmed["computed"])
        confirmed["computed"] = [g for g in confirmed["computed"] if g not in derived]
    return was_member
