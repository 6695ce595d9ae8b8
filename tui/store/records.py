"""Interview records: everything one interview file holds, read one file at a time.

The lifecycle of stored data (export, purge, erasure, withdrawal of a consent) works on
records, ``{"id", "header", "answers", "plans"}``, with the answers as stored (value,
time, author, earlier values). Reading takes no write lock: every store file is replaced
atomically, so each is read whole, old or new, never torn; memory stays flat however many
interviews are stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.store.errors import DamagedFileError
from tui.store.files import AtomicJSONStorage
from tui.store.layout import COMPLETE, MONTH, identity_of, scan_interviews

if TYPE_CHECKING:
    from tui.store.store import Store


def read_record(store: Store, path: Path) -> dict[str, Any] | None:
    """Everything one interview file holds: ``{"id", "header", "answers", "plans"}``, the
    answers as stored (value, time, author, earlier values), the caller's own copy.
    ``None`` when the file is gone (removed since it was listed); :class:`DamagedFileError`
    when it cannot be read. The file is parsed afresh, past the cache: a pass over the
    whole store would only push out of it the files in use (and copying a cached file
    costs more than parsing it)."""
    data = AtomicJSONStorage(path, cache=False).read()
    if data is None:
        return None
    return record_of(path, data)


def record_of(path: Path, data: dict[str, Any]) -> dict[str, Any]:
    """The record (see :func:`read_record`) of the parsed interview file ``data`` at
    ``path``; :class:`DamagedFileError` when it has no header."""
    header = (data.get("interview") or {}).get("1")
    if not isinstance(header, dict):
        raise DamagedFileError(path, "нет заголовка интервью")
    answers = [
        doc for doc in (data.get("answers") or {}).values()
        if isinstance(doc, dict) and isinstance(doc.get("question"), str)
    ]
    plans = [doc for doc in (data.get("plans") or {}).values() if isinstance(doc, dict)]
    return {"id": path.stem, "header": header, "answers": answers, "plans": plans}


def records(
    store: Store, months: Callable[[str], bool] | None = None
) -> Iterator[dict[str, Any] | DamagedFileError]:
    """Every interview of the store, oldest month first, one at a time (memory stays flat);
    ``months`` chooses the month folders (``yyyymm``) to read. What cannot be read (a
    damaged file, a folder or file without the right to read it, a symbolic link, never
    followed) comes as a :class:`DamagedFileError` in its place."""
    for path in scan_interviews(store.root, months):
        if isinstance(path, DamagedFileError):
            yield path  # a folder or a file that cannot be read, a symbolic link
            continue
        try:
            record = read_record(store, path)
        except DamagedFileError as exc:
            yield exc
            continue
        if record is not None:
            yield record


def record_identity(record: dict[str, Any]) -> dict[str, Any]:
    """The identity answers of a record (surname, names, birth date, phone)."""
    return identity_of(record["answers"])


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


@dataclass(frozen=True)
class OldInterview:
    """An interview last changed before a purge's cutoff."""

    id: str
    #: as its header says (``draft``, ``complete``; ``None`` when it says nothing)
    status: str | None
    last_change: datetime

    @property
    def complete(self) -> bool:
        return self.status == COMPLETE


def old_interviews(store: Store, cutoff: datetime) -> Iterator[OldInterview | DamagedFileError]:
    """Interviews last changed before ``cutoff``. Only month folders up to the cutoff's
    month are read: an interview created later changed later too."""
    last_month = cutoff.strftime("%Y%m")
    for item in records(store, lambda month: bool(MONTH.match(month)) and month <= last_month):
        if isinstance(item, DamagedFileError):
            yield item
            continue
        moment = last_change(item)
        if moment is not None and moment < cutoff:
            yield OldInterview(item["id"], item["header"].get("status"), moment)
