"""What a person typed stays text in every copy and format: in HTML (and so in the PDF) no
tag, in Markdown no heading, link or emphasis, in plain text no control character. What
the centre's staff wrote (templates, texts.yaml, the catalog) keeps its shape."""

from __future__ import annotations

import dataclasses
from html.parser import HTMLParser

import pytest

from tests.helpers import REPLAYS
from tests.render.documents_support import answers_file, document, plan_of
from tests.render.mdparse import html_tags, inline_text, kinds, structure, tokens

CASE = REPLAYS / "mother_employer.yaml"
HOSTILE = {
    "last_name": "<script>alert(1)</script>**Кузнецова**",
    "first_name": "[Мария](http://evil)",
    "desired_work": "# Парикмахер\n<img src=x onerror=alert(1)>\n- пункт\n| a | b |",
    "professional_interests": "`код` и *курсив* <b>жирный</b>",
}
PLAIN = {
    "last_name": "Кузнецова",
    "first_name": "Мария",
    "desired_work": "Парикмахер",
    "professional_interests": "Парикмахер, стаж 6 лет",
}
REASON = "<i>Перерыв</i> [см.](http://evil) по уходу за ребёнком"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, tuple[tuple[str, str | None], ...]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, tuple(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parsed(html: str) -> _Tags:
    p = _Tags()
    p.feed(html)
    return p


def plans(tmp_path):
    def plan(answers, reason):
        folder = tmp_path / ("hostile" if answers is HOSTILE else "plain")
        folder.mkdir(exist_ok=True)
        return plan_of(answers_file(folder, CASE, answers=answers, groups=[
            {"group": "long_unemployed", "action": "add", "reason": reason}]))

    return plan(HOSTILE, REASON), plan(PLAIN, "Перерыв по уходу за ребёнком")


@pytest.mark.parametrize("copy", ["client", "centre"])
def test_markup_in_answers_is_text_in_html(tmp_path, copy):
    hostile, plain = plans(tmp_path)
    html, html_plain = document(hostile, "html", copy), document(plain, "html", copy)
    assert parsed(html).tags == parsed(html_plain).tags
    seen = "".join(parsed(html).text)
    assert "<script>alert(1)</script>**Кузнецова**" in seen
    assert "<img src=x onerror=alert(1)>" in seen
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    if copy == "centre":
        assert REASON in seen and "`код` и *курсив* <b>жирный</b>" in seen


def _visible(markdown: str) -> str:
    return "\n".join(inline_text(t) for t in tokens(markdown) if t.type == "inline")


@pytest.mark.parametrize("copy", ["client", "centre"])
def test_markup_in_answers_is_text_in_markdown(tmp_path, copy):
    hostile, plain = plans(tmp_path)
    md, md_plain = document(hostile, "md", copy), document(plain, "md", copy)
    assert structure(md) == structure(md_plain)
    assert html_tags(md) == html_tags(md_plain)
    assert not kinds(md) & {"html_inline", "html_block", "link_open", "image", "code_inline"}
    seen = _visible(md)
    assert "<script>alert(1)</script>**Кузнецова** [Мария](http://evil)" in seen
    if copy == "centre":
        assert REASON in seen


def test_control_characters_are_written_out_in_plain_text(tmp_path):
    _hostile, plain = plans(tmp_path)
    facts = {**plain.facts, "desired_work": "до\x1b[2J после\x07 и\u202e конец"}
    text = document(dataclasses.replace(plain, facts=facts), "txt", "client")
    assert not [ch for ch in text if ch != "\n" and (ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F)]
    assert "до\\x1b[2J после\\x07 и\\u202e конец" in text


def test_an_answer_that_looks_like_a_fragment_heading_stays_in_its_item(tmp_path):
    """A group's fragment is parsed for its headings and labels: an answer of several lines
    reading «## …» or «**…:**» never makes a section or a label of the centre's copy."""
    _hostile, plain = plans(tmp_path)
    facts = {**plain.facts, "professional_interests": "стаж 6 лет\n## Раздел\n- **Метка:** текст"}
    centre = document(dataclasses.replace(plain, facts=facts), "md", "centre")
    assert "\n## Раздел" not in centre and "**Метка:**" not in centre
    assert "\\## Раздел" in centre and "\\*\\*Метка:\\*\\* текст" in centre
