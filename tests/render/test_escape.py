"""The Markdown escaper: markup escaped, ordinary text left as it reads."""

from __future__ import annotations

import pytest

from tui.render.escape import Trusted, escape_markdown, finalizer, text_lines


@pytest.mark.parametrize(
    "text",
    [
        "14.08.1987",
        "8 921 555-12-34",
        "+7 921 555-12-34",
        "Анна-Мария",
        'ООО "Ромашка"',
        "ООО «Ромашка»",
        "Работаю 5 лет, хочу (в офис)! Зарплата 1.5 ставки; 50% — норма?",
        "-5 градусов, 2026.11.27, a > b, #1 в списке",
        "Цена = 100",
    ],
)
def test_ordinary_text_is_unchanged(text):
    assert escape_markdown(text) == text


@pytest.mark.parametrize(
    ("text", "markdown"),
    [
        ("# Заголовок", "\\# Заголовок"),
        ("#хештег", "\\#хештег"),
        ("> цитата", "\\> цитата"),
        ("- пункт", "\\- пункт"),
        ("-", "\\-"),
        ("+ пункт", "\\+ пункт"),
        ("1. пункт", "1\\. пункт"),
        ("2026. Год", "2026\\. Год"),
        ("10) пункт", "10\\) пункт"),
        ("---", "\\---"),
        ("- - -", "\\- - -"),
        ("===", "\\==="),
        ("   # три пробела", "   \\# три пробела"),
        ("[текст](http://evil)", "\\[текст\\](http://evil)"),
        ("<script>alert(1)</script>", "\\<script>alert(1)\\</script>"),
        ("&amp; & &#60;", "\\&amp; \\& \\&#60;"),
        ("*a* _b_ `c` ~d~ |e| \\", "\\*a\\* \\_b\\_ \\`c\\` \\~d\\~ \\|e\\| \\\\"),
        ("a\n\n  # b\n> c\r\nd\re", "a\n\\# b\n\\> c\nd\ne"),
        ("\x1b[2J\x07", "\\\\x1b\\[2J\\\\x07"),
    ],
)
def test_markup_is_escaped(text, markdown):
    assert escape_markdown(text) == markdown


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        (" и ", [" и "]),
        ("      отступ", ["   отступ"]),
        ("конец   ", ["конец "]),
        ("\tтаб", [" таб"]),
        ("   ", [" "]),
        ("", []),
        ("\n  a  \n\n\tb\n", ["a", "b"]),
        ("a\u2028b\u202e", ["a\\u2028b\\u202e"]),
    ],
)
def test_the_lines_of_a_value(text, lines):
    assert text_lines(text) == lines


def test_trusted_text_is_written_as_it_is():
    write = finalizer(escape_markdown)
    assert write(Trusted("**жирный** [ссылка](https://trudvsem.ru)")) == "**жирный** [ссылка](https://trudvsem.ru)"
    assert write("**жирный**") == "\\*\\*жирный\\*\\*"
    assert write(5) == "5"
    assert write(Trusted("*x*") + "*y*") == "\\*x\\*\\*y\\*"  # what is made of it is text again
