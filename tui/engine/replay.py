"""Replay: run the interview engine on answers from a file, as the UI would.

The answers file (YAML)::

    date: 2026-11-27          # or 27.11.2026; optional: the interview date (overridden by --date)
    answers:
      consent_pd: yes
      birth_date: 12.04.1993  # or 1993-04-12
      work_barriers: [childcare, long_break]

Each answer passes the same coercion and validation as a typed one. The first missing
or invalid answer stops the replay with ``file:line: question: what is wrong``.
:func:`write_answers_file` writes such a file (``sobesednik --record``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from tui.engine.dates import DateFormatError, parse_date
from tui.engine.interview import Interview
from tui.engine.limits import MAX_ANSWER_FILE_BYTES, MAX_YEAR, MIN_YEAR
from tui.engine.model import Bundle
from tui.engine.rules import Override
from tui.engine.textsafe import clip, printable
from tui.engine.values import AnswerError
from tui.engine.yamlsrc import SrcDict, SrcList, YamlError, load_file
from tui.fs import atomic_write

_FILE_KEYS = ("date", "answers", "inspector", "groups", "script", "note")


class ReplayError(Exception):
    """What stopped a replay: ``str()`` is ``file:line: message``."""

    def __init__(self, path: str, line: int, message: str) -> None:
        # Control characters from the file are shown as escapes: they never reach a terminal.
        message = printable(message)
        super().__init__(printable(f"{path}:{line}: {message}"))
        self.path, self.line, self.message = path, line, message


@dataclass
class ReplayResult:
    interview: Interview
    unused: list[str] = field(default_factory=list)
    inspector: str | None = None

    def meta(self) -> dict[str, Any]:
        """What the plan template knows of the interview, as a live session gives it."""
        return {"mode": "replay", "inspector": self.inspector}


@dataclass
class AnswersFile:
    path: str
    answers: SrcDict
    date: date | None
    answers_line: int = 1
    inspector: str | None = None
    #: The inspector's group decisions: (group, action, reason, line).
    overrides: list[tuple[str, str, str, int]] = field(default_factory=list)


def _load_mapping(path: Path | str, what: str) -> SrcDict:
    """A YAML file that must be a mapping; any problem as a ReplayError with its line."""
    try:
        doc = load_file(path, MAX_ANSWER_FILE_BYTES)
    except YamlError as exc:
        raise ReplayError(str(path), exc.line, exc.message) from None
    if not isinstance(doc, SrcDict):
        raise ReplayError(str(path), 1, what)
    return doc


def read_answers_file(path: Path | str) -> AnswersFile:
    p = str(path)
    doc = _load_mapping(path, "файл ответов должен быть словарём с ключом «answers»")
    for key in doc:
        if key not in _FILE_KEYS:
            allowed = ", ".join(_FILE_KEYS)
            raise ReplayError(p, doc.line_of(key), f"неизвестный ключ «{clip(key)}» (допустимы: {allowed})")
    answers = doc.get("answers")
    if not isinstance(answers, SrcDict):
        raise ReplayError(p, doc.line_of("answers"), "нет словаря «answers» (id вопроса: ответ)")
    when = _file_date(p, doc)
    inspector = doc.get("inspector")
    if inspector is not None and not isinstance(inspector, str):
        raise ReplayError(p, doc.line_of("inspector"), "«inspector» должен быть текстом (ФИО инспектора)")
    overrides = _read_overrides(p, doc)
    return AnswersFile(p, answers, when, doc.line_of("answers"), inspector, overrides)


def _read_overrides(path: str, doc: SrcDict) -> list[tuple[str, str, str, int]]:
    """The inspector's group decisions (``groups``) as (group, action, reason, line)."""
    groups = doc.get("groups")
    if groups is None:
        return []
    if not isinstance(groups, SrcList):
        raise ReplayError(path, doc.line_of("groups"), "«groups» — список решений инспектора о группах")
    return [_read_override(path, item, groups.line_of(i)) for i, item in enumerate(groups)]


def _read_override(path: str, item: Any, line: int) -> tuple[str, str, str, int]:
    if not isinstance(item, SrcDict) or set(item) - {"group", "action", "reason"}:
        raise ReplayError(path, line, "решение о группе: {group: id, action: add|remove, reason: текст}")
    gid, action, reason = item.get("group"), item.get("action"), item.get("reason")
    if not isinstance(gid, str) or not gid.strip():
        raise ReplayError(path, line, "в решении о группе нет «group» (id клиентской группы)")
    if action not in ("add", "remove"):
        raise ReplayError(path, line, f"«action» — add или remove, а не «{clip(str(action))}»")
    if not isinstance(reason, str) or not reason.strip():
        raise ReplayError(path, line, f"нет причины решения о группе «{clip(gid)}»: она обязательна")
    return str(gid), action, reason.strip(), line


def replay(bundle: Bundle, path: Path | str, today: date | None = None) -> ReplayResult:
    """Replay ``path`` on ``bundle``. Raises :class:`ReplayError` at the first problem."""
    f = read_answers_file(path)
    when = today or f.date
    if when is None:
        raise ReplayError(f.path, 1, "не задана дата интервью: укажите «date:» в файле или --date")
    return replay_answers(bundle, f, when)


