"""The expression language: generated expressions and texts over its grammar, and random
strings, give a value or the documented error (ExpressionError; TypeError for an
unanswered value compared), each within a bound of time."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tui.engine.expr import ExpressionError, compile_expression, render_text

#: Generous: a runaway evaluation is stopped after MAX_EVALUATION_SECONDS.
BOUND = 2.0
CONTEXT: dict[str, Any] = {
    "today": date(2026, 11, 27), "n": 7, "x": 2.5, "s": "текст", "big": 10**50,
    "items": ["a", "b"], "none_value": None, "params": {"plan": {"visits": 3}, "rows": [{"until": 5}]},
    "groups": ["youth"], "d": date(1990, 3, 5), "value": 3,
}

atoms = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(["0", "1", "2", "10", "64", "65", "100", "10**9", "1e308", "0.5", "-1"]),
    st.text(alphabet="ab{}%*:>0_.9 '\\\"\x1b", max_size=8).map(lambda t: repr(t)),
    st.sampled_from(sorted(CONTEXT) + ["true", "false", "none", "unknown", "range(5)", "[1, 2]",
                                       "(1,)", "{'a': 1}", "lipsum(1)", "namespace()"]),
)
BINARY = ["+", "-", "*", "/", "//", "%", "**", "~", "and", "or", "==", "!=", "<", ">=", "in", "not in"]
FILTERS = ["length", "join", "list", "sort", "sum", "string", "int", "round", "first", "upper", "trim",
           "center(10**9)", "center(5)", "format(1)", "replace('a', 'aaaa')", "batch(3)", "batch(10**9, 0)",
           "slice(10**9)", "indent(10**9)", "tojson", "reverse", "unique", "default(1)", "ru_date",
           "plural('год', 'года', 'лет')", "attr('__class__')", "map('string')", "select", "abs", "wordcount"]
METHODS = ["upper()", "ljust(10**9)", "zfill(5)", "format(1)", "split()", "append(1)", "update({})",
           "__class__", "mro", "get('a')", "replace('', 'xx')", "to_bytes(10**9, 'big')", "real",
           "count('a')"]


def _expressions() -> st.SearchStrategy[str]:
    return st.recursive(
        atoms,
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(BINARY), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(st.sampled_from(["not ", "-", "+"]), inner).map(lambda t: f"{t[0]}({t[1]})"),
            st.tuples(inner, st.sampled_from(FILTERS)).map(lambda t: f"({t[0]}) | {t[1]}"),
            st.tuples(inner, st.sampled_from(METHODS)).map(lambda t: f"({t[0]}).{t[1]}"),
            st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})"),
            st.tuples(inner, inner).map(lambda t: f"{t[0]}[{t[1]}]"),
            st.lists(inner, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
            st.tuples(st.sampled_from(["range", "age", "add_days", "add_years", "lookup", "plural"]),
                      st.lists(inner, max_size=3)).map(lambda t: f"{t[0]}({', '.join(t[1])})"),
        ),
        max_leaves=10,
    )


def _bounded(run: Any) -> None:
    started = time.monotonic()
    try:
        run()
    except (ExpressionError, TypeError):
        pass
    assert time.monotonic() - started < BOUND


def _evaluate(source: str) -> None:
    try:
        expr = compile_expression(source)
    except ExpressionError:
        return
    _bounded(lambda: expr.evaluate(CONTEXT))


@given(source=_expressions())
def test_generated_expressions(source):
    _evaluate(source)


@given(source=st.text(max_size=80))
def test_random_strings_as_expressions(source):
    _evaluate(source)


@given(body=_expressions(), loops=st.integers(0, 3), kind=st.sampled_from(["{{ }}", "if", "for", "set"]))
def test_generated_texts(body, loops, kind):
    text = {"{{ }}": "{{ %s }}", "if": "{%% if %s %%}да{%% endif %%}",
            "for": "{%% for i in %s %%}{{ i }}{%% endfor %%}",
            "set": "{%% set v = %s %%}{{ v }}"}[kind] % body
    for _ in range(loops):
        text = "{% for j in range(10000) %}" + text + "{% endfor %}"
    _bounded(lambda: render_text(text, CONTEXT))


@given(text=st.text(alphabet=st.sampled_from(list("{}%#-+ ab()|.'1*~\n")), max_size=80))
def test_random_strings_as_texts(text):
    _bounded(lambda: render_text(text, CONTEXT))
