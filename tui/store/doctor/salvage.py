"""Reading interview files as ``doctor`` does: checking one (:func:`check_interview`),
and from a damaged one the header and whole records that survive (:func:`recover`).

Nothing is guessed: :func:`salvage_tables` stops at the first byte that does not continue
valid JSON, so what it returns is exactly what the file held before the damage, and an
interview is made again only when its whole header (with the consent) survived.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from tui.store.files import json_fault
from tui.store.header import Faults, header_faults
from tui.store.layout import DRAFT, identity_of

_WS = re.compile(r"[ \t\n\r]*")


class _Scanner:
    """A position in the text of a TinyDB file, moved over its JSON one token at a time."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self._decoder = json.JSONDecoder()

    def skip(self) -> None:
        m = _WS.match(self.text, self.pos)
        self.pos = m.end() if m else self.pos

    def at(self, char: str) -> bool:
        return self.text.startswith(char, self.pos)

    def expect(self, char: str) -> None:
        self.skip()
        if not self.at(char):
            raise ValueError(char)
        self.pos += 1
        self.skip()

    def value(self) -> Any:
        value, self.pos = self._decoder.raw_decode(self.text, self.pos)
        return value

    def key(self) -> str:
        value = self.value()
        if not isinstance(value, str):
            raise ValueError("key")
        return value

    def more(self) -> bool:
        """After an item of an object: past a comma (True: another item follows), or past
        the closing brace (False)."""
        self.skip()
        if self.at(","):
            self.pos += 1
            self.skip()
            return True
        self.expect("}")
        return False

    def rest_is_blank(self, start: int) -> bool:
        return not self.text[start:].strip()


def salvage_tables(raw: bytes) -> tuple[dict[str, dict[str, Any]], bool]:
    """The tables and whole records that can be read from the start of a damaged TinyDB
    file, and whether the file was read to its end.

    Reading stops at the first byte that does not continue valid JSON, so what is returned
    is exactly what the file held before the damage: every record is complete and as
    written; records after the damage are not guessed at.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = raw[: exc.start].decode("utf-8")
    scan = _Scanner(text)
    tables: dict[str, dict[str, Any]] = {}
    try:
        scan.expect("{")
        if scan.at("}"):
            return tables, scan.rest_is_blank(scan.pos + 1)
        while True:
            name = scan.key()
            scan.expect(":")
            scan.expect("{")
            table: dict[str, Any] = {}
            tables[name] = table
            _read_table(scan, table)
            if not scan.more():
                return tables, scan.rest_is_blank(scan.pos)
    except (ValueError, IndexError):
        return tables, False


def _read_table(scan: _Scanner, table: dict[str, Any]) -> None:
    """The records of one table, into ``table`` as each is read whole."""
    if scan.at("}"):
        scan.pos += 1
        return
    while True:
        doc_id = scan.key()
        scan.expect(":")
        table[doc_id] = scan.value()
        if not scan.more():
            return


@dataclass
class InterviewCheck:
    """What the check of one interview file found."""

    why: str | None = None  # why it is damaged; None when it is sound
    status: str = DRAFT
    identity: dict[str, Any] = field(default_factory=dict)
    #: impossible header fields, and what is read in their place (:mod:`tui.store.header`)
    faults: Faults = field(default_factory=dict)


def check_header(header: Any, iid: str) -> str | None:
    if not isinstance(header, dict):
        return "нет заголовка интервью"
    if header.get("id") != iid:
        return f"номер в заголовке («{header.get('id')}») не совпадает с именем файла"
    return None  # an impossible field of it is mended, not a reason to set the file aside


def check_tables(data: Any) -> str | None:
    if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
        return "ожидался объект JSON с таблицами"
    for name, table in data.items():
        for doc_id, doc in table.items():
            if not doc_id.isdigit() or not isinstance(doc, dict):
                return f"в таблице «{name}» запись «{doc_id}» не запись TinyDB"
    return None


def parse(raw: bytes) -> tuple[Any, str | None]:
    """The JSON of a file's bytes, or why it is not JSON."""
    try:
        return json.loads(raw.decode("utf-8")), None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, json_fault(raw, exc)


def check_interview(raw: bytes, iid: str, fallback: date | None = None) -> InterviewCheck:
    """Check the content of one interview file (``raw``) named ``<iid>.json``; an
    impossible interview date falls back to its start, else to ``fallback`` (the day the
    file was written)."""
    data, why = parse(raw)
    why = why or check_tables(data)
    if why is None:
        why = check_header((data.get("interview") or {}).get("1"), iid)
    if why is not None:
        return InterviewCheck(why)
    answers = data.get("answers") or {}
    for doc_id, doc in answers.items():
        if not isinstance(doc.get("question"), str):
            return InterviewCheck(f"запись ответа {doc_id} без вопроса")
    header = data["interview"]["1"]
    faults = header_faults(header, lambda: fallback or date.today())
    status = (faults.get("status") or (None, header.get("status", DRAFT)))[1]
    return InterviewCheck(None, status, identity_of(answers.values()), faults)


def sound(raw: bytes, iid: str) -> bool:
    return check_interview(raw, iid).why is None


@dataclass
class Recovered:
    tables: dict[str, dict[str, Any]]
    answers: int
    plans: int
    truncated: bool  # reading stopped at the damage: later records are unknown
    dropped: int  # records read whole but unusable (an answer without its question ...)

    def note(self, target: Path | None) -> str:
        what = f"заголовок, ответов: {self.answers}, планов: {self.plans}"
        if self.truncated:
            what += " (записи после места повреждения не прочитаны)"
        if self.dropped:
            what += f" (не восстановлено неполных записей: {self.dropped})"
        if target is None:
            return f"из уцелевшей части можно восстановить {what}"
        return f"из уцелевшей части восстановлено в {target}: {what}; в заголовке помечено «recovered»"


def recover(raw: bytes, iid: str) -> Recovered | None:
    """The interview that can honestly be made again from a damaged file: its whole header
    (with the consent) and every whole record that is usable. ``None`` when the header did
    not survive (then nothing, not even the consent, can be vouched for)."""
    data, why = parse(raw)
    if why is None and isinstance(data, dict):
        tables = {k: v for k, v in data.items() if isinstance(v, dict)}
        truncated, dropped = False, len(data) - len(tables)
    else:
        tables, whole = salvage_tables(raw)
        truncated, dropped = not whole, 0
    header = (tables.get("interview") or {}).get("1")
    if (not isinstance(header, dict) or check_header(header, iid) is not None
            or not (isinstance(header.get("consent"), dict) and header["consent"].get("given"))):
        return None
    out: dict[str, dict[str, Any]] = {"interview": {"1": dict(header)}}
    for name, table in tables.items():
        if name == "interview":
            continue
        kept: dict[str, Any] = {}
        for doc_id, doc in table.items():
            ok = doc_id.isdigit() and isinstance(doc, dict)
            if ok and name == "answers":
                ok = isinstance(doc.get("question"), str)
            if ok:
                kept[doc_id] = doc
            else:
                dropped += 1
        out[name] = kept
    return Recovered(out, len(out.get("answers", {})), len(out.get("plans", {})), truncated, dropped)
