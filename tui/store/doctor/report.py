"""What ``doctor`` found and did: a :class:`Finding` per problem, and the
:class:`DoctorReport` of a run with its counts and its summary in Russian."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Finding:
    """One problem: where, why, and what a repair did about it."""

    path: Path
    problem: str
    action: str = ""
    fixed: bool = False
    #: Reported, but the store works as it is and nothing is to be done (the audit trail).
    warning: bool = False
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = f"{self.path}: {self.problem}"
        if self.action:
            text += f" — {self.action}"
        for note in self.notes:
            text += f"; {note}"
        return text + "."


@dataclass
class DoctorReport:
    root: Path
    repair: bool
    findings: list[Finding] = field(default_factory=list)
    interviews: int = 0
    damaged: int = 0
    set_aside: int = 0
    moved: int = 0
    temp_files: int = 0
    temp_removed: int = 0
    salvaged: int = 0
    index_rebuilt: bool = False
    migrated: bool = False
    audit_bad_lines: int = 0
    #: Where damaged and stray files of this run were put (``None`` when none were).
    damaged_dir: Path | None = None

    @property
    def ok(self) -> bool:
        """The store is healthy now: nothing found, or everything found was repaired."""
        return all(f.fixed or f.warning for f in self.findings)

    def lines(self) -> list[str]:
        return [f.line() for f in self.findings]

    def counts(self) -> dict[str, Any]:
        """The counts of this run (for the audit trail: no names, no answers)."""
        return {
            "interviews": self.interviews, "damaged": self.damaged, "set_aside": self.set_aside,
            "moved": self.moved, "temp_removed": self.temp_removed, "salvaged": self.salvaged,
            "index_rebuilt": self.index_rebuilt, "migrated": self.migrated,
            "audit_bad_lines": self.audit_bad_lines,
        }

    def summary(self) -> str:
        parts = [f"проверено интервью: {self.interviews}", f"повреждённых файлов: {self.damaged}"]
        if self.repair:
            parts += [
                f"отложено в damaged/: {self.set_aside}",
                f"перемещено в свой месяц: {self.moved}",
                f"удалено временных файлов: {self.temp_removed}",
            ]
            if self.salvaged:
                parts.append(f"восстановлено из уцелевшего: {self.salvaged}")
            parts.append("указатель поиска перестроен" if self.index_rebuilt else "указатель поиска цел")
        else:
            parts.append(f"временных файлов: {self.temp_files}")
        if self.audit_bad_lines:
            parts.append(f"нечитаемых строк журнала: {self.audit_bad_lines}")
        text = "Итог: " + ", ".join(parts) + ". "
        remaining = sum(1 for f in self.findings if not (f.fixed or f.warning))
        if not remaining:
            fixed = any(f.fixed for f in self.findings)
            text += "Хранилище исправлено." if fixed else "Хранилище в порядке."
        elif self.repair:
            text += f"Осталось проблем: {remaining}."
        else:
            text += f"Найдено проблем: {remaining}. Исправить: sobesednik doctor (без --check-only)."
        return text
