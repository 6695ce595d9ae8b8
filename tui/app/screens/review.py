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

from tui.app.messages import FinishInterview, LeaveInterview, ShowGroups
from tui.app.widgets.text import shorten
from tui.engine.dates import plural
from tui.engine.rules import NOT_ASSESSED

if TYPE_CHECKING:
    from tui.engine.session import Session

_QUESTION_WIDTH = 42
_ANSWER_WIDTH = 25


def groups_text(session: Session) -> Content:
    """The client's groups with their reasons, and the inspector's additions and removals.
    Several groups take a line each (cut short on screen; the confirmation shows them whole)."""
    results = session.interview.classification.results
    members = [r for r in results if r.member]
    removed = [] if session.kiosk else [
        r for r in results if r.override is not None and not r.member and r.status != NOT_ASSESSED
    ]
    shown = members + removed
    parts: list[str | tuple[str, str]] = []
    if not shown:
        parts.append("Клиентская группа не определена.")
    else:
        single = len(shown) == 1
        parts.append("Клиентская группа: " if single else "Клиентские группы:")
        for g in shown:
            if g.override is not None and g.member:
                why = f"добавлена инспектором: {g.override.reason}"
            elif g.override is not None:
                why = f"исключена инспектором: {g.override.reason}"
            else:
                why = g.reason
            mark = "✓ " if g.member else "✗ "
            title = (g.title, "bold") if g.member else (g.title, "strike")
            parts += ["" if single else "\n" + mark, title, f" — {why}" if why else ""]
    if session.needs_group_confirmation:
        parts.append(("\nГруппы не подтверждены инспектором: Ctrl+G — подтвердить.", "bold"))
    return Content.assemble(*parts)


class ReviewScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+b", "back", "К вопросам"),
        Binding("ctrl+g", "groups", "Группы"),
        Binding("ctrl+p", "plan", "План"),
        Binding("escape", "leave", "Выйти"),
    ]

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
            yield Button("← К вопросам", id="back", compact=True, action="screen.back")
            if not self.session.kiosk:
                yield Button("Группы", id="groups-button", compact=True, action="screen.groups")
            yield Button("Сформировать план", id="plan", variant="primary", compact=True,
                         action="screen.plan")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_view()
        self.query_one("#answers", DataTable).focus()

    def on_screen_resume(self) -> None:
        # Back from the group confirmation: the groups, and so the questions, may differ.
        if self.is_current and self.is_mounted:
            self.refresh_view()

    def refresh_view(self) -> None:
        s = self.session
        groups = self.query_one("#groups", Static)
        groups.update(groups_text(s))
        results = s.interview.classification.results
        groups.set_class(sum(1 for r in results if r.member or r.override is not None) > 1, "-many")
        table = self.query_one("#answers", DataTable)
        if table.row_count:
            keep = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            self.focus_qid = keep if s.interview.is_applicable(keep or "") else self.focus_qid
        table.clear()
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
        self._update_status()

    def _update_status(self) -> None:
        answered, total = self.session.progress()
        status = self.query_one("#status", Static)
        complete = self.session.complete
        if complete and self.session.needs_group_confirmation:
            status.update(f"Отвечено на все вопросы ({total}). Перед планом подтвердите группы (Ctrl+G).")
        elif complete:
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
        if action == "groups":
            return not self.session.kiosk and self.session.interview.profile_complete
        return True

    def action_back(self) -> None:
        self.dismiss()

    def action_leave(self) -> None:
        self.post_message(LeaveInterview())

    def action_groups(self) -> None:
        if not self.session.kiosk:
            self.post_message(ShowGroups())

    def action_plan(self) -> None:
        if not self.session.complete:
            return
        if self.session.needs_group_confirmation:
            # The groups decide the plan: the inspector confirms them first.
            self.post_message(ShowGroups())
            return
        self.post_message(FinishInterview())

    def plan_failed(self, error: str) -> None:
        """The plan could not be made: say why here, where the inspector asked for it."""
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
        self.dismiss()
