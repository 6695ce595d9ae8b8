"""Answer widgets: one per question type, each able to hand back what the person entered.

The widgets do not validate: the engine does, when Next is pressed, so the screen, replay
and the kiosk accept exactly the same answers. ``raw()`` returns what
:meth:`tui.engine.session.Session.submit` takes: text for the typed types, ``True``/``False``
for yes/no, the choice value for a choice and a list of values for a multiple choice.
"""

from __future__ import annotations

from typing import Any, Protocol

from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, MaskedInput, RadioButton, RadioSet, SelectionList, TextArea
from textual.widgets.text_area import EditResult, Location

from tui.engine import values
from tui.engine.limits import MAX_NUMBER_DIGITS, MAX_TEXT_ANSWER
from tui.engine.model import Question

#: Only these characters can be typed into number and phone boxes; the engine checks the rest.
_RESTRICT = {
    "integer": r"[-+]?[\d \u00a0]*",
    "number": r"[-+]?[\d \u00a0]*[.,]?\d*",
    "phone": r"[\d \u00a0()+\-]*",
}
_PLACEHOLDER = {
    "integer": "число цифрами",
    "number": "число, например 7,5",
    "phone": "+7 ___ ___-__-__",
    "date": "ДД.ММ.ГГГГ",
}
#: What a box refuses to take, said under it (instead of Textual's silent bell).
_ONLY = {
    "integer": "Здесь вводится число: только цифры.",
    "number": "Здесь вводится число: цифры и запятая.",
    "phone": "Здесь вводится номер телефона: цифры, «+», скобки и дефис.",
}
#: Characters a number box takes: the digits the engine allows, with room for spaces
#: between groups of digits, a sign and a decimal comma.
_NUMBER_BOX = MAX_NUMBER_DIGITS + 10
_PHONE_BOX = 20
#: A short reminder of the keys, shown under the widget.
HINTS = {
    "yes_no": "↑↓ — выбрать, Enter — ответить и перейти дальше",
    "choice": "↑↓ — выбрать, Enter — ответить и перейти дальше",
    "multi_choice": "↑↓ — перейти, Пробел — отметить или снять, Enter — далее",
    "long_text": "Enter — новая строка, Ctrl+N — далее",
}


class AnswerConfirmed(Message):
    """The person pressed Enter on an answer widget: go to the next question."""


