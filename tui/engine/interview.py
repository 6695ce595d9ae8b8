"""The interview engine: which questions apply, in what order, and which answers count.

Given a bundle, the answers so far and the interview date, :class:`Interview` walks the
profiling script, classifies the client into groups, then walks the modules of those groups.
Changing an earlier answer re-walks everything: newly applicable questions become the next
ones to ask; answers to questions that no longer apply are kept (not lost) but not used.

The walk is in two stages. The first (the profile and the groups) depends only on the
profiling answers, the interview date and the inspector's overrides, and is kept until one
of them changes: an answer in a module re-walks the modules alone. Within it the groups
are kept while the values classifying reads hold (a name or a phone changes none). Every
expression is memoised on the values it reads (:meth:`~tui.engine.expr.Expression.evaluate`),
so the re-walk after an answer evaluates only what that answer can change.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tui.engine import values
from tui.engine.expr import Expression, ExpressionError, template_names
from tui.engine.model import Bundle, Computed, Question, Script
from tui.engine.rules import Classification, Override, classify, fact_closure
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


@dataclass
class _Profile:
    """The first stage of a walk: the profiling questions that apply, the values in force
    after the profile (with the groups file's computed values and ``groups``), and the
    groups. ``key`` is what it follows from (see :meth:`Interview._profile_key`)."""

    key: tuple[Any, ...]
    questions: list[Question]
    answered: set[str]
    context: dict[str, Any]
    classification: Classification


@dataclass
class _Shape:
    """What every walk of one bundle starts from, worked out once per bundle."""

    questions: dict[str, Question]
    #: The profiling questions, in order: the answers the first stage follows from.
    profile_ids: tuple[str, ...]
    #: Every question and computed value of the bundle, unset.
    blank: dict[str, Any]
    #: The values classifying reads (see :func:`_classify_inputs`).
    classify_inputs: tuple[str, ...]


def _shape(bundle: Bundle) -> _Shape:
    """The :class:`_Shape` of ``bundle``, kept on it (a loaded bundle does not change)."""
    cached: _Shape | None = getattr(bundle, "_walk_shape", None)
    if cached is None:
        profile = bundle.profile
        ids = tuple(q.id for q in profile.items() if isinstance(q, Question)) if profile else ()
        cached = _Shape(bundle.questions(), ids, dict.fromkeys(i.id for i in bundle.items()),
                        _classify_inputs(bundle))
        bundle._walk_shape = cached  # type: ignore[attr-defined]
    return cached


def _classify_inputs(bundle: Bundle) -> tuple[str, ...]:
    """Every value of the walk's context that classifying reads: what the groups file's
    computed values, the rules, their conditions and their reason texts name, the facts
    they stand on (a result names them) and what decides whether a missing one would be
    asked (its question's conditions). The groups follow from these alone."""
    names: set[str] = set()
    for item in bundle.group_computed:
        names |= item.expr.names
    for g in bundle.groups:
        for expr in (g.rule, g.undecided_if, g.near):
            names |= expr.names if expr is not None else frozenset()
        for text in (g.because, g.because_not, g.because_undecided, g.because_not_assessed):
            with contextlib.suppress(ExpressionError):  # it reads nothing: it does not render
                names |= template_names(text) if text else set()
    questions = bundle.questions()
    # A group that needs a separate consent reads the question that records it.
    needs = {g.needs_consent for g in bundle.groups if g.needs_consent}
    names |= {qid for qid, q in questions.items() if q.consent_for in needs}
    closure = fact_closure(bundle)
    facts = set().union(*(closure.get(n, frozenset()) for n in names))
    for qid in facts:
        q = questions.get(qid)
        for cond in (q.section.when if q and q.section else None, q.when if q else None):
            names |= cond.names if cond is not None else frozenset()
    return tuple(sorted((names | facts) - {c.id for c in bundle.group_computed}))


def _frozen(value: Any) -> Any:
    """``value`` as it is compared in a stage's key: lists (multiple choices) as tuples, so
    that a list changed in place is not taken for the one the stage was walked with."""
    return tuple(value) if isinstance(value, list) else value


_UNSET = object()


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
        self._shape = _shape(bundle)
        self._questions = self._shape.questions
        #: Every answer ever given, typed. ``None`` marks an optional question skipped.
        self.answers: dict[str, Any] = dict(answers or {})
        #: The inspector's additions and removals of groups, by group id.
        self.overrides: dict[str, Override] = dict(overrides or {})
        self._state: State | None = None
        self._profile: _Profile | None = None
        self._groups: tuple[tuple[Any, ...], dict[str, Any], Classification] | None = None

    # ------------------------------------------------------------------ state

    @property
    def state(self) -> State:
        if self._state is None:
            self._state = self._walk()
        return self._state

    def _base_context(self) -> dict[str, Any]:
        return {"today": self.today, "params": self.bundle.params, "groups": [], **self._shape.blank}

    def _walk(self) -> State:
        first = self._profile_stage()
        ctx = dict(first.context)
        applicable = list(first.questions)
        answered = set(first.answered)
        ids = first.classification.ids
        modules = [m for m in self.bundle.modules if m.group in ids]
        for module in modules:
            self._walk_script(module, ctx, applicable, answered)
        return State(applicable, ctx, first.classification, modules, answered)

    def _profile_key(self) -> tuple[Any, ...]:
        """What the first stage follows from: the date, the profiling answers (unset and
        skipped told apart) and the inspector's overrides."""
        answers = self.answers
        return (self.today, tuple([_frozen(answers.get(q, _UNSET)) for q in self._shape.profile_ids]),
                tuple(self.overrides.items()))

    def _profile_stage(self) -> _Profile:
        """The profile walked and the client classified: kept while its key holds."""
        key = self._profile_key()
        if self._profile is not None and self._profile.key == key:
            return self._profile
        ctx = self._base_context()
        applicable: list[Question] = []
        answered: set[str] = set()
        profile = self.bundle.profile
        if profile is not None:
            self._walk_script(profile, ctx, applicable, answered)
        classification = self._classify(ctx, key)
        ctx["groups"] = classification.ids
        self._profile = _Profile(key, applicable, answered, ctx, classification)
        return self._profile

    def _classify(self, ctx: dict[str, Any], key: tuple[Any, ...]) -> Classification:
        """:func:`classify_context`, kept while the values it reads, the date and the
        overrides hold (an answer to a name or a phone changes no group)."""
        facts = tuple([_frozen(ctx.get(n, _UNSET)) for n in self._shape.classify_inputs])
        groups_key = (key[0], key[2], facts)
        kept = self._groups
        if kept is not None and kept[0] == groups_key:
            ctx.update(kept[1])
            return kept[2]
        classification = classify_context(self.bundle, ctx, self.overrides)
        computed = {item.id: ctx[item.id] for item in self.bundle.group_computed}
        self._groups = (groups_key, computed, classification)
        return classification

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
        """The groups (the first stage of the walk: the modules are not walked for them)."""
        return self._profile_stage().classification

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
        first = self._profile_stage()
        return all(q.id in first.answered for q in first.questions)

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
        qs = _shape(bundle).questions
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
