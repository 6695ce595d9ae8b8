"""Saving a plan to a file: a modal that asks where, and says why when it cannot."""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static


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
                yield Button("Сохранить", id="save", variant="primary", compact=True, action="screen.save")
                yield Button("Отмена", id="cancel", compact=True, action="screen.cancel")

    def on_mount(self) -> None:
        self.query_one("#save-error").display = False
        self.query_one("#save-path", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#save-path")
    def _path_submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        """Record that the plan leaves the store, then write it where the inspector said."""
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