class InputRefused(Message):
    """A key or a paste the answer box did not take, and why (shown under the box)."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


def too_long(limit: int) -> str:
    return f"Слишком длинный текст: здесь помещается не больше {limit} знаков. Вставка не принята."


def refuse(widget: Widget, event: events.Paste, reason: str) -> None:
    """Take nothing of the paste ``event`` (no other handler sees it) and say why."""
    event.prevent_default()
    event.stop()
    widget.post_message(InputRefused(reason))


def box_limit(q: Question) -> int:
    """How many characters the answer box of ``q`` takes."""
    if q.type in ("integer", "number"):
        return _NUMBER_BOX
    if q.type == "phone":
        return min(q.max_length or _PHONE_BOX, _PHONE_BOX)
    return min(q.max_length or MAX_TEXT_ANSWER, MAX_TEXT_ANSWER)


class AnswerWidget(Protocol):
    def raw(self) -> Any: ...


class TextAnswer(Input):
    """A one-line answer: text, integer, number, phone. It takes at most ``max_length``
    characters and says so when a key or a paste is refused."""

    def __init__(self, kind: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.kind = kind

    def raw(self) -> Any:
        return self.value

    def _on_paste(self, event: events.Paste) -> None:
        # Runs before Input's own handler (Textual calls each class's), which it stops.
        line = event.text.splitlines()[0] if event.text else ""
        if self.max_length and len(self.value) - len(self.selected_text) + len(line) > self.max_length:
            refuse(self, event, too_long(self.max_length))

    def restricted(self) -> None:
        if self.max_length and len(self.value) >= self.max_length:
            self.post_message(InputRefused(f"Здесь помещается не больше {self.max_length} знаков."))
        else:
            self.post_message(InputRefused(_ONLY.get(self.kind, "Этот знак здесь не вводится.")))


class DateAnswer(MaskedInput):
    """A date typed as ДД.ММ.ГГГГ; the dots are put in while typing."""

    def __init__(self, value: str, **kwargs: Any) -> None:
        super().__init__("00.00.0000", value=value, placeholder=_PLACEHOLDER["date"], **kwargs)

    def raw(self) -> Any:
        # The mask keeps blanks for digits not typed («1 .2 .1990»): the engine reads «1.2.1990».
        text = self.value.replace(" ", "")
        return "" if not text.strip(".") else text


class LongTextAnswer(TextArea):
    """A free text of several lines; the border shows how many characters are left."""

    def __init__(
        self, text: str, max_length: int | None, placeholder: str = "", **kwargs: Any
    ) -> None:
        super().__init__(text, soft_wrap=True, show_line_numbers=False, placeholder=placeholder, **kwargs)
        self.max_length = max_length
        self._count()

    def _count(self) -> None:
        if self.max_length:
            self.border_subtitle = f"{len(self.text.strip())} из {self.max_length} знаков"

    def on_text_area_changed(self) -> None:
        self._count()

    def _replace_via_keyboard(self, insert: str, start: Location, end: Location) -> EditResult | None:
        # Every edit from the keyboard (typing, Enter, a paste) comes here: refuse what would
        # make the text longer than the box takes, and say so.
        if self.max_length and insert:
            after = len(self.text) - len(self.get_text_range(start, end)) + len(insert)
            if after > self.max_length:
                self.post_message(InputRefused(f"Здесь помещается не больше {self.max_length} знаков."))
                return None
        return super()._replace_via_keyboard(insert, start, end)

    async def _on_paste(self, event: events.Paste) -> None:
        # Runs before TextArea's own handler (Textual calls each class's), which it stops.
        if self.max_length and len(self.text) - len(self.selected_text) + len(event.text) > self.max_length:
            refuse(self, event, too_long(self.max_length))

    def raw(self) -> Any:
        return self.text


class ChoiceAnswer(RadioSet):
    """One option of several. Enter picks the highlighted option and confirms it."""

    BINDINGS = [
        Binding("enter", "confirm", "Ответить", show=False),
        Binding("space", "toggle_button", "Выбрать", show=False),
    ]

    def __init__(self, labels: list[str], choices: list[Any], chosen: int | None, **kwargs: Any) -> None:
        buttons = [RadioButton(Content(label), value=i == chosen) for i, label in enumerate(labels)]
        super().__init__(*buttons, **kwargs)
        self.choices = choices
        self.chosen = chosen

    def on_mount(self) -> None:
        # RadioSet's own mount handler (run after this one) highlights the first option;
        # start the keyboard highlight on the answer given before instead.
        self.call_later(self._highlight_chosen)

    def _highlight_chosen(self) -> None:
        if self.chosen is not None:
            self._selected = self.chosen

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        self.chosen = event.index

    def action_confirm(self) -> None:
        index = self._selected
        if index is not None:
            # Known at once, not when the button's Changed message arrives.
            self.chosen = index
            button = self._nodes[index]
            if isinstance(button, RadioButton) and not button.value:
                button.value = True
        self.post_message(AnswerConfirmed())

    def raw(self) -> Any:
        if self.chosen is None or not 0 <= self.chosen < len(self.choices):
            return None
        return self.choices[self.chosen]


class MultiChoiceAnswer(SelectionList[str]):
    """Any number of options. Space ticks the highlighted one; Enter confirms."""

    BINDINGS = [Binding("enter", "confirm", "Далее", show=False)]

    def action_confirm(self) -> None:
        self.post_message(AnswerConfirmed())

    def raw(self) -> Any:
        order = [self.get_option_at_index(i).value for i in range(self.option_count)]
        chosen = set(self.selected)
        return [v for v in order if v in chosen]


def _label(q: Question, index: int, kiosk: bool) -> str:
    c = q.choices[index]
    return (c.label_client or c.label) if kiosk else c.label


def make_answer_widget(q: Question, value: Any, *, kiosk: bool = False) -> Widget:
    """The widget for ``q``, pre-filled with ``value`` (a typed answer or ``None``)."""
    wid = "answer"
    t = q.type
    classes = f"answer-{t.replace('_', '-')}"
    if t == "yes_no":
        chosen = None if value is None else (0 if value else 1)
        return ChoiceAnswer(["Да", "Нет"], [True, False], chosen, id=wid, classes=classes)
    if t == "choice":
        labels = [_label(q, i, kiosk) for i in range(len(q.choices))]
        values_ = q.choice_values
        chosen = values_.index(value) if value in values_ else None
        return ChoiceAnswer(labels, values_, chosen, id=wid, classes=classes)
    if t == "multi_choice":
        picked = set(value or [])
        return MultiChoiceAnswer(
            *[(Content(_label(q, i, kiosk)), c.value, c.value in picked) for i, c in enumerate(q.choices)],
            id=wid,
            classes=classes,
        )
    text = values.to_input_text(q, value)
    if t == "long_text":
        return LongTextAnswer(text, box_limit(q), q.placeholder or "", id=wid, classes=classes)
    if t == "date":
        return DateAnswer(text, id=wid, classes=classes)
    return TextAnswer(
        t,
        value=text,
        placeholder=q.placeholder or _PLACEHOLDER.get(t, ""),
        restrict=_RESTRICT.get(t),
        max_length=box_limit(q),
        id=wid,
        classes=classes,
    )
