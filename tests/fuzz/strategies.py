"""Hypothesis strategies shared by the fuzz suite: YAML-ish values and texts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import yaml
from hypothesis import strategies as st

#: Text with what a paste or a file may hold: control characters, escapes, long digits.
nasty_text = st.one_of(
    st.text(max_size=200),
    st.text(alphabet="0123456789 ,.-+\u00a0", max_size=60),
    st.builds(lambda n: "9" * n, st.integers(min_value=10, max_value=6000)),
    st.sampled_from(["\x1b[2J", "\x1b]0;x\x07", "да", "нет", "31.12.9999", "1900-01-01", "01.01.1899",
                     "29.02.2023", ".nan", "1e400", "-0", "+7 912 345-67-89", "8" * 11, "\u202e", ""]),
)

scalars = st.one_of(
    st.none(), st.booleans(),
    st.integers(), st.integers(min_value=-(10**6000), max_value=10**6000),
    st.floats(allow_nan=True, allow_infinity=True),
    nasty_text,
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
    st.binary(max_size=20),
)

#: Any value an answers file may hold (what PyYAML builds from a document).
yaml_values: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(st.text(max_size=10), inner, max_size=4),
    ),
    max_leaves=12,
)


def _dump(value: Any) -> str:
    try:
        return yaml.safe_dump(value, allow_unicode=True)
    except (yaml.YAMLError, ValueError):
        return "x: 1\n"


#: YAML-ish text: dumped values, fragments with YAML's own syntax, and deep or aliased shapes.
yaml_texts = st.one_of(
    yaml_values.map(_dump),
    st.text(alphabet=st.sampled_from(list("[]{}:-&*!|>'\"#, \n\tabc019.\x1b")), max_size=300),
    st.integers(min_value=1, max_value=3000).map(lambda n: "a: " + "[" * n + "]" * n + "\n"),
    st.integers(min_value=1, max_value=3000).map(lambda n: "a:\n" + "".join(
        "  " * i + "- \n" for i in range(min(n, 400)))),
    st.just("a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"b{i}: &b{i} [" + ", ".join([f"*{'a' if i == 0 else f'b{i - 1}'}"] * 10) + "]\n"
        for i in range(8))),
)
