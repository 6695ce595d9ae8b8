"""``doctor``'s check of ``interviews/``: every interview file is valid JSON in TinyDB's
shape, with a header whose id matches the file name, in the month folder of its id, with
answer records that name their question; anything else found there is named.

On repair a damaged or stray file is set aside byte for byte, a file in the wrong month
folder is moved to the right one, and from a damaged interview whose header survives the
complete records that can still be read are written back as the interview (marked
``recovered``). Sound copies of damaged interviews in ``backups/`` are named, never
restored. What the sound files call for in the index is tallied as it goes
(:class:`~tui.store.doctor.index.ExpectedIndex`).
"""

from __future__ import annotations

import contextlib
import os
import tarfile
import zlib
from datetime import date
from pathlib import Path

from tui.fs import open_regular, read_nofollow
from tui.store.backup import ArchiveFile
from tui.store.doctor.index import ExpectedIndex
from tui.store.doctor.repair import Repairs
from tui.store.doctor.report import Finding
from tui.store.doctor.salvage import Recovered, check_interview, check_tables, parse, recover, sound
from tui.store.errors import StoreError, os_reason
from tui.store.files import write_tables
from tui.store.header import Faults, describe, header_faults, repaired
from tui.store.layout import IID, MONTH, interview_path, make_dirs, now_iso

NOTHING_TO_RECOVER = "заголовок интервью не уцелел: восстановить нечего"


