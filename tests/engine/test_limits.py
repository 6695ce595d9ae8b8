"""Issue 10: nothing a person types or a file holds crashes the engine, hangs it or drives
the terminal. Each case is what a person would see: a Russian message, never a traceback.
"""

from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.engine.test_check import G, M, P, X, edit, problems_of, write_base
from tests.helpers import REPLAYS, TODAY, bundle
from tui.engine import limits, values
from tui.engine.expr import ExpressionError, compile_expression, render_text
from tui.engine.interview import Interview
from tui.engine.model import Question
from tui.engine.plan import attendance_dates, build_plan
from tui.engine.replay import ReplayError, classify_facts, read_answers_file, replay


def question_of_type(qtype: str) -> Question:
    return next(q for q in bundle().questions().values() if q.type == qtype)


def refused(qtype: str, raw: Any) -> str:
    q = question_of_type(qtype)
    with pytest.raises(values.AnswerError) as info:
        values.coerce(q, raw)
    return str(info.value)


# ---------------------------------------------------------------- item 1: coerce


def test_a_pasted_long_number_is_refused_with_a_message():
    assert refused("integer", "9" * 5000) == (
        f"Слишком длинное число: не больше {limits.MAX_NUMBER_DIGITS} цифр."
    )
    assert "Слишком длинное число" in refused("number", "9" * 5000)
    assert "Слишком длинное число" in refused("number", "1," + "9" * 5000)


@pytest.mark.parametrize("qtype", ["integer", "number", "text", "long_text", "yes_no", "phone"])
def test_a_huge_number_from_a_file_is_refused_not_a_crash(qtype):
    refused(qtype, 10**5000)  # str() of it raises ValueError, float() OverflowError


@pytest.mark.parametrize("raw", [float("nan"), float("inf"), float("-inf"), 1e300])
def test_not_a_number_and_infinity_are_refused(raw):
    refused("number", raw)
    refused("integer", raw)


def test_numbers_within_the_limit_still_read():
    assert values.coerce(question_of_type("integer"), "123 456 789 012 345") == 123456789012345
    assert values.coerce(question_of_type("number"), "7,5") == 7.5
    assert values.coerce(question_of_type("integer"), 3.0) == 3


def test_a_pasted_long_text_is_refused_with_a_message():
    assert refused("text", "я" * (limits.MAX_TEXT_ANSWER + 1)) == (
        f"Слишком длинный ответ: не больше {limits.MAX_TEXT_ANSWER} знаков."
    )
    assert values.coerce(question_of_type("long_text"), "я" * limits.MAX_TEXT_ANSWER)


@pytest.mark.parametrize("qtype", ["choice", "multi_choice", "yes_no", "phone", "date"])
def test_a_pasted_long_text_in_other_questions_is_refused_briefly(qtype):
    message = refused(qtype, "я" * 100_000)
    assert len(message) < 1000


@pytest.mark.parametrize("raw", ["31.12.9999", "9999-12-31", date(9999, 12, 31), date(1, 1, 1)])
def test_a_date_out_of_range_is_refused(raw):
    assert "Год" in refused("date", raw)


def test_a_datetime_is_not_taken_for_a_date():
    assert "без времени" in refused("date", datetime(1990, 1, 1, 10, 30))


# ---------------------------------------------------------------- answers files


