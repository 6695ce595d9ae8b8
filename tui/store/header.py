"""The header fields of an interview file that a hand (or an old bug) can make impossible,
and what the store reads in their place, so that one bad field never hides the interview
and its answers.

:func:`header_faults` says which fields are wrong and what stands in for each: the
interview date falls back to the day the interview was started (``created_at``), else to
the day the file was last written; an unknown status becomes draft (complete when it was
completed); the list fields (the inspectors, the inspector's group decisions, the groups
issued, the consent withdrawals, the reclassifications) keep the items of the shape the
store and the engine read (an inspector is a name; a decision names its group, ``add`` or
``remove`` and a reason, all text); the confirmation of the groups goes unless it lists
group ids.
``Store.load`` reads the interview with the replacements and says so (a warning);
``doctor`` writes them into the file, keeping the old values in the header's ``repaired``
list; a writer of a list field (:func:`appended`) builds on what is usable of it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from tui.engine.rules import ADD, REMOVE
from tui.store.layout import COMPLETE, DRAFT, now_iso, parse_query_date

#: field -> (the value found, the value read in its place; ``None``: the field goes)
Faults = dict[str, tuple[Any, Any]]


def _date_of(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    parsed = parse_query_date(value[:10]) if len(value) >= 10 else parse_query_date(value)
    return date.fromisoformat(parsed) if parsed else None


def interview_date(header: dict[str, Any], fallback: Callable[[], date]) -> tuple[date, bool]:
    """The interview date of ``header``, and whether it is the stored one (else the day
    the interview was started, or ``fallback()``: asked only then, it may read the disk)."""
    value = header.get("interview_date")
    if isinstance(value, str):
        try:
            return date.fromisoformat(value), True
        except ValueError:
            pass
    return _date_of(header.get("created_at")) or fallback(), False


def _date_fault(header: dict[str, Any], fallback: Callable[[], date]) -> tuple[Any, Any] | None:
    value = header.get("interview_date")
    found, stored = interview_date(header, fallback)
    if stored:
        return None
    typed = _date_of(value) if isinstance(value, str) and len(value) == 10 else None
    return value, (typed or found).isoformat()  # «27.11.2026» is read as the date it says


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


def _is_override(value: Any) -> bool:
    """An inspector's decision on a group as ``Session.confirm_groups`` writes it."""
    return (isinstance(value, dict) and isinstance(value.get("group"), str)
            and value.get("action") in (ADD, REMOVE) and isinstance(value.get("reason"), str)
            and all(isinstance(value.get(k, ""), str) for k in ("by", "at")))


def _is_record(value: Any) -> bool:
    return isinstance(value, dict)


def _is_withdrawal(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("category"), str)


#: The list fields of a header: what each item must be.
_LISTS: dict[str, Callable[[Any], bool]] = {
    "inspectors": _is_text,
    "group_overrides": _is_override,
    "groups": _is_record,
    "consent_withdrawals": _is_withdrawal,
    "reclassifications": _is_record,
}
#: What a list field is called in a message.
_NAMES = {
    "inspectors": "список инспекторов",
    "group_overrides": "решения инспектора о группах",
    "groups": "группы клиента",
    "consent_withdrawals": "отзывы согласия",
    "reclassifications": "пересмотры групп по новым правилам",
}


def _list_fault(header: dict[str, Any], key: str) -> tuple[Any, Any] | None:
    value = header.get(key)
    if value is None:
        return None
    keep = _LISTS[key]
    if isinstance(value, list) and all(keep(v) for v in value):
        return None
    if isinstance(value, list):
        return value, [v for v in value if keep(v)]
    # One inspector's name (or one decision) instead of a list of them is still that one.
    return value, [value] if keep(value) and value != "" else []


def _confirmed_fault(header: dict[str, Any]) -> tuple[Any, Any] | None:
    value = header.get("groups_confirmed")
    if value is None:
        return None
    computed = value.get("computed") if isinstance(value, dict) else None
    if isinstance(computed, list) and all(isinstance(g, str) for g in computed):
        return None
    return value, None  # the inspector is asked to confirm the groups again


def _status_fault(header: dict[str, Any]) -> tuple[Any, Any] | None:
    value = header.get("status", DRAFT)
    if value in (DRAFT, COMPLETE):
        return None
    return value, COMPLETE if header.get("completed_at") else DRAFT


def header_faults(header: dict[str, Any], fallback: Callable[[], date]) -> Faults:
    """The impossible fields of an interview header and what is read in their place
    (``fallback()``: the interview date when neither it nor the start is readable)."""
    found = {
        "interview_date": _date_fault(header, fallback),
        "status": _status_fault(header),
        "groups_confirmed": _confirmed_fault(header),
        **{key: _list_fault(header, key) for key in _LISTS},
    }
    return {k: v for k, v in found.items() if v is not None}


def mended(header: dict[str, Any], faults: Faults) -> dict[str, Any]:
    """``header`` with the replacements of ``faults`` (a field replaced by ``None`` goes)."""
    out = dict(header)
    for key, (_, replacement) in faults.items():
        if replacement is None:
            out.pop(key, None)
        else:
            out[key] = replacement
    return out


def repaired(header: dict[str, Any], faults: Faults, by: str) -> dict[str, Any]:
    """:func:`mended`, with the old values kept in the header's ``repaired`` list."""
    out = mended(header, faults)
    earlier = header.get("repaired")
    note = {"at": now_iso(), "by": by, **{k: bad for k, (bad, _) in faults.items()}}
    out["repaired"] = [*(earlier if isinstance(earlier, list) else []), note]
    return out


def list_field(header: dict[str, Any], key: str) -> list[Any]:
    """The list field ``key`` of ``header`` (the inspectors, the group decisions, the
    groups, the consent withdrawals) as the store reads it: its usable items, ``[]`` when
    there is none."""
    fault = _list_fault(header, key)
    value = header.get(key) if fault is None else fault[1]
    return list(value or [])


def status_of(header: dict[str, Any]) -> str:
    """The status of ``header`` as the store reads it (draft or complete)."""
    fault = _status_fault(header)
    status: str = header.get("status", DRAFT) if fault is None else fault[1]
    return status


def appended(header: dict[str, Any], key: str, item: Any, by: str) -> dict[str, Any]:
    """``header`` with ``item`` added to its list field ``key`` (unless it is there),
    built on what is usable of the field: an impossible value of it is kept in the
    header's ``repaired`` list, as ``doctor`` keeps it, never written back mixed in."""
    fault = _list_fault(header, key)
    out = repaired(header, {key: fault}, by) if fault is not None else dict(header)
    items = list_field(header, key)
    out[key] = items if item in items else [*items, item]
    return out


def _shown(value: Any) -> str:
    return "—" if value is None else str(value)


def describe(faults: Faults) -> list[str]:
    """Each fault, in Russian: what was wrong and what is read instead."""
    out = []
    for key, (bad, replacement) in faults.items():
        if key == "interview_date":
            when = ".".join(reversed(str(replacement).split("-")))
            what = "нет даты интервью" if bad is None else f"неверная дата интервью «{bad}»"
            out.append(f"{what}; вместо неё взята дата {when}")
        elif key == "status":
            out.append(f"неизвестное состояние «{bad}»; взято «{replacement}»")
        elif key == "groups_confirmed":
            out.append("неверная запись о подтверждении групп; группы нужно подтвердить снова")
        else:
            name = _NAMES.get(key, "поле")
            out.append(f"неверное поле «{key}» ({name}: {_shown(bad)[:40]}); оставлено то, что читается")
    return out
