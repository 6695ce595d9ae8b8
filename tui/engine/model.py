"""The model of interview scripts: what the loader (:mod:`tui.engine.loader`) reads them into.

A *bundle* is what one interview runs on: a profiling script, the client-group rules,
group modules and the measure catalog (see ``docs/scripts.md``). A problem in a script
is a :class:`Problem` (``file:line: what``), so the ``check`` command and the app show the
same messages.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tui.engine.expr import Expression
from tui.engine.textsafe import printable

QUESTION_TYPES: dict[str, str] = {
    "text": "строка текста",
    "long_text": "длинный текст",
    "integer": "целое число",
    "number": "число",
    "date": "дата",
    "yes_no": "да/нет",
    "choice": "один вариант из списка",
    "multi_choice": "несколько вариантов из списка",
    "phone": "телефон",
}
KINDS = ("profile", "module", "groups", "measures")
#: Special categories of personal data (152-ФЗ ст. 10) a question may hold (``special``),
#: each asked only after a separate consent (a question marked ``consent_for``).
SPECIAL_CATEGORIES: dict[str, str] = {"health": "сведения о здоровье"}
RESPONSIBLE = {"client": "клиент", "centre": "ЦЗН", "both": "клиент и ЦЗН"}


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        """``file:line: message``, control characters from the file shown as escapes."""
        return printable(f"{self.path}:{self.line}: {self.message}")


class ScriptError(Exception):
    """Raised by :func:`load_bundle_or_raise`; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class Where:
    """A mapping's place in a script file, with the line of each of its keys."""

    path: str
    line: int
    keys: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def at(self, key: str) -> Where:
        """The place of ``key`` in this mapping (the mapping's own line if it is absent)."""
        return Where(self.path, self.keys.get(key, self.line))


@dataclass
class Choice:
    value: str
    label: str
    label_client: str | None = None


@dataclass
class Rule:
    expr: Expression
    message: str
    where: Where
    #: An unusual but possible answer: the person confirms it instead of being refused.
    confirm: bool = False


@dataclass
class Question:
    id: str
    type: str
    ask: str
    where: Where
    ask_client: str | None = None
    help: str | None = None
    required: bool = True
    when: Expression | None = None
    choices: list[Choice] = field(default_factory=list)
    min: Expression | None = None
    max: Expression | None = None
    max_length: int | None = None
    placeholder: str | None = None
    rules: list[Rule] = field(default_factory=list)
    #: The special category of personal data the answer holds (``health``), if any.
    special: str | None = None
    #: The special category this yes/no question records the separate consent to.
    consent_for: str | None = None
    #: The inspector's own record (from another system): never asked at a kiosk.
    desk_only: bool = False
    section: Section | None = field(default=None, repr=False)
    script: Script | None = field(default=None, repr=False)

    is_question = True

    def wording(self, kiosk: bool = False) -> str:
        return (self.ask_client or self.ask) if kiosk else self.ask

    def choice_label(self, value: Any, kiosk: bool = False) -> str:
        for c in self.choices:
            if c.value == value:
                return (c.label_client or c.label) if kiosk else c.label
        return str(value)

    @property
    def choice_values(self) -> list[str]:
        return [c.value for c in self.choices]


@dataclass
class Computed:
    id: str
    expr: Expression
    where: Where
    section: Section | None = field(default=None, repr=False)
    script: Script | None = field(default=None, repr=False)

    is_question = False
    when = None


Item = Question | Computed


@dataclass
class Section:
    id: str
    title: str
    where: Where
    when: Expression | None = None
    items: list[Item] = field(default_factory=list)


@dataclass
class Script:
    id: str
    version: int
    title: str
    kind: str
    where: Where
    sections: list[Section] = field(default_factory=list)
    group: str | None = None
    order: int = 100
    traits: list[str] = field(default_factory=list)
    approach: list[str] = field(default_factory=list)
    consent: dict[str, Any] = field(default_factory=dict)

    def items(self) -> Iterator[Item]:
        for section in self.sections:
            yield from section.items


@dataclass
class GroupRule:
    id: str
    title: str
    rule: Expression
    where: Where
    because: str | None = None
    source: str | None = None
    #: When true, the group cannot be decided from the facts: the inspector decides.
    undecided_if: Expression | None = None
    because_undecided: str | None = None
    #: Why not, for people; shown for a near miss (``near`` true, or no ``near`` given).
    because_not: str | None = None
    near: Expression | None = None
    #: The special category of data membership in the group is (``health``): without the
    #: client's separate consent to it the group is not assessed, and cannot be added.
    needs_consent: str | None = None
    because_not_assessed: str | None = None


@dataclass
class Measure:
    id: str
    text: str
    groups: list[str]
    responsible: str
    where: Where
    deadline_days: int | None = None
    when: Expression | None = None
    detail: str | None = None
    commitment: str | None = None
    #: What the measure does, shared by the measures of several groups that do the same:
    #: a plan merges the chosen measures of one action into one (first text, every detail).
    action: str | None = None
    #: The client's copy: the step in plain words (a template over the answers) ...
    client: str | None = None
    #: ... and, when several groups share the action, this group's emphasis in plain words.
    client_detail: str | None = None
    #: The centre's own work (programmes, employer databases): in the centre's copy only.
    institutional: bool = False
    #: A duty without an end date: ``always`` («постоянно``) or ``until_employed``.
    ongoing: str | None = None
    #: Offered to every client, in a group or not (its ``groups`` may be empty).
    baseline: bool = False


#: What an ongoing measure says in place of a deadline.
ONGOING = {"always": "постоянно", "until_employed": "до трудоустройства"}


@dataclass
class Bundle:
    """Everything one interview runs on."""

    profile: Script | None = None
    modules: list[Script] = field(default_factory=list)
    groups: list[GroupRule] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    measures: list[Measure] = field(default_factory=list)
    #: Values the group rules share (ages, retirement dates), computed after the profile.
    group_computed: list[Computed] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    #: Where each of ``params`` is set, so that a second file setting it again is named.
    params_where: dict[str, Where] = field(default_factory=dict, repr=False)

    def scripts(self) -> list[Script]:
        return ([self.profile] if self.profile else []) + self.modules

    def items(self) -> Iterator[Item]:
        """Every question and computed value, in interview order."""
        if self.profile:
            yield from self.profile.items()
        yield from self.group_computed
        for script in self.modules:
            yield from script.items()

    def questions(self) -> dict[str, Question]:
        return {i.id: i for i in self.items() if isinstance(i, Question)}

    def group(self, group_id: str) -> GroupRule | None:
        return next((g for g in self.groups if g.id == group_id), None)

    def module_for(self, group_id: str) -> Script | None:
        return next((m for m in self.modules if m.group == group_id), None)

    @property
    def version_tag(self) -> str:
        return ", ".join(f"{s.id} v{s.version}" for s in self.scripts())
