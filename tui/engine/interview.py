"""The interview engine: which questions apply, in what order, and which answers count.

Given a bundle, the answers so far and the interview date, :class:`Interview` walks the
profiling script, classifies the client into groups, then walks the modules of those groups.
Changing an earlier answer re-walks everything: newly applicable questions become the next
ones to ask; answers to questions that no longer apply are kept (not lost) but not used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tui.engine import values
from tui.engine.expr import Expression, ExpressionError
from tui.engine.model import Bundle, Computed, Question, Script
from tui.engine.rules import Classification, Override, classify
from tui.engine.values import AnswerError


@dataclass
class State:
    """The interview as it stands: applicable questions and the values in force."""

    questions: list[Question]
    context: dict[str, Any]
    classification: Classification
    modules: list[Script]
    answered: set[str] = field(default_factory=set)

    @property
    def pending(self) -> list[Question]:
        return [q for q in self.questions if q.id not in self.answered]

    @property
    def complete(self) -> bool:
        return not self.pending

    def index(self, qid: str) -> int:
        for i, q in enumerate(self.questions):
            if q.id == qid:
                return i
        return -1


class Interview:
    """One interview in memory. Persisting answers is the store's job, not the engine's."""

    def __init__(
        self,
        bundle: Bundle,
        today: date,
        answers: Mapping[str, Any] | None = None,
        overrides: Mapping[str, Override] | None = None,
        *,
        kiosk: bool = False,
    ) -> None:
        self.bundle = bundle
        self.today = today
        #: A client alone at a kiosk: the inspector's own records (``desk_only``) are not asked.
        self.kiosk = kiosk
        self._questions = bundle.questions()
        #: Every answer ever given, typed. ``None`` marks an optional question skipped.
        self.answers: dict[str, Any] = dict(answers or {})
        #: The inspector's additions and removals of groups, by group id.
        self.overrides: dict[str, Override] = dict(overrides or {})
        self._state: State | None = None

    # ------------------------------------------------------------------ state

    @property
    def state(self) -> State:
        if self._state is None:
            self._state = self._walk()
        return self._state

    def _base_context(self) -> dict[str, Any]:
        ctx: dict[str, Any] = {"today": self.today, "params": self.bundle.params, "groups": []}
        for item in self.bundle.items():
            ctx[item.id] = None
        return ctx

    def _walk(self) -> State:
        ctx = self._base_context()
        applicable: list[Question] = []
        answered: set[str] = set()
        profile = self.bundle.profile
        if profile is not None:
            self._walk_script(profile, ctx, applicable, answered)
        classification = classify_context(self.bundle, ctx, self.overrides)
        ctx["groups"] = classification.ids
        modules = [m for m in self.bundle.modules if m.group in classification.ids]
        for module in modules:
            self._walk_script(module, ctx, applicable, answered)
        return State(applicable, ctx, classification, modules, answered)

    def _walk_script(
        self, script: Script, ctx: dict[str, Any], out: list[Question], answered: set[str]
    ) -> None:
        for section in script.sections:
            if section.when is not None and not _test(section.when, ctx):
                continue
            for item in section.items:
                if isinstance(item, Computed):
                    ctx[item.id] = compute(item, ctx)
                    continue
                if item.when is not None and not _test(item.when, ctx):
                    continue
                if item.desk_only and self.kiosk:
                    continue
                out.append(item)
                if item.id in self.answers:
                    answered.add(item.id)
                    ctx[item.id] = self.answers[item.id]

    def _changed(self) -> None:
        self._state = None

    # ------------------------------------------------------------------ questions

    def question(self, qid: str) -> Question:
        try:
            return self._questions[qid]
        except KeyError:
            raise KeyError(f"нет вопроса «{qid}» в сценарии") from None

    @property
    def questions(self) -> list[Question]:
        """The applicable questions, in order."""
        return self.state.questions

    def is_applicable(self, qid: str) -> bool:
        return self.state.index(qid) >= 0

    def first_pending(self, after: str | None = None) -> Question | None:
        """The next question to ask: the first unanswered one after ``after``, else any."""
        state = self.state
        start = state.index(after) + 1 if after else 0
        for q in state.questions[start:]:
            if q.id not in state.answered:
                return q
        pending = state.pending
        return pending[0] if pending else None

    def previous(self, qid: str) -> Question | None:
        i = self.state.index(qid)
        if i > 0:
            return self.state.questions[i - 1]
        return None

    def progress(self) -> tuple[int, int]:
        """(answered, applicable) counts for a progress indicator."""
        s = self.state
        return len(s.answered), len(s.questions)

    @property
    def complete(self) -> bool:
        return self.state.complete

    @property
    def classification(self) -> Classification:
        return self.state.classification

    @property
    def context(self) -> dict[str, Any]:
        return self.state.context

    # ------------------------------------------------------------------ answers

    def check(self, qid: str, raw: Any, confirmed: bool = False) -> Any:
        """Coerce and validate ``raw`` for ``qid`` exactly as the UI does; return the value.
        ``confirmed``: the person confirmed an unusual answer (:class:`NeedsConfirmation`)."""
        q = self.question(qid)
        value = values.coerce(q, raw)
        values.validate(q, value, self.state.context, confirmed)
        return value

    def answer(self, qid: str, raw: Any, confirmed: bool = False) -> Any:
        """Validate and record an answer; return the typed value. Raises AnswerError."""
        value = self.check(qid, raw, confirmed)
        self.answers[qid] = value
        self._changed()
        return value

    def set_override(self, override: Override | None, group_id: str | None = None) -> None:
        """Add or remove a group by the inspector's decision (``None`` clears it)."""
        gid = override.group if override is not None else group_id
        if gid is None or self.bundle.group(gid) is None:
            raise KeyError(f"нет клиентской группы «{gid}»")
        if override is None:
            self.overrides.pop(gid, None)
        else:
            self.overrides[gid] = override
        self._changed()

    @property
    def profile_complete(self) -> bool:
        """Every applicable profiling question has an answer: groups can be confirmed."""
        profile = self.bundle.profile
        if profile is None:
            return True
        ids = {i.id for i in profile.items()}
        return all(q.id in self.state.answered for q in self.state.questions if q.id in ids)

    def set_value(self, qid: str, value: Any) -> None:
        """Record an already-typed value (from the store) without validation."""
        self.answers[qid] = value
        self._changed()

    def value(self, qid: str) -> Any:
        return self.answers.get(qid)

    def display(self, qid: str) -> str:
        return values.display(self.question(qid), self.answers.get(qid))

    @property
    def kept_unused(self) -> dict[str, Any]:
        """Answers that are stored but belong to questions that no longer apply."""
        applicable = {q.id for q in self.state.questions}
        return {k: v for k, v in self.answers.items() if k not in applicable}

    # ------------------------------------------------------------------ storage form

    def answers_json(self) -> dict[str, Any]:
        return {k: values.to_json(self._questions.get(k), v) for k, v in self.answers.items()}

    @classmethod
    def from_json(
        cls,
        bundle: Bundle,
        today: date,
        stored: Mapping[str, Any],
        overrides: list[Mapping[str, Any]] | None = None,
        *,
        kiosk: bool = False,
    ) -> Interview:
        qs = bundle.questions()
        answers = {k: values.from_json(qs.get(k), v) for k, v in stored.items()}
        known = [Override.from_json(o) for o in overrides or []]
        return cls(bundle, today, answers, {o.group: o for o in known if bundle.group(o.group)},
                   kiosk=kiosk)


def classify_context(
    bundle: Bundle, ctx: dict[str, Any], overrides: Mapping[str, Override] | None = None
) -> Classification:
    """Compute the groups file's values into ``ctx`` and classify: the one path from facts to
    groups, shared by the interview and ``sobesednik classify``."""
    for item in bundle.group_computed:
        ctx[item.id] = compute(item, ctx)
    return classify(bundle, ctx, overrides)


def compute_profile(bundle: Bundle, ctx: dict[str, Any]) -> None:
    """Work out the profile's own computed values (who is asked what) on facts given
    without an interview, in order, as the interview would: the rules read them too."""
    for item in bundle.profile.items() if bundle.profile else ():
        if isinstance(item, Computed):
            ctx[item.id] = compute(item, ctx)


def _test(expr: Expression, ctx: Mapping[str, Any]) -> bool:
    try:
        return expr.test(ctx)
    except ExpressionError:
        return False


def compute(item: Computed, ctx: Mapping[str, Any]) -> Any:
    """The value of a computed item on ``ctx``; none when it cannot be worked out."""
    try:
        return item.expr.evaluate(ctx)
    except (TypeError, ExpressionError, ValueError, ArithmeticError):
        return None


__all__ = ["AnswerError", "Interview", "State"]
