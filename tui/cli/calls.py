"""``sobesednik calls``: the clients to phone about their coming events (the seed's
«Напоминание о предстоящих событиях по телефону»), read from the plans issued
(:mod:`tui.store.reminders`).

By default the events of the next working day after the day of calling (today, or
``--date``): the call is made the day before. ``--days N``: the next N working days. A
table on a terminal, CSV with ``--csv``; ``--out FILE`` writes either to a file
(owner-only, replaced whole). What was left out (plans issued before this version, a
client who declined reminders, no phone, an unreadable file) is said on stderr.

Exit codes: 0 listed (perhaps nobody); 1 listed, but a file could not be read; 2 nothing
listed (the store or the output file could not be used).
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import textwrap
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.cli.common import (
    CommandError,
    Handler,
    add_data_dir,
    add_inspector,
    count,
    date_arg,
    err,
    iso_to_ru,
    open_store,
    who,
)

if TYPE_CHECKING:
    from tui.store.reminders import Call, CallList, Event

#: The longest window ``--days`` takes (working days: about a quarter).
MAX_DAYS = 66
#: The width of what a call is about in the terminal list (CSV keeps it on one line).
EVENTS_WIDTH = 78
HEADERS = ("Клиент", "Телефон", "События", "Дата", "Время", "Интервью")
KIND_WORDS = {
    "visit": "явка в центр занятости",
    "review": "явка: повторное профилирование и пересмотр плана",
}


def register(sub: Any) -> dict[str, Handler]:
    calls = sub.add_parser(
        "calls", help="кому позвонить с напоминанием о ближайших событиях плана",
        description=(
            "Список клиентов, которым нужно позвонить с напоминанием о ближайших событиях "
            "плана: явках, повторном профилировании, сроках их мероприятий. По умолчанию — "
            "события следующего рабочего дня после дня звонка (сегодня или --date): звонят "
            "накануне. Клиенты, отказавшиеся от напоминаний, не показываются."
        ),
    )
    add_data_dir(calls)
    calls.add_argument("--date", type=date_arg, metavar="ДД.ММ.ГГГГ",
                       help="день звонка (по умолчанию сегодня)")
    calls.add_argument("--days", type=_days, default=1, metavar="N",
                       help=f"события ближайших N рабочих дней после дня звонка (1–{MAX_DAYS}, "
                            "по умолчанию 1)")
    calls.add_argument("--csv", action="store_true", help="CSV вместо таблицы")
    calls.add_argument("--out", metavar="ФАЙЛ", help="записать в файл (только для владельца), а не на экран")
    add_inspector(calls, "кто составляет список (для журнала действий; по умолчанию имя пользователя)")
    return {"calls": cmd_calls}


def _days(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"ожидается число дней, а не «{text[:20]}»") from None
    if not 1 <= n <= MAX_DAYS:
        raise argparse.ArgumentTypeError(f"число дней — от 1 до {MAX_DAYS}")
    return n


def window(day: date, days: int) -> tuple[date, date]:
    """The first and the last of the ``days`` working days after ``day``."""
    from tui.engine.workdays import next_working_day

    first = current = next_working_day(day + timedelta(days=1))
    for _ in range(days - 1):
        current = next_working_day(current + timedelta(days=1))
    return first, current


def cmd_calls(args: argparse.Namespace) -> int:
    from tui.store.reminders import calls

    first, last = window(args.date or date.today(), args.days)
    store = open_store(args)
    try:
        found = calls(store, first, last)
        hours = _hours(store.root)
        text = _csv(found.calls, hours) if args.csv else _table(found.calls, hours, first, last)
        if args.out:
            _write(Path(args.out), text)
        else:
            sys.stdout.write(text)
        store.audit("calls", who(args), count=len(found.calls), first=first.isoformat(),
                    last=last.isoformat())
    finally:
        store.close()
    _report(found, args.out, hours)
    return 1 if found.damaged else 0


def _hours(root: Path) -> str:
    """The centre's hours, said as the time of an event with none of its own."""
    from tui.store.settings import SettingsError, load_settings

    try:
        return load_settings(root).centre.hours
    except SettingsError as exc:
        err(f"Часы приёма не прочитаны: {exc}")
        return ""


