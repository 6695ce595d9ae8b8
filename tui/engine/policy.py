"""What the scripts say about personal data: which answers identify the client, which are
free text, which hold a special category of data (health, 152-ФЗ ст. 10) and what reveals
them (the groups decided from them, the questions of those groups' modules, the separate
consent to them).

The store's lifecycle (export without personal data, withdrawal of a consent) acts on it;
deciding it is script knowledge, so it lives here.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui.engine.model import Bundle, GroupRule

#: Answers that identify the client: the store indexes them for search and shows them in
#: lists; an export without personal data leaves them out.
IDENTITY_FIELDS = ("last_name", "first_name", "middle_name", "birth_date", "phone")
#: Question types whose answers are free text a person typed: personal by nature.
FREE_TEXT_TYPES = frozenset({"text", "long_text", "phone"})
HEALTH = "health"


@dataclass
class DataPolicy:
    """What the scripts say about the answers: their types, which hold a special category
    of data, which question records the separate consent to it, and which client groups
    are decided from such answers."""

    #: question id -> type, in interview order
    questions: dict[str, str] = field(default_factory=dict)
    #: question id -> special category (``health``)
    special: dict[str, str] = field(default_factory=dict)
    #: special category -> id of the question recording the separate consent
    consent: dict[str, str] = field(default_factory=dict)
    #: special category -> ids of the groups whose rules or reasons read its answers
    special_groups: dict[str, set[str]] = field(default_factory=dict)
    #: questions of the modules of those groups: asked only of their members, an answer
    #: tells the membership (and so the special-category data it was decided from)
    revealing: set[str] = field(default_factory=set)

    @classmethod
    def from_bundle(cls, bundle: Bundle) -> DataPolicy:
        questions = bundle.questions()
        policy = cls(
            questions={q.id: q.type for q in questions.values()},
            special={q.id: q.special for q in questions.values() if q.special},
            consent={q.consent_for: q.id for q in questions.values() if q.consent_for},
        )
        computed = {c.id: c.expr.names for c in bundle.group_computed}
        for g in bundle.groups:
            if g.needs_consent:  # membership in it is that category of data
                policy.special_groups.setdefault(g.needs_consent, set()).add(g.id)
            for name in _closure(_group_names(g), computed):
                category = policy.special.get(name)
                if category:
                    policy.special_groups.setdefault(category, set()).add(g.id)
        hidden = policy.hidden_groups
        for module in bundle.modules:
            if module.group in hidden:
                policy.revealing |= {i.id for i in module.items() if i.is_question}
        return policy

    @property
    def hidden_groups(self) -> set[str]:
        """The groups decided from a special category of data, whatever the category."""
        return set().union(*self.special_groups.values())

    def special_ids(self, category: str) -> set[str]:
        return {qid for qid, c in self.special.items() if c == category}

    def keeps(self, qid: str) -> bool:
        """Whether an export without personal data keeps the answer to ``qid``: not an
        identity answer, not free text, not a special category nor the consent to one, not
        a question only members of a group decided from such data are asked, and a known
        question (an answer to a question the scripts no longer have cannot be judged)."""
        qtype = self.questions.get(qid)
        return (
            qtype is not None and qtype not in FREE_TEXT_TYPES and qid not in IDENTITY_FIELDS
            and qid not in self.special and qid not in self.consent.values()
            and qid not in self.revealing
        )

    def plain_value(self, qid: str, value: Any) -> Any:
        """An answer as an export without personal data gives it: a date by its year only
        (an exact date — a child's birth, a release from custody — helps to find a person)."""
        if self.questions.get(qid) == "date":
            text = str(value or "")
            return int(text[:4]) if re.match(r"^\d{4}-", text) else None
        return value


def _group_names(g: GroupRule) -> set[str]:
    """The names a group's rule, conditions and reasons read (a reason that does not parse
    reads nothing)."""
    from tui.engine.expr import ExpressionError, template_names  # lazily: Jinja is slow to import

    names: set[str] = set()
    for expr in (g.rule, g.undecided_if, g.near):
        if expr is not None:
            names |= expr.names
    for text in (g.because, g.because_not, g.because_undecided, g.because_not_assessed):
        with contextlib.suppress(ExpressionError):
            names |= template_names(text) if text else set()
    return names


def _closure(names: Iterable[str], computed: Mapping[str, Iterable[str]]) -> set[str]:
    """``names`` and, through the groups file's computed values, every name they read."""
    out: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name not in out:
            out.add(name)
            todo.extend(computed.get(name, ()))
    return out
