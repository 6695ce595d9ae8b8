"""``doctor``'s check of the audit trail: lines that do not parse are counted and named as
a warning; the trail is never rewritten (the other lines still read)."""

from __future__ import annotations

import json
from pathlib import Path

from tui.fs import read_nofollow
from tui.store.audit import audit_files
from tui.store.doctor.repair import Repairs
from tui.store.errors import os_reason


def check_audit(repairs: Repairs) -> None:
    if repairs.skip(repairs.root / "audit"):
        return
    for path in audit_files(repairs.root):
        if repairs.skip(path):
            continue
        try:
            bad = _bad_lines(path)
        except OSError as exc:
            repairs.add(path, os_reason(exc))
            continue
        if bad:
            repairs.report.audit_bad_lines += bad
            repairs.add(path, f"нечитаемых строк журнала: {bad}",
                        action="журнал не переписывается, остальные строки читаются", warning=True)


def _bad_lines(path: Path) -> int:
    bad = 0
    for line in read_nofollow(path).split(b"\n"):
        if not line.strip():
            continue
        try:
            event = json.loads(line.decode("utf-8"))
        except ValueError:
            bad += 1
            continue
        if not isinstance(event, dict):
            bad += 1
    return bad
