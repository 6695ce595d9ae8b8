"""The review screen: every applicable question with its answer, and the groups found."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Header, Static

from tui.core.dates import plural

if TYPE_CHECKING:
    from tui.app.app import SobesednikApp
    from tui.core.session import Session

_QUESTION_WIDTH = 42
_ANSWER_WIDTH = 25


def shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


class ReviewScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+b", "back", "К вопросам"),
        Binding("ctrl+p", "plan", "Сформировать план"),
        Binding("escape", "leave", "Выйти"),
    ]

    app: SobesednikApp

    def __init__(self, session: Session, focus: str | None = None) -> None:
        super().__init__()
        self.session = session
        #: The question to put the cursor on (the one just answered), else the current one.
        self.focus_qid = focus or (session.current.id if session.current else None)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            "[b]Проверьте ответы.[/b] Изменить ответ — Enter или щелчок по строке.",
            id="review-lead",
        )
        yield Static(id="groups")
        table: DataTable[str] = DataTable(id="answers", cursor_type="row", zebra_stripes=True)
        table.add_column("№", key="n", width=3)
        table.add_column("Вопрос", key="question", width=_QUESTION_WIDTH)
        table.add_column("Ответ", key="answer", width=_ANSWER_WIDTH)
        yield table
        yield Static(id="detail")
        yield Static(id="status")
        with Horizontal(id="buttons"):
            yield Button("← К вопросам", id="back", compact=True)
            yield Button("Сформировать план", id="plan", variant="primary", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        s = self.session
        members = s.interview.classification.members
        if members:
            parts: list[str | tuple[str, str]] = [
                "Клиентская группа: " if len(members) == 1 else "Клиентские группы:"
            ]
            for g in members:
                parts += ["\n" if len(members) > 1 else "", (g.title, "bold"), f" — {g.reason}"]
            text = Content.assemble(*parts)
        else:
            text = Content("Клиентская группа не определена.")
        self.query_one("#groups", Static).update(text)
        table = self.query_one("#answers", DataTable)
        cursor = 0
        for i, q in enumerate(s.interview.questions):
            shown = s.display(q.id) if s.is_answered(q.id) else "(нет ответа)"
            table.add_row(
                str(i + 1),
                Text(shorten(q.wording(s.kiosk), _QUESTION_WIDTH)),
                Text(shorten(shown, _ANSWER_WIDTH)),
                key=q.id,
            )
            if q.id == self.focus_qid:
                cursor = i
        table.move_cursor(row=cursor)
        table.focus()
        self._update_status()

    def _update_status(self) -> None:
        answered, total = self.session.progress()
        status = self.query_one("#status", Static)
        complete = self.session.complete
        if complete:
            status.update(f"Отвечено на все вопросы ({total}). Можно сформировать план.")
        else:
            left = total - answered
            word = plural(left, "вопрос", "вопроса", "вопросов")
            status.update(f"Осталось ответить: {left} {word}. План формируется, когда ответы даны на все.")
        status.remove_class("-error")
        self.query_one("#plan", Button).disabled = not complete
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "plan":
            return True if self.session.complete else None
        return True

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_leave(self) -> None:
        self.app.leave_interview(self.session)

    def action_plan(self) -> None:
        if not self.session.complete:
            return
        error = self.app.show_plan(self.session)
        if error:
            status = self.query_one("#status", Static)
            status.update(Content(error))
            status.add_class("-error")
            self.notify(error, title="План не сформирован", severity="error", timeout=10, markup=False)

    @on(DataTable.RowHighlighted, "#answers")
    def _show_detail(self, event: DataTable.RowHighlighted) -> None:
        """The highlighted question and its answer in full (the table cuts them short)."""
        qid = event.row_key.value
        if qid is None:
            return
        s = self.session
        q = s.interview.question(qid)
        shown = s.display(qid) if s.is_answered(qid) else "нет ответа"
        self.query_one("#detail", Static).update(
            Content.assemble(q.wording(s.kiosk), " — ", (shown, "bold"))
        )

    @on(DataTable.RowSelected, "#answers")
    def _question_selected(self, event: DataTable.RowSelected) -> None:
        qid = event.row_key.value
        if qid is None:
            return
        try:
            self.session.goto(qid)
        except KeyError:
            return
        self.app.pop_screen()

    @on(Button.Pressed, "#back")
    def _back_pressed(self) -> None:
        self.action_back()

    @on(Button.Pressed, "#plan")
    def _plan_pressed(self) -> None:
        self.action_plan()
