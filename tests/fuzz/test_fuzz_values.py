"""Any text typed, any value of a file, for every question of the bundled scripts: a value
or an AnswerError (the message shown), never another exception."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.strategies import nasty_text, yaml_values
from tests.helpers import TODAY, bundle
from tui.engine import values
from tui.engine.interview import Interview
from tui.engine.model import QUESTION_TYPES, Question
from tui.engine.textsafe import printable


def _one_of_each_type() -> list[Question]:
    by_type: dict[str, Question] = {}
    for q in bundle().questions().values():
        by_type.setdefault(q.type, q)
    return [by_type[t] for t in QUESTION_TYPES if t in by_type]


QUESTIONS = _one_of_each_type()
CONTEXT = Interview(bundle(), TODAY)._base_context()


def _check(q: Question, raw: Any) -> None:
    try:
        value = values.coerce(q, raw)
        values.validate(q, value, CONTEXT)
    except values.AnswerError as exc:
        message = str(exc)
        assert message and len(message) < 1000
        assert printable(message) == message, "a message must not carry control characters"
        return
    if value is not None:
        values.display(q, value)
        values.to_input_text(q, value)


@given(q=st.sampled_from(QUESTIONS), raw=nasty_text)
def test_typed_text_gives_a_value_or_an_answer_error(q, raw):
    _check(q, raw)


@given(q=st.sampled_from(QUESTIONS), raw=yaml_values)
def test_a_value_of_a_file_gives_a_value_or_an_answer_error(q, raw):
    _check(q, raw)


def test_every_question_type_is_fuzzed():
    assert {q.type for q in QUESTIONS} == set(QUESTION_TYPES)
