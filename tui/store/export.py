"""Export: every interview of the store as JSON Lines (one object per interview, which
``import`` restores) or CSV (a row per interview, a column per question), with or without
personal data.

An export reads the interview files one at a time without the writers' lock, so it runs
while interviews run. What is personal comes from the scripts (:class:`DataPolicy`): the
identity answers, the free-text answers (text, long text, phone), the answers marked
``special`` (health) and what reveals them (the groups decided from them, the questions
of those groups' modules, the separate consent to them); the exact dates of other answers
are personal too (an export without personal data keeps their year).
"""

from __future__ import annotations

import copy
import csv
import hashlib
import json
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from tui.fs import replacing
from tui.store.errors import DamagedFileError, StoreError, describe_os_error
from tui.store.header import list_field
from tui.store.layout import client_id
from tui.store.records import record_identity, records

if TYPE_CHECKING:
    from tui.engine.policy import DataPolicy
    from tui.store.store import Store

#: Version of the export line format (``{"export": {"version": 1, "personal": …}, …}``).
EXPORT_VERSION = 1
FORMATS = ("jsonl", "csv")

# Header fields an export without personal data keeps as they are.
_PLAIN_HEADER = (
    "id", "schema_version", "interview_date", "scripts", "mode", "status", "created_at",
    "updated_at", "completed_at", "completed_by", "inspectors", "groups_confirmed",
    "consent_withdrawals",
)
_CONSENT_KEYS = ("given", "at", "recorded_by", "text_version", "how", "categories")
_CSV_HEADER = (
    "id", "status", "interview_date", "created_at", "updated_at", "completed_at", "mode",
    "scripts", "inspectors", "consent_at", "consent_text_version", "consent_how", "groups",
    "group_overrides", "consent_withdrawals", "plans_issued",
)
#: Left out of an export without personal data: a withdrawal of the consent to a special
#: category tells that the client once gave it (and so, most likely, the data).
_PERSONAL_HEADER = ("consent_withdrawals",)


@dataclass
class ExportResult:
    count: int = 0
    damaged: list[DamagedFileError] = field(default_factory=list)


def export_line(record: dict[str, Any], *, personal: bool, policy: DataPolicy | None = None,
                salt: bytes = b"") -> dict[str, Any]:
    """One interview as an export object. With ``personal`` everything is kept, as stored
    (an import restores it). Without: no names, phone, birth date (its year is kept), no
    free-text or special-category answer, no plan text, no reasons typed by inspectors;
    a ``client_key`` (a hash keyed by ``salt``) lets one export count clients. Nothing
    is given of the groups decided from special-category data (membership, confirmation,
    the inspector's override) nor of the questions of their modules; dates of answers are
    given as their year; consent withdrawals are left out."""
    if personal:
        return {"export": {"version": EXPORT_VERSION, "personal": True}, "id": record["id"],
                "header": record["header"], "answers": record["answers"], "plans": record["plans"]}
    if policy is None:
        raise ValueError("an export without personal data needs the scripts' DataPolicy")
    identity = record_identity(record)
    cid = client_id(identity)
    birth = str(identity.get("birth_date") or "")
    return {
        "export": {"version": EXPORT_VERSION, "personal": False},
        "id": record["id"],
        "client_key": hashlib.sha256(salt + cid.encode()).hexdigest()[:16] if cid else None,
        "birth_year": int(birth[:4]) if re.match(r"^\d{4}-", birth) else None,
        "header": _plain_header(record["header"], policy.hidden_groups),
        "answers": [
            {"question": doc["question"], "value": policy.plain_value(doc["question"], doc.get("value")),
             "at": doc.get("at"), "by": doc.get("by")}
            for doc in record["answers"] if policy.keeps(doc["question"])
        ],
        "plans": [{k: p.get(k) for k in ("issued_at", "by")} for p in record["plans"]],
    }


def _plain_header(h: dict[str, Any], hidden: set[str]) -> dict[str, Any]:
    """The header without personal data, nor anything of the ``hidden`` groups."""
    header = {k: copy.deepcopy(h[k]) for k in _PLAIN_HEADER if k in h and k not in _PERSONAL_HEADER}
    consent = h.get("consent")
    if isinstance(consent, dict):
        header["consent"] = {k: consent[k] for k in _CONSENT_KEYS if k in consent}
    if isinstance(h.get("groups"), list):
        header["groups"] = [
            _plain_group(g) for g in h["groups"] if isinstance(g, dict) and g.get("id") not in hidden
        ]
    confirmed = header.get("groups_confirmed")
    if isinstance(confirmed, dict) and isinstance(confirmed.get("computed"), list):
        confirmed["computed"] = [g for g in confirmed["computed"] if g not in hidden]
    if isinstance(h.get("group_overrides"), list):
        header["group_overrides"] = [
            {k: o.get(k) for k in ("group", "action", "by", "at")}
            for o in h["group_overrides"] if isinstance(o, dict) and o.get("group") not in hidden
        ]
    return header


