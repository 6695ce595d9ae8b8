"""``doctor``'s checks of the data directory itself: the meta file ``sobesednik.json``
(parses, names a schema this version understands; made again on repair, a schema-1
directory upgraded by opening the store, which keeps a backup), and what an interrupted
rebuild of the index left at the top of the directory."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

from tui.store.doctor.repair import Repairs
from tui.store.doctor.report import Finding
from tui.store.doctor.salvage import check_tables
from tui.store.errors import DamagedFileError, StoreError
from tui.store.files import read_json, write_tables
from tui.store.layout import IID, INDEX_LAYOUT, META_FILE, SCHEMA_VERSION, newer_schema_error, now_iso

#: ``.index-<pid>-<hex>`` (a rebuild in progress) and ``.index-old-<pid>-<hex>`` (the index
#: it replaced, removed right after).
_LEFTOVER_INDEX = re.compile(r"^\.index-(?:old-)?(\d+)(?:-[0-9a-f]+)?$")


class MetaCheck:
    """The meta file and the schema version of the directory."""

    def __init__(self, repairs: Repairs) -> None:
        self.repairs = repairs
        self.root = repairs.root
        self._migration: Finding | None = None

    def check(self) -> int:
        """The schema version of the directory, after the meta file is checked (and made
        again on repair)."""
        path = self.root / META_FILE
        if self.repairs.skip(path):
            return SCHEMA_VERSION  # a symbolic link: named, not read
        flat = not self.repairs.skip(self.root / "interviews") and _flat(self.root / "interviews")
        if not path.exists():
            return self._missing(path, flat)
        version, why = _schema_version(path)
        if why is not None:
            return self._damaged(path, why, flat)
        if version > SCHEMA_VERSION:
            raise newer_schema_error(self.root, version)
        if version == 1:
            return self._schema_one(path, "каталог в схеме 1 (предыдущая версия программы)")
        return version

    def _missing(self, path: Path, flat: bool) -> int:
        if not (self.root / "interviews").exists() and not (self.root / "index").exists():
            raise StoreError(
                f"В каталоге {self.root} нет данных Собеседника (нет {META_FILE} и interviews/)."
            )
        if flat:
            return self._schema_one(path, f"нет файла {META_FILE}; каталог в схеме 1")
        finding = self.repairs.add(path, "нет файла описания хранилища")
        if self.repairs.repair:
            with self.repairs.dir_lock():
                self._new_meta(path, None)
            finding.action, finding.fixed = "создан заново (схема 2)", True
        return SCHEMA_VERSION

    def _damaged(self, path: Path, why: str, flat: bool) -> int:
        self.repairs.report.damaged += 1
        finding = self.repairs.add(path, f"файл описания хранилища повреждён ({why})")
        if self.repairs.repair:
            with self.repairs.dir_lock():
                dest = self.repairs.set_aside(path)
                if not flat:
                    self._new_meta(path, dest)
            finding.fixed = True
            finding.action = f"отложен в {dest}" + ("" if flat else "; создан заново (схема 2)")
        return 1 if flat else SCHEMA_VERSION

    def _schema_one(self, path: Path, problem: str) -> int:
        self._migration = self.repairs.add(path, problem)
        if not self.repairs.repair:
            self._migration.action = "обновится до схемы 2 при исправлении (с резервной копией)"
        return 1

    def migrate(self) -> None:
        store = self.repairs.store()  # opening the store upgrades it, keeping a backup
        self.repairs.report.migrated = True
        migrations = store.meta().get("migrations") or []
        backup = migrations[-1].get("backup") if migrations else None
        finding = self._migration or self.repairs.add(self.root / META_FILE, "каталог в схеме 1")
        finding.action = "обновлён до схемы 2" + (f", резервная копия: {backup}" if backup else "")
        finding.fixed = True

    def _new_meta(self, path: Path, damaged: Path | None) -> None:
        """Write a fresh meta file for a schema-2 layout (under the directory lock)."""
        if path.exists():
            return  # another process made it meanwhile
        now = now_iso()
        recreated: dict[str, Any] = {"at": now, "by": "doctor"}
        if damaged is not None:
            recreated["damaged_copy"] = self.repairs.rel(damaged)
        meta = {"schema_version": SCHEMA_VERSION, "created_at": now, "migrations": [],
                "recreated": recreated}
        if not (self.root / "index" / "drafts.json").exists():
            # The index is checked entry by entry next; only an older layout is rebuilt.
            meta["index_layout"] = INDEX_LAYOUT
        write_tables(path, {"meta": {"1": meta}})

    def check_leftovers(self) -> None:
        """Temporary files at the top of the directory, and what a rebuild of the index
        left there when its process died."""
        repairs = self.repairs
        for name in repairs.listing(self.root):
            m = _LEFTOVER_INDEX.match(name)
            if not m or int(m[1]) == os.getpid() or _alive(int(m[1])):
                continue  # a rebuild of the index under way in another process: not ours
            path = self.root / name
            finding = repairs.add(path, "остаток прерванной перестройки указателя поиска")
            if repairs.repair:
                with repairs.locked():
                    shutil.rmtree(path, ignore_errors=True)
                    if path.exists() and not path.is_dir():
                        path.unlink()
                finding.action, finding.fixed = "удалён (указатель выводится из файлов интервью)", True


def _flat(interviews: Path) -> bool:
    """Interview files directly in ``interviews/``: the layout of schema 1."""
    return interviews.is_dir() and any(
        e.is_file() and e.name.endswith(".json") and IID.match(e.name[:-5])
        for e in os.scandir(interviews)
    )


def _schema_version(path: Path) -> tuple[int, str | None]:
    """The schema version a meta file names, or why it names none (0 and the reason)."""
    try:
        data = read_json(path)
    except DamagedFileError as exc:
        return 0, exc.why
    if check_tables(data) is not None:
        return 0, "нет таблицы meta с записью 1"
    doc = (data.get("meta") or {}).get("1")
    if not isinstance(doc, dict):
        return 0, "нет таблицы meta с записью 1"
    version = doc.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        return 0, f"неверная версия схемы «{version}»"
    return version, None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
