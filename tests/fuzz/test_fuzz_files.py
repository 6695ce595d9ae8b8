"""Any bytes as an answers file or as a script file: the documented error or a result,
never another exception, and no message carrying raw control characters."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.engine.test_check import BASE, write_base
from tests.fuzz.strategies import yaml_texts, yaml_values
from tests.helpers import TODAY, bundle
from tui.engine.loader import load_bundle
from tui.engine.replay import ReplayError, classify_facts, replay
from tui.engine.textsafe import printable

file_bytes = st.one_of(st.binary(max_size=400), yaml_texts.map(lambda t: t.encode("utf-8", "replace")))


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="fuzz-files-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _escaped(message: str) -> None:
    assert printable(message) == message, "control characters reached a message"


@given(data=file_bytes)
def test_any_bytes_as_an_answers_file(workdir, data):
    path = workdir / "answers.yaml"
    path.write_bytes(data)
    for run in (lambda: replay(bundle(), path, TODAY), lambda: classify_facts(bundle(), path, TODAY)):
        try:
            run()
        except ReplayError as exc:
            _escaped(str(exc))


@given(answers=st.dictionaries(st.sampled_from(sorted(bundle().questions())), yaml_values, max_size=8))
def test_any_values_in_an_answers_file(workdir, answers):
    import yaml

    path = workdir / "answers.yaml"
    try:
        text = yaml.safe_dump({"date": TODAY, "answers": answers}, allow_unicode=True)
    except (yaml.YAMLError, ValueError):
        return
    path.write_text(text, encoding="utf-8")
    try:
        replay(bundle(), path)
    except ReplayError as exc:
        _escaped(str(exc))


@pytest.fixture(scope="module")
def scripts(workdir) -> Path:
    return write_base(workdir / "scripts")


#: A fragment spliced into a clean script: near-valid scripts reach the checks, not only
#: the parser.
fragments = st.one_of(
    st.text(alphabet=st.sampled_from(list("[]{}:-'\"#|> \nabz_019.()*~%!<=\x1b")), max_size=40),
    st.sampled_from([
        "\n    when: groups.append('x')", "\n    when: (1,) * 10**9", "\norder: 0", "\nid: ''",
        "\n    when: " + "(" * 40 + "x" + ")" * 40, "\n  deep: " + "[" * 60 + "]" * 60,
        "\n    detail: \"{% include 'x' %}\"", "\n    deadline_days: 999999999999",
        "\n    when: x.__class__", "\nversion: " + "9" * 500, "\n    when: 'a' * 10**10",
    ]),
)


def _spliced(name: str, at: float, fragment: str) -> bytes:
    text = BASE[name]
    cut = int(len(text) * at)
    return (text[:cut] + fragment + text[cut:]).encode("utf-8", "replace")


script_bytes = st.one_of(
    file_bytes,
    st.builds(lambda at, frag: (at, frag), st.floats(0, 1), fragments),
)


@given(name=st.sampled_from(sorted(BASE)), data=script_bytes)
def test_any_bytes_in_a_scripts_folder(scripts, name, data):
    path = scripts / name
    path.write_bytes(data if isinstance(data, bytes) else _spliced(name, *data))
    try:
        _, problems = load_bundle([scripts], reachability=False)
    finally:
        path.write_text(BASE[name], encoding="utf-8")
    for p in problems:
        _escaped(str(p))