def write(tmp_path: Path, text: str, name: str = "answers.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def answers_with(tmp_path: Path, **changes: str) -> Path:
    lines = (REPLAYS / "man_no_group.yaml").read_text(encoding="utf-8").splitlines()
    out = []
    for line in lines:
        key = line.strip().split(":", 1)[0]
        if line.startswith("  ") and key in changes:
            line = f"  {key}: {changes.pop(key)}"
        elif line.startswith("date:") and "date" in changes:
            line = f"date: {changes.pop('date')}"
        out.append(line)
    assert not changes
    return write(tmp_path, "\n".join(out) + "\n")


def replay_error(path: Path, today: date | None = None) -> str:
    with pytest.raises(ReplayError) as info:
        replay(bundle(), path, today)
    return str(info.value)


def test_a_long_number_in_an_answers_file_is_named_not_a_traceback(tmp_path):
    message = replay_error(answers_with(tmp_path, children_count="9" * 5000))
    assert "«children_count»: Слишком длинное число" in message


def test_nan_in_an_answers_file_is_refused(tmp_path):
    assert "«northern_years»" in replay_error(answers_with(tmp_path, northern_years=".nan"))


def test_classify_refuses_a_long_number_too(tmp_path):
    path = write(tmp_path, f"date: 2026-11-27\nchildren_count: {'9' * 5000}\n")
    with pytest.raises(ReplayError, match="Слишком длинное число"):
        classify_facts(bundle(), path)


def test_an_interview_date_near_year_9999_is_refused(tmp_path):
    assert "«date»" in replay_error(answers_with(tmp_path, date="9999-12-31"))
    assert "«date»" in replay_error(answers_with(tmp_path, date="31.12.9999"))


def test_attendance_dates_never_overflow():
    interview = Interview(bundle(), date(9999, 12, 1))
    assert all(d.year <= 9999 for d in attendance_dates(interview))


def test_a_deeply_nested_answers_file_is_refused(tmp_path):
    path = write(tmp_path, "date: 2026-11-27\nanswers:\n  last_name: " + "[" * 3000 + "]" * 3000 + "\n")
    assert "вложен" in replay_error(path)


def test_an_alias_bomb_is_refused(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    path = write(tmp_path, "\n".join(lines) + "\nanswers:\n  last_name: *a8\n")
    assert "элемент" in replay_error(path)


def test_an_oversized_answers_file_is_refused_unread(tmp_path):
    path = write(tmp_path, "answers:\n" + "#" * (limits.MAX_ANSWER_FILE_BYTES + 10) + "\n")
    assert "слишком большой" in replay_error(path)


def test_dev_zero_as_an_answers_file_is_refused_quickly():
    started = time.monotonic()
    with pytest.raises(ReplayError, match="слишком большой|не UTF-8|не читается"):
        read_answers_file("/dev/zero")
    assert time.monotonic() - started < 5


def test_control_characters_from_a_file_are_shown_escaped(tmp_path):
    path = write(tmp_path, 'date: 2026-11-27\nanswers:\n  "\\e]0;pwned\\a\\e[31m": 1\n')
    message = replay_error(path)
    assert "\x1b" not in message and "\x07" not in message
    assert "\\x1b]0;pwned" in message


def test_control_characters_in_an_answer_are_shown_escaped(tmp_path):
    message = replay_error(answers_with(tmp_path, sex='"\\e[2J\\e[31mfemale"'))
    assert "\x1b" not in message and "\\x1b[2J" in message


def test_a_group_decision_without_a_group_is_named(tmp_path):
    text = (REPLAYS / "man_no_group.yaml").read_text(encoding="utf-8")
    path = write(tmp_path, text + "groups:\n  - {action: add, reason: решение}\n")
    message = replay_error(path)
    assert "None" not in message and "«group»" in message


# ---------------------------------------------------------------- item 10: expressions


@pytest.mark.parametrize(
    "source", ["(1,) * 10**9", "'a' * 10**10", "10 ** (10 ** 8)", "[1] * 10**9", "(2 ** 64) ** 64",
               "range(10**9) | list", "'a' | center(10**9)", "'a'.ljust(10**9)",
               "'{:>999999999}'.format(1)", "'%0999999999d' | format(1)", "lipsum(10**8)"],
)
def test_a_huge_value_is_refused_fast(source):
    started = time.monotonic()
    with pytest.raises(ExpressionError):
        compile_expression(source).evaluate({})
    assert time.monotonic() - started < 1


def test_an_evaluation_past_its_time_is_stopped():
    text = ("{% for a in range(10000) %}{% for b in range(10000) %}{% for c in range(10) %}"
            "{% endfor %}{% endfor %}{% endfor %}")
    started = time.monotonic()
    with pytest.raises(ExpressionError, match="дольше"):
        render_text(text, {})
    assert time.monotonic() - started < limits.MAX_EVALUATION_SECONDS + 2


def test_a_recursive_macro_is_stopped():
    with pytest.raises(ExpressionError):
        render_text("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", {})


def test_a_deeply_nested_expression_is_refused_at_parse():
    with pytest.raises(ExpressionError, match="вложен"):
        compile_expression("(" * 1000 + "1" + ")" * 1000)
    with pytest.raises(ExpressionError, match="вложен"):
        compile_expression(" + ".join(["1"] * 900))


def test_an_expression_cannot_change_the_groups_or_params():
    groups, params = ["youth"], {"max_children": 20}
    for source in ("groups.append('x')", "params.update({'max_children': 1})", "groups.pop()"):
        with pytest.raises(ExpressionError):
            compile_expression(source).evaluate({"groups": groups, "params": params})
    assert groups == ["youth"] and params == {"max_children": 20}


@pytest.mark.parametrize(
    ("condition", "why"),
    [
        ("children_count.__class__", "__class__"),
        ("last_name.__class__.__mro__", "__mro__"),
        ("last_name['__class__']", "__class__"),
        ("groups.append('x')", "append"),
        ("params.update({'max_children': 1})", "update"),
        ("(1,) * 10**9", "ограничен"),
        ("'a' * 10**10 == 'a'", "ограничен"),
        ("10**(10**8) > 0", "ограничен"),
    ],
)
def test_check_refuses_what_the_sandbox_would_refuse(tmp_path, condition, why):
    root = write_base(tmp_path / "scripts")
    edit(root, X, "when: ready_to_study", f'when: "{condition} and ready_to_study"')
    problems = problems_of(root)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{root / X}:") and why in problems[0]


def test_check_refuses_statements_a_script_text_cannot_run(tmp_path):
    root = write_base(tmp_path / "scripts")
    edit(root, X, "detail: \"{% if", "detail: \"{% include 'x' %}{% if")
    problems = problems_of(root)
    assert len(problems) == 1 and "include" in problems[0], problems


def test_a_deeply_nested_expression_in_a_script_is_named(tmp_path):
    root = write_base(tmp_path / "scripts")
    deep = "(" * 600 + "ready_to_study" + ")" * 600
    edit(root, X, "when: ready_to_study", f"when: {deep}")
    problems = problems_of(root)
    assert len(problems) == 1 and "вложен" in problems[0] and f"{root / X}:" in problems[0]


def test_a_deeply_nested_script_file_is_named(tmp_path):
    root = write_base(tmp_path / "scripts")
    edit(root, G, "  preschool_child_max_age: 7", "  deep: " + "[" * 2000 + "]" * 2000)
    problems = problems_of(root)
    assert len(problems) == 1 and "вложен" in problems[0] and f"{root / G}:" in problems[0]


def test_an_oversized_script_file_is_named(tmp_path):
    root = write_base(tmp_path / "scripts")
    (root / G).write_text((root / G).read_text() + "#" * limits.MAX_SCRIPT_FILE_BYTES, "utf-8")
    problems = problems_of(root)
    assert len(problems) == 1 and "слишком большой" in problems[0], problems


def test_control_characters_in_a_script_are_shown_escaped(tmp_path):
    root = write_base(tmp_path / "scripts")
    edit(root, M, "order: 40", 'order: 40\n"\\e]0;pwned\\a": 1')
    problems = problems_of(root)
    assert problems and all("\x1b" not in p and "\x07" not in p for p in problems)
    assert any("\\x1b]0;pwned" in p for p in problems)


# ---------------------------------------------------------------- script-check gaps


def test_order_zero_is_kept(tmp_path):
    from tui.engine.loader import load_bundle

    root = write_base(tmp_path / "scripts")
    edit(root, M, "order: 40", "order: 0")
    loaded, problems = load_bundle([root])
    assert problems == [] and loaded.modules[0].order == 0


@pytest.mark.parametrize(
    ("rel", "old", "new"),
    [
        (X, "text: Подбор варианта обучения.", 'text: ""'),
        (X, "  - id: choose_training", '  - id: ""'),
        (G, "title: Женщина с детьми дошкольного возраста", 'title: " "'),
        (P, "title: Дети", 'title: ""'),
    ],
)
def test_an_empty_text_is_named_not_dropped(tmp_path, rel, old, new):
    root = write_base(tmp_path / "scripts")
    edit(root, rel, old, new)
    problems = problems_of(root)
    assert any("пуст" in p for p in problems), problems


def test_a_huge_deadline_does_not_overflow_the_plan(tmp_path):
    root = write_base(tmp_path / "scripts")
    edit(root, X, "deadline_days: 30", "deadline_days: 1000000000")
    problems = problems_of(root)
    assert len(problems) == 1 and "deadline_days" in problems[0], problems


def test_the_bundled_plan_still_builds():
    result = replay(bundle(), REPLAYS / "man_no_group.yaml")
    assert build_plan(result.interview).visits
    assert TODAY


@pytest.mark.parametrize("raw", ["Ив\x1b[2Jанова", "Ива\x00нова", "Ива\u202eнова", "Ива\x07",
                                 "Ива\u2028нова"])
def test_an_answer_with_a_control_character_is_refused_not_stored(raw: str) -> None:
    """Pasted terminal escapes or a bidirectional override in a name would later reach a
    terminal (lists, exports) or show another text than the one stored."""
    q = bundle().questions()["last_name"]
    with pytest.raises(values.AnswerError, match="непечатаемый знак \\\\(x|u)"):
        values.coerce(q, raw)


def test_line_breaks_and_tabs_stay_allowed_in_a_long_text() -> None:
    q = next(q for q in bundle().questions().values() if q.type == "long_text")
    assert values.coerce(q, "первая строка\r\nвторая\tстрока") == "первая строка\r\nвторая\tстрока"


@pytest.mark.parametrize("source", ["(0) | reverse", "[1] | map(1) | list"])
def test_a_filter_refusing_its_argument_is_an_expression_error(source):
    # Jinja's FilterArgumentError (a TemplateRuntimeError) escaped as a crash
    with pytest.raises(ExpressionError):
        compile_expression(source).evaluate({})
