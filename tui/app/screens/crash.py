"""The calm screen after an unexpected error: what happened to the answers, and a way on.

It never shows the error itself (its message may hold what a client said) and never
anything of the interview: only whether the answers are kept and where the administrator
finds the details. At a kiosk it goes back to the start by itself after a countdown.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import Button, Static

from tui import crashlog

#: What the screen returns: go on with the interview, or go to the start screen.
CONTINUE = "continue"
HOME = "home"


class CrashScreen(ModalScreen[str]):
    BINDINGS = [
        Binding("escape", "home", "На начальный экран"),
        Binding("left", "app.focus_previous", show=False),
        Binding("right", "app.focus_next", show=False),
    ]

    def __init__(self, *, kiosk: bool, saved: bool, log: Path | None, countdown: int) -> None:
        """``saved``: an interview was open and had stored answers (consent was given)."""
        super().__init__()
        self.kiosk = kiosk
        self.saved = saved
        self.can_continue = saved and not kiosk
        self.log_path = log
        self.left = countdown
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="crash-dialog"):
            yield Static(Content.styled("Что-то пошло не так.", "bold"), id="crash-title")
            yield Static(Content(self._text()), id="crash-text")
            if self.kiosk:
                yield Static(id="crash-countdown")
            with Horizontal(id="crash-buttons"):
                if self.can_continue:
                    yield Button("Продолжить интервью", id="continue", variant="primary", compact=True,
                                 action="screen.continue")
                yield Button("На начальный экран", id="home", compact=True, action="screen.home")

    def _text(self) -> str:
        if self.kiosk:
            kept = ("Ваши ответы сохранены. Ответ на вопрос, открытый в этот момент, мог не "
                    "сохраниться." if self.saved else "Ничего из ваших ответов не сохранено.")
            return f"{kept} Обратитесь, пожалуйста, к сотруднику центра занятости."
        lines = ["Ответы, которые уже приняты, сохранены; ответ на вопрос, открытый в этот "
                 "момент, мог не сохраниться." if self.saved else
                 "Интервью не было открыто или прервано до согласия клиента: ничего не сохранялось."]
        if self.can_continue:
            lines.append("Интервью можно продолжить: программа откроет его заново.")
        if self.log_path is not None:
            lines.append(f"{crashlog.written_to(self.log_path)}. Сообщите о ней администратору.")
        else:
            lines.append("Записать сведения об ошибке в журнал не удалось. Сообщите о ней администратору.")
        return "\n\n".join(lines)

    def on_mount(self) -> None:
        self.query_one("#continue" if self.can_continue else "#home", Button).focus()
        if self.kiosk:
            self._tick_text()
            self._timer = self.set_interval(1.0, self._tick)

    def _tick(self) -> None:
        self.left -= 1
        if self.left <= 0:
            self.action_home()
        else:
            self._tick_text()

    def _tick_text(self) -> None:
        self.query_one("#crash-countdown", Static).update(
            f"Через {self.left} с экран вернётся к началу."
        )

    def action_continue(self) -> None:
        if self.can_continue:
            self._stop()
            self.dismiss(CONTINUE)

    def action_home(self) -> None:
        self._stop()
        self.dismiss(HOME)

    def _stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None


class OutOfOrderScreen(Screen[None]):
    """A kiosk that fails again and again: nothing but a notice, until the safety net
    tries a fresh start (:meth:`tui.app.safety.SafetyNet.retry`)."""

    def compose(self) -> ComposeResult:
        with Vertical(id="crash-dialog"):
            yield Static(Content.styled("Терминал временно не работает.", "bold"), id="crash-title")
            yield Static("Обратитесь, пожалуйста, к сотруднику центра занятости. Ваши ответы, "
                         "которые уже были приняты, сохранены.", id="crash-text")
