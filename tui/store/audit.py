"""The audit trail: who read or changed what and when, ``audit/<yyyymm>.jsonl``.

One JSON line per event (time, action, who, and ids and counts: never a name or an
answer), appended and fdatasynced before the operation is reported done; the trail is
never rewritten. A line torn by a crash or edited by hand is skipped by readers and
counted by ``doctor``.
"""

from __future__ import annotations

import contextlib
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from tui.fs import open_regular, read_nofollow
from tui.store.errors import StoreError, describe_os_error
from tui.store.layout import make_dirs, now_iso


def audit_files(root: Path) -> list[Path]:
    """The months of the trail of the data directory ``root``, oldest first."""
    base = root / "audit"
    return sorted(base.glob("*.jsonl")) if base.is_dir() else []


def append_event(root: Path, action: str, by: str, **details: Any) -> None:
    """Append one event to the trail, durably (no personal data: ids and counts only)."""
    line = json.dumps({"at": now_iso(), "action": action, "by": by, **details},
                      ensure_ascii=False) + "\n"
    path = make_dirs(root / "audit") / f"{datetime.now():%Y%m}.jsonl"
    try:
        fd = open_regular(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        try:
            os.write(fd, line.encode("utf-8"))
            os.fdatasync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise StoreError(describe_os_error(exc, path)) from exc


def read_events(root: Path, iid: str | None = None) -> list[dict[str, Any]]:
    """The trail, oldest first (the events of interview ``iid`` only, if given); a torn or
    edited line is skipped."""
    out: list[dict[str, Any]] = []
    for path in audit_files(root):
        try:
            text = read_nofollow(path).decode("utf-8", errors="replace")
        except OSError as exc:
            raise StoreError(describe_os_error(exc, path, "прочитать", root=root)) from exc
        for line in text.splitlines():
            with contextlib.suppress(ValueError):
                event = json.loads(line)
                if isinstance(event, dict) and (iid is None or event.get("iid") == iid):
                    out.append(event)
    return out
