"""Index buckets as append-only logs of JSON lines.

An index bucket (the interviews of one surname, one phone ending, one birth date, the
drafts of one month) changes with identity answers. Rewriting it through a rename on
every change costs a new inode and a directory update that the next fsync of an interview
file then waits for; an append costs a ``write(2)``. So a bucket is a log::

    {"sobesednik_index":1,"gen":"3f9c0a1b2c3d4e5f"}     header: a new ``gen`` per rewrite
    {"iid":"20261127-101500-123a1b2","first_name":"Ольга","middle_name":null}
    {"iid":"20261127-101500-123a1b2","gone":true}       the interview left this bucket

The last record of an interview wins; ``gone`` removes it. Every record is appended as
``"\\n" + record + "\\n"``, so a record torn by a power cut (the bucket is derived data,
fsynced only at checkpoints) stands on its own line, is skipped, and never swallows the
next one; an incomplete last line (an append in progress, seen by a reader that takes no
lock) is not read yet. Writers append under the store's lock. A bucket with many dead
records is rewritten whole (atomically) at a checkpoint, and a deletion rewrites a bucket
without any record of the interview deleted (see :meth:`tui.store.index.Index.remove`).

Readers keep each parsed bucket in memory with the offset read up to; a bucket that only
grew is read from that offset on. A rewrite gets a new ``gen``, which the reader checks
in the header along with the inode, so a replaced file is always read afresh.
"""

from __future__ import annotations

import json
import os
import secrets
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui import fs
from tui.store.errors import DamagedFileError, StoreError, describe_os_error

#: Parsed buckets kept in memory (a search reads one to a few dozen).
CACHE_SIZE = 256
HEADER_KEY = "sobesednik_index"
_HEAD_BYTES = 128
_HEADER_START = b'{"' + HEADER_KEY.encode() + b'":1,"gen":"'


@dataclass
class Bucket:
    """A parsed bucket: live entries by interview id; how many records and unreadable
    lines the file holds (``doctor`` reports the latter; a checkpoint compacts the former);
    the length of an incomplete last line (an append in progress, or torn by a power cut).
    """

    entries: dict[str, dict[str, Any]]
    records: int
    bad: int
    partial: int = 0


@dataclass
class _Cached:
    ino: int
    gen: str
    end: int  # the offset just after the last complete line read
    bucket: Bucket


_cache: OrderedDict[Path, _Cached] = OrderedDict()


def encode(record: dict[str, Any]) -> bytes:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def forget(path: Path) -> None:
    _cache.pop(path, None)


def _new_header() -> bytes:
    return encode({HEADER_KEY: 1, "gen": secrets.token_hex(8)})


def _unwritten(head: bytes) -> bool:
    """A bucket whose header is not (all) written yet: made by an append in progress, or
    cut short there by a power cut. It holds no record: it reads as empty."""
    return b"\n" not in head and _HEADER_START.startswith(head[: len(_HEADER_START)])


def _header(head: bytes, path: Path) -> tuple[str, int]:
    """The ``gen`` of a bucket and the offset where its records begin."""
    newline = head.find(b"\n")
    try:
        header = json.loads(head[:newline]) if newline > 0 else None
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get(HEADER_KEY) != 1 or not isinstance(header.get("gen"), str):
        raise DamagedFileError(path, "нет заголовка файла указателя")
    return header["gen"], newline + 1


def read_bucket(path: Path) -> Bucket | None:
    """The bucket at ``path`` (``None`` if there is none); :class:`DamagedFileError` when
    it has no valid header. The returned entries belong to the cache: do not change them."""
    try:
        fd = fs.open_regular(path)
    except FileNotFoundError:
        forget(path)
        return None
    except OSError as exc:
        raise StoreError(describe_os_error(exc, path, "прочитать")) from exc
    try:
        read = _read(fd, path)
    except OSError as exc:
        raise StoreError(describe_os_error(exc, path, "прочитать")) from exc
    finally:
        os.close(fd)
    if read is None:
        forget(path)
        return Bucket({}, 0, 0)
    cached, start, data = read
    complete = data.rfind(b"\n") + 1  # an incomplete last line is still being appended
    cached.bucket.partial = len(data) - complete
    _add_records(cached.bucket, data[:complete])
    cached.end = start + complete
    _cache[path] = cached
    _cache.move_to_end(path)
    while len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)
    return cached.bucket


def _read(fd: int, path: Path) -> tuple[_Cached, int, bytes] | None:
    """What is new in the bucket open as ``fd``: its parsed part (from the cache while the
    file only grew), the offset the rest begins at, and the rest. ``None`` for a bucket
    whose header is not written yet."""
    st = os.fstat(fd)
    head = os.pread(fd, _HEAD_BYTES, 0)
    if _unwritten(head):
        return None
    gen, start = _header(head, path)
    cached = _cache.get(path)
    if cached is not None and cached.ino == st.st_ino and cached.gen == gen and st.st_size >= cached.end:
        bucket, start = cached.bucket, cached.end
    else:
        bucket = Bucket({}, 0, 0)
    chunks = []
    offset = start
    while offset < st.st_size:
        chunk = os.pread(fd, st.st_size - offset, offset)
        if not chunk:
            break
        chunks.append(chunk)
        offset += len(chunk)
    return _Cached(st.st_ino, gen, start, bucket), start, b"".join(chunks)


def _add_records(bucket: Bucket, data: bytes) -> None:
    """Apply the complete lines ``data`` to ``bucket``: the last record of an interview
    wins, ``gone`` removes it, a line that does not read is counted."""
    for line in data.split(b"\n"):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            iid = record["iid"]
            if not isinstance(iid, str):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            bucket.bad += 1
            continue
        bucket.records += 1
        if record.get("gone"):
            bucket.entries.pop(iid, None)
        else:
            bucket.entries[iid] = record


def write_bucket(path: Path, entries: Iterable[dict[str, Any]], *, durable: bool,
                 fresh: bool = False) -> None:
    """Write ``path`` afresh (atomically) with a new header and one record per entry.
    ``fresh``: a new file in a folder nobody reads yet (a rebuild), written in place."""
    body = b"\n".join([_new_header(), *(encode(e) for e in entries)]) + b"\n"
    forget(path)
    if not fresh:
        fs.atomic_write(path, body, durable=durable)
        return
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        fs.write_all(fd, body)
        if durable:
            os.fsync(fd)
    finally:
        os.close(fd)


def append(path: Path, records: list[dict[str, Any]]) -> None:
    """Append ``records`` to the bucket at ``path``, making it if there is none (the
    caller holds the store's lock). Not fsynced: see the module docstring. A new bucket is
    made in place, header and records in one ``write(2)``: no temporary file, no rename.
    A bucket without a valid header is left as it is (:class:`DamagedFileError`) for
    ``doctor``."""
    fd = fs.open_regular(path, os.O_RDWR | os.O_APPEND | os.O_CREAT)
    try:
        head = os.pread(fd, _HEAD_BYTES, 0)
        if _unwritten(head):
            os.ftruncate(fd, 0)
            data = _new_header() + b"\n" + b"".join(encode(r) + b"\n" for r in records if not r.get("gone"))
        else:
            _header(head, path)
            data = b"".join(b"\n" + encode(r) + b"\n" for r in records)
        fs.write_all(fd, data)
    finally:
        os.close(fd)
