"""Rebuilding the whole search index from the interview files, beside the old one.

The new index is built in a private folder ``.index-<pid>-<random>`` without holding the
writers' lock, so interviews go on meanwhile; then, under the lock, the interviews
changed in the meantime are indexed again and the new index replaces the old one in two
renames (the journals of running processes move along, so their times still cover their
unsynced writes). Damaged interview files are skipped and listed in ``store.damaged``.
Used by ``doctor``, migrations, and when a data directory without ``index/`` (restored
from a backup) or with an older layout is opened.
"""

from __future__ import annotations

import os
import secrets
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.fs import fsync_all, fsync_dir
from tui.store import bucketlog
from tui.store.errors import StoreError, describe_os_error
from tui.store.files import forget_under
from tui.store.index import ENTRY_FIELDS, Index, drop_entry, put_entry, written_since
from tui.store.journal import CLOCK_MARGIN_NS
from tui.store.layout import INDEX_LAYOUT, bucket_rel, make_dirs

if TYPE_CHECKING:
    from tui.store.store import Store

#: (kind, key) -> the values of each entry, in the order of ``ENTRY_FIELDS[kind]``
_Rows = dict[tuple[str, str], list[tuple[Any, ...]]]
#: interview id -> the buckets (relative to ``index/``) that hold it
_Keys = dict[str, tuple[str, ...]]


def rebuild_index(store: Store, *, durable: bool = True) -> dict[str, int]:
    """Make the whole index of ``store`` again from its interview files; returns counts
    (interviews, drafts, buckets). ``durable=False`` skips the syncs (a benchmark)."""
    try:
        return _rebuild(store, durable)
    except OSError as exc:
        where = Path(exc.filename) if exc.filename else store.root / "index"
        raise StoreError(
            f"Указатель поиска не перестроен: {describe_os_error(exc, where)} "
            "Данные интервью не затронуты."
        ) from exc


def _rebuild(store: Store, durable: bool) -> dict[str, int]:
    started = time.time_ns() - CLOCK_MARGIN_NS  # no file replaced after this is missed
    fresh = store.root / f".index-{os.getpid()}-{secrets.token_hex(3)}"
    shutil.rmtree(fresh, ignore_errors=True)
    rows, keys = _read_all(store)
    for (kind, key), values in rows.items():
        entries = [dict(zip(ENTRY_FIELDS[kind], r, strict=True)) for r in values]
        _write_table(fresh / bucket_rel(kind, key), entries, False)
    count, nbuckets = len(keys), len(rows)
    rows.clear()
    if durable:
        os.sync()  # one flush for thousands of bucket files
    with store.lock:
        _catch_up(store.index, fresh, started, keys, durable)
        aside = _swap(store.root, fresh, durable)
        if store.meta().get("index_layout") != INDEX_LAYOUT:
            store.set_meta(index_layout=INDEX_LAYOUT)
    shutil.rmtree(aside, ignore_errors=True)
    drafts = sum(1 for refs in keys.values() if any(r.startswith("drafts/") for r in refs))
    return {"interviews": count, "drafts": drafts, "buckets": nbuckets}


def _read_all(store: Store) -> tuple[_Rows, _Keys]:
    """The entries of every interview file, by bucket, and the buckets of each interview."""
    rows: _Rows = {}
    keys: _Keys = {}
    for path in list(store.interview_files()):
        found = store.index.facts(path)
        if found is None:
            continue
        keys[found.iid] = tuple(bucket_rel(kind, key) for kind, (key, _) in found.entries.items())
        for kind, (key, entry) in found.entries.items():
            rows.setdefault((kind, key), []).append(tuple(entry.values()))
    return rows, keys


def _swap(root: Path, fresh: Path, durable: bool) -> Path:
    """Put the new index ``fresh`` in the place of the old one, the journals moved into
    it (under the lock); returns where the old one went."""
    old = root / "index"
    if (old / "journal").is_dir():
        os.replace(old / "journal", fresh / "journal")
    aside = root / f".index-old-{os.getpid()}-{secrets.token_hex(3)}"
    if old.exists():
        os.replace(old, aside)
    os.replace(fresh, old)
    if durable:
        fsync_dir(root)
    forget_under(old)
    return aside


def _catch_up(index: Index, fresh: Path, started: int, keys: _Keys, durable: bool) -> None:
    """Under the lock: index again, in ``fresh``, the interviews written since ``started``
    (a month folder's mtime changes with every file replaced in it)."""
    changed, listed = written_since(index.root, started)
    gone = [i for i in keys if i[:6] in listed and i not in listed[i[:6]]]
    written: set[Path] = set()
    for iid in [*gone, *sorted(changed)]:
        for ref in keys.pop(iid, ()):
            if drop_entry(fresh / ref, iid) is not None:
                written.add(fresh / ref)
        found = index.facts(changed[iid]) if iid in changed else None
        if found is None:
            continue
        keys[iid] = tuple(bucket_rel(kind, key) for kind, (key, _) in found.entries.items())
        for kind, (key, entry) in found.entries.items():
            bucket = fresh / bucket_rel(kind, key)
            put_entry(bucket, entry)
            written.add(bucket)
    if durable:  # a few files: the bulk of the new index was synced before the lock
        fsync_all(written)


def _write_table(path: Path, entries: list[dict[str, Any]], durable: bool) -> None:
    """A bucket of a rebuild's new index (its folder is not read by anyone yet)."""
    if not path.parent.is_dir():
        make_dirs(path.parent)
    bucketlog.write_bucket(path, entries, durable=durable, fresh=True)
