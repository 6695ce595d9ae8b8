"""Where things are in a data directory, and the keys the store derives from answers.

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

Owns the names of that layout (the one pattern of an interview id, :func:`interview_path`,
:func:`bucket_rel`, the month folders), the one owner-only ``mkdir`` of the store
(:func:`make_dirs`), and what is derived from answers: the identity of answer documents,
search keys (:func:`norm_text`, :func:`phone_digits`), the client's id (:func:`client_id`)
and an answer record with its earlier values (:func:`answer_record`).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tui.engine.policy import IDENTITY_FIELDS
from tui.store.errors import StoreError, describe_os_error

SCHEMA_VERSION = 2
DRAFT, COMPLETE = "draft", "complete"
#: The layout of ``index/``; an older one is rebuilt from the interview files at open.
INDEX_LAYOUT = 3
#: Index buckets are logs of JSON lines (:mod:`tui.store.bucketlog`).
BUCKET_SUFFIX = ".jsonl"
META_FILE = "sobesednik.json"
#: An interview id: the creation time to the millisecond and a random tail; its first six
#: digits name its month folder.
IID_PATTERN = r"\d{8}-\d{6}-[0-9a-f]{6,}"
IID = re.compile(rf"^{IID_PATTERN}$")
#: Interview ids anywhere in raw bytes (a damaged file that names them).
IID_IN_BYTES = re.compile(IID_PATTERN.encode())
#: A month folder of ``interviews/`` (``yyyymm``).
MONTH = re.compile(r"^\d{6}$")
#: How many earlier values an answer keeps beside its current one.
KEPT_VALUES = 10


def is_iid(text: str) -> bool:
    return IID.match(text) is not None


def interview_path(root: Path, iid: str) -> Path:
    """The file of interview ``iid`` in the data directory ``root``; :class:`StoreError`
    for a string that is not an interview id (it could name a path elsewhere)."""
    if not IID.match(iid or ""):
        raise StoreError(f"Неверный номер интервью: «{iid}».")
    return root / "interviews" / iid[:6] / f"{iid}.json"


def newer_schema_error(root: Path, version: object) -> StoreError:
    """A data directory written by a newer version: the words the store and ``doctor``
    both use."""
    return StoreError(
        f"Каталог данных {root} создан более новой версией Собеседника "
        f"(схема {version}, эта версия понимает {SCHEMA_VERSION}). Обновите программу."
    )


def bucket_rel(kind: str, key: str) -> str:
    """An index bucket's path inside ``index/`` (surnames are split by first letter)."""
    return f"{kind}/{key[0]}/{key}{BUCKET_SUFFIX}" if kind == "name" else f"{kind}/{key}{BUCKET_SUFFIX}"


def month_folders(root: Path) -> list[Path]:
    """The folders of ``interviews/``, oldest month first."""
    base = root / "interviews"
    if not base.is_dir():
        return []
    return sorted(p for p in base.iterdir() if p.is_dir())


def interview_files(root: Path, months: Callable[[str], bool] | None = None) -> Iterator[Path]:
    """Every interview file, oldest month first; ``months`` chooses the month folders
    (``yyyymm``) to list."""
    for month in month_folders(root):
        if months is None or months(month.name):
            yield from sorted(month.glob("*.json"))


def has_interviews(root: Path) -> bool:
    """Whether any month folder holds an interview file (listing stops at the first)."""
    try:
        with os.scandir(root / "interviews") as months:
            for month in months:
                if not month.is_dir():
                    continue
                with os.scandir(month.path) as files:
                    if any(f.name.endswith(".json") for f in files):
                        return True
    except (FileNotFoundError, NotADirectoryError):
        pass
    return False


def make_dirs(path: Path) -> Path:
    """Create ``path`` and any missing parents, each readable by the owner only; returns
    ``path``. :class:`StoreError` names the folder that could not be made."""
    missing: list[Path] = []
    folder = path
    while not folder.is_dir() and folder.parent != folder:
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError as exc:
            if not folder.is_dir():
                raise StoreError(describe_os_error(exc, folder, "создать каталог")) from exc
        except OSError as exc:
            raise StoreError(describe_os_error(exc, folder, "создать каталог")) from exc
    return path


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


def identity_of(answers: Iterable[Any]) -> dict[str, Any]:
    """The identity answers among answer documents."""
    out: dict[str, Any] = {}
    for doc in answers:
        if not isinstance(doc, dict) or doc.get("question") not in IDENTITY_FIELDS:
            continue
        if doc.get("value") not in (None, ""):
            out[doc["question"]] = doc["value"]
    return out


def answer_record(qid: str, value: Any, at: str, by: str, old: dict[str, Any] | None) -> dict[str, Any]:
    """The answer document of ``qid``: its value, time and author, and, when it replaces
    ``old``, the earlier values with theirs (the last :data:`KEPT_VALUES`)."""
    record: dict[str, Any] = {"question": qid, "value": value, "at": at, "by": by}
    if old is not None:
        record["previous"] = (old.get("previous") or [])[-(KEPT_VALUES - 1):] + [
            {"value": old.get("value"), "at": old.get("at"), "by": old.get("by")}
        ]
    return record
