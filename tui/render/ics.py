"""The plan as a calendar file (iCalendar, RFC 5545) for the client's phone.

Every dated event of the plan value (:func:`tui.engine.plan_value.plan_value`: the visits,
the visit at which the plan is reviewed, the deadlines of the client's measures) is in an
all-day event on its working day, one event a day (a phone shows one entry: the visit and
the steps due by it, or the steps due that day), said in the client's words, with the
centre's name and address in ``LOCATION``, its phone and hours and the case worker in
``DESCRIPTION``, and a reminder the morning before. The centre's own work has no event;
an ongoing duty («постоянно», «до трудоустройства») has no date and no event.

Text is written by the ``icalendar`` library, which escapes ``;``, ``,``, ``\\`` and line
breaks, so an answer holding them stays one value of one property; control characters
other than line breaks are written out visibly (:func:`tui.engine.textsafe.escape_controls`).
An event's ``UID`` is made of the interview id and the day: the same plan imported twice
updates its events instead of doubling them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from icalendar import Alarm, Calendar, Event

from tui.engine.dates import plural
from tui.engine.textsafe import escape_controls

PRODID = "-//Sobesednik//Individual employment plan//RU"
VISIT, REVIEW, DEADLINE = "visit", "review", "deadline"
#: What a day's event is called: a visit, the review, the steps due (the plan value's kinds).
SUMMARY = {
    VISIT: "Приём в центре занятости",
    REVIEW: "Приём в центре занятости: пересмотр плана",
    DEADLINE: "Срок: {text}",
}
STEPS_BY_VISIT = "К этому дню:"
STEPS_DUE = "Сделать к этому дню:"
#: A step whose measure has no words for the client (never in the bundled catalog).
STEP_FALLBACK = "шаг плана"
#: What the description of a visit and of the review says before the contacts.
VISIT_TEXT = {
    VISIT: "Приходите в центр занятости. Если прийти нельзя — заранее сообщите куратору.",
    REVIEW: "Приходите в центр занятости: вместе с куратором вы обсудите, что сделано, "
              "и пересмотрите план. Если прийти нельзя — заранее сообщите куратору.",
}
#: A reminder on the phone the day before, at 9:00 (an all-day event starts at 0:00).
REMINDER_BEFORE = timedelta(hours=15)
#: A summary longer than this is cut at a word (the whole text is in the description).
SUMMARY_LIMIT = 80
CALENDAR_NAME = "План содействия занятости"


def _text(value: Any) -> str:
    """A value as calendar text: control characters other than line breaks written out."""
    return escape_controls("" if value is None else str(value)).strip()


def _short(text: str, limit: int = SUMMARY_LIMIT) -> str:
    """``text`` on one line, cut at a word to ``limit`` characters (with «…»)."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    cut = line[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:—-")
    return f"{cut}…"


def _join(parts: list[str], sep: str = ", ") -> str:
    return sep.join(p for p in parts if p)


def _room(office: Mapping[str, Any]) -> str:
    """The case worker's room as the documents say it: «каб. 12» for «12»."""
    room = _text((office.get("curator") or {}).get("office"))
    return room if not room or room.lower().startswith("каб") else f"каб. {room}"


def location(office: Mapping[str, Any]) -> str:
    """Where the client goes: the centre's name and address, the case worker's office."""
    centre = office.get("centre") or {}
    return _join([_text(centre.get("name")), _text(centre.get("address")), _room(office)])


def contacts(office: Mapping[str, Any]) -> str:
    """The lines of the description that say how to reach the centre and the case worker."""
    centre = office.get("centre") or {}
    curator = office.get("curator") or {}
    phone, hours = _text(centre.get("phone")), _text(centre.get("hours"))
    lines = [_join([f"Центр занятости: {_text(centre.get('name'))}" if centre.get("name") else "",
                    _text(centre.get("address")), f"тел. {phone}" if phone else "",
                    f"часы работы: {hours}" if hours else ""])]
    cphone = _text(curator.get("phone"))
    if curator.get("full_name"):
        lines.append(_join([f"Куратор: {_text(curator.get('full_name'))}", _text(curator.get("position")),
                            f"тел. {cphone}" if cphone else "", _room(office)]))
    return "\n".join(line for line in lines if line)


