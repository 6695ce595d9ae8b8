"""Withdrawal of the separate consent to a special category of data (health; 152-ФЗ
ст. 5 ч. 7, ст. 10): the answers of that category go from every interview of the client,
with their earlier values, and so does what was decided from them.

Each interview is changed under the store's short write lock after its lease is taken:
one open in another window is left alone and named. The index holds nothing of these
answers and is not touched. The copies of the interviews that ``doctor`` set aside are
removed whole (a damaged file cannot be scrubbed reliably); the backups are never
edited, only named (:func:`tui.store.erase.backups_holding`).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tui.engine.policy import HEALTH, DataPolicy
from tui.store.erase import ClientInterviews, CopiesRemoved, find_client, remove_damaged_copies
from tui.store.errors import DamagedFileError, InterviewBusyError, StoreError
from tui.store.files import AtomicJSONStorage, next_doc_id
from tui.store.header import appended
from tui.store.layout import answer_record, now_iso

if TYPE_CHECKING:
    from tui.store.store import Store


@dataclass
class Withdrawal:
    #: (id, answers removed, plans withdrawn) of each interview changed
    changed: list[tuple[str, int, int]] = field(default_factory=list)
    busy: list[tuple[str, str]] = field(default_factory=list)
    #: files that could not be read: not changed (``doctor`` sets them aside)
    damaged: list[DamagedFileError] = field(default_factory=list)
    #: the copies of the changed interviews that ``doctor`` had set aside: removed whole
    copies: CopiesRemoved = field(default_factory=CopiesRemoved)

    @property
    def answers(self) -> int:
        return sum(c[1] for c in self.changed)

    @property
    def plans(self) -> int:
        return sum(c[2] for c in self.changed)


def check_withdrawable(policy: DataPolicy, category: str) -> None:
    if not policy.special_ids(category) or category not in policy.consent:
        raise StoreError(
            f"В сценариях интервью нет вопросов, отмеченных «special: {category}», или нет вопроса "
            f"согласия «consent_for: {category}»: неизвестно, какие ответы удалять."
        )


def special_answers(record: dict[str, Any], policy: DataPolicy, category: str) -> int:
    ids = policy.special_ids(category)
    return sum(1 for doc in record["answers"] if doc["question"] in ids)


def withdraw_consent(store: Store, policy: DataPolicy, iid: str, *, category: str = HEALTH,
                     by: str, found: ClientInterviews | None = None) -> Withdrawal:
    """The client of ``iid`` withdrew the separate consent to ``category``: in each of
    their interviews remove the answers of that category with their earlier values, record
    the consent answer as «no» (who, when), drop what was decided from those answers (the
    group's facts and reason, the inspector's override of that group, the issued plan's
    text when it holds them) and keep a withdrawal record in the header. The index holds
    nothing of these answers and is not touched. The copies of those interviews that
    ``doctor`` set aside are removed whole: a damaged file cannot be scrubbed reliably.
    ``found``: the client's interviews, when they were already listed (:func:`find_client`)."""
    check_withdrawable(policy, category)
    if found is None:
        found = find_client(store, iid)
    result = Withdrawal()
    for one in found.ids:
        if not store.interview_path(one).exists():
            continue  # removed since it was listed
        try:
            lease = store.lease(one, inspector=by, mode="withdraw_consent")
        except InterviewBusyError as exc:
            result.busy.append((one, str(exc)))
            continue
        try:
            removed, plans = _withdraw_one(store, policy, one, category, by)
        except DamagedFileError as exc:
            result.damaged.append(exc)
            continue
        finally:
            lease.release()
        result.changed.append((one, removed, plans))
        store.audit("withdraw_consent", by, iid=one, category=category, removed=removed, plans=plans)
    result.copies = remove_damaged_copies(store, [c[0] for c in result.changed], by=by,
                                          reason="withdraw_consent")
    return result


def withdrawn_plan_text(category: str, at: str) -> str:
    when = at[8:10] + "." + at[5:7] + "." + at[:4] if len(at) >= 10 else at
    what = "сведений о здоровье" if category == HEALTH else f"данных категории «{category}»"
    return (f"*План удалён {when}: клиент отозвал согласие на обработку {what}, а план их "
            "содержал. Чтобы выдать план снова, проведите интервью заново.*\n")


