"""Whom to phone about coming events: the seed's «Напоминание о предстоящих событиях по
телефону», read from the plan values kept beside issued plans (``sobesednik calls``).

One pass over the interview files, one file at a time (memory stays flat). A file whose
bytes name none of the window's dates (``YYYY-MM-DD`` or ``ДД.ММ.ГГГГ``) can hold no event
of it and is not parsed: the pass costs little more than reading the files. For each
client only the interview completed last counts (a newer plan replaces the older one's
dates: the client's other interviews are found through the index); its plan value
(:func:`tui.engine.plan_value.plan_value`, kept by :meth:`Store.complete
<tui.store.store.Store.complete>`) gives the events. What is left out is counted, never
silently dropped:

* an interview completed before plan values were kept whose plan text names a date of
  the window (``no_value``, with their ids: the inspector reads those plans);
* a plan withdrawn with a consent (``withdrawn``: its value went with it);
* a client who said no to phone reminders where the scripts ask it (``declined``);
* a client with no phone (``no_phone``);
* a file that cannot be read (``damaged``: named; one that names no date of the window is
  not parsed, so not checked: that is ``doctor``'s work).

Drafts are never listed; an erased client's files are gone. Deadlines of the centre's
own duties are not the client's to be reminded of: only visits, the review and the
deadlines of measures the client takes part in are listed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from tui.fs import read_nofollow
from tui.store.errors import DamagedFileError, UnreadableFileError, os_reason
from tui.store.files import json_fault
from tui.store.layout import COMPLETE, client_id, identity_of, scan_interviews
from tui.store.records import record_of

if TYPE_CHECKING:
    from tui.store.store import Store

#: The questions where the scripts ask whether the client wants phone reminders (the
#: pensioner's and the pre-pensioner's modules), and the number to call then, when it is
#: not the profile's phone. A client never asked is reminded at the profile's phone: its
#: question tells the client it is asked «чтобы мы могли напомнить о встречах».
#: tests/cli/test_calls.py checks that the scripts still have these questions.
CONSENT_QUESTIONS = ("pens_phone_reminders", "prep_phone_reminders")
PHONE_QUESTIONS = ("pens_reminder_phone", "prep_reminder_phone")
PROFILE_PHONE = "phone"
#: Who does a measure: only the client's own deadlines are reminded of.
CLIENT_RESPONSIBLE = frozenset({"client", "both"})
VISIT, REVIEW, DEADLINE = "visit", "review", "deadline"


@dataclass(frozen=True)
class Event:
    """One dated event of a plan: ``kind`` visit, review or deadline; a deadline's
    measure text (the client's wording, else the centre's); ``time`` when the plan
    gives one."""

    day: date
    kind: str
    measure: str = ""
    time: str = ""


@dataclass(frozen=True)
class Call:
    """One call to make: a client's events of one day."""

    iid: str
    client: dict[str, Any]
    phone: str
    day: date
    events: tuple[Event, ...]


@dataclass
class CallList:
    calls: list[Call] = field(default_factory=list)
    #: Interviews (the client's latest) issued before plan values were kept whose plan
    #: text names a date of the window.
    no_value: list[str] = field(default_factory=list)
    withdrawn: int = 0
    declined: int = 0
    no_phone: int = 0
    damaged: list[DamagedFileError] = field(default_factory=list)


@dataclass(frozen=True)
class _Latest:
    """What one client's latest completed interview says (events already in the window)."""

    completed: str
    iid: str
    client: dict[str, Any]
    phone: str
    declined: bool
    value_state: str  # "ok", "none", "withdrawn"
    events: tuple[Event, ...]
    #: A plan without a value whose text names a date of the window.
    old_text_hit: bool = False


def calls(store: Store, first: date, last: date) -> CallList:
    """The calls to make about the events from ``first`` to ``last`` (inclusive), by
    date, then surname; what was left out, counted."""
    latest: dict[str, tuple[_Latest, dict[str, Any]]] = {}
    result = CallList()
    for item in _candidates(store, _window_pattern(first, last)):
        if isinstance(item, DamagedFileError):
            result.damaged.append(item)
            continue
        found = _latest_of(item, first, last)
        if found is None:
            continue
        key, one = found
        if key not in latest or _newer(one, latest[key][0]):
            latest[key] = (one, identity_of(item["answers"]))
    for one, identity in latest.values():
        if _matters(one) and not _superseded(store, one, identity):
            _count_or_call(one, result)
    result.calls.sort(key=lambda c: (c.day, str(c.client.get("last_name") or ""), c.iid))
    return result


def _matters(one: _Latest) -> bool:
    """Whether ``one`` would be called or counted (else its client's other interviews
    need not be looked up): an event in the window, or an older plan naming a day of it."""
    if one.value_state == "none":
        return one.old_text_hit
    return one.value_state == "withdrawn" or bool(one.events)


def _newer(one: _Latest, other: _Latest) -> bool:
    return (one.completed, one.iid) > (other.completed, other.iid)


@dataclass(frozen=True)
class _Window:
    """Whether the bytes of a file name a day of the window: as ``YYYY-MM-DD`` (a plan
    value) or ``ДД.ММ.ГГГГ`` (the text of a plan issued before values were kept). Plain
    ``bytes.find`` only (a regular expression of many alternatives is ten times slower):
    a short window looks for each of its days, a long one for its months, then reads the
    day beside each month found."""

    days: frozenset[bytes]
    iso_months: tuple[bytes, ...]  # b"2026-12-": the day follows
    ru_months: tuple[bytes, ...]  # b".12.2026": the day precedes

    def named_in(self, raw: bytes) -> bool:
        if len(self.days) <= _PLAIN_WORDS:
            return any(d in raw for d in self.days)
        return (any(self._found(raw, m, len(m), len(m) + 2) for m in self.iso_months)
                or any(self._found(raw, m, -2, len(m)) for m in self.ru_months))

    def _found(self, raw: bytes, month: bytes, start: int, end: int) -> bool:
        pos = raw.find(month)
        while pos != -1:
            if pos + start >= 0 and raw[pos + min(start, 0):pos + end] in self.days:
                return True
            pos = raw.find(month, pos + 1)
        return False