def _initials(client: Mapping[str, Any]) -> str:
    """«Иванова А. Б.» (the centre's copy names the client in each event)."""
    initials = "".join(f" {_text(client.get(k))[:1]}." for k in ("first_name", "middle_name")
                       if _text(client.get(k)))
    return f"{_text(client.get('last_name'))}{initials}".strip()


def _step(m: Mapping[str, Any]) -> str:
    """A step of the plan as the description lists it: its text, then its details."""
    text = _text(m.get("client_text")) or _text(m.get("text")) or STEP_FALLBACK
    details = [_text(d) for d in m.get("client_details") or [] if _text(d)]
    return "\n".join([f"• {text}", *(f"  {d}" for d in details)])


def _step_title(m: Mapping[str, Any]) -> str:
    return _text(m.get("client_text")) or _text(m.get("text")) or STEP_FALLBACK


def _day(day_events: list[Mapping[str, Any]], measures: Mapping[str, Mapping[str, Any]]) -> tuple[str, str]:
    """The summary and the first part of the description of one day's events: a visit
    (or the review) with the steps due by it, or the steps due that day."""
    kinds = [str(e.get("kind")) for e in day_events]
    steps = [measures.get(str(e.get("measure"))) or {} for e in day_events if e.get("kind") == DEADLINE]
    visit = REVIEW if REVIEW in kinds else VISIT if VISIT in kinds else None
    listed = "\n".join(_step(m) for m in steps)
    if visit is not None:
        lead = VISIT_TEXT[visit]
        return SUMMARY[visit], _join([lead, f"{STEPS_BY_VISIT}\n{listed}" if steps else ""], "\n\n")
    first = _short(_step_title(steps[0]), SUMMARY_LIMIT - 20)
    if len(steps) == 1:
        return SUMMARY[DEADLINE].format(text=first), f"{STEPS_DUE}\n{listed}"
    more = len(steps) - 1
    summary = SUMMARY[DEADLINE].format(text=f"{first} и ещё {more} {plural(more, 'шаг', 'шага', 'шагов')}")
    return summary, f"{STEPS_DUE}\n{listed}"


def _uid(iid: str, day: date) -> str:
    digest = hashlib.sha256(f"{iid}|{day.isoformat()}".encode()).hexdigest()[:12]
    return f"{iid or 'plan'}-{day:%Y%m%d}-{digest}@sobesednik"


def _event(value: Mapping[str, Any], day: date, day_events: list[Mapping[str, Any]],
           office: Mapping[str, Any], measures: Mapping[str, Mapping[str, Any]], stamp: datetime) -> Event:
    summary, lead = _day(day_events, measures)
    if value.get("copy") == "centre":
        summary = _join([_initials(value.get("client") or {}), summary], ": ")
    summary = " ".join(summary.split())  # a title: one line
    item = Event()
    item.add("uid", _uid(str((value.get("interview") or {}).get("id") or ""), day))
    item.add("dtstamp", stamp)
    item.add("dtstart", day)
    item.add("dtend", day + timedelta(days=1))
    item.add("summary", summary)
    item.add("description", _join([lead, contacts(office)], "\n\n"))
    where = location(office)
    if where:
        item.add("location", where)
    item.add("transp", "TRANSPARENT")  # an all-day reminder, not a busy day
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", -REMINDER_BEFORE)
    item.add_component(alarm)
    return item


def by_day(events: list[Mapping[str, Any]]) -> dict[date, list[Mapping[str, Any]]]:
    """The plan's dated events by their day, earliest first."""
    days: dict[date, list[Mapping[str, Any]]] = {}
    for event in events:
        days.setdefault(date.fromisoformat(str(event["date"])), []).append(event)
    return dict(sorted(days.items()))


def render_ics(
    value: Mapping[str, Any], office: Mapping[str, Any], *, stamp: datetime | None = None
) -> bytes:
    """The calendar of the plan value ``value`` (either copy), with the centre and the
    case worker of ``office`` (``{"centre": {...}, "curator": {...}}``, see
    :meth:`tui.store.settings.Settings.office`); ``stamp`` is the time the file is made
    (now, by default)."""
    stamp = stamp or datetime.now(UTC)
    measures = {str(m.get("id")): m for m in value.get("measures") or []}
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", CALENDAR_NAME)
    for day, day_events in by_day(list(value.get("events") or [])).items():
        cal.add_component(_event(value, day, day_events, office, measures, stamp))
    return bytes(cal.to_ical())
