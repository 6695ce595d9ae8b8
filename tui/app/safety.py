"""The app's safety net: an unexpected exception anywhere in the app ends on a calm
screen, not on a traceback.

Textual's own handling prints the traceback with local variables to the terminal and
exits; on a resumed interview those locals are the client's name, birth date, phone and
health answers, and at a kiosk the next person reads them. Instead:

1. the exception is written to the error log in the data directory (:mod:`tui.crashlog`:
   code locations only, no messages, no values);
2. the interview is let go (its answers are in the store already: each is saved the
   moment it is given), every screen is closed and a fresh start screen made — the failed
   screen, or a widget on it, cannot take messages any more — and
   :class:`~tui.app.screens.crash.CrashScreen` says what became of the answers and offers
   to go on with the interview;
3. errors that come again and again end the app at the desk with three calm lines on the
   terminal that say where the log is; a kiosk never ends (its exit would leave a terminal,
   perhaps a shell, in a public hall): it shows «Терминал временно не работает» and tries
   a fresh start a minute later. Only an error before the first screen ends a kiosk (the
   service that runs it starts it again: ``docs/security.md``).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from tui import crashlog

if TYPE_CHECKING:
    from pathlib import Path

    from textual.screen import Screen

    from tui.app.app import SobesednikApp

#: The depth of the screen stack at the start screen (an empty base, then the start).
HOME = 2
#: More errors than this within :data:`_WINDOW` seconds: the app stops instead of looping.
_MAX_ERRORS = 3
_WINDOW = 60.0
#: Seconds a kiosk shows the error screen before going back to the start.
KIOSK_COUNTDOWN = 10
#: Seconds a kiosk out of order waits before it tries its start screen again.
KIOSK_RETRY = 60


class SafetyNet:
    def __init__(self, app: SobesednikApp) -> None:
        self.app = app
        self._times: list[float] = []
        #: A recovery or a retry is under way; an error meanwhile is kept in ``_again``.
        self._busy = False
        self._again: tuple[BaseException, Path | None] | None = None
        self._out_of_order = False
        self._stopped = False
        #: Why the app stopped, for the terminal (empty unless :meth:`stop` ran).
        self.exit_message = ""
        #: Seconds a kiosk shows the error screen before going back to the start.
        self.countdown = KIOSK_COUNTDOWN
        #: A kiosk failing again and again shows «не работает» (never exits); it tries a
        #: fresh start after this many seconds.
        self.retry_seconds = KIOSK_RETRY

    def caught(self, error: Exception) -> None:
        """Log ``error``, then recover on the error screen, or stop the app calmly."""
        try:
            self._caught(error)
        except Exception as torn:  # the net itself failed: the last resort is to end calmly
            crashlog.write(self.app.store.root, torn, "сбой защиты от ошибок")
            self.stop(error, None)

    def _caught(self, error: Exception) -> None:
        app = self.app
        log = crashlog.write(app.store.root, error, self._context())
        now = time.monotonic()
        self._times = [t for t in self._times if now - t < _WINDOW] + [now]
        if self._out_of_order:
            return  # a kiosk already shows «не работает»: the log is enough
        if not app.is_running or not app.screen_stack:
            self.stop(error, log)  # before the first screen: nothing to go back to
        elif self._busy:
            self._again = (error, log)  # the recovery under way sees it when it is done
        elif len(self._times) > _MAX_ERRORS:
            self._give_up(error, log)
        else:
            self._busy = True
            iid = app.session.iid if app.session is not None else None
            app.call_later(self._recover, iid, log)

    def _context(self) -> str:
        app = self.app
        screen = type(app.screen_stack[-1]).__name__ if app.screen_stack else "до первого экрана"
        return f"{'киоск' if app.kiosk else 'рабочее место'}, {screen}"

    def _give_up(self, error: BaseException, log: Path | None) -> None:
        """Errors again and again: the desk stops; a kiosk never ends (its exit would leave
        a terminal, perhaps a shell, in a public hall): it is out of order for a while."""
        if self.app.kiosk:
            self._out_of_order = True
            self.app.call_later(self._show_out_of_order)
        else:
            self.stop(error, log)

    async def _recover(self, iid: str | None, log: Path | None) -> None:
        from tui.app.screens.crash import CrashScreen

        app = self.app
        await self._guarded(self._fresh_start)
        if self._again is None:
            screen = CrashScreen(kiosk=app.kiosk, saved=iid is not None, log=log, countdown=self.countdown)
            app.push_screen(screen, callback=lambda choice: app.after_crash(choice, iid))
        self._settle()

    async def retry(self) -> None:
        """After a while out of order, try the start screen again (the cause may be gone:
        a full disk freed, a folder's rights mended)."""
        self._times.clear()
        self._out_of_order = False
        self._busy = True
        await self._guarded(self._fresh_start)
        self._settle()

    async def _guarded(self, step: Callable[[], Awaitable[None]]) -> None:
        try:
            await step()
        except Exception as torn:
            log = crashlog.write(self.app.store.root, torn, self._context())
            self._again = self._again or (torn, log)

    def _settle(self) -> None:
        """A recovery or retry is done: if it failed in turn, give up for now."""
        self._busy = False
        if self._again is not None:
            error, log = self._again
            self._again = None
            self._give_up(error, log)

    async def _fresh_start(self) -> None:
        """Let the interview go and close every screen; a new start screen: the old one,
        or a widget on it, may be the one whose message loop the error ended."""
        from tui.app.screens.start import StartScreen

        await self._replace_all(StartScreen(self.app.place))

    async def _show_out_of_order(self) -> None:
        """A kiosk failing again and again: «Терминал временно не работает» until it tries
        a fresh start (:meth:`retry`)."""
        from tui.app.screens.crash import OutOfOrderScreen

        with contextlib.suppress(Exception):
            await self._replace_all(OutOfOrderScreen())
        # The app's timer, not the screen's: the retry closes that screen (and its timers).
        self.app.set_timer(self.retry_seconds, self.retry)

    async def _replace_all(self, screen: Screen[Any]) -> None:
        """Every screen above the empty base closed, ``screen`` in their place."""
        app = self.app
        with contextlib.suppress(Exception):  # the interview may be what failed: go on anyway
            app.release_session()
        for _ in range(len(app.screen_stack) - HOME):
            await app.pop_screen()
        if len(app.screen_stack) == HOME:
            await app.switch_screen(screen)
        else:  # the start screen was never pushed
            await app.push_screen(screen)

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
            lines.append(crashlog.written_to(log))
        # Printed by SobesednikApp.run once the terminal is back, unwrapped: the log's path
        # is copied from here.
        self.exit_message = "\n".join(lines)
        app.exit(return_code=1)
