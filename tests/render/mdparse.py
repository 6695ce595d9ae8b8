"""A real CommonMark parser (markdown-it-py, with the GFM tables and strikethrough the plan
may use) to see what a rendered plan becomes in a converter: its block structure, the inline
markup of each paragraph, the text a reader sees."""

from __future__ import annotations

import re
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])

#: Inline tokens that only carry text: any other one (a link, emphasis, code, raw HTML, an
#: image, a hard break) is markup.
_TEXT_TOKENS = frozenset({"text", "text_special", "softbreak"})
_TAG = re.compile(r"<(/?[A-Za-z][A-Za-z0-9-]*)")


def tokens(markdown: str) -> list[Token]:
    return MD.parse(markdown)


def structure(markdown: str) -> list[tuple[Any, ...]]:
    """The blocks of ``markdown`` and the markup inside each: equal for two plans when an
    answer added no structure of its own, whatever its text."""
    out: list[tuple[Any, ...]] = []
    for tok in tokens(markdown):
        children = tuple(c.type for c in tok.children or [] if c.type not in _TEXT_TOKENS)
        out.append((tok.type, tok.tag, tok.nesting, children))
    return out


def inline_text(tok: Token) -> str:
    """What a reader sees of an inline token: its text, a soft line break as ``\\n``."""
    parts: list[str] = []
    for child in tok.children or []:
        if child.type == "softbreak":
            parts.append("\n")
        elif child.type in ("text", "text_special", "code_inline"):
            parts.append(child.content)
    return "".join(parts)


def paragraph_after(markdown: str, heading: str) -> str:
    """The text of the first paragraph after the heading that reads ``heading``."""
    toks = tokens(markdown)
    seen = False
    for i, tok in enumerate(toks):
        if tok.type == "inline" and toks[i - 1].type == "heading_open":
            seen = tok.content == heading
        elif seen and tok.type == "inline" and toks[i - 1].type == "paragraph_open":
            return inline_text(tok)
    raise AssertionError(f"no paragraph after «{heading}»")


def html_tags(markdown: str) -> list[str]:
    """The HTML tags a converter writes for ``markdown``, in order."""
    return _TAG.findall(MD.render(markdown))


def kinds(markdown: str) -> set[str]:
    """Every token type of ``markdown``, inline ones included."""
    out: set[str] = set()
    for tok in tokens(markdown):
        out.add(tok.type)
        out.update(c.type for c in tok.children or [])
    return out
