"""``doctor``'s check of the search index: every bucket readable, and the index in
agreement with the interview files; on repair, damaged or stray index files are set aside
and the index is made again from the interview files.

The index the files call for is tallied while they are read (:class:`ExpectedIndex`) as a
multiset hash per kind, and the index on disk is tallied the same way: memory does not
grow with the number of interviews. A report made while other processes write may name
an index difference that a second run no longer sees.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.fs import fsync_dir
from tui.store import bucketlog
from tui.store.doctor.repair import Repairs
from tui.store.doctor.report import Finding
from tui.store.errors import DamagedFileError, StoreError
from tui.store.index import IDENTITY_KINDS, entries_of
from tui.store.journal import dead_journals
from tui.store.layout import BUCKET_SUFFIX, DRAFT, IID, interview_path

#: A multiset hash of index entries: [how many, sum of their hashes mod 2**64].
Tally = list[int]


def tally(acc: Tally, kind: str, key: str, entry: Any) -> None:
    text = json.dumps([kind, key, entry], ensure_ascii=False, sort_keys=True, default=str)
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    acc[0] += 1
    acc[1] = (acc[1] + int.from_bytes(digest, "big")) % (1 << 64)


class ExpectedIndex:
    """The index the sound interview files call for, tallied as they are read."""

    def __init__(self) -> None:
        self.kinds: dict[str, Tally] = {k: [0, 0] for k in IDENTITY_KINDS}
        self.drafts: set[str] = set()
        #: A repair moved or set aside an interview file: the index is made again.
        self.rebuild = False

    def expect(self, iid: str, status: str, identity: dict[str, Any]) -> None:
        if status == DRAFT:
            self.drafts.add(iid)
        for kind, (key, entry) in entries_of(iid, identity).items():
            tally(self.kinds[kind], kind, key, entry)


@dataclass
class _OnDisk:
    """What the index on disk holds, as the check reads it."""

    #: damaged or stray index files, set aside before a rebuild
    aside: list[Finding] = field(default_factory=list)
    kinds: dict[str, Tally] = field(default_factory=lambda: {k: [0, 0] for k in IDENTITY_KINDS})
    #: the ids the drafts lists name (``None``: a list is damaged, nothing to compare)
    drafts: list[Any] | None = field(default_factory=list)
    #: drafts listed under another month than the one they were started in
    misfiled: int = 0
    journal: Finding | None = None


class IndexCheck:
    def __init__(self, repairs: Repairs, expected: ExpectedIndex) -> None:
        self.repairs = repairs
        self.root = repairs.root
        self.expected = expected

    def check(self) -> None:
        base = self.root / "index"
        disk = _OnDisk()
        if self.repairs.skip(base):
            return  # a symbolic link, or a folder that cannot be read: named already
        if base.exists() and not base.is_dir():
            disk.aside.append(self.repairs.add(base, "должен быть каталогом"))
        elif base.is_dir():
            self._read(base, disk)
        interviews = self.root / "interviews"
        if any(p == interviews or p.is_relative_to(interviews)
               for p in self.repairs.links | self.repairs.unreadable):
            return  # interviews not read: the index cannot be compared with them
        stale = self._differences(base, disk)
        if self.repairs.repair and (disk.aside or stale or self.expected.rebuild):
            self._rebuild(disk.aside, stale)

    def _read(self, base: Path, disk: _OnDisk) -> None:
        for name in self.repairs.listing(base):
            path = base / name
            if name == "drafts" and path.is_dir():
                self._read_drafts(path, disk)
            elif name in IDENTITY_KINDS and path.is_dir():
                self._read_kind(path, disk.kinds[name], disk.aside)
            elif name == "journal" and path.is_dir():
                dead = sum(1 for _ in dead_journals(path, lenient=True))
                if dead:
                    disk.journal = self.repairs.add(path, "журналы указателя от процессов, завершившихся "
                                                    f"аварийно: {dead} (указатель мог отстать)")
            else:
                disk.aside.append(self.repairs.add(path, "лишний файл в указателе поиска"))

    def _read_drafts(self, folder: Path, disk: _OnDisk) -> None:
        for month in self.repairs.listing(folder):
            file = folder / month
            if not (month[:6].isdigit() and month[6:] == BUCKET_SUFFIX and file.is_file()):
                disk.aside.append(self.repairs.add(file, "лишний файл в указателе поиска"))
                continue
            docs = self._bucket_docs(file, disk.aside)
            if docs is None or disk.drafts is None:
                disk.drafts = None
                continue
            disk.drafts += [d.get("iid") for d in docs]
            disk.misfiled += sum(1 for d in docs if str(d.get("iid"))[:6] != month[:6])

    def _read_kind(self, directory: Path, acc: Tally, aside: list[Finding], kind: str = "",
                   letter: str = "") -> None:
        kind = kind or directory.name
        for name in self.repairs.listing(directory):
            path = directory / name
            if kind == "name" and not letter and path.is_dir() and len(name) == 1:
                self._read_kind(path, acc, aside, kind, name)  # surnames by first letter
                continue
            key = name[:-len(BUCKET_SUFFIX)]
            if (not name.endswith(BUCKET_SUFFIX) or not path.is_file()
                    or (kind == "name" and key[:1] != letter)):
                aside.append(self.repairs.add(path, "лишний файл в указателе поиска"))
                continue
            docs = self._bucket_docs(path, aside)
            if docs == []:  # a process ended before it deleted a bucket a corrected answer emptied
                self._empty_bucket(path)
            for entry in docs or []:
                tally(acc, kind, key, entry)

    def _bucket_docs(self, path: Path, aside: list[Finding]) -> list[dict[str, Any]] | None:
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
            self.repairs.report.damaged += 1
            aside.append(self.repairs.add(path, f"файл указателя повреждён ({why})"))
            return None
        return [] if bucket is None else list(bucket.entries.values())

    def _empty_bucket(self, path: Path) -> None:
        """An index bucket with no entry left: its name (a surname, a birth date) is
        personal data that nothing needs any more, so it is deleted, not set aside."""
        finding = self.repairs.add(path, "файл указателя без записей", warning=True)
        if self.repairs.repair:
            with self.repairs.locked():
                with contextlib.suppress(FileNotFoundError, StoreError):
                    docs = bucketlog.read_bucket(path)
                    if docs is not None and not docs.entries:
                        path.unlink()
                        fsync_dir(path.parent)
                        finding.action = "удалён"
            finding.action = finding.action or "записи появились, файл оставлен"
            finding.fixed = True

    def _differences(self, base: Path, disk: _OnDisk) -> list[Finding]:
        """Where the index on disk is out of step with the interview files."""
        stale: list[Finding] = [disk.journal] if disk.journal else []
        for kind in IDENTITY_KINDS:
            have, want = disk.kinds[kind], self.expected.kinds[kind]
            if have != want:
                stale.append(self.repairs.add(base / kind, (
                    f"в указателе записей {have[0]}, по файлам интервью должно быть {want[0]}"
                    if have[0] != want[0] else "записи указателя расходятся с файлами интервью"
                )))
        if disk.drafts is not None:
            parts = self._drafts_differences(disk.drafts, disk.misfiled)
            if parts:
                stale.append(self.repairs.add(base / "drafts", "список незаконченных интервью неверен: "
                                              + ", ".join(parts)))
        return stale

    def _drafts_differences(self, drafts: list[Any], misfiled: int) -> list[str]:
        listed = set(drafts)
        missing = len(self.expected.drafts - listed)
        extra = listed - self.expected.drafts
        parts = []
        if missing:
            parts.append(f"не указано незаконченных интервью: {missing}")
        gone = sum(1 for i in extra if not _exists(self.root, i))
        if len(extra) > gone:
            parts.append(f"указаны законченные или повреждённые: {len(extra) - gone}")
        if gone:
            parts.append(f"указаны несуществующие: {gone}")
        if len(listed) != len(drafts):
            parts.append("есть повторы")
        if misfiled:
            parts.append(f"указаны не в своём месяце: {misfiled}")
        return parts

    def _rebuild(self, aside: list[Finding], stale: list[Finding]) -> None:
        with self.repairs.locked() as store:
            for finding in aside:
                if finding.path.exists():
                    finding.action = f"отложен в {self.repairs.set_aside(finding.path)}"
                finding.fixed = True
            store.damaged.clear()
        # Without the lock: the rebuild takes it only for its last step, so the desks and
        # kiosks working on this directory meanwhile are not kept waiting.
        store.rebuild_index()
        self.repairs.report.index_rebuilt = True
        for finding in stale:
            finding.action, finding.fixed = "указатель перестроен по файлам интервью", True
        for exc in store.damaged:  # damaged after the reading pass (by another process)
            self.repairs.add(exc.path, f"файл интервью повреждён ({exc.why})")


def _exists(root: Path, iid: Any) -> bool:
    """Whether the interview ``iid`` has a file (one that cannot be looked at counts: it
    is named already)."""
    if not isinstance(iid, str) or not IID.match(iid):
        return False
    try:
        return interview_path(root, iid).is_file()
    except (OSError, StoreError):
        return True
