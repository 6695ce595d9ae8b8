"""Any text as a free-text answer, a name or the inspector's name: the plan a converter makes
of it shows the text and has no structure, tag or link the text brought."""

from __future__ import annotations

import dataclasses
import re
import unicodedata

from hypothesis import assume, given
from hypothesis import strategies as st

from tests.fuzz.strategies import nasty_text
from tests.helpers import REPLAYS, bundle
from tests.render.mdparse import html_tags, inline_text, paragraph_after, structure, tokens
from tui.engine.plan import Plan, build_plan
from tui.engine.replay import replay
from tui.engine.textsafe import printable
from tui.render.markdown import render_plan

PLAN = build_plan(replay(bundle(), REPLAYS / "mother_employer.yaml").interview, {"mode": "replay"})

#: Text with Markdown's and HTML's own characters, at the start of lines and inside them.
markup_text = st.lists(
    st.one_of(
        st.sampled_from(["#", "##", ">", "-", "+", "*", "1.", "2)", "|", "```", "~~~", "===", "---",
                         "<", ">", "&", "[", "]", "(", ")", "!", "`", "\\", "_", "~", "\n", "\n\n",
                         "    ", "\t", "\r", "<script>", "<img src=x onerror=alert(1)>", "&amp;",
                         "[a](http://evil)", "<http://evil>", "\x1b[2J", "\x07", "\u2028", "слово"]),
        st.text(max_size=5),
    ),
    max_size=20,
).map("".join)

texts = st.one_of(markup_text, nasty_text, st.text(max_size=300))


def seen_as(text: str) -> str:
    """What a reader is to see of ``text``: its lines trimmed, empty ones left out, tabs as
    spaces and control characters written out."""
    lines = (printable(line.replace("\t", " ")).strip() for line in re.split(r"\r\n|\r|\n", text))
    return "\n".join(line for line in lines if line)


def plan_of(desired_work: str, last_name: str, inspector: str) -> str:
    facts = {**PLAN.facts, "desired_work": desired_work, "last_name": last_name}
    meta = {**PLAN.meta, "inspector": inspector}
    plan: Plan = dataclasses.replace(PLAN, facts=facts, meta=meta)
    return render_plan(plan)


PLAIN = plan_of("Бухгалтер", "Кузнецова", "Петрова П. П.")


@given(desired_work=texts, last_name=texts, inspector=texts)
def test_any_typed_text_is_shown_as_text_and_adds_no_structure(desired_work, last_name, inspector):
    assume(seen_as(desired_work) and seen_as(last_name) and seen_as(inspector))
    plan = plan_of(desired_work, last_name, inspector)
    assert structure(plan) == structure(PLAIN)
    assert html_tags(plan) == html_tags(PLAIN)
    assert paragraph_after(plan, "Подходящая работа") == seen_as(desired_work)
    shown = "\n".join(inline_text(t) for t in tokens(plan) if t.type == "inline")
    assert seen_as(last_name) in shown
    assert seen_as(inspector) in shown
    assert not [ch for ch in plan if ch != "\n" and unicodedata.category(ch) in ("Cc", "Cf")]
