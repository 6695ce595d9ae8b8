"""A yes/no question in a modal window."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmModal(ModalScreen[bool]):
    """Asks ``question``; returns ``True`` when the person confirms."""

    BINDINGS = [
        Binding("escape", "cancel", "Отмена"),
        Binding("left", "app.focus_previous", show=False),
        Binding("right", "app.focus_next", show=False),
    ]

    def __init__(self, question: str, confirm: str, cancel: str = "Отмена") -> None:
        super().__init__()
        self.question = question
        self.confirm_label = confirm
        self.cancel_label = cancel

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog"):
            yield Static(Content(self.question), id="confirm-question")
            with Horizontal(id="confirm-buttons"):
                yield Button(self.cancel_label, id="cancel", compact=True, action="screen.cancel")
                yield Button(self.confirm_label, id="confirm", variant="error", compact=True,
                             action="screen.confirm")

    def on_mount(self) -> None:
        # The safe answer has the focus: Enter alone never deletes anything.
        self.query_one("#cancel", Button).focus()

    def action_cancel(self) -> None:
        self.dismiss(False)

    def action_confirm(self) -> None:
        self.dismiss(True)
