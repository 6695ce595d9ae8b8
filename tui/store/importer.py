"""Import: the interviews of a full JSON Lines export (``sobesednik export``) written back
into a store, with their ids and whole content, and indexed.

Each line is checked before anything of it is written (:func:`check_line`); a line that
is not a valid interview is named (``FILE:line: what``). Interviews the store already has
are left as they are; those deleted at the client's request, purged or discarded (by the
audit trail) are not brought back. An export without personal data is refused whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from tui.store.errors import StoreError, describe_os_error
from tui.store.export import EXPORT_VERSION
from tui.store.files import write_tables
from tui.store.layout import COMPLETE, DRAFT, SCHEMA_VERSION, make_dirs

if TYPE_CHECKING:
    from tui.store.store import Store

#: Audit actions after which an interview must not come back by an import: deleted at the
#: client's request, purged by age, discarded on the start screen (``Store.discard``).
GONE_ACTIONS = frozenset({"delete_client", "purge", "discard"})

NO_PERSONAL_REFUSED = (
    "{path}: это выгрузка без персональных данных (--no-personal): в ней нет имён, телефонов, "
    "дат рождения и части ответов, и восстановить по ней интервью нельзя. Загрузите полную "
    "выгрузку (sobesednik export без --no-personal)."
)


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


def import_file(store: Store, path: Path, *, by: str) -> ImportResult:
    """Write each interview of a full JSON Lines export that the store does not have, with
    its id and content, and index it. A line that is not a valid interview is named
    (``FILE:line: what``) and nothing of it is written. An export without personal data
    is refused whole (StoreError) before anything is written."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below; lines are read one by one
    except OSError as exc:
        raise StoreError(describe_os_error(exc, path, "прочитать")) from exc
    importing = _Import(store, path)
    with handle:
        for number, raw in enumerate(_lines(handle, path), start=1):
            if raw.strip() and not importing.line(f"{path}:{number}", raw):
                break
    result = importing.result
    store.audit("import", by, count=result.imported, existing=result.existing, gone=result.gone,
                problems=len(result.problems))
    return result


class _Import:
    """One import under way: the lines taken so far."""

    def __init__(self, store: Store, path: Path) -> None:
        self.store = store
        self.path = path
        self.result = ImportResult()
        self._seen = False  # a line (not blank) was read
        self._gone: set[Any] | None = None  # ids that must not come back, read when needed

    def line(self, where: str, raw: bytes) -> bool:
        """Take one line (``where``: ``FILE:line``); False when the store refused a write
        and the rest of the file is not to be read."""
        first, self._seen = not self._seen, True
        obj, problem = _parse(raw)
        if problem is None and _no_personal(obj):
            if first:
                raise StoreError(NO_PERSONAL_REFUSED.format(path=self.path))
            problem = "строка выгрузки без персональных данных: не загружена"
        problem = problem or check_line(self.store, obj)
        if problem:
            self.result.problems.append(f"{where}: {problem}")
            return True
        return self._write(where, obj)

    def _write(self, where: str, obj: dict[str, Any]) -> bool:
        if self._gone is None:
            self._gone = {e.get("iid") for e in self.store.audit_events() if e.get("action") in GONE_ACTIONS}
        if obj["id"] in self._gone:
            self.result.gone += 1
            return True
        try:
            written = write_interview(self.store, obj)
        except StoreError as exc:
            self.result.problems.append(f"{where}: {exc}")
            self.result.stopped = True
            return False
        if written:
            self.result.imported += 1
        else:
            self.result.existing += 1
        return True


def _lines(handle: IO[bytes], path: Path) -> Iterator[bytes]:
    try:
        yield from handle
    except OSError as exc:
        raise StoreError(describe_os_error(exc, path, "прочитать")) from exc


def _parse(raw: bytes) -> tuple[Any, str | None]:
    """The JSON of one line, or what is wrong with it."""
    try:
        return json.loads(raw.decode("utf-8")), None
    except UnicodeDecodeError:
        return None, "строка не в кодировке UTF-8"
    except json.JSONDecodeError as exc:
        return None, f"не разбирается как JSON (столбец {exc.colno}: {exc.msg})"


def _no_personal(obj: Any) -> bool:
    """A line of an export without personal data."""
    mark = obj.get("export") if isinstance(obj, dict) else None
    return isinstance(mark, dict) and mark.get("personal") is False


def check_line(store: Store, obj: Any) -> str | None:
    """What is wrong with one line of a full export, in Russian; ``None`` when it is fine."""
    if not isinstance(obj, dict):
        return "строка — не объект JSON выгрузки Собеседника"
    return _check_mark(obj) or _check_id(store, obj) or _check_header(obj) or _check_records(obj)


def _check_mark(obj: dict[str, Any]) -> str | None:
    mark = obj.get("export")
    if not isinstance(mark, dict) or not isinstance(mark.get("version"), int):
        return "нет отметки «export» с версией: это не строка выгрузки Собеседника"
    if mark["version"] > EXPORT_VERSION:
        return f"выгрузка более новой версии Собеседника (формат {mark['version']}): обновите программу"
    if mark.get("personal") is not True:
        return "не отмечено, что это полная выгрузка («personal»: true)"
    return None


def _check_id(store: Store, obj: dict[str, Any]) -> str | None:
    iid = obj.get("id")
    if not isinstance(iid, str):
        return "нет номера интервью («id»)"
    try:
        store.interview_path(iid)
    except StoreError as exc:
        return str(exc)
    return None


def _check_header(obj: dict[str, Any]) -> str | None:
    header, iid = obj.get("header"), obj["id"]
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
    return None


def _check_records(obj: dict[str, Any]) -> str | None:
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
    with store.lock:
        path = store.interview_path(iid)
        if path.exists():
            return False
        make_dirs(path.parent)
        write_tables(path, {
            "interview": {"1": obj["header"]},
            "answers": {str(i): doc for i, doc in enumerate(obj["answers"], start=1)},
            "plans": {str(i): doc for i, doc in enumerate(obj["plans"], start=1)},
        })
        store.reindex_interview(iid)
    return True
