"""The engine's shortcuts change no result: the memo of every expression, the profile stage
kept while its answers hold, and classifying a stored interview in one walk give what a walk
from scratch, with nothing memoised, gives, at every step of every replay case."""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPLAYS, bundle
from tui.engine.expr import Expression, ExpressionError, compile_expression
from tui.engine.interview import Interview
from tui.engine.replay import read_answers_file, replay
from tui.engine.rules import Classification

CASES = sorted(REPLAYS.glob("*.yaml"))


@pytest.fixture
def from_scratch(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every expression evaluated afresh: no memo."""
    monkeypatch.setattr(Expression, "evaluate", Expression._evaluate)
    yield


def groups(c: Classification) -> list[dict[str, Any]]:
    """Everything a classification says: each group's status, facts, reasons (why, why not
    even when no near miss), near miss and override."""
    return [{**r.to_json(), "near_miss": r.near_miss, "reason_not": r.reason_not} for r in c.results]


def state_of(iv: Interview) -> dict[str, Any]:
    s = iv.state
    return {
        "questions": [q.id for q in s.questions],
        "answered": sorted(s.answered),
        "modules": [m.id for m in s.modules],
        "groups": groups(s.classification),
        "context": {k: v for k, v in s.context.items() if k != "params"},
        "profile_complete": iv.profile_complete,
    }


def steps(case: Path) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """The replay of ``case`` one answer at a time, as the engine does it (memo, kept
    stage): after each answer, the answers so far and the state the engine reached."""
    f = read_answers_file(case)
    iv = Interview(bundle(), f.date)
    out = []
    after: str | None = None
    while (q := iv.first_pending(after)) is not None:
        iv.answer(q.id, f.answers.get(q.id))
        out.append((dict(iv.answers), state_of(iv)))
        after = q.id
    return out


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_every_step_of_a_replay_is_what_a_walk_from_scratch_gives(case, monkeypatch):
    walked = steps(case)
    assert len(walked) > 10
    today = read_answers_file(case).date
    monkeypatch.setattr(Expression, "evaluate", Expression._evaluate)
    for answers, state in walked:
        assert state_of(Interview(bundle(), today, answers)) == state, f"after {list(answers)[-1]}"


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_a_stored_interview_classified_in_one_walk_has_the_replays_groups(case, from_scratch):
    # What `reclassify` does: the stored answers (as JSON) and overrides, one walk.
    done = replay(bundle(), case).interview
    overrides = [o.to_json() for o in done.overrides.values()]
    stored = Interview.from_json(bundle(), done.today, done.answers_json(), overrides)
    assert groups(stored.classification) == groups(done.classification)
    assert stored.profile_complete


def test_a_kept_profile_stage_follows_a_changed_profile_answer_and_an_override():
    from tui.engine.rules import ADD, Override

    iv = replay(bundle(), REPLAYS / "youth.yaml").interview
    assert "youth" in iv.classification.ids
    iv.set_value("birth_date", date(1960, 1, 1))  # a profile answer: the groups follow
    assert "youth" not in iv.classification.ids
    iv.set_override(Override("youth", ADD, "по документам"))
    assert "youth" in iv.classification.ids


def test_a_memoised_failure_does_not_grow_its_traceback():
    # The memo kept the exception it met and raised the same object again: each raise
    # added its frames to the traceback, which grew without end and held every context.
    expr = compile_expression("n > 0 and missing_name.x")
    depths = []
    for _ in range(30):
        try:
            expr.evaluate({"n": 1})
        except ExpressionError as exc:
            depths.append(len(traceback.extract_tb(exc.__traceback__)))
    assert len(depths) == 30
    assert depths[-1] == depths[0]


def test_an_unhashable_value_is_evaluated_not_taken_for_a_missing_one():
    # A set cannot key the memo: the expression is evaluated without it.
    assert compile_expression("'a' in x").test({"x": {"a", "b"}})
