"""The plan screen: the individual plan (Markdown), saving it to a file, back to start."""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Header, Input, Markdown, Static

if TYPE_CHECKING:
    from tui.app.app import SobesednikApp
    from tui.engine.session import Session


def default_plan_path(session: Session) -> Path:
    return Path.cwd() / f"plan-{session.iid or 'без-номера'}.md"


def _os_error_message(exc: OSError, path: Path) -> str:
    if exc.errno == errno.ENOSPC:
        return f"Диск заполнен: не удалось записать {path}."
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"Нет прав на запись: {path}."
    if exc.errno == errno.ENOENT:
        return f"Нет такого каталога: {path.parent}."
    return f"Не удалось записать {path}: {exc.strerror or exc}."


class SavePlanModal(ModalScreen[Path | None]):
    """Asks where to save the plan and saves it; returns the path, or ``None`` if cancelled.

    ``record`` is called before the file is written (the audit trail: a plan taken out of
    the store is personal data leaving it); if it raises :class:`StoreError` nothing is
    written and the dialog says why."""

    BINDINGS = [Binding("escape", "cancel", "Отмена")]

    def __init__(self, text: str, path: Path, record: Callable[[], None] | None = None) -> None:
        super().__init__()
        self.text = text
        self.path = path
        self.record = record

    def compose(self) -> ComposeResult:
        with Vertical(id="save-dialog"):
            yield Static("[b]Сохранить план в файл[/b]", id="save-title")
            yield Static("Путь к файлу (можно изменить):", id="save-label")
            yield Input(str(self.path), id="save-path")
            yield Static(id="save-error")
            with Horizontal(id="save-buttons"):
                yield Button("Сохранить", id="save", variant="primary", compact=True)
                yield Button("Отмена", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#save-error").display = False
        self.query_one("#save-path", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#save-path")
    @on(Button.Pressed, "#save")
    def _save_requested(self) -> None:
        from tui.fs import atomic_write
        from tui.store import StoreError

        raw = self.query_one("#save-path", Input).value.strip()
        error = self.query_one("#save-error", Static)
        if not raw:
            error.update("Укажите имя файла.")
            error.display = True
            return
        path = Path(raw).expanduser()
        if path.is_dir():
            path = path / self.path.name
        try:
            if self.record is not None:
                self.record()
        except StoreError as exc:
            error.update(Content(f"План не сохранён. {exc}"))
            error.display = True
            return
        try:
            atomic_write(path, self.text)
        except OSError as exc:
            error.update(Content(f"План не сохранён. {_os_error_message(exc, path)}"))
            error.display = True
            return
        self.dismiss(path.resolve())


class PlanScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+s", "save", "Сохранить в файл"),
        Binding("escape", "home", "На начальный экран"),
    ]

    app: SobesednikApp

    def __init__(self, session: Session, text: str, warning: str = "") -> None:
        super().__init__()
        self.session = session
        self.text = text
        self.warning = warning

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="plan-status")
        with VerticalScroll(id="plan-scroll"):
            yield Markdown(self.text, id="plan")
        with Horizontal(id="buttons"):
            if not self.session.kiosk:
                yield Button("Сохранить в файл", id="save", variant="primary", compact=True)
            yield Button("Готово — на начальный экран", id="home", compact=True)
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
        self.app.store.audit("save_plan", self.session.inspector, iid=self.session.iid)

    def _saved(self, path: Path | None) -> None:
        if path is None:
            return
        status = self.query_one("#plan-status", Static)
        status.remove_class("-error")
        status.update(Content(f"План сохранён: {path}"))
        self.notify(f"План сохранён: {path}", title="Готово", markup=False)

    def action_home(self) -> None:
        self.app.go_home()

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#home")
    def _home_pressed(self) -> None:
        self.action_home()
