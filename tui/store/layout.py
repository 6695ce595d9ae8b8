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
    logs/errors.log                  what went wrong inside the program (``tui.crashlog``)
    settings.yaml                    the centre's and the inspectors' details a plan prints
                                     (``sobesednik setup``; :mod:`tui.store.settings`)
    documents/                       plan documents written for printing (owner-only)

Owns the names of that layout (the one pattern of an interview id, :func:`interview_path`,
:func:`bucket_rel`, the month folders), the one owner-only ``mkdir`` of the store
(:func:`make_dirs`), and what is derived from answers: the identity of answer documents,
search keys (:func:`norm_text`, :func:`phone_digits`), the client's id (:func:`client_id`)
and an answer record with its earlier values (:func:`answer_record`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tui.engine.policy import IDENTITY_FIELDS
from tui.fs import file_kind
from tui.store.errors import StoreError, UnreadableFileError, describe_os_error, not_regular, os_reason

SCHEMA_VERSION = 2
DRAFT, COMPLETE = "draft", "complete"
#: The layout of ``index/``; an older one is rebuilt from the interview files at open.
INDEX_LAYOUT = 3
#: Index buckets are logs of JSON lines (:mod:`tui.store.bucketlog`).
BUCKET_SUFFIX = ".jsonl"
META_FILE = "sobesednik.json"
#: The centre's and the inspectors' details (:mod:`tui.store.settings`).
SETTINGS_FILE = "settings.yaml"
#: Plan documents written for printing: owner-only files, never through a link.
DOCUMENTS_DIR = "documents"
#: An interview id: the creation time to the millisecond and a random tail; its first six
#: digits name its month folder.
IID_PATTERN = r"\d{8}-\d{6}-[0-9a-f]{6,}"
IID = re.compile(rf"^{IID_PATTERN}\Z")
#: Interview ids anywhere in raw bytes (a damaged file that names them).
IID_IN_BYTES = re.compile(IID_PATTERN.encode())
#: A month folder of ``interviews/`` (``yyyymm``).
MONTH = re.compile(r"^\d{6}\Z")
#: How many earlier values an answer keeps beside its current one.
KEPT_VALUES = 10
#: The store's own entries, relative to the data directory: none of them may be a
#: symbolic link (the store would read or write outside the data directory through it).
OWN_ENTRIES = (META_FILE, ".lock", "interviews", "index", "index/journal", "index/drafts",
               "index/name", "index/phone", "index/birth", "audit", "leases", "damaged", "backups",
               "logs",  # the error log's folder (tui.crashlog)
               SETTINGS_FILE, DOCUMENTS_DIR)
#: The folders of the index: a file in the place of one would make lists and search empty.
INDEX_FOLDERS = ("index", "index/journal", "index/drafts", "index/name", "index/phone", "index/birth")
#: Why a symbolic link in a data directory is not followed, for a user.
LINK_WHY = "символическая ссылка: Собеседник не открывает данные по ссылкам"


def links_message(root: Path, rels: list[str]) -> str:
    """What a user is told of symbolic links found in the data directory ``root``."""
    return (
        f"В каталоге данных {root} символическая ссылка: {', '.join(rels)}. Собеседник не "
        "открывает данные по ссылкам, чтобы не читать и не менять ничего за пределами каталога "
        "данных. Замените ссылку настоящим файлом или каталогом (проверка: sobesednik doctor "
        "--check-only)."
    )


def lstat_in(root: Path, path: Path) -> os.stat_result | None:
    """``lstat`` of ``path`` in the data directory ``root`` (``None`` when there is
    nothing there); :class:`StoreError` naming it when it cannot be looked at."""
    try:
        return os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise StoreError(describe_os_error(exc, path, "прочитать", root=root)) from exc


def refuse_links(root: Path, path: Path) -> None:
    """:class:`StoreError` when ``path`` or a folder between the data directory ``root``
    and it is a symbolic link (the data directory itself is the administrator's choice)."""
    current = root
    for part in path.relative_to(root).parts:
        current = current / part
        st = lstat_in(root, current)
        if st is None:
            return
        if stat.S_ISLNK(st.st_mode):
            raise StoreError(links_message(root, [current.relative_to(root).as_posix()]))


def links_among(root: Path, rels: tuple[str, ...] = OWN_ENTRIES) -> list[str]:
    """Which of the entries ``rels`` of the data directory ``root`` are symbolic links."""
    out = []
    for rel in rels:
        st = lstat_in(root, root / rel)
        if st is not None and stat.S_ISLNK(st.st_mode):
            out.append(rel)
    return out


def not_folders(root: Path, rels: tuple[str, ...] = INDEX_FOLDERS) -> list[str]:
    """Which of ``rels`` exist in the data directory ``root`` but are not folders."""
    out = []
    for rel in rels:
        st = lstat_in(root, root / rel)
        if st is not None and not stat.S_ISDIR(st.st_mode) and not stat.S_ISLNK(st.st_mode):
            out.append(rel)
    return out


def is_iid(text: str) -> bool:
    return IID.match(text) is not None


def interview_path(root: Path, iid: str) -> Path:
    """The file of interview ``iid`` in the data directory ``root``; :class:`StoreError`
    for a string that is not an interview id (it could name a path elsewhere)."""
    if not isinstance(iid, str) or not IID.match(iid):
        raise StoreError(f"Неверный номер интервью: «{iid}».")
    path = root / "interviews" / iid[:6] / f"{iid}.json"
    refuse_links(root, path.parent)
    return path


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


def _entries(root: Path, folder: Path) -> list[os.DirEntry[str]] | UnreadableFileError:
    """The entries of ``folder`` by name ([] when there is none), or why it cannot be read."""
    try:
        with os.scandir(folder) as found:
            return sorted(found, key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as exc:
        return UnreadableFileError(folder, os_reason(exc, folder=True), root)


def _month_entries(root: Path) -> Iterator[os.DirEntry[str] | UnreadableFileError]:
    """The month folders of ``interviews/`` (and symbolic links there, never followed)."""
    found = _entries(root, root / "interviews")
    if isinstance(found, UnreadableFileError):
        yield found
        return
    for entry in found:
        if entry.is_symlink() or entry.is_dir(follow_symlinks=False):
            yield entry


def _interview_entry(root: Path, entry: os.DirEntry[str]) -> Path | UnreadableFileError | None:
    """An interview file of a month folder, or why it is not read: a symbolic link, a
    named pipe or a device is never opened (a folder is doctor's business)."""
    if entry.is_symlink():
        return UnreadableFileError(Path(entry.path), LINK_WHY, root)
    if entry.is_file(follow_symlinks=False):
        return Path(entry.path)
    if entry.is_dir(follow_symlinks=False):
        return None
    try:
        why = not_regular(file_kind(entry.stat(follow_symlinks=False).st_mode))
    except OSError as exc:
        why = os_reason(exc)
    return UnreadableFileError(Path(entry.path), why, root)


def month_folders(root: Path) -> list[Path]:
    """The folders of ``interviews/``, oldest month first (symbolic links left out);
    :class:`StoreError` when ``interviews/`` cannot be read."""
    out = []
    for entry in _month_entries(root):
        if isinstance(entry, UnreadableFileError):
            raise StoreError(str(entry))
        if not entry.is_symlink():
            out.append(Path(entry.path))
    return out


def scan_interviews(root: Path, months: Callable[[str], bool] | None = None
                    ) -> Iterator[Path | UnreadableFileError]:
    """Every interview file, oldest month first, and what could not be read on the way
    (a folder without the right to read it, a symbolic link: never followed); ``months``
    chooses the month folders (``yyyymm``) to list."""
    for month in _month_entries(root):
        if isinstance(month, UnreadableFileError):
            yield month
            continue
        if months is not None and not months(month.name):
            continue
        if month.is_symlink():
            yield UnreadableFileError(Path(month.path), LINK_WHY, root)
            continue
        found = _entries(root, Path(month.path))
        if isinstance(found, UnreadableFileError):
            yield found
            continue
        for entry in found:
            item = _interview_entry(root, entry) if entry.name.endswith(".json") else None
            if item is not None:
                yield item


def interview_files(root: Path, months: Callable[[str], bool] | None = None) -> Iterator[Path]:
    """Every interview file, oldest month first; ``months`` chooses the month folders
    (``yyyymm``) to list. What cannot be read is left out (see :func:`scan_interviews`)."""
    for item in scan_interviews(root, months):
        if isinstance(item, Path):
            yield item


def has_interviews(root: Path) -> bool:
    """Whether any month folder holds an interview file (listing stops at the first)."""
    try:
        with os.scandir(root / "interviews") as months:
            for month in months:
                if not month.is_dir(follow_symlinks=False):
                    continue
                with os.scandir(month.path) as files:
                    if any(f.name.endswith(".json") for f in files):
                        return True
    except (FileNotFoundError, NotADirectoryError):
        pass
    except OSError as exc:
        raise StoreError(describe_os_error(exc, Path(exc.filename or root / "interviews"),
                                           "прочитать", root=root)) from exc
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
            os.chmod(folder, 0o700)  # whatever the umask
        except FileExistsError as exc:
            if not folder.is_dir():
                raise StoreError(describe_os_error(exc, folder, "создать каталог")) from exc
        except OSError as exc:
            raise StoreError(describe_os_error(exc, folder, "создать каталог")) from exc
    return path


def make_root(root: Path) -> None:
    """Make (or check) the data directory ``root`` for the store to open: it and any missing
    parent owner-only; :class:`StoreError` when it is a file, read-only, or its own entries
    include a symbolic link (nothing is read or written through one) or an index folder
    that is a file (lists and search would be empty)."""
    if root.exists() and not root.is_dir():
        raise StoreError(f"Каталог данных {root} — это файл, а не каталог.")
    make_dirs(root)
    if not os.access(root, os.W_OK | os.X_OK):
        raise StoreError(f"Каталог данных {root} доступен только для чтения.")
    with contextlib.suppress(OSError):
        if root.stat().st_uid == os.getuid():
            root.chmod(0o700)  # the client's data is for its owner only
    links = links_among(root)
    if links:
        raise StoreError(links_message(root, links))
    files = not_folders(root)
    if files:
        raise StoreError(
            f"В каталоге данных {root} {', '.join(files)} — не каталог: списки и поиск "
            "интервью были бы пусты. Исправьте хранилище командой «sobesednik doctor»."
        )


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
