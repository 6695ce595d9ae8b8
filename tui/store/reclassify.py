"""The stored client groups checked against the current rules (``sobesednik reclassify``).

An interview has groups when it is finished (the header's ``groups``, as issued) or when the
inspector confirmed them in a draft (``groups_confirmed``: the groups the rules found then,
with the inspector's additions and removals). Each is classified again from its stored
answers by the engine, the way the interview classifies (the profile walked once, then the
rules: :meth:`Interview.from_json`), and compared with what the store holds.

A change is a group the rules now put the client in, or no longer do. The inspector's
override of a group stays: a change it hides is reported (:attr:`GroupChange.hidden`) and
recorded, never applied. Recording a change (:func:`record`) is a new decision: an entry
in the header's ``reclassifications`` (when, who, the scripts, the groups from and to; group
ids only) and an event in the audit trail; a finished interview's ``groups`` become the new
result (its issued plans are never changed: the entry marks them out of date when the
client's groups changed, see :func:`outdated_plan`); a draft keeps its confirmation, so the
inspector is asked to confirm the groups again when the interview is resumed.

Reading streams one interview at a time (:func:`tui.store.records.records`); writing takes
the interview's lease and the writers' lock, and classifies the file again as it is then.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from tui.engine.interview import Interview
from tui.engine.rules import IN, Classification, GroupResult, Override
from tui.store.errors import DamagedFileError, StoreError
from tui.store.files import AtomicJSONStorage
from tui.store.header import interview_date, list_field, status_of
from tui.store.layout import COMPLETE, identity_of, now_iso
from tui.store.records import records

if TYPE_CHECKING:
    from tui.engine.model import Bundle
    from tui.store.store import Store

#: Why an interview is not checked (each a count in the summary).
NO_PROFILE = "профиль не заполнен: групп ещё нет"
NOT_CONFIRMED = "группы ещё не подтверждены инспектором: их определят новые правила, когда интервью продолжат"
NO_GROUPS = "завершено без записанных групп"
#: The header's list of reclassifications.
FIELD = "reclassifications"
#: The status of a group the scripts no longer have.
GONE = "gone"


@dataclass(frozen=True)
class StoredGroups:
    """The groups an interview's header holds: those the rules found (``computed``) and
    those the client is in after the inspector's overrides (``members``)."""

    computed: tuple[str, ...]
    members: tuple[str, ...]
    titles: dict[str, str] = field(default_factory=dict)
    #: Groups whose grounds went with a withdrawn consent: not compared.
    withdrawn: frozenset[str] = frozenset()
    #: What a draft's groups stand on: the time of the confirmation (``None``: finished).
    basis: str | None = None
    #: A finished interview's groups when its plan was issued (before any reclassification).
    issued: tuple[str, ...] = ()


def _ids(items: Any) -> list[str]:
    return [g for g in items if isinstance(g, str)] if isinstance(items, list) else []


def stored_groups(header: dict[str, Any]) -> StoredGroups | str:
    """The groups of ``header``, or why it has none (:data:`NO_GROUPS`, or ``""`` for a
    draft without a confirmation: the caller tells which of the two reasons it is)."""
    if status_of(header) == COMPLETE:
        groups = [g for g in list_field(header, "groups") if isinstance(g.get("id"), str)]
        if not groups:
            return NO_GROUPS
        withdrawn = frozenset(g["id"] for g in groups if g.get("withdrawn"))
        kept = [g for g in groups if g["id"] not in withdrawn]
        members = tuple(g["id"] for g in kept if g.get("member"))
        first = next(iter(list_field(header, FIELD)), None)
        issued = tuple(_ids(first.get("members_from"))) if first is not None else members
        return StoredGroups(
            tuple(g["id"] for g in kept if g.get("status") == IN), members,
            {g["id"]: str(g.get("title") or g["id"]) for g in groups}, withdrawn, issued=issued)
    confirmed = header.get("groups_confirmed")
    if not isinstance(confirmed, dict) or not isinstance(confirmed.get("computed"), list):
        return ""
    basis = str(confirmed.get("at") or "")
    computed = _ids(confirmed["computed"])
    last = next((e for e in reversed(list_field(header, FIELD)) if e.get("basis") == basis), None)
    if last is not None:  # recorded since the confirmation: the inspector has not seen it yet
        computed = _ids(last.get("to"))
    decided = list(computed)
    for o in list_field(header, "group_overrides"):
        gid = o.get("group")
        if o.get("action") == "add" and gid not in decided:
            decided.append(gid)
        elif o.get("action") == "remove" and gid in decided:
            decided.remove(gid)
    return StoredGroups(tuple(computed), tuple(decided), basis=basis)


