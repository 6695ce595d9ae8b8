"""How an interview summary (:class:`~tui.store.InterviewSummary`) reads in lists."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from tui.engine.dates import format_date
from tui.store import COMPLETE, DRAFT

if TYPE_CHECKING:
    from tui.store import InterviewSummary

NO_NAME = "(ФИО ещё не указаны)"
STATUS_LABELS = {DRAFT: "Не закончено", COMPLETE: "Завершено"}


def client_name(summary: InterviewSummary) -> str:
    client = summary.client
    parts = [client.get(k) for k in ("last_name", "first_name", "middle_name")]
    return " ".join(p for p in parts if isinstance(p, str) and p) or NO_NAME


def iso_date(text: Any) -> str:
    """«ДД.ММ.ГГГГ» of an ISO date; empty when there is none."""
    try:
        return format_date(date.fromisoformat(str(text)))
    except ValueError:
        return ""


def iso_time(text: Any) -> str:
    """«ДД.ММ.ГГГГ ЧЧ:ММ» of an ISO time; empty when there is none."""
    try:
        return datetime.fromisoformat(str(text)).strftime("%d.%m.%Y %H:%M")
    except ValueError:
        return ""


def status_label(summary: InterviewSummary) -> str:
    return STATUS_LABELS.get(summary.status, summary.status)


def inspectors_short(summary: InterviewSummary, width: int = 10) -> str:
    """Who began the interview, by surname, and how many more worked on it: «Петрова +1»."""
    names = [i.split()[0] for i in summary.inspectors if i.strip()]
    if not names:
        return ""
    more = f" +{len(names) - 1}" if len(names) > 1 else ""
    first = names[0]
    if len(first) + len(more) > width:
        first = first[: max(1, width - len(more) - 1)] + "…"
    return first + more
