"""What a person typed goes into the plan as text: a converter shows it, and never makes of it
a heading, a list, a quote, a table, a link, emphasis, code or HTML. Control characters never
reach the plan. What the centre's staff wrote (the measures, the templates) stays Markdown.

Each plan is parsed by a real CommonMark parser (:mod:`tests.render.mdparse`) and compared
with the same plan answered with plain words: the blocks and the inline markup must be the
same, and the reader must see what was typed.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import REPLAYS, bundle
from tests.render.mdparse import html_tags, inline_text, kinds, paragraph_after, structure, tokens
from tui.engine.plan import Plan, build_plan
from tui.engine.replay import replay
from tui.render.markdown import render_plan

CASE = REPLAYS / "mother_employer.yaml"
WORK = "Подходящая работа"
#: The override decisions of the plain plan: their reasons are replaced in the tests.
PLAIN_GROUPS = [
    {"group": "long_unemployed", "action": "add", "reason": "Перерыв в работе по уходу за ребёнком"},
]


def answers_file(tmp_path: Path, *, inspector: str = "Петрова П. П.",
                 groups: list[dict[str, str]] | None = None, **answers: Any) -> Path:
    """``mother_employer.yaml`` with some answers, the inspector and the group decisions
    changed."""
    doc = yaml.safe_load(CASE.read_text(encoding="utf-8"))
    doc["answers"].update(answers)
    doc["inspector"] = inspector
    doc["groups"] = groups or PLAIN_GROUPS
    path = tmp_path / CASE.name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def plan_value(path: Path) -> Plan:
    result = replay(bundle(), path)
    return build_plan(result.interview, result.meta())


def plan_with(tmp_path: Path, **changes: Any) -> str:
    """The plan of :func:`answers_file`."""
    return render_plan(plan_value(answers_file(tmp_path, **changes)))


@pytest.fixture
def plain(tmp_path: Path) -> str:
    return plan_with(tmp_path)


def visible(markdown: str) -> str:
    """Everything a reader of the converted plan sees, paragraph by paragraph."""
    return "\n".join(inline_text(t) for t in tokens(markdown) if t.type == "inline")


def assert_text_only(plan: str, plain: str) -> None:
    assert structure(plan) == structure(plain)
    assert html_tags(plan) == html_tags(plain)
    assert not kinds(plan) & {"html_inline", "html_block", "link_open", "image", "code_inline",
                              "fence", "code_block", "blockquote_open", "table_open"}


@pytest.mark.parametrize(
    "typed",
    [
        "# Заголовок",
        "## Заголовок ##",
        "[текст](http://evil)",
        "![картинка](http://evil/x.png)",
        "<http://evil>",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "&lt;script&gt; &#x3C;b&#x3E; &copy;",
        "*курсив* **жирный** _курсив_ __жирный__ ~~зачёркнуто~~",
        "`код` и ``код``",
        "Строка с \\ обратной чертой в конце\\",
        "1. пункт",
        "2) пункт",
        "- пункт",
        "+ пункт",
        "> цитата",
        "| a | b |",
    ],
)
def test_a_one_line_answer_stays_text(tmp_path, plain, typed):
    plan = plan_with(tmp_path, desired_work=typed)
    assert_text_only(plan, plain)
    assert paragraph_after(plan, WORK) == typed


MULTILINE = [
    "Ищу работу:",
    "# заголовок",
    "> цитата",
    "- пункт",
    "* пункт",
    "+ пункт",
    "1. пункт",
    "10) пункт",
    "| a | b |",
    "|---|---|",
    "```",
    "~~~",
    "<div>блок</div>",
    "<!-- комментарий -->",
    "[ссылка]: http://evil",
    "===",
    "---",
    "***",
    "- - -",
    "    отступ в четыре пробела",
    "\tтабуляция",
    "последняя строка",
]


def test_every_line_of_a_long_text_stays_text(tmp_path, plain):
    typed = "\n".join(MULTILINE[:8]) + "\n\n" + "\n".join(MULTILINE[8:])
    plan = plan_with(tmp_path, desired_work=typed)
    assert_text_only(plan, plain)
    assert paragraph_after(plan, WORK) == "\n".join(line.strip() for line in MULTILINE)


def test_control_characters_never_reach_the_plan(tmp_path, plain):
    """Answers with control characters are refused when typed; the inspector's name and
    reasons in an answers file, and answers stored before that, still reach the plan."""
    reason = "Перерыв\x1b]0;окно\x07 в работе"
    value = plan_value(answers_file(tmp_path, inspector="Петрова\x1b[31m П. П.", groups=[
        {"group": "long_unemployed", "action": "add", "reason": reason}]))
    facts = {**value.facts, "desired_work": "до\x1b[2J после\x07 и\x9b1m\u202e конец"}
    plan = render_plan(dataclasses.replace(value, facts=facts))
    assert_text_only(plan, plain)
    assert not [ch for ch in plan if ch != "\n" and (ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F)]
    assert "\u202e" not in plan
    assert paragraph_after(plan, WORK) == "до\\x1b[2J после\\x07 и\\x9b1m\\u202e конец"
    assert "Петрова\\x1b[31m П. П." in visible(plan)
    assert "Перерыв\\x1b]0;окно\\x07 в работе" in visible(plan)


def test_names_reasons_and_free_texts_elsewhere_stay_text(tmp_path, plain):
    typed = {
        "last_name": "**Кузнецова**",
        "first_name": "[Мария](http://evil)",
        "middle_name": "<b>Ивановна</b>",
        "work_barriers_other": "# Нет места в саду",
        "professional_interests": "`код` и *курсив* | таблица |",
    }
    inspector = "<img src=x onerror=alert(1)> _Петрова_"
    reason = "[см. справку](http://evil) <script>alert(1)</script>"
    plan = plan_with(tmp_path, inspector=inspector,
                     groups=[{"group": "long_unemployed", "action": "add", "reason": reason}], **typed)
    with_middle = plan_with(tmp_path, middle_name="Ивановна")
    assert_text_only(plan, with_middle)
    seen = visible(plan)
    for text in [*typed.values(), inspector, reason]:
        assert text in seen


def test_a_removed_group_keeps_the_inspectors_reason_as_text(tmp_path):
    def removed(reason: str) -> str:
        return plan_with(tmp_path, groups=[
            {"group": "mother_preschool", "action": "remove", "reason": reason}])

    plan, plain = removed("# Не мать\n> [ссылка](http://evil)"), removed("Не мать")
    assert_text_only(plan, plain)
    assert "# Не мать\n> [ссылка](http://evil)" in visible(plan)


def test_ordinary_answers_read_unchanged_in_the_raw_plan(tmp_path):
    sentence = 'Менеджер в ООО "Ромашка" (3 года), с 14.08.1987; тел. 8 921 555-12-34 — хочу 50%!'
    plan = plan_with(tmp_path, last_name="Иванова-Петрова", first_name="Анна-Мария",
                     birth_date="14.08.1987", northern_years=10, insurance_years=14,
                     other_early_work=False, phone="8 921 555-12-34", desired_work=sentence,
                     inspector="Петрова П. П.")
    assert "**Клиент:** Иванова-Петрова Анна-Мария, дата рождения 14.08.1987" in plan
    assert "**Телефон клиента:** +7 921 555-12-34" in plan
    assert f"\n{sentence}\n" in plan
    assert "**Инспектор ЦЗН (куратор):** Петрова П. П." in plan


# ---------------------------------------------------------------- templates and trusted text


@pytest.fixture
def plan():
    return build_plan(replay(bundle(), CASE).interview, {"mode": "replay", "inspector": "*И*"})


def test_a_new_template_escapes_answers_without_being_told(tmp_path, plan):
    (tmp_path / "plan.md.j2").write_text(
        "{{ desired_work }}|{{ interview.inspector }}|{{ answer('desired_work') }}|"
        "{{ [desired_work, 'x'] | join(' ') }}|{{ desired_work | e }}\n",
        encoding="utf-8",
    )
    facts = {**plan.facts, "desired_work": "# [a](b)"}
    text = render_plan(dataclasses.replace(plan, facts=facts), templates=tmp_path)
    assert text == "\\# \\[a\\](b)|\\*И\\*|\\# \\[a\\](b)|\\# \\[a\\](b) x|\\# \\[a\\](b)\n"


def test_the_staffs_markdown_stays_markdown(tmp_path, plan):
    (tmp_path / "plan.md.j2").write_text(
        "{% for m in measures[:1] %}{{ m.text }}\n{% endfor %}"
        "{% for g in groups_in %}{{ g.title }}\n{% endfor %}"
        "{% set block %}**{{ desired_work }}**{% endset %}{{ block | trusted }}\n",
        encoding="utf-8",
    )
    measure = dataclasses.replace(plan.measures[0], text="**Важно:** [портал](https://trudvsem.ru)")
    group = dataclasses.replace(plan.groups_in[0], title="Группа *А*")
    classification = dataclasses.replace(plan.classification, results=[group])
    facts = {**plan.facts, "desired_work": "*x*"}
    staff = dataclasses.replace(plan, measures=[measure], classification=classification, facts=facts)
    assert render_plan(staff, templates=tmp_path) == (
        "**Важно:** [портал](https://trudvsem.ru)\nГруппа *А*\n**\\*x\\***\n"
    )