def _withdraw_one(store: Store, policy: DataPolicy, iid: str, category: str, by: str) -> tuple[int, int]:
    special = policy.special_ids(category)
    derived = policy.special_groups.get(category, set())
    with store.lock:
        path = store.interview_path(iid)
        storage = AtomicJSONStorage(path)
        data = storage.read()
        if data is None:
            raise StoreError(f"Интервью {iid} не найдено в {store.root}.")
        data = copy.deepcopy(data)
        header = (data.get("interview") or {}).get("1")
        if not isinstance(header, dict):
            raise DamagedFileError(path, "нет заголовка интервью")
        # A killed earlier write left the answers there: first, so that nothing is changed
        # (and nothing reported done) while a copy of them is left.
        store.remove_temp_files(iid, what=f"Согласие по интервью {iid} не отозвано")
        at = now_iso()
        answers: dict[str, Any] = data.setdefault("answers", {})
        removed_values = [answers[k].get("value") for k in answers if answers[k].get("question") in special]
        for key in [k for k, doc in answers.items() if doc.get("question") in special]:
            del answers[key]  # the record goes whole: its value and every earlier value
        _record_no(answers, policy.consent[category], at, by)
        was_member = _scrub_groups(header, derived, special)
        texts = [v for v in removed_values if isinstance(v, str) and len(v) >= 3]
        plans_withdrawn = _withdraw_plans(data.get("plans") or {}, was_member, texts,
                                          {"category": category, "at": at, "by": by})
        header = data["interview"]["1"] = appended(
            header, "consent_withdrawals", {"category": category, "at": at, "by": by}, by)
        storage.write(data)
    return len(removed_values), plans_withdrawn


def _withdraw_plans(plans: dict[str, Any], was_member: bool, texts: list[str],
                    withdrawal: dict[str, str]) -> int:
    """Replace the text of each issued plan that holds the withdrawn data (the client was
    in a group decided from it, or the plan or its value quotes a removed answer), and
    remove its value (the groups, the measures chosen from those data); how many."""
    count = 0
    for plan in plans.values():
        markdown = str(plan.get("markdown") or "")
        if plan.get("withdrawn") or not markdown:
            continue
        value = json.dumps(plan.get("value"), ensure_ascii=False) if plan.get("value") else ""
        if was_member or any(t in markdown or t in value for t in texts):
            plan["markdown"] = withdrawn_plan_text(withdrawal["category"], withdrawal["at"])
            plan["withdrawn"] = dict(withdrawal)
            plan.pop("value", None)
            count += 1
    return count


def _record_no(answers: dict[str, Any], qid: str, at: str, by: str) -> None:
    """Set the consent answer ``qid`` to «no», keeping its earlier values (as saving does)."""
    key = next((k for k, doc in answers.items() if doc.get("question") == qid), None)
    if key is None:
        answers[next_doc_id(answers)] = answer_record(qid, False, at, by, None)
        return
    old = answers[key]
    if old.get("value") is False:
        return
    answers[key] = answer_record(qid, False, at, by, old)


def _scrub_groups(header: dict[str, Any], derived: set[str], special: set[str]) -> bool:
    """Drop from the header what was decided from the removed answers; True when the client
    was in such a group (the plan then speaks of it)."""
    was_member = False
    groups = header.get("groups")
    if isinstance(groups, list):
        kept = []
        for g in groups:
            if not isinstance(g, dict):
                continue
            facts = g.get("facts")
            if not isinstance(facts, dict):
                facts = {}
            if g.get("id") in derived or special & set(facts):
                was_member = was_member or bool(g.get("member"))
                g = {"id": g.get("id"), "title": g.get("title"), "withdrawn": True}
            kept.append(g)
        header["groups"] = kept
    overrides = header.get("group_overrides")
    if isinstance(overrides, list):
        was_member = was_member or any(
            isinstance(o, dict) and o.get("group") in derived and o.get("action") == "add" for o in overrides
        )
        header["group_overrides"] = [
            o for o in overrides if not (isinstance(o, dict) and o.get("group") in derived)
        ]
    confirmed = header.get("groups_confirmed")
    if isinstance(confirmed, dict) and isinstance(confirmed.get("computed"), list):
        was_member = was_member or any(g in derived for g in confirmed["computed"])
        confirmed["computed"] = [g for g in confirmed["computed"] if g not in derived]
    _scrub_reclassifications(header, derived)
    return was_member


def _scrub_reclassifications(header: dict[str, Any], derived: set[str]) -> None:
    """Drop the ``derived`` groups from the header's reclassifications (group ids only)."""
    notes = header.get("reclassifications")
    if not isinstance(notes, list):
        return
    for note in notes:
        if not isinstance(note, dict):
            continue
        for key in ("from", "to", "members_from", "members_to"):
            if isinstance(note.get(key), list):
                note[key] = [g for g in note[key] if g not in derived]
        if isinstance(note.get("changes"), list):
            note["changes"] = [c for c in note["changes"]
                               if not (isinstance(c, dict) and c.get("group") in derived)]
