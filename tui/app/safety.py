"""The app's safety net: an unexpected exception anywhere in the app ends on a calm
screen, not on a traceback.

Textual's own handling prints the traceback with local variables to the terminal and
exits; on a resumed interview those locals are the client's name, birth date, phone and
health answers, and at a kiosk the next person reads them. Instead:

1. the exception is written to the error log in the data directory (:mod:`tui.crashlog`:
   code locations only, no messages, no values);
2. the interview is let go (its answers are in the store already: each is saved the
   moment it is given), every screen above the start screen is closed — the failed one
   cannot take messages any more — and :class:`~tui.app.screens.crash.CrashScreen` says
   what became of the answers and offers to go on with the interview;
3. errors that come again and again, or before the app has a screen, end the app with one
   calm line on the terminal that says where the log is.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from tui import crashlog

if TYPE_CHECKING:
    from pathlib import Path

    from tui.app.app import SobesednikApp

#: More errors than this within :data:`_WINDOW` seconds: the app stops instead of looping.
_MAX_ERRORS = 3
_WINDOW = 60.0
#: Seconds a kiosk shows the error screen before going back to the start.
KIOSK_COUNTDOWN = 10


class SafetyNet:
    def __init__(self, app: SobesednikApp) -> None:
        self.app = app
        self._times: list[float] = []
        self._recovering = False
        self._stopped = False
        #: Why the app stopped, for the terminal (empty unless :meth:`stop` ran).
        self.exit_message = ""
        #: Seconds a kiosk shows the error screen before going back to the start.
        self.countdown = KIOSK_COUNTDOWN

    def caught(self, error: Exception) -> None:
        """Log ``error``, then recover on the error screen, or stop the app calmly."""
        app = self.app
        log = crashlog.write(app.store.root, error, self._context())
        now = time.monotonic()
        self._times = [t for t in self._times if now - t < _WINDOW] + [now]
        if self._recovering or len(self._times) > _MAX_ERRORS or not app.is_running or not app.screen_stack:
            self.stop(error, log)
            return
        self._recovering = True
        iid = app.session.iid if app.session is not None else None
        app.call_later(self._recover, iid, log, error)

    def _context(self) -> str:
        app = self.app
        screen = type(app.screen_stack[-1]).__name__ if app.screen_stack else "до первого экрана"
        return f"{'киоск' if app.kiosk else 'рабочее место'}, {screen}"

    async def _recover(self, iid: str | None, log: Path | None, error: Exception) -> None:
        from tui.app.screens.crash import CrashScreen
        from tui.app.screens.start import StartScreen

        app = self.app
        try:
            app.release_session()
            while len(app.screen_stack) > 1:
                await app.pop_screen()
            if not app.screen.is_running:  # the start screen itself failed: a new one
                await app.switch_screen(StartScreen(app.place))
            screen = CrashScreen(kiosk=app.kiosk, saved=iid is not None, log=log,
                                 countdown=self.countdown)
            app.push_screen(screen, callback=lambda choice: app.after_crash(choice, iid))
        except Exception as again:  # the net itself tore: stop calmly
            crashlog.write(app.store.root, again, self._context())
            self.stop(error, log)
        finally:
            self._recovering = False

    def stop(self, error: BaseException, log: Path | None) -> None:
        """End the app with a few calm lines instead of a traceback (once: the errors of
        the closing app after it are only logged)."""
        if self._stopped:
            return
        self._stopped = True
        app = self.app
        lines = [
            f"Собеседник остановлен из-за внутренней ошибки ({crashlog.where(error)}).",
            "Принятые ответы сохранены. Сообщите об ошибке администратору.",
        ]
        if log is not None:
            lines.append(f"Сведения об ошибке (без данных клиента) записаны в журнал: {log}")
        # Printed by SobesednikApp.run once the terminal is back, unwrapped: the log's path
        # is copied from here.
        self.exit_message = "\n".join(lines)
        app.exit(return_code=1)