def _plain_group(g: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {k: g[k] for k in ("id", "title", "status", "member", "withdrawn") if k in g}
    if isinstance(g.get("override"), dict):
        out["override"] = {"action": g["override"].get("action")}
    return out


def export(
    store: Store,
    out: TextIO,
    *,
    fmt: str = "jsonl",
    personal: bool = True,
    policy: DataPolicy | None = None,
    by: str,
) -> ExportResult:
    """Write every interview to ``out`` (JSON Lines: one object per interview; CSV: one row
    per interview, a column per question). Damaged files are skipped and listed."""
    if fmt not in FORMATS:
        raise StoreError(f"Неизвестный формат выгрузки «{fmt}» (допустимы: {', '.join(FORMATS)}).")
    if not personal and policy is None:
        raise StoreError("Для выгрузки без персональных данных нужны сценарии интервью.")
    result = ExportResult()
    salt = secrets.token_bytes(16)

    def lines() -> Iterator[dict[str, Any]]:
        for item in records(store):
            if isinstance(item, DamagedFileError):
                result.damaged.append(item)
                continue
            yield export_line(item, personal=personal, policy=policy, salt=salt)

    if fmt == "jsonl":
        for obj in lines():
            out.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n")
            result.count += 1
    else:
        columns = _csv_questions(store, personal, policy)
        writer = csv.writer(out)
        fixed = list(_CSV_HEADER)
        if not personal:
            fixed = [k for k in fixed if k not in _PERSONAL_HEADER]
            fixed[1:1] = ["client_key", "birth_year"]
        writer.writerow(fixed + columns)
        for obj in lines():
            writer.writerow(_csv_row(obj, fixed, columns))
            result.count += 1
    store.audit("export", by, count=result.count, personal=personal, format=fmt,
                damaged=len(result.damaged))
    return result


def export_file(
    store: Store,
    target: Path,
    *,
    fmt: str = "jsonl",
    personal: bool = True,
    policy: DataPolicy | None = None,
    by: str,
) -> ExportResult:
    """:func:`export` to the file ``target``, which appears only whole (owner-only):
    written under a temporary name, fsynced, renamed into place, its folder fsynced, so an
    export reported done survives a power cut (:func:`tui.fs.replacing`)."""
    if not target.parent.is_dir():
        raise StoreError(f"Нет каталога {target.parent}: выгрузка не сделана.")
    try:
        with replacing(target) as fd:
            with open(fd, "w", encoding="utf-8", newline="", closefd=False) as out:
                return export(store, out, fmt=fmt, personal=personal, policy=policy, by=by)
    except OSError as exc:
        raise StoreError(describe_os_error(exc, target, "записать выгрузку в")) from exc


def _csv_questions(store: Store, personal: bool, policy: DataPolicy | None) -> list[str]:
    """The question columns: every question answered in any interview (a first pass over
    the files), in interview order of the scripts, then the others by name."""
    seen: set[str] = set()
    for item in records(store):
        if isinstance(item, dict):
            seen.update(
                doc["question"] for doc in item["answers"]
                if personal or (policy is not None and policy.keeps(doc["question"]))
            )
    order = list(policy.questions) if policy is not None else []
    known = [q for q in order if q in seen]
    return known + sorted(seen - set(known))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, list):
        return ";".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def member_groups(header: dict[str, Any]) -> list[Any]:
    """The client's groups: those of the finished interview, or those confirmed so far
    (group ids as the header holds them)."""
    if isinstance(header.get("groups"), list):
        return [g.get("id") for g in list_field(header, "groups") if g.get("member")]
    # What the store reads of each field (tui.store.header): a field edited by hand into
    # nonsense gives what is usable of it, never an error that stops the export.
    done = header.get("groups_confirmed")
    computed = done.get("computed") if isinstance(done, dict) else None
    confirmed = [g for g in computed if isinstance(g, str)] if isinstance(computed, list) else []
    for o in list_field(header, "group_overrides"):
        if o.get("action") == "add" and o.get("group") not in confirmed:
            confirmed.append(o.get("group"))
        elif o.get("action") == "remove" and o.get("group") in confirmed:
            confirmed.remove(o.get("group"))
    return confirmed


def _csv_row(obj: dict[str, Any], fixed: list[str], columns: list[str]) -> list[str]:
    h = obj["header"]
    consent = h.get("consent") if isinstance(h.get("consent"), dict) else {}
    values: dict[str, Any] = {k: h.get(k) for k in fixed if k in h}
    values.update({
        "id": obj["id"],
        "client_key": obj.get("client_key"),
        "birth_year": obj.get("birth_year"),
        "consent_at": consent.get("at"),
        "consent_text_version": consent.get("text_version"),
        "consent_how": consent.get("how"),
        "groups": member_groups(h),
        "group_overrides": [f"{o.get('group')}:{o.get('action')}" for o in list_field(h, "group_overrides")],
        "consent_withdrawals": [f"{w.get('category')}:{w.get('at')}"
                                for w in list_field(h, "consent_withdrawals")],
        "plans_issued": len(obj["plans"]),
    })
    answers = {doc["question"]: doc.get("value") for doc in obj["answers"]}
    return [_cell(values.get(k)) for k in fixed] + [_cell(answers.get(q)) for q in columns]
