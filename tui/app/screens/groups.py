"""The group confirmation screen: the inspector checks the client groups the rules found.

Shown at the desk (never at a kiosk) once the profile is complete, and again whenever a
changed answer changes what the rules find. Every group of the bundle is listed, one line
each: found (✓), undecided (?: the inspector decides), near misses (·), the rest dimmed,
and last a group not assessed (–: the client did not consent to the data it is), which
cannot be added. The highlighted group's full reason is shown below the list. The inspector may
include a group the rules did not find or exclude one they did, with a reason that is kept
(:meth:`~tui.engine.session.Session.confirm_groups`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Header, Input, Label, Static

from tui.app.messages import BackToQuestions, GroupsConfirmed, LeaveInterview
from tui.app.widgets.text import shorten
from tui.engine.rules import ADD, IN, NOT_ASSESSED, REMOVE, UNDECIDED, GroupResult
from tui.store import StoreError

if TYPE_CHECKING:
    from tui.engine.session import Session

_TITLE_WIDTH = 49
_STATE_WIDTH = 20

#: The inspector's decision on a group: in it, not in it, or (an undecided group) not yet.
INCLUDED, EXCLUDED = "in", "out"

LEAD = (
    "[b]Проверьте группы клиента.[/b] Пробел или Enter — включить/исключить (или + и −). "
    "Если решение расходится с правилами, укажите причину."
)


def _rank(r: GroupResult) -> int:
    if r.status == IN:
        return 0
    if r.status == UNDECIDED:
        return 1
    if r.status == NOT_ASSESSED:
        return 4
    return 2 if r.near_miss else 3


class GroupsScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+n", "confirm", "Подтвердить"),
        Binding("ctrl+b", "back", "К вопросам"),
        Binding("escape", "leave", "Выйти"),
        Binding("space", "switch", "Включить/исключить", show=False),
        Binding("plus,equals_sign", "include", "Включить", show=False),
        Binding("minus", "exclude", "Исключить", show=False),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        results = session.interview.classification.results
        self.results = sorted(results, key=_rank)
        # Reopened after a confirmation the facts still agree with (not a first one).
        reopened = session.confirmed_groups == session.computed_groups()
        self.decision: dict[str, str | None] = {}
        self.reasons: dict[str, str] = {}
        for r in self.results:
            if r.status == NOT_ASSESSED:
                # Never in it: an override kept from before a withdrawn consent counts for nothing.
                self.decision[r.id] = EXCLUDED
            elif r.override is not None:
                self.decision[r.id] = INCLUDED if r.override.action == ADD else EXCLUDED
                self.reasons[r.id] = r.override.reason
            elif r.status == UNDECIDED:
                # A first confirmation asks for a decision; a reopened one keeps «not in it».
                self.decision[r.id] = EXCLUDED if reopened else None
            else:
                self.decision[r.id] = INCLUDED if r.computed_member else EXCLUDED
        self._highlighted: str | None = None

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(LEAD, id="groups-lead")
        yield Static(self._change_text(), id="groups-change")
        table: DataTable[Text] = DataTable(id="group-list", cursor_type="row")
        table.add_column("", key="mark", width=1)
        table.add_column("Клиентская группа", key="title", width=_TITLE_WIDTH)
        table.add_column("Решение", key="state", width=_STATE_WIDTH)
        yield table
        yield Static(id="group-detail")
        with Horizontal(id="reason-row"):
            yield Label("Причина:", id="reason-label")
            yield Input(id="group-reason", compact=True, max_length=300)
        yield Static(id="groups-error")
        with Horizontal(id="buttons"):
            yield Button("Подтвердить", id="confirm", variant="primary", compact=True,
                         action="screen.confirm")
            yield Button("+ Включить", id="include", compact=True, action="screen.include")
            yield Button("− Исключить", id="exclude", compact=True, action="screen.exclude")
            yield Button("← К вопросам", id="back", compact=True, action="screen.back")
        yield Footer()

    def _change_text(self) -> Content:
        """After a changed answer: which groups the rules found or lost since the last
        confirmation."""
        before = self.session.confirmed_groups
        if before is None:
            return Content("")
        now = self.session.computed_groups()
        titles = {r.id: r.title for r in self.results}
        gained = [titles[g] for g in now if g not in before and g in titles]
        lost = [titles[g] for g in before if g not in now and g in titles]
        parts: list[str] = []
        if gained:
            parts.append("теперь найдены: " + ", ".join(gained))
        if lost:
            parts.append("больше не найдены: " + ", ".join(lost))
        if not parts:
            return Content("")
        return Content("Ответы изменились — " + "; ".join(parts) + ".")

    def on_mount(self) -> None:
        self.query_one("#groups-change").display = bool(self._change_text())
        table = self.query_one("#group-list", DataTable)
        for r in self.results:
            table.add_row(*self._cells(r), key=r.id)
        undecided = [i for i, r in enumerate(self.results) if self.decision[r.id] is None]
        self._highlighted = self.results[undecided[0] if undecided else 0].id if self.results else None
        table.move_cursor(row=undecided[0] if undecided else 0)
        self.show_error("")
        self._show_detail()
        table.focus()

    # ------------------------------------------------------------------ state

    def result(self, gid: str) -> GroupResult:
        return next(r for r in self.results if r.id == gid)

    def changed(self, gid: str) -> bool:
        """The decision differs from what the rules found: it needs a reason."""
        decision = self.decision.get(gid)
        return decision is not None and (decision == INCLUDED) != self.result(gid).computed_member

    def decisions(self) -> dict[str, tuple[str, str]]:
        """What :meth:`Session.confirm_groups` takes: each changed group with its reason."""
        return {
            r.id: (ADD if self.decision[r.id] == INCLUDED else REMOVE, self.reasons.get(r.id, ""))
            for r in self.results
            if self.changed(r.id)
        }

    def state_text(self, r: GroupResult) -> tuple[str, str, str]:
        """(mark, short state, style) of a group's row."""
        decision = self.decision[r.id]
        if self.changed(r.id):
            if decision == INCLUDED:
                return "+", "добавлена вручную", "bold"
            return "✗", "исключена вручную", "bold"
        if r.status == IN:
            return "✓", "найдена", "bold"
        if r.status == NOT_ASSESSED:
            return "–", "не оценивалась", "dim"
        if r.status == UNDECIDED:
            if decision is None:
                return "?", "решите: + или −", "bold italic"
            return "−", "не включена", ""
        if r.near_miss:
            return "·", "не найдена (близко)", ""
        return " ", "не найдена", "dim"

    def _cells(self, r: GroupResult) -> tuple[Text, Text, Text]:
        mark, state, style = self.state_text(r)
        return (
            Text(mark, style=style),
            Text(shorten(r.title, _TITLE_WIDTH), style=style),
            Text(state, style=style),
        )

    def _refresh_row(self, gid: str) -> None:
        table = self.query_one("#group-list", DataTable)
        mark, title, state = self._cells(self.result(gid))
        table.update_cell(gid, "mark", mark)
        table.update_cell(gid, "title", title)
        table.update_cell(gid, "state", state)

    def _show_detail(self) -> None:
        """The highlighted group's full reason, and the reason box for its decision."""
        gid = self._highlighted
        detail = self.query_one("#group-detail", Static)
        reason_box = self.query_one("#group-reason", Input)
        include = self.query_one("#include", Button)
        exclude = self.query_one("#exclude", Button)
        if gid is None:
            detail.update("")
            reason_box.disabled = True
            include.disabled = exclude.disabled = True
            return
        r = self.result(gid)
        if r.status == IN:
            found = "найдена по правилам"
        elif r.status == UNDECIDED:
            found = "правила не решают, решение за инспектором"
        elif r.status == NOT_ASSESSED:
            found = "не оценивалась, добавить нельзя"
        elif r.near_miss:
            found = "не найдена, но близко"
        else:
            found = "не найдена по правилам"
        parts: list[str | tuple[str, str]] = [(r.title, "bold"), f": {found}."]
        if r.reason:
            parts.append(f"\n{r.reason}")
        if r.source:
            parts.append((f"\nОснование: {r.source}.", "italic"))
        detail.update(Content.assemble(*parts))
        decision = self.decision[gid]
        include.disabled = decision == INCLUDED or r.status == NOT_ASSESSED
        exclude.disabled = decision == EXCLUDED
        needed = self.changed(gid)
        reason_box.disabled = not needed
        with reason_box.prevent(Input.Changed):
            reason_box.value = self.reasons.get(gid, "") if needed else ""
        if needed:
            why = "добавлена" if decision == INCLUDED else "исключена"
            reason_box.placeholder = f"почему группа {why} (обязательно), Enter — к списку"
        else:
            reason_box.placeholder = "не нужна: решение совпадает с правилами"

    def show_error(self, message: str) -> None:
        error = self.query_one("#groups-error", Static)
        error.update(Content(message))
        error.display = bool(message)

    # ------------------------------------------------------------------ deciding

    def _decide(self, decision: str | None) -> None:
        gid = self._highlighted
        if gid is None:
            return
        current = self.decision[gid]
        if decision is None:  # toggle
            decision = EXCLUDED if current == INCLUDED else INCLUDED
        if decision == current:
            return
        refusal = self.result(gid).cannot_add() if decision == INCLUDED else None
        if refusal is not None:
            self.show_error(refusal)
            return
        self.decision[gid] = decision
        self._refresh_row(gid)
        self.show_error("")
        self._show_detail()
        if self.changed(gid) and not self.reasons.get(gid, "").strip():
            # A decision against the rules needs a reason: type it right away.
            self.query_one("#group-reason", Input).focus()

    def action_switch(self) -> None:
        """Include the highlighted group if it is excluded, exclude it if it is included."""
        self._decide(None)

    def action_include(self) -> None:
        self._decide(INCLUDED)

    def action_exclude(self) -> None:
        self._decide(EXCLUDED)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("switch", "include", "exclude"):
            # Typed into the reason box, these keys are letters of the reason.
            return not isinstance(self.focused, Input)
        return True

    def _go_to(self, gid: str) -> None:
        table = self.query_one("#group-list", DataTable)
        table.move_cursor(row=table.get_row_index(gid))
        self._highlighted = gid
        self._show_detail()

    def action_confirm(self) -> None:
        pending = [r for r in self.results if self.decision[r.id] is None]
        if pending:
            r = pending[0]
            self._go_to(r.id)
            self.query_one("#group-list", DataTable).focus()
            self.show_error(
                f"Решите по группе «{r.title}»: включить (+) или не включать (−)."
            )
            return
        try:
            self.session.confirm_groups(self.decisions())
        except ValueError as exc:
            self.show_error(str(exc))
            missing = [gid for gid in self.decisions() if not self.reasons.get(gid, "").strip()]
            if missing:
                self._go_to(missing[0])
                self.query_one("#group-reason", Input).focus()
            return
        except StoreError as exc:
            self.show_error(f"Решение НЕ сохранено. {exc}")
            self.notify(str(exc), title="Не сохранено", severity="error", timeout=10, markup=False)
            return
        self.post_message(GroupsConfirmed())

    def action_back(self) -> None:
        self.session.back_to_profile()
        self.post_message(BackToQuestions())

    def action_leave(self) -> None:
        self.post_message(LeaveInterview())

    # ------------------------------------------------------------------ events

    @on(DataTable.RowHighlighted, "#group-list")
    def _highlight(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            self._highlighted = event.row_key.value
            self._show_detail()

    @on(DataTable.RowSelected, "#group-list")
    def _selected(self, event: DataTable.RowSelected) -> None:
        # Enter, or a click on the row already highlighted.
        if event.row_key.value is not None:
            self._highlighted = event.row_key.value
            self.action_switch()

    @on(Input.Changed, "#group-reason")
    def _reason_typed(self, event: Input.Changed) -> None:
        if self._highlighted is not None and self.changed(self._highlighted):
            self.reasons[self._highlighted] = event.value
            self.show_error("")

    @on(Input.Submitted, "#group-reason")
    def _reason_done(self) -> None:
        self.query_one("#group-list", DataTable).focus()