#: Up to this many words a file is searched for each (the default window has two).
_PLAIN_WORDS = 8


def _window_pattern(first: date, last: date) -> _Window:
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return _Window(
        frozenset([d.isoformat().encode() for d in days] + [d.strftime("%d.%m.%Y").encode() for d in days]),
        tuple(dict.fromkeys(d.strftime("%Y-%m-").encode() for d in days)),
        tuple(dict.fromkeys(d.strftime(".%m.%Y").encode() for d in days)))


def _candidates(store: Store, window: _Window) -> Iterator[dict[str, Any] | DamagedFileError]:
    """The records of the interview files whose bytes name a day of ``window``, and what
    could not be read on the way."""
    for path in scan_interviews(store.root):
        if isinstance(path, DamagedFileError):
            yield path
            continue
        try:
            raw = read_nofollow(path)
        except FileNotFoundError:
            continue  # removed since the folder was listed
        except OSError as exc:
            yield UnreadableFileError(path, os_reason(exc), store.root)
            continue
        if not window.named_in(raw):
            continue
        try:
            data = json.loads(raw.decode("utf-8"))
            if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
                raise DamagedFileError(path, "ожидался объект JSON с таблицами")
            yield record_of(path, data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            yield DamagedFileError(path, json_fault(raw, exc))
        except DamagedFileError as exc:
            yield exc


def _superseded(store: Store, one: _Latest, identity: dict[str, Any]) -> bool:
    """Whether the client has an interview completed after ``one`` (its plan replaces
    this one's dates, even with no event in the window)."""
    if client_id(identity) is None:
        return False
    for other in store.search.client_interviews(one.iid, identity):
        if other.complete and other.id != one.iid and (str(other.completed_at or ""), other.id) > (
                one.completed, one.iid):
            return True
    return False


def _count_or_call(one: _Latest, result: CallList) -> None:
    if one.value_state == "none":
        if one.old_text_hit:
            result.no_value.append(one.iid)
    elif one.value_state == "withdrawn":
        result.withdrawn += 1
    elif not one.events:
        return  # nothing in the window: nobody to phone, nothing left out
    elif one.declined:
        result.declined += 1
    elif not one.phone:
        result.no_phone += 1
    else:
        for day in sorted({e.day for e in one.events}):
            result.calls.append(Call(one.iid, one.client, one.phone, day,
                                     tuple(e for e in one.events if e.day == day)))


def _latest_of(record: dict[str, Any], first: date, last: date) -> tuple[str, _Latest] | None:
    header = record["header"]
    if header.get("status") != COMPLETE or not record["plans"]:
        return None
    answers = {doc["question"]: doc.get("value") for doc in record["answers"]}
    identity = identity_of(record["answers"])
    plan = record["plans"][-1]
    value = plan.get("value")
    state = "ok" if isinstance(value, dict) else ("withdrawn" if plan.get("withdrawn") else "none")
    events = tuple(_events(value, first, last)) if isinstance(value, dict) else ()
    phone = next((str(answers[q]) for q in PHONE_QUESTIONS if answers.get(q)), "") or str(
        answers.get(PROFILE_PHONE) or "")
    one = _Latest(
        completed=str(header.get("completed_at") or ""), iid=record["id"],
        client={k: identity.get(k) for k in ("last_name", "first_name", "middle_name", "birth_date")},
        phone=phone, declined=any(answers.get(q) is False for q in CONSENT_QUESTIONS),
        value_state=state, events=events,
        old_text_hit=state == "none" and _names_a_date(str(plan.get("markdown") or ""), first, last))
    return client_id(identity) or record["id"], one


_DATE = re.compile(r"\b(\d{2})\.(\d{2})\.(\d{4})\b")


def _names_a_date(text: str, first: date, last: date) -> bool:
    """Whether ``text`` (a plan issued before values were kept) names a day from
    ``first`` to ``last`` as ДД.ММ.ГГГГ."""
    for m in _DATE.finditer(text):
        try:
            if first <= date(int(m[3]), int(m[2]), int(m[1])) <= last:
                return True
        except ValueError:
            continue
    return False


def _events(value: dict[str, Any], first: date, last: date) -> Iterator[Event]:
    measures = {m.get("id"): m for m in _dicts(value.get("measures"))}
    for event in _dicts(value.get("events")):
        try:
            day = date.fromisoformat(str(event.get("date")))
        except ValueError:
            continue  # a value edited by hand: not a date, nothing to remind of
        if not first <= day <= last:
            continue
        kind = str(event.get("kind") or "")
        time = str(event.get("time") or "")
        if kind in (VISIT, REVIEW):
            yield Event(day, kind, time=time)
        elif kind == DEADLINE:
            measure = measures.get(event.get("measure")) or {}
            if measure.get("responsible") in CLIENT_RESPONSIBLE:
                yield Event(day, kind, _measure_words(measure), time)


def _measure_words(measure: dict[str, Any]) -> str:
    """The measure as said on the phone: the client's wording, else the first sentence of
    the centre's."""
    text = str(measure.get("client_text") or "").strip()
    if not text:
        full = str(measure.get("text") or measure.get("id") or "").strip()
        text = full.split(". ", 1)[0]
    return text.rstrip(". ")


def _dicts(items: Any) -> Iterable[dict[str, Any]]:
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []
