"""``doctor``'s check of the audit trail: lines that do not parse are counted and named as
a warning; the trail is never rewritten (the other lines still read)."""

from __future__ import annotations

import json
from pathlib import Path

from tui.store.audit import audit_files
from tui.store.doctor.repair import Repairs
from tui.store.errors import describe_os_error


def check_audit(repairs: Repairs) -> None:
    for path in audit_files(repairs.root):
        try:
            bad = _bad_lines(path)
        except OSError as exc:
            repairs.add(path, describe_os_error(exc, path, "прочитать"))
            continue
        if bad:
            repairs.report.audit_bad_lines += bad
            repairs.add(path, f"нечитаемых строк журнала: {bad}",
                        action="журнал не переписывается, остальные строки читаются", warning=True)


def _bad_lines(path: Path) -> int:
    bad = 0
    with path.open("rb") as fh:
        for line in fh:
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
