"""Rules re-checked over the store: ``sobesednik reclassify [--dry-run]`` (see
:mod:`tui.cli.common` and :mod:`tui.store.reclassify`).

Lists, as it reads the store, each client whose groups the current rules change: the
interview, the client, the groups before and after, and for each group that appears or
goes the rule's reason; a change the inspector's override hides is named as such. Without
``--dry-run`` each change is recorded (the interview's record and the audit trail). A
progress bar goes to stderr on a terminal only; the last line is the summary.

Exit codes: 0 done (changes or not); 1 done, but an interview could not be read (damaged,
named) or was open in another window; 2 nothing done (the scripts or the store).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from tui.cli.common import (
    Handler,
    add_data_dir,
    add_inspector,
    add_scripts,
    client_label,
    count,
    err,
    load_scripts,
    open_store,
    who,
)

if TYPE_CHECKING:
    from tui.engine.model import Bundle
    from tui.store.reclassify import GroupChange, Regrouping, Run

INSPECTOR_HELP = "кто выполняет пересмотр (для журнала действий; по умолчанию имя пользователя)"


def register(sub: Any) -> dict[str, Handler]:
    reclassify = sub.add_parser(
        "reclassify", help="пересмотреть группы клиентов по текущим правилам",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Проверяет по текущим правилам (встроенным сценариям или --scripts) группы каждого "
            "интервью хранилища, у которого они есть: завершённого и незавершённого, где "
            "инспектор уже подтвердил группы. Называет клиентов, чьи группы меняются: интервью, "
            "клиент, группы до и после и для каждой появившейся или ушедшей группы — причину по "
            "правилу. Решение инспектора (добавленная или исключённая группа) остаётся: "
            "изменение, которое оно скрывает, называется, но не применяется.\n\n"
            "Без --dry-run изменения записываются как новое решение: в интервью (когда, кто, по "
            "каким сценариям, с каких групп на какие) и в журнал действий. Выданные планы не "
            "меняются: у завершённого интервью, чьи группы изменились, план отмечается как "
            "выданный по прежним группам. Незавершённое интервью сохраняет подтверждение "
            "инспектора: при продолжении группы нужно будет подтвердить снова. Интервью, "
            "открытое в другом окне, не изменяется и называется."
        ),
    )
    add_data_dir(reclassify)
    add_scripts(reclassify)
    reclassify.add_argument("--dry-run", action="store_true",
                            help="только показать, чьи группы изменятся, ничего не записывая")
    add_inspector(reclassify, INSPECTOR_HELP)
    return {"reclassify": cmd_reclassify}


def scripts_label(bundle: Bundle) -> str:
    """Which scripts ran: their versions and a digest of the files' bytes (the groups file
    has no version of its own, and a threshold changes without one)."""
    digest = hashlib.sha256()
    for name in sorted(bundle.files):
        digest.update(Path(name).name.encode() + b"\0")
        try:
            digest.update(Path(name).read_bytes())
        except OSError:
            digest.update(b"?")
    return f"{bundle.version_tag}; sha256 {digest.hexdigest()[:12]}"


# --------------------------------------------------------------------------- the listing


def _titles(found: Regrouping, ids: Any) -> str:
    names = []
    for gid in ids:
        result = found.classification.get(gid)
        names.append(result.title if result is not None else found.before.titles.get(gid, gid))
    return "; ".join(names) or "нет групп"


def _change_line(c: GroupChange) -> str:
    if c.hidden and c.override is not None:
        rule = "теперь относит к группе" if c.appears else "больше не относит к группе"
        kept = "добавлена" if c.override.action == "add" else "исключена"
        return (f"  ! {c.title}: правило {rule} ({c.reason}), но остаётся решение инспектора — "
                f"группа {kept}: «{c.override.reason}»")
    if c.appears:
        return f"  + {c.title}: {c.reason}"
    if c.status == "undecided":
        return f"  ? {c.title}: теперь не решено — {c.reason}"
    return f"  − {c.title}: {c.reason}"


def print_found(found: Regrouping, dry_run: bool, out: TextIO) -> None:
    state = "завершено" if found.status == "complete" else "не завершено"
    print(f"{found.id}  {client_label(found.identity)} · {state}, интервью "
          f"{found.interview_date:%d.%m.%Y}", file=out)
    before, after = _titles(found, found.before.members), _titles(found, found.members)
    shown = f"{before} → {after}" if before != after else f"{after} (без изменений)"
    print(f"  группы: {shown}", file=out)
    for c in found.changes:
        print(_change_line(c), file=out)
    if found.plan_outdated:
        print("  план выдан по прежним группам: " + ("будет отмечен как требующий пересмотра"
              if dry_run else "отмечен как требующий пересмотра"), file=out)
    elif found.status != "complete" and found.members_changed:
        print("  при продолжении интервью инспектор подтвердит группы снова", file=out)


# --------------------------------------------------------------------------- progress


class Progress:
    """A bar on stderr while the store is read: on a terminal only (a pipe gets nothing),
    redrawn at most every :attr:`INTERVAL` seconds; counts only, never a name."""

    INTERVAL = 0.1

    def __init__(self, total: int | None) -> None:
        stream = sys.stderr
        # Past the terminal guard: the bar is this program's own text, with its «\r».
        self.stream: TextIO | None = getattr(stream, "inner", stream) if _tty(stream) else None
        self.total = total
        self.started = time.monotonic()
        self.shown = 0.0
        self.drawn = False

    def tick(self, done: int) -> None:
        if self.stream is None:
            return
        now = time.monotonic()
        if now - self.shown < self.INTERVAL:
            return
        self.shown = now
        rate = done / max(now - self.started, 1e-9)
        if self.total:
            filled = min(30, 30 * done // self.total)
            bar = f"[{'#' * filled}{'.' * (30 - filled)}] {done}/{self.total}"
        else:
            bar = f"{done}"
        self.stream.write(f"\r{bar} интервью, {rate:.0f} в секунду ")
        self.stream.flush()
        self.drawn = True

    def clear(self) -> None:
        if self.stream is not None and self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.drawn = False


def _tty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (ValueError, OSError):
        return False


# --------------------------------------------------------------------------- the command


def cmd_reclassify(args: argparse.Namespace) -> int:
    from tui.engine.policy import DataPolicy
    from tui.store import DamagedFileError, InterviewBusyError
    from tui.store.reclassify import Regrouping, Run, check_store, record

    bundle = load_scripts(args, consequence="пересмотр групп не выполнен")
    store = open_store(args)
    by, label, dry = who(args), scripts_label(bundle), args.dry_run
    hidden = DataPolicy.from_bundle(bundle).hidden_groups
    print(f"Пересмотр групп по сценариям: {label}" + (" (--dry-run: ничего не записывается)" if dry else ""))
    run = Run()
    progress = Progress(sum(1 for _ in store.interview_files()) if _tty(sys.stderr) else None)

    def apply(found: Regrouping) -> None:
        try:
            now = record(store, bundle, found.id, by=by, scripts=label, hidden_groups=hidden)
        except InterviewBusyError as exc:
            run.busy.append((found.id, str(exc)))
            return
        if isinstance(now, Regrouping):
            found.recorded = now.recorded

    started = time.monotonic()
    try:
        for item in check_store(store, bundle, run, None if dry else apply):
            progress.clear()
            if isinstance(item, DamagedFileError):
                err(f"Пропущено: {item}")
            else:
                print_found(item, dry, sys.stdout)
            progress.tick(_seen(run))
            sys.stdout.flush()
        progress.tick(_seen(run))
    finally:
        progress.clear()
        _summary(run, dry, time.monotonic() - started)
    store.audit("reclassify_run", by, scripts=label, dry_run=dry, checked=run.checked,
                changed=run.changed, recorded=run.recorded, skipped=run.skipped_count,
                damaged=len(run.damaged), busy=len(run.busy))
    return 1 if run.damaged or run.busy else 0


def _seen(run: Run) -> int:
    return run.checked + run.skipped_count + len(run.damaged)


def _summary(run: Run, dry: bool, seconds: float, out: TextIO | None = None) -> None:
    for iid, why in run.busy:
        err(f"Не изменено {iid}: {why}")
    for why, n in run.skipped.items():
        err(f"Пропущено ({why}): {n}")
    rate = _seen(run) / seconds if seconds > 0 else 0.0
    changed = (f"изменятся у {run.changed}" if dry
               else f"изменились у {run.changed}, записано {run.recorded}")
    unread = f", не прочитано {len(run.damaged)}" if run.damaged else ""
    print(f"Проверено {count(run.checked, 'интервью', 'интервью', 'интервью')}: группы {changed}; "
          f"пропущено {run.skipped_count}{unread}; {rate:.0f} интервью в секунду.", file=out or sys.stdout)
