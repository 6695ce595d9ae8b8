"""Replay: run the interview engine on answers from a file, as the UI would.

The answers file (YAML)::

    date: 2026-11-27          # or 27.11.2026; optional: the interview date (overridden by --date)
    answers:
      consent_pd: yes
      birth_date: 12.04.1993  # or 1993-04-12
      work_barriers: [childcare, long_break]

Each answer passes the same coercion and validation as a typed one. The first missing
or invalid answer stops the replay with ``file:line: question: what is wrong``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from tui.core.dates import DateFormatError, parse_date
from tui.core.engine import Interview
from tui.core.script import Bundle
from tui.core.values import AnswerError
from tui.core.yamlsrc import SrcDict, YamlError, load_file

_FILE_KEYS = ("date", "answers", "inspector", "script", "note")


class ReplayError(Exception):
    """What stopped a replay: ``str()`` is ``file:line: message``."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
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


def read_answers_file(path: Path | str) -> AnswersFile:
    p = str(path)
    try:
        doc = load_file(path)
    except YamlError as exc:
        raise ReplayError(p, exc.line, exc.message) from None
    if not isinstance(doc, SrcDict):
        raise ReplayError(p, 1, "файл ответов должен быть словарём с ключом «answers»")
    for key in doc:
        if key not in _FILE_KEYS:
            allowed = ", ".join(_FILE_KEYS)
            raise ReplayError(p, doc.line_of(key), f"неизвестный ключ «{key}» (допустимы: {allowed})")
    answers = doc.get("answers")
    if not isinstance(answers, SrcDict):
        raise ReplayError(p, doc.line_of("answers"), "нет словаря «answers» (id вопроса: ответ)")
    when = doc.get("date")
    if isinstance(when, str):
        try:
            when = parse_date(when)
        except DateFormatError as exc:
            raise ReplayError(p, doc.line_of("date"), f"«date»: {exc}") from None
    elif when is not None and not isinstance(when, date):
        raise ReplayError(p, doc.line_of("date"), f"«date» должна быть датой ДД.ММ.ГГГГ, а не «{when}»")
    inspector = doc.get("inspector")
    if inspector is not None and not isinstance(inspector, str):
        raise ReplayError(p, doc.line_of("inspector"), "«inspector» должен быть текстом (ФИО инспектора)")
    return AnswersFile(p, answers, when, doc.line_of("answers"), inspector)


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
            raise ReplayError(f.path, f.answers.line_of(qid), f"в сценарии нет вопроса «{qid}»")
    interview = Interview(bundle, today)
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
            interview.answer(q.id, raw)
        except AnswerError as exc:
            raise ReplayError(f.path, line, f"«{q.id}»: {exc}") from None
        after = q.id
    applicable = {q.id for q in interview.questions}
    unused = [qid for qid in f.answers if qid not in applicable]
    return ReplayResult(interview, unused, f.inspector)