def event_words(event: Event) -> str:
    if event.kind == "deadline":
        return f"срок: {event.measure}"
    return KIND_WORDS.get(event.kind, event.kind)


def about(call: Call, *, times: bool) -> str:
    """What the call is about: each event of the day in words, once (two measures of the
    same wording say it once), with its time when the plan gives one and ``times``."""
    said = [event_words(e) + (f" в {e.time}" if times and e.time else "") for e in call.events]
    return "; ".join(dict.fromkeys(said))


def _client(call: Call) -> str:
    c = call.client
    return " ".join(str(c[k]) for k in ("last_name", "first_name", "middle_name") if c.get(k)) or "—"


def _rows(calls: list[Call], hours: str) -> list[list[str]]:
    rows = []
    for call in calls:
        times = sorted({e.time for e in call.events if e.time})
        rows.append([_client(call), call.phone, about(call, times=False),
                     call.day.strftime("%d.%m.%Y"), ", ".join(times) or hours or "—", call.iid])
    return rows


def _csv(calls: list[Call], hours: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerows(_rows(calls, hours))
    return out.getvalue()


def _table(calls: list[Call], hours: str, first: date, last: date) -> str:
    """Two lines a call, to fit a terminal of 80 columns: the date, the client, the phone
    and the interview; then what the call is about (with the time when the plan gives one)."""
    when = iso_to_ru(first.isoformat()) + ("" if first == last else f"–{iso_to_ru(last.isoformat())}")
    if not calls:
        return f"Событий на {when} нет: звонить некому.\n"
    lines = [f"Позвонить ({when}): {count(len(calls), 'звонок', 'звонка', 'звонков')}."]
    lines.append(f"Время событий — часы приёма центра: {hours}." if hours else
                 "Время событий — часы приёма центра (не заполнены: sobesednik setup).")
    heads = [[call.day.strftime("%d.%m.%Y"), _client(call), call.phone, call.iid] for call in calls]
    widths = [max(len(h[i]) for h in heads) for i in range(4)]
    for call, head in zip(calls, heads, strict=True):
        lines.append("")
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(head, widths, strict=True)).rstrip())
        lines += textwrap.wrap(about(call, times=True), width=EVENTS_WIDTH,
                               initial_indent="    ", subsequent_indent="    ")
    return "\n".join(lines) + "\n"


def _write(target: Path, text: str) -> None:
    from tui.fs import atomic_write
    from tui.store.errors import describe_os_error

    if not target.parent.is_dir():
        raise CommandError(f"Нет каталога {target.parent}: список не записан.")
    try:
        atomic_write(target, text)
    except OSError as exc:
        raise CommandError(describe_os_error(exc, target, "записать список в")) from exc


def _report(found: CallList, out: str | None, hours: str) -> None:
    if out:
        err(f"Записано в {out}: {count(len(found.calls), 'звонок', 'звонка', 'звонков')}.")
    if found.no_value:
        err(f"Не в списке — {count(len(found.no_value), 'клиент', 'клиента', 'клиентов')}: план выдан до "
            "этой версии Собеседника, его даты не сохранены отдельно, но в тексте плана есть дата из "
            f"этих дней; прочитайте планы интервью: {', '.join(found.no_value)}.")
    left = [(found.withdrawn, "план отозван вместе с согласием на обработку данных о здоровье"),
            (found.declined, "отказались от напоминаний по телефону"),
            (found.no_phone, "нет номера телефона")]
    for n, why in left:
        if n:
            err(f"Не в списке — {count(n, 'клиент', 'клиента', 'клиентов')}: {why}.")
    if found.calls and not hours:
        err("Часы приёма центра не заполнены: время в списке не указано. Запустите: sobesednik setup")
    for damaged in found.damaged:
        err(f"Не прочитано: {damaged}")
