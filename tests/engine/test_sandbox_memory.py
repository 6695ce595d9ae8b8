"""The sandbox bounds the total of what an expression makes, not only each value: a list
holding one long text many times is small, but joining, formatting or writing it is not.

Each dangerous case runs in a child process with its address space limited (``RLIMIT_AS``)
and a timeout, so a regression fails here instead of taking the machine down; a refusal
must come before the value is made (the child's peak memory barely grows) and say which
limit, and nothing may escape as ``MemoryError``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from typing import Any

import pytest

from tests.engine.test_check import X, edit, problems_of, write_base
from tests.helpers import ROOT
from tui.engine import limits
from tui.engine.expr import ExpressionError, compile_expression, render_text

resource = pytest.importorskip("resource")

#: The address space of a child: far above what the engine needs, far below the machine.
MEMORY = 1536 * 1024 * 1024
TIMEOUT = 120
#: How much the child's peak memory may grow while a case is refused: the total is
#: estimated before the value is made, so a refusal costs next to nothing, while the
#: bypasses this guards against filled the whole address space first (and took 11–17 s).
#: Memory, not time, is measured: time on a shared machine says little.
MAX_GROWTH = 128 * 1024 * 1024

BIG = "(['x' * 99999] * 99999)"
#: A template making a list that holds one text 10**5 times, 10**10 characters in all,
#: from list literals only (``*`` and ``+`` are not needed for it).
SHARED = (
    "{% set a = 'x' * 99999 %}{% set b = [a, a, a, a, a, a, a, a, a, a] %}"
    "{% set c = [b, b, b, b, b, b, b, b, b, b] %}{% set d = [c, c, c, c, c, c, c, c, c, c] %}"
    "{% set e = [d, d, d, d, d, d, d, d, d, d] %}{% set f = [e, e, e, e, e, e, e, e, e, e] %}"
)

EXPRESSIONS = [
    f"{BIG} | join",
    "('x' * 99999).join(['a'] * 99999)",
    f"'{{}}'.format({BIG})",
    f"{BIG} | string",
    f"{BIG} ~ ''",
    f"{BIG} | sort",
    f"'%s' % ({BIG},)",
    "('x' * 99999).join(['a'] * 50000)",
    "('x' * 99999).join(range(50000) | map('string'))",
    "('\\n' * 50000) | indent(50000)",
    "('\\t' * 50000).expandtabs(50000)",
    "('x' * 50000).translate({120: 'y' * 50000})",
    "('{0}' * 1000).format('x' * 99999)",
    "('%(a)s' * 1000) % {'a': 'x' * 99999}",
    "('%s' * 1000) | format(*(['x' * 99999] * 1000))",
    "range(50000) | map('center', 50000) | join",
    "range(50000) | map('center', 50000) | list",
]

TEMPLATES = [
    SHARED + "{{ f }}",
    SHARED + "{{ f | join }}",
    SHARED + "{{ f | string }}",
    SHARED + "{{ f ~ '' }}",
    SHARED + "{{ f | sort | first }}",
    SHARED + "{{ '%s' % (f,) }}",
    SHARED + "{{ '{}'.format(f) }}",
    SHARED + "{{ f | tojson }}",
    SHARED + "{{ f | pprint }}",
    SHARED + "{{ f | sum(start=[]) | sum(start=[]) | sum(start=[]) | join }}",
    SHARED + "{% set ns = namespace(v=f) %}{{ ns }}",
]

CHILD = textwrap.dedent(
    """\
    import json, resource, sys
    from tui.engine.expr import ExpressionError, compile_expression, render_text

    def peak():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux

    for kind, source in json.loads(sys.stdin.read()):
        started = peak()
        try:
            if kind == "expression":
                compile_expression(source).evaluate({})
            else:
                render_text(source, {})
            outcome = ["value", ""]
        except ExpressionError as exc:
            outcome = ["refused", str(exc)[-200:]]
        except BaseException as exc:
            outcome = ["crash", type(exc).__name__]
        print(json.dumps([source, *outcome, peak() - started]), flush=True)
    """
)


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def run_limited(args: list[str], stdin: str = "", **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """``args`` in a child with at most ``MEMORY`` of address space, for ``TIMEOUT`` s."""
    return subprocess.run(
        args, input=stdin, capture_output=True, text=True, timeout=TIMEOUT, cwd=ROOT,
        preexec_fn=_limit_memory, check=False, **kwargs,
    )


@pytest.fixture(scope="module")
def outcomes() -> dict[str, tuple[str, str, int]]:
    cases = [("expression", s) for s in EXPRESSIONS] + [("template", t) for t in TEMPLATES]
    proc = run_limited([sys.executable, "-c", CHILD], json.dumps(cases))
    found = {}
    for line in proc.stdout.splitlines():
        source, kind, message, growth = json.loads(line)
        found[source] = (kind, message, growth)
    assert len(found) == len(cases), f"the child stopped early: {proc.stderr[-2000:]}"
    return found


@pytest.mark.parametrize("source", EXPRESSIONS + TEMPLATES)
def test_a_large_total_is_refused_before_it_is_made_with_a_message(outcomes, source):
    kind, message, growth = outcomes[source]
    assert kind == "refused", (kind, message)
    assert f"длиннее {limits.MAX_EXPRESSION_SIZE}" in message or "текст длиннее" in message, message
    assert growth < MAX_GROWTH, f"peak memory grew by {growth // 2**20} MiB"



@pytest.mark.parametrize(
    "source",
    ["(['x'] * 99999) | join", "('ab' * 1000).join(['a'] * 40)", "'{}'.format(['x' * 10] * 1000)",
     "(['x' * 10] * 9000) | sort | length", "'%s' % ((['x' * 10] * 1000),)", "[0] * 100000",
     "range(1000) | map('string') | join(',')", "('a\\nb' * 100) | indent(4)", "'{0}{0}'.format('x')",
     "('a\\tb').expandtabs(8)", "[1, 2] + [3]", "'x' ~ ['y'] * 3"],
)
def test_what_stays_within_the_total_still_evaluates(source):
    compile_expression(source).evaluate({})


def test_a_value_read_is_not_counted_as_made():
    # A script's own tables are read, not made by the expression: the limit is on what the
    # expression builds from them.
    table = [{"until": n, "years": 60} for n in range(5000)]
    assert compile_expression("rows | length").evaluate({"rows": table}) == 5000
    assert compile_expression("lookup(rows, 10).years").evaluate({"rows": table}) == 60


def test_memory_error_in_an_evaluation_is_an_expression_error(monkeypatch):
    expr = compile_expression("n + 1")

    def exhausted(**_: Any) -> Any:
        raise MemoryError

    expr._compiled["fn"] = exhausted
    with pytest.raises(ExpressionError, match="не хватает памяти"):
        expr.evaluate({"n": 1})


def test_memory_error_in_a_text_is_an_expression_error(monkeypatch):
    from tui.engine import expr as expr_module

    class Exhausted:
        def render(self, **_: Any) -> str:
            raise MemoryError

    monkeypatch.setattr(expr_module, "_compiled_template", lambda source: Exhausted())
    with pytest.raises(ExpressionError, match="не хватает памяти"):
        render_text("{{ 1 }}", {})


# ---------------------------------------------------------------- check, in a child


CHECK_CASES = [
    ("'%s' % ((['x' * 99999] * 99999),) == ''", "ограничения"),
    ("('x' * 99999).join(['a'] * 99999) == ''", "ограничения"),
    ("(['x' * 99999] * 99999) | join == ''", "ограничения"),
]


@pytest.mark.parametrize(("condition", "why"), CHECK_CASES)
def test_check_names_a_constant_too_large_in_total(tmp_path, condition, why):
    root = write_base(tmp_path / "scripts")
    edit(root, X, "when: ready_to_study", f'when: "({condition}) and ready_to_study"')
    env = {**os.environ, "SOBESEDNIK_DATA_DIR": str(tmp_path / "data")}
    proc = run_limited([sys.executable, "-c", "from tui.cli import main; raise SystemExit(main())",
                        "check", str(root)], env=env)
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    assert f"{root / X}:" in proc.stdout and why in proc.stdout, proc.stdout


# ---------------------------------------------------------------- names made at run time


@pytest.mark.parametrize(
    "condition",
    [
        "groups[('__cl' ~ 'ass__')]",
        "groups['__cl' + 'ass__']",
        "groups[('%sclass__' % '__')]",
        "groups[['__class__'] | first]",
        "(groups | attr('app' ~ 'end'))('x')",
        "groups | map(attribute='_' ~ '_class__') | list",
        "groups | map('attr', '_' ~ '_class__') | list",
        "groups | map(*['attr']) | list",
        "groups | selectattr('_' ~ '_class__') | list",
        "groups | rejectattr(last_name) | list",
        "groups | sort(attribute=last_name)",
        "groups | groupby(last_name)",
        "groups | sum(attribute=last_name)",
        "groups | unique(attribute=last_name) | list",
        "groups | min(attribute=last_name)",
        "'{0.__class__}'.format(groups)",
        "('{0.' ~ '__class__}').format(groups)",
    ],
)
def test_check_refuses_a_name_made_at_run_time(tmp_path, condition):
    root = write_base(tmp_path / "scripts")
    edit(root, X, "when: ready_to_study", f'when: "{condition} and ready_to_study"')
    problems = problems_of(root)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{root / X}:"), problems
    assert "собирается при вычислении" in problems[0] or "«__class__»" in problems[0], problems


@pytest.mark.parametrize(
    "condition",
    ["params.rows[sex]", "params.rows[params.key.name]", "groups[1:]", "groups[-1]",
     "groups[children_count - 1]", "groups | map(attribute='x') | list",
     "groups | selectattr('x', 'eq', sex)",
     "groups | sort(reverse=ready_to_study)", "'{0} {1}'.format(sex, last_name)", "last_name.format(1)"],
)
def test_check_still_allows_a_key_read_from_a_value(tmp_path, condition):
    root = write_base(tmp_path / "scripts")
    edit(root, X, "when: ready_to_study", f'when: "({condition}) and ready_to_study"')
    assert [p for p in problems_of(root) if "собирается" in p or "запрещено" in p] == []


def test_the_bundled_scripts_keep_their_keys_read_from_answers():
    # params.northern.insurance_years[sex], names[f]: the bundled scripts need these
    from tui.engine.loader import load_bundle
    from tui.paths import scripts_dir

    _, problems = load_bundle([scripts_dir()])
    assert [str(p) for p in problems] == []


def test_a_name_made_at_run_time_is_still_refused_by_the_sandbox():
    # What ``check`` cannot see (a key read from an answer) the sandbox still refuses.
    with pytest.raises(ExpressionError):
        compile_expression("(groups[key])()").evaluate({"groups": ["a"], "key": "__class__"})