@dataclass(frozen=True)
class GroupChange:
    """A group the rules now put the client in (``appears``), or no longer do."""

    id: str
    title: str
    appears: bool
    #: The group's status now: in, out, undecided; :data:`GONE` when the scripts lost it.
    status: str
    #: Why, in the rule's words (``because``, ``because_not`` or why it is undecided).
    reason: str
    #: The inspector's decision on the group: it stays, and hides the change.
    override: Override | None = None

    @property
    def hidden(self) -> bool:
        return self.override is not None


@dataclass
class Regrouping:
    """One interview checked against the current rules."""

    id: str
    status: str
    identity: dict[str, Any]
    interview_date: date
    before: StoredGroups
    computed: list[str]
    members: list[str]
    changes: list[GroupChange]
    classification: Classification
    #: Whether the change was recorded (not a dry run, and the record was written).
    recorded: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    @property
    def members_changed(self) -> bool:
        return set(self.members) != set(self.before.members)

    @property
    def plan_outdated(self) -> bool:
        """A finished interview whose client is now in other groups than when the plan
        was issued: the plan no longer fits them."""
        return self.status == COMPLETE and set(self.members) != set(self.before.issued)


@dataclass(frozen=True)
class Skipped:
    id: str
    why: str


def _change(result: GroupResult | None, gid: str, appears: bool, titles: dict[str, str],
            override: Override | None) -> GroupChange:
    if result is None:
        return GroupChange(gid, titles.get(gid, gid), False, GONE, "такой группы больше нет в правилах",
                           override)
    reason = result.reason if appears or result.status != "out" else result.reason_not
    return GroupChange(gid, result.title, appears, result.status, reason or _rule_text(result), override)


def _rule_text(result: GroupResult) -> str:
    """Why, for a rule without a reason text: the rule and the facts it read."""
    facts = ", ".join(f"{k}: {'—' if v is None else v}" for k, v in result.facts.items())
    verb = "выполняется" if result.status == IN else "не выполняется"
    return f"{verb} правило «{result.rule}»" + (f" ({facts})" if facts else "")


def regroup(bundle: Bundle, record: dict[str, Any]) -> Regrouping | Skipped:
    """Classify one interview record (``{"id", "header", "answers", ...}``, see
    :func:`tui.store.records.read_record`) again and compare with its stored groups."""
    header = record["header"]
    stored = stored_groups(header)
    today = interview_date(header, date.today)[0]
    answers = {doc["question"]: doc.get("value") for doc in record["answers"]}
    if isinstance(stored, str) and stored:
        return Skipped(record["id"], stored)
    overrides = list_field(header, "group_overrides") if isinstance(stored, StoredGroups) else []
    interview = Interview.from_json(bundle, today, answers, overrides)
    if isinstance(stored, str):
        return Skipped(record["id"], NOT_CONFIRMED if interview.profile_complete else NO_PROFILE)
    classification = interview.classification
    computed = [r.id for r in classification.results if r.computed_member and r.id not in stored.withdrawn]
    changes = [
        _change(classification.get(gid), gid, gid in computed, stored.titles, interview.overrides.get(gid))
        for gid in _moved(stored.computed, computed)
    ]
    members = [g for g in classification.ids if g not in stored.withdrawn]
    return Regrouping(record["id"], status_of(header), identity_of(record["answers"]), today, stored,
                      computed, members, changes, classification)


def _moved(before: tuple[str, ...], after: list[str]) -> list[str]:
    """The groups in one list and not the other: those that went first, in their order."""
    return [g for g in before if g not in after] + [g for g in after if g not in before]


@dataclass
class Run:
    """What a pass over the store met, counted as it goes."""

    checked: int = 0
    changed: int = 0
    recorded: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    damaged: list[DamagedFileError] = field(default_factory=list)
    busy: list[tuple[str, str]] = field(default_factory=list)

    @property
    def skipped_count(self) -> int:
        return sum(self.skipped.values())