class InterviewsCheck:
    """The interview files, checked one at a time (memory does not grow with them)."""

    def __init__(self, repairs: Repairs, expected: ExpectedIndex) -> None:
        self.repairs = repairs
        self.root = repairs.root
        self.expected = expected
        self._damaged: dict[str, Finding] = {}  # damaged interviews, by id

    def check(self, *, flat_ok: bool) -> None:
        """``flat_ok``: a schema-1 directory, whose files are not in month folders yet."""
        base = self.root / "interviews"
        if not base.exists() or self.repairs.skip(base):
            return
        if not base.is_dir():
            self._stray(base, "должен быть каталогом")
            return
        for name in self.repairs.listing(base):
            path = base / name
            if path.is_dir() and MONTH.match(name):
                self._check_month(path)
            elif path.is_file() and name.endswith(".json") and IID.match(name[:-5]):
                self._check_file(path, misplaced=not flat_ok)
            else:
                self._stray(path, "не файл интервью и не каталог месяца")

    def _check_month(self, month: Path) -> None:
        for name in self.repairs.listing(month):
            path = month / name
            iid = name[:-5] if name.endswith(".json") else ""
            if not IID.match(iid) or not path.is_file():
                self._stray(path, "не файл интервью")
                continue
            self._check_file(path, misplaced=iid[:6] != month.name)

    def _stray(self, path: Path, why: str) -> None:
        finding = self.repairs.add(path, why)
        if self.repairs.repair:
            with self.repairs.locked():
                dest = self.repairs.set_aside(path)
            finding.action, finding.fixed = f"отложен в {dest}", True

    def _check_file(self, path: Path, *, misplaced: bool) -> None:
        iid = path.name[:-5]
        self.repairs.report.interviews += 1
        try:
            raw = read_nofollow(path)
        except OSError as exc:
            self.repairs.add(path, os_reason(exc))
            return
        result = check_interview(raw, iid, _file_date(path))
        del raw
        try:
            target = interview_path(self.root, iid)
        except StoreError as exc:  # its month folder is a symbolic link
            self.repairs.add(path, str(exc))
            return
        if result.why is not None:
            self._damaged_interview(path, iid, result.why, target)
            return
        if result.faults:
            self._mend_header(path, iid, result.faults)
        if not misplaced or self._move_misplaced(path, target):
            self.expected.expect(iid, result.status, result.identity)

    def _mend_header(self, path: Path, iid: str, faults: Faults) -> None:
        """An interview whose header has an impossible field (a date edited by hand): the
        field is mended on repair, the old value kept in the header's ``repaired`` list;
        the answers stay as they are."""
        finding = self.repairs.add(path, "в заголовке интервью " + "; ".join(describe(faults)))
        if not self.repairs.repair:
            return
        with self.repairs.locked():
            data, why = parse(read_nofollow(path))
            if why is not None or check_tables(data) is not None:
                finding.action = "файл изменился во время проверки; повторите проверку"
                return
            header = data["interview"]["1"]
            now = header_faults(header, lambda: _file_date(path))
            if now:
                data["interview"]["1"] = repaired(header, now, "doctor")
                write_tables(path, data)
        if "status" in faults:
            self.expected.rebuild = True
        finding.action = "исправлено, ответы сохранены; прежнее значение записано в заголовке («repaired»)"
        finding.fixed = True

    def _move_misplaced(self, path: Path, target: Path) -> bool:
        """Move a sound interview file found outside its month folder; True when it is (or
        will be, on repair) where the store looks for it."""
        repairs = self.repairs
        where = f"не в своём каталоге месяца (должен быть в {target.parent})"
        finding = repairs.add(path, where)
        if target.exists():
            same = _same_bytes(path, target)
            finding.problem = where + (
                "; в своём каталоге лежит такой же файл" if same
                else "; в своём каталоге лежит другая версия этого интервью"
            )
            if repairs.repair:
                with repairs.locked():
                    dest = repairs.set_aside(path)
                finding.action, finding.fixed = f"эта копия отложена в {dest}", True
                self.expected.rebuild = True
            return False
        if repairs.repair:
            with repairs.locked():
                make_dirs(target.parent)
                repairs.move(path, target)
            repairs.report.moved += 1
            self.expected.rebuild = True
            finding.action, finding.fixed = "перемещён в свой каталог", True
        return True

    def _damaged_interview(self, path: Path, iid: str, why: str, target: Path) -> None:
        report = self.repairs.report
        report.damaged += 1
        finding = self.repairs.add(path, f"файл интервью повреждён ({why})")
        self._damaged[iid] = finding
        if not self.repairs.repair:
            recovered = recover(read_nofollow(path), iid)
            finding.notes.append(recovered.note(None) if recovered else NOTHING_TO_RECOVER)
            return
        with self.repairs.locked():
            raw = read_nofollow(path)
            if check_interview(raw, iid).why is None:  # mended since the reading pass
                report.damaged -= 1
                report.findings.remove(finding)
                del self._damaged[iid]
                return
            dest = self.repairs.set_aside(path)
            self.expected.rebuild = True
            finding.action, finding.fixed = f"отложен в {dest}", True
            recovered = recover(raw, iid)
            del raw
            if recovered is None:
                finding.notes.append(NOTHING_TO_RECOVER)
            elif target.exists():
                finding.notes.append(f"в своём каталоге уже есть другая версия этого интервью: {target}")
            else:
                self._write_recovered(recovered, dest, target)
                finding.notes.append(recovered.note(target))

    def _write_recovered(self, recovered: Recovered, dest: Path, target: Path) -> None:
        """Write what survived of a damaged interview (set aside at ``dest``) as the
        interview, marked ``recovered`` (under the lock)."""
        recovered.tables["interview"]["1"]["recovered"] = {
            "at": now_iso(), "by": "doctor", "damaged_copy": self.repairs.rel(dest),
            "truncated": recovered.truncated, "dropped": recovered.dropped,
            "answers": recovered.answers, "plans": recovered.plans,
        }
        make_dirs(target.parent)
        write_tables(target, recovered.tables)
        self.repairs.report.salvaged += 1

    # ------------------------------------------------------------ copies in backups

    def note_backup_copies(self) -> None:
        """Name, for each damaged interview, the sound copies kept under ``backups/``: the
        folders of migrations and the archives of ``sobesednik backup`` (newest first; the
        archives are read only until every damaged interview has a copy). Never restored:
        a copy may be older than the damaged file."""
        base = self.root / "backups"
        if not self._damaged or self.repairs.skip(base) or not base.is_dir():
            return
        found: dict[str, list[str]] = {iid: [] for iid in self._damaged}
        for backup in sorted(base.iterdir(), reverse=True):
            if self.repairs.skip(backup):
                continue
            if backup.is_dir():
                _folder_copies(backup, found)
            elif backup.name.endswith(".tar.gz") and not all(found.values()):
                self._archive_copies(backup, found)
        for iid, copies in found.items():
            self._damaged[iid].notes += [
                f"есть копия в резервной копии (может быть старше, не восстановлена): {c}" for c in copies
            ]

    def _archive_copies(self, archive: Path, found: dict[str, list[str]]) -> None:
        wanted = {f"interviews/{iid[:6]}/{iid}.json": iid for iid in found}
        try:
            with (os.fdopen(open_regular(archive), "rb") as raw,
                  ArchiveFile.open(fileobj=raw, mode="r|gz") as tar):
                for member in tar:
                    tar.members.clear()  # kept only for listing: memory stays flat
                    iid = wanted.get(member.name)
                    if iid is None or not member.isfile():
                        continue
                    fh = tar.extractfile(member)
                    if fh is not None and sound(fh.read(), iid):
                        found[iid].append(f"{archive} (файл {member.name})")
        except (OSError, EOFError, tarfile.TarError, zlib.error):
            self.repairs.add(archive, "резервная копия не читается", warning=True)


def _folder_copies(backup: Path, found: dict[str, list[str]]) -> None:
    """The sound copies in a migration's backup folder (schema 1 or 2 layout)."""
    for iid, copies in found.items():
        for candidate in (backup / "interviews" / f"{iid}.json",
                          backup / "interviews" / iid[:6] / f"{iid}.json"):
            with contextlib.suppress(OSError):
                if sound(read_nofollow(candidate), iid):
                    copies.append(str(candidate))


def _file_date(path: Path) -> date:
    """The day ``path`` was last written (an impossible interview date falls back to it
    when the header has no start time either)."""
    try:
        return date.fromtimestamp(os.lstat(path).st_mtime)
    except OSError:
        return date.today()


def _same_bytes(a: Path, b: Path) -> bool:
    try:
        return read_nofollow(a) == read_nofollow(b)
    except OSError:
        return False

