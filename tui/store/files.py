"""The store's files: JSON parsing with damage named, and a TinyDB storage over one file.

Every file of a data directory is replaced whole and atomically (:func:`tui.fs.atomic_write`):
a process killed at any moment, or a disk that fills mid-write, leaves either the old file
or the new one, never a torn one.

:class:`AtomicJSONStorage` keeps the parsed content of recently used files in memory,
keyed by the file's identity (inode, size, modification time): a file that nobody else
changed is not parsed again, and a file another process replaced is re-read at once.

Owns the in-memory cache (:func:`forget`, :func:`forget_under`), the one way to open a
TinyDB file (:func:`open_db`) or read its raw tables (:func:`read_tables`), and the id
TinyDB gives the next document of a table (:func:`next_doc_id`).
"""

from __future__ import annotations

import json
import os
from collections import OrderedDict
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage

from tui.fs import atomic_write, read_nofollow
from tui.store.errors import DamagedFileError, StoreError, UnreadableFileError, describe_os_error, os_reason

#: How many parsed files a process keeps in memory (a few interviews and index buckets).
CACHE_SIZE = 64


def file_signature(path: Path) -> tuple[int, int, int] | None:
    """The identity of the file ``path`` itself (a symbolic link is not followed);
    ``None`` when there is none; :class:`UnreadableFileError` when it cannot be looked at."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UnreadableFileError(path, os_reason(exc)) from exc
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def json_fault(raw: bytes, exc: UnicodeDecodeError | json.JSONDecodeError) -> str:
    """Why the bytes ``raw`` of a store file are not JSON (``exc``: what parsing raised),
    in Russian: the words of :class:`DamagedFileError` and of ``doctor``."""
    if isinstance(exc, UnicodeDecodeError):
        return f"не в кодировке UTF-8: {exc.reason}"
    if not raw.strip():
        return "файл пуст"
    return f"не разбирается как JSON: строка {exc.lineno}, столбец {exc.colno}"


def read_json(path: Path) -> Any:
    """Parse a store file; :class:`DamagedFileError` names it when it is not valid JSON,
    :class:`UnreadableFileError` when it cannot be read (a symbolic link is never
    followed), :class:`StoreError` when it is gone."""
    try:
        raw = read_nofollow(path)
    except FileNotFoundError as exc:
        raise StoreError(describe_os_error(exc, path, "прочитать")) from exc
    except OSError as exc:
        raise UnreadableFileError(path, os_reason(exc)) from exc
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DamagedFileError(path, json_fault(raw, exc)) from exc


def dump_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


_cache: OrderedDict[Path, tuple[tuple[int, int, int], dict[str, Any]]] = OrderedDict()


def forget(path: Path) -> None:
    """Drop ``path`` from the in-memory cache (after deleting or moving it)."""
    _cache.pop(path, None)


def forget_under(folder: Path) -> None:
    """Drop every cached file under ``folder`` (after the folder was replaced)."""
    for path in [p for p in _cache if p.is_relative_to(folder)]:
        del _cache[path]


class AtomicJSONStorage(Storage):
    """TinyDB storage over one JSON file, written atomically and cached while unchanged.

    ``durable=False`` skips the fsyncs (derived index files that ``doctor`` can rebuild).
    ``cache=False`` parses the file on every read: for small files that several processes
    change, where an inode reused within one tick of the file clock could look unchanged.
    """

    def __init__(self, path: str | Path, durable: bool = True, cache: bool = True) -> None:
        self.path = Path(path)
        self.durable = durable
        self.cache = cache

    def read(self) -> dict[str, dict[str, Any]] | None:
        sig = file_signature(self.path)
        if sig is None:
            forget(self.path)
            return None
        cached = _cache.get(self.path) if self.cache else None
        if cached is not None and cached[0] == sig:
            _cache.move_to_end(self.path)
            return cached[1]
        data = read_json(self.path)
        if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
            raise DamagedFileError(self.path, "ожидался объект JSON с таблицами")
        self._remember(sig, data)
        return data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        # TinyDB changes the dict it read before it calls write(); if the write fails the
        # cached copy is no longer what is on disk, so it is dropped first.
        forget(self.path)
        try:
            atomic_write(self.path, dump_json(data), durable=self.durable)
        except OSError as exc:
            raise StoreError(describe_os_error(exc, self.path)) from exc
        sig = file_signature(self.path)
        if sig is not None:
            self._remember(sig, data)

    def _remember(self, sig: tuple[int, int, int], data: dict[str, Any]) -> None:
        if not self.cache:
            return
        _cache[self.path] = (sig, data)
        _cache.move_to_end(self.path)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)

    def close(self) -> None:
        pass


def open_db(path: Path, durable: bool = True) -> TinyDB:
    """The TinyDB of one store file (an interview, ``sobesednik.json``)."""
    return TinyDB(path, storage=AtomicJSONStorage, durable=durable)


def read_tables(path: Path) -> dict[str, dict[str, Any]] | None:
    """The tables of a TinyDB file as parsed (``None`` when there is no file), from the
    cache while the file is unchanged. They belong to the cache: copy before changing."""
    return AtomicJSONStorage(path).read()


def write_tables(path: Path, tables: dict[str, dict[str, Any]]) -> None:
    """Write a whole TinyDB file at once (an import, a file ``doctor`` makes again),
    atomically and durably; :class:`StoreError` on an OS error. The cache forgets it."""
    try:
        atomic_write(path, dump_json(tables))
    except OSError as exc:
        raise StoreError(describe_os_error(exc, path)) from exc
    finally:
        forget(path)


def next_doc_id(table: dict[str, Any]) -> str:
    """The id TinyDB would give the next document of a raw table."""
    return str(max((int(k) for k in table if k.isdigit()), default=0) + 1)
