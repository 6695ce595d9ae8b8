"""The plan as a plain, stable value: what the JSON document holds, what the calendar file
and the reminder calls read, and what the store keeps beside an issued plan.

The value is built from a :class:`~tui.engine.plan.Plan` and holds only JSON types (dates
as ``YYYY-MM-DD`` text). Its ``schema`` names the layout; a field is never renamed or
given another meaning under the same schema id (docs/plan.md lists every field).

Two copies, as the documents: ``centre`` holds everything; ``client`` leaves out what the
client's copy never shows (the groups and their reasons, the federal profile group, the
seed's staff wording, the centre's own work).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tui.engine.plan import Plan, PlannedMeasure

SCHEMA = "sobesednik.plan/1"
COPIES = ("client", "centre")

#: Event kinds: a visit to the centre, the visit at which the plan is reviewed (the
#: re-profiling), and the deadline of a measure.
VISIT, REVIEW, DEADLINE = "visit", "review", "deadline"


def _iso(day: date | None) -> str | None:
    return day.isoformat() if isinstance(day, date) else None


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _client(plan: Plan) -> dict[str, Any]:
    f = plan.facts
    return {
        "last_name": _text(f.get("last_name")),
        "first_name": _text(f.get("first_name")),
        "middle_name": _text(f.get("middle_name")),
        "birth_date": _iso(f.get("birth_date")),
        "phone": _text(f.get("phone")),
    }


def _measure(m: PlannedMeasure, copy: str) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": m.id,
        "client_text": m.client,
        "client_details": list(m.client_details),
        "responsible": m.responsible,
        "deadline": _iso(m.deadline),
        "at_interview": m.at_interview,
        "ongoing": m.ongoing,
        "baseline": m.baseline,
    }
    if copy == "centre":
        doc.update(
            merged=list(m.merged),
            text=str(m.text),
            details=list(m.details),
            commitment=m.commitment,
            institutional=m.institutional,
            groups=list(m.groups),
        )
    return doc


def plan_events(plan: Plan) -> list[dict[str, Any]]:
    """Every dated event of the plan, by date: the visits (the last is the review), then
    the deadlines of the client's measures (the centre's own work has no event)."""
    events: list[dict[str, Any]] = []
    for day in plan.visits:
        kind = REVIEW if day == plan.review_date else VISIT
        events.append({"date": day.isoformat(), "kind": kind, "measure": None})
    for m in plan.client_measures:
        if m.deadline is not None and not m.at_interview:
            events.append({"date": m.deadline.isoformat(), "kind": DEADLINE, "measure": m.id})
    events.sort(key=lambda e: (e["date"], e["kind"] != REVIEW and e["kind"] != VISIT))
    return events


def plan_value(plan: Plan, copy: str = "centre") -> dict[str, Any]:
    """The plan as a JSON-able value of :data:`SCHEMA`, for ``copy`` (``client`` or
    ``centre``)."""
    if copy not in COPIES:
        raise ValueError(f"copy must be one of {COPIES}, not {copy!r}")
    meta = plan.meta
    measures = plan.measures if copy == "centre" else plan.client_measures
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "copy": copy,
        "interview": {
            "id": meta.get("id"),
            "date": plan.today.isoformat(),
            "mode": meta.get("mode"),
            "inspector": meta.get("inspector"),
            "scripts": meta.get("scripts"),
        },
        "client": _client(plan),
        "review_date": _iso(plan.review_date),
        "visits": [d.isoformat() for d in plan.visits],
        "measures": [_measure(m, copy) for m in measures],
        "events": plan_events(plan),
    }
    if copy == "centre":
        doc["groups"] = [
            {"id": g.id, "title": str(g.title), "reason": g.reason,
             "override": g.override.to_json() if g.override else None}
            for g in plan.groups_in
        ]
        doc["groups_removed"] = [
            {"id": g.id, "title": str(g.title), "override": g.override.to_json() if g.override else None}
            for g in plan.groups_removed
        ]
        doc["groups_not_assessed"] = [g.id for g in plan.groups_not_assessed]
        doc["federal_profile"] = {
            "group": plan.facts.get("federal_profile_group"),
            "date": _iso(plan.facts.get("federal_profile_date")),
        }
        doc["groups_confirmed"] = meta.get("groups_confirmed")
    return doc