def check_store(store: Store, bundle: Bundle, run: Run,
                apply: Callable[[Regrouping], None] | None = None
                ) -> Iterator[Regrouping | DamagedFileError]:
    """Every interview of the store checked, one at a time: yields each one whose groups
    change and each file that cannot be read; counts the rest in ``run``. ``apply`` is
    called on each change before it is yielded (to record it)."""
    for item in records(store):
        if isinstance(item, DamagedFileError):
            run.damaged.append(item)
            yield item
            continue
        try:
            found = regroup(bundle, item)
        except (KeyError, TypeError, AttributeError) as exc:  # a header or answer edited into nonsense
            damaged = DamagedFileError(store.interview_path(item["id"]), f"не читается: {type(exc).__name__}")
            run.damaged.append(damaged)
            yield damaged
            continue
        if isinstance(found, Skipped):
            run.skipped[found.why] = run.skipped.get(found.why, 0) + 1
            continue
        run.checked += 1
        if not found.changed:
            continue
        run.changed += 1
        if apply is not None:
            apply(found)
            run.recorded += found.recorded
        yield found


# --------------------------------------------------------------------------- recording


def entry(found: Regrouping, *, at: str, by: str, scripts: str) -> dict[str, Any]:
    """The header's record of one reclassification (group ids only, no reason text)."""
    return {
        "at": at, "by": by, "scripts": scripts, "basis": found.before.basis,
        "from": list(found.before.computed), "to": list(found.computed),
        "members_from": list(found.before.members), "members_to": list(found.members),
        "changes": [{"group": c.id, "now": c.status, "appears": c.appears, "kept_override": c.hidden}
                    for c in found.changes],
        "plan_outdated": found.plan_outdated,
    }


def _new_groups(found: Regrouping, old: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A finished interview's groups after the reclassification: the new results, but a
    group withdrawn with a consent stays as it was left (without its grounds)."""
    kept = {g.get("id"): g for g in old}
    return [kept[r.id] if r.id in found.before.withdrawn else r.to_json()
            for r in found.classification.results]


def record(store: Store, bundle: Bundle, iid: str, *, by: str, scripts: str,
           hidden_groups: set[str] | frozenset[str] = frozenset()) -> Regrouping | Skipped | None:
    """Record the reclassification of interview ``iid`` as it is now (classified again from
    its file under the writers' lock): the header's entry, a finished interview's groups,
    and the audit event, which names no group of ``hidden_groups`` (those decided from
    health data: the trail is never rewritten, and that consent can be withdrawn). The
    trail first: a decision it cannot hold is not made. Returns what was found (``None``:
    the interview is gone); raises :class:`~tui.store.errors.InterviewBusyError` when it is
    open in another window, :class:`StoreError` when it cannot be written."""
    lease = store.lease(iid, inspector=by, mode="reclassify")
    try:
        with store.lock:
            path = store.interview_path(iid)
            storage = AtomicJSONStorage(path)
            data = storage.read()
            if data is None:
                return None
            data = copy.deepcopy(data)
            header = (data.get("interview") or {}).get("1")
            if not isinstance(header, dict):
                raise DamagedFileError(path, "нет заголовка интервью")
            answers = [d for d in (data.get("answers") or {}).values()
                       if isinstance(d, dict) and isinstance(d.get("question"), str)]
            found = regroup(bundle, {"id": iid, "header": header, "answers": answers})
            if isinstance(found, Skipped) or not found.changed:
                return found
            at = now_iso()
            note = entry(found, at=at, by=by, scripts=scripts)
            store.audit("reclassify", by, iid=iid, status=found.status, scripts=scripts,
                        **_audited(note, hidden_groups))
            header[FIELD] = [*list_field(header, FIELD), note]
            if found.status == COMPLETE:
                header["groups"] = _new_groups(found, list_field(header, "groups"))
            storage.write(data)
            found.recorded = True
            return found
    finally:
        lease.release()


def _audited(note: dict[str, Any], hidden: set[str] | frozenset[str]) -> dict[str, Any]:
    def shown(ids: list[str]) -> list[str]:
        return [g for g in ids if g not in hidden]

    # Not whether the plan went out of date: with a group left out, that would tell it.
    return {"from": shown(note["from"]), "to": shown(note["to"]),
            "kept_overrides": shown([c["group"] for c in note["changes"] if c["kept_override"]])}


def outdated_plan(header: dict[str, Any]) -> dict[str, Any] | None:
    """The latest reclassification of a finished interview when it left the client in
    other groups than the issued plan was made for; ``None`` when the plan still fits."""
    notes = list_field(header, FIELD)
    return notes[-1] if notes and notes[-1].get("plan_outdated") else None


__all__ = [
    "FIELD", "GONE", "NOT_CONFIRMED", "NO_GROUPS", "NO_PROFILE", "GroupChange", "Regrouping", "Run",
    "Skipped", "StoreError", "StoredGroups", "check_store", "entry", "outdated_plan", "record",
    "regroup", "stored_groups",
]