def replay_answers(bundle: Bundle, f: AnswersFile, today: date) -> ReplayResult:
    questions = bundle.questions()
    for qid in f.answers:
        if qid not in questions:
            raise ReplayError(f.path, f.answers.line_of(qid), f"в сценарии нет вопроса «{clip(qid)}»")
    interview = Interview(bundle, today)
    for gid, action, reason, line in f.overrides:
        if bundle.group(gid) is None:
            raise ReplayError(f.path, line, f"нет клиентской группы «{clip(gid)}»")
        interview.set_override(Override(gid, action, reason, f.inspector or ""))
    after: str | None = None
    while (q := interview.first_pending(after)) is not None:
        if q.id in f.answers:
            raw: Any = f.answers[q.id]
            line = f.answers.line_of(q.id)
        elif not q.required:
            raw, line = None, f.answers_line
        else:
            raise ReplayError(
                f.path, f.answers_line,
                f"нет ответа на обязательный вопрос «{q.id}» ({q.ask})",
            )
        try:
            interview.answer(q.id, raw, confirmed=True)  # a recorded answer was confirmed
        except AnswerError as exc:
            raise ReplayError(f.path, line, f"«{q.id}»: {exc}") from None
        after = q.id
    _refuse_unassessed_additions(f, interview)
    applicable = {q.id for q in interview.questions}
    unused = [qid for qid in f.answers if qid not in applicable]
    return ReplayResult(interview, unused, f.inspector)


def _refuse_unassessed_additions(f: AnswersFile, interview: Interview) -> None:
    """An added group that was not assessed (no consent to the data it is) stops the replay,
    as the inspector's screen refuses it."""
    for gid, action, _reason, line in f.overrides:
        result = interview.classification.get(gid)
        refusal = result.cannot_add() if result is not None and action == "add" else None
        if refusal is not None:
            raise ReplayError(f.path, line, refusal)


@dataclass
class FactsResult:
    classification: Any
    facts: dict[str, Any]
    today: date
    #: Facts given that the interview would not ask, given the others (kept, not a problem).
    inapplicable: list[str] = field(default_factory=list)


def classify_facts(bundle: Bundle, path: Path | str, today: date | None = None) -> FactsResult:
    """Classify the facts of a file (fact id: value) into groups, without an interview.

    The file is an answers file (``date``, ``answers``) or a plain mapping of facts with an
    optional ``date``. Each fact passes the same coercion and validation as a typed
    answer; facts that are missing leave the groups that need them undecided, with the
    reason. Classification runs the same code as the interview (engine.classify_context).
    """
    from tui.engine import values
    from tui.engine.interview import classify_context, compute_profile

    p = str(path)
    doc = _load_mapping(path, "файл фактов должен быть словарём: id факта: значение")
    facts = doc.get("answers", doc.get("facts", doc))
    if not isinstance(facts, SrcDict):
        raise ReplayError(p, doc.line, "нет словаря фактов (id факта: значение)")
    when = today or _file_date(p, doc)
    if when is None:
        raise ReplayError(p, 1, "не задана дата: укажите «date:» в файле или --date")
    questions = bundle.questions()
    profile_ids = [i.id for i in bundle.profile.items()] if bundle.profile else []
    skip = {"date", "answers", "facts", "note", "inspector", "groups"} if facts is doc else set()
    for key in facts:
        if key in skip or key in profile_ids:
            continue
        if facts is not doc and key in questions:
            continue  # a recorded interview's module answers: not facts, nothing to classify
        raise ReplayError(
            p, facts.line_of(key), f"«{clip(key)}» — не факт профилирования (нет такого вопроса)"
        )
    ctx = Interview(bundle, when)._base_context()
    given: dict[str, Any] = {}
    for qid in profile_ids:
        q = questions.get(qid)
        if q is None or qid not in facts:
            continue
        try:
            value = values.coerce(q, facts[qid])
            if value is not None:
                values.validate(q, value, ctx, confirmed=True)
        except AnswerError as exc:
            raise ReplayError(p, facts.line_of(qid), f"«{qid}»: {exc}") from None
        ctx[qid] = value
        given[qid] = value
    compute_profile(bundle, ctx)
    walk = Interview(bundle, when, given)
    inapplicable = [k for k in given if not walk.is_applicable(k)]
    return FactsResult(classify_context(bundle, ctx), given, when, inapplicable)


def _file_date(path: str, doc: SrcDict) -> date | None:
    when = doc.get("date")
    line = doc.line_of("date")
    if isinstance(when, str):
        try:
            return parse_date(when)
        except DateFormatError as exc:
            raise ReplayError(path, line, f"«date»: {exc}") from None
    if when is None or (isinstance(when, date) and not isinstance(when, datetime)):
        if when is not None and not MIN_YEAR <= when.year <= MAX_YEAR:
            raise ReplayError(path, line, f"«date»: год {when.year} вне {MIN_YEAR}–{MAX_YEAR}")
        return when
    raise ReplayError(path, line, f"«date» должна быть датой ДД.ММ.ГГГГ, а не «{clip(str(when))}»")


def write_answers_file(
    path: Path,
    answers: Mapping[str, Any],
    today: date,
    inspector: str | None = None,
    overrides: list[dict[str, str]] | None = None,
) -> None:
    """Write typed answers in the replay format (see ``docs/scripts.md``)."""
    doc: dict[str, Any] = {"date": today}
    if inspector:
        doc["inspector"] = inspector
    if overrides:
        doc["groups"] = overrides
    doc["answers"] = dict(answers)
    text = "# Записано Собеседником: sobesednik replay " + path.name + "\n" + yaml.safe_dump(
        doc, allow_unicode=True, sort_keys=False, width=100
    )
    atomic_write(path, text)

