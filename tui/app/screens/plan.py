"""The plan screen: the individual plan (Markdown), saving it to a file, back to start."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Markdown, Static

from tui.app.messages import GoHome
from tui.app.widgets.save_plan import SavePlanModal

if TYPE_CHECKING:
    from tui.engine.session import Session
    from tui.store import Store


def default_plan_path(session: Session) -> Path:
    return Path.cwd() / f"plan-{session.iid or 'без-номера'}.md"


class PlanScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+s", "save", "Сохранить в файл"),
        Binding("escape", "home", "На начальный экран"),
    ]

    def __init__(self, session: Session, store: Store, text: str, warning: str = "") -> None:
        super().__init__()
        self.session = session
        self.store = store
        self.text = text
        self.warning = warning

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="plan-status")
        with VerticalScroll(id="plan-scroll"):
            yield Markdown(self.text, id="plan")
        with Horizontal(id="buttons"):
            if not self.session.kiosk:
                yield Button("Сохранить в файл", id="save", variant="primary", compact=True,
                             action="screen.save")
            yield Button("Готово — на начальный экран", id="home", compact=True, action="screen.home")
        yield Footer()

    def on_mount(self) -> None:
        status = self.query_one("#plan-status", Static)
        if self.warning:
            status.update(Content(self.warning))
            status.add_class("-error")
        elif self.session.kiosk:
            status.update(
                "Ваш план готов и сохранён. Инспектор центра занятости распечатает его для вас."
            )
        else:
            status.update("План сформирован, интервью завершено. Прокрутка — ↑↓, PgUp, PgDn.")
        self.query_one("#plan-scroll").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save":
            return not self.session.kiosk
        return True

    def action_save(self) -> None:
        if self.session.kiosk:
            return
        self.app.push_screen(
            SavePlanModal(self.text, default_plan_path(self.session), self._record_save), self._saved
        )

    def _record_save(self) -> None:
        self.store.audit("save_plan", self.session.inspector, iid=self.session.iid)

    def _saved(self, path: Path | None) -> None:
        if path is None:
            return
        status = self.query_one("#plan-status", Static)
        status.remove_class("-error")
        status.update(Content(f"План сохранён: {path}"))
        self.notify(f"План сохранён: {path}", title="Готово", markup=False)

    def action_home(self) -> None:
        self.post_message(GoHome())
