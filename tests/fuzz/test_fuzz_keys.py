"""Random keys, clicks and pastes against the desk and the kiosk (issue 10).

Whatever arrives, on whichever screen it starts, the app stays up and never raises. The number of
keys per run is ``SOBESEDNIK_FUZZ_KEYS`` (``make fuzz`` sets a large one); the seed is
fixed, so a failure here is repeatable, and ``SOBESEDNIK_FUZZ_SEED`` tries other walks.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import Awaitable, Callable

import pytest
from textual import events
from textual.pilot import Pilot

from tests.app.test_app import MOTHER, SIZE
from tests.helpers import bundle, draft_interview, finish, until
from tui.app.app import SobesednikApp
from tui.app.messages import ShowFinished
from tui.app.screens.question import QuestionScreen
from tui.engine.session import Session
from tui.store.store import Store

KEYS_PER_RUN = int(os.environ.get("SOBESEDNIK_FUZZ_KEYS", "250"))
SEED = int(os.environ.get("SOBESEDNIK_FUZZ_SEED", "20261202"))

#: What people press: navigation, the app's bindings, editing keys, letters in both
#: alphabets, digits and punctuation. Enter and Ctrl+N come often: they move on.
_KEYS = (
    ["enter"] * 6 + ["ctrl+n"] * 4 + ["down"] * 4 + ["up"] * 2 + ["space"] * 2
    + ["tab", "shift+tab", "left", "right", "home", "end", "backspace", "delete", "escape",
       "ctrl+b", "ctrl+r", "ctrl+g", "ctrl+p", "ctrl+s", "ctrl+d", "ctrl+f", "ctrl+e", "f1",
       "f2", "minus", "plus", "slash", "pageup", "pagedown", "ctrl+a", "ctrl+k", "ctrl+u"]
    + list("абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВЯ") + list("abcxyzQ") + list("0123456789") * 3
    + ["full_stop", "comma", "left_square_bracket", "right_square_bracket", "number_sign"]
)
#: Exits that a kiosk must swallow; at the desk Ctrl+Q really quits, so it is not pressed.
_KIOSK_ONLY = ["ctrl+q", "ctrl+c", "ctrl+z", "ctrl+backslash"]
_PASTES = [
    "9" * 5000,
    "Иванова Мария Петровна",
    "# Заголовок\n[текст](http://example.com) <script>alert(1)</script>",
    "\x1b[2J\x1b]0;title\x07",
    "31.02.2026",
    "я" * 100_000,
    "",
    "\n\n\n",
]


def _key_event(key: str) -> events.Key:
    char = key if len(key) == 1 else {"space": " ", "enter": "\r", "minus": "-", "plus": "+",
                                      "slash": "/", "full_stop": ".", "comma": ",",
                                      "number_sign": "#", "left_square_bracket": "[",
                                      "right_square_bracket": "]"}.get(key)
    return events.Key(key, char)


async def _walk(app: SobesednikApp, rng: random.Random, keys: int,
                opening: Callable[[Pilot[None]], Awaitable[None]]) -> list[str]:
    """Keys go to the terminal driver in bursts, as from a fast typist or a held key:
    the app meets them before it has finished with the last."""
    seen: list[str] = []
    kiosk = app.kiosk
    choices = _KEYS + (_KIOSK_ONLY if kiosk else [])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await opening(pilot)
        for i in range(keys):
            roll = rng.random()
            if roll < 0.01:
                app.post_message(events.Paste(rng.choice(_PASTES)))
            elif roll < 0.04:
                await pilot.click(offset=(rng.randrange(SIZE[0]), rng.randrange(SIZE[1])))
            else:
                event = _key_event(rng.choice(choices))
                event.set_sender(app)
                app._driver.send_message(event)
                await asyncio.sleep(0)
            if i % 8 == 0:
                await pilot.pause()
            if i % 50 == 0:
                await pilot.pause()
                seen.append(type(app.screen).__name__)
                assert app.is_running, f"the app stopped after {i} keys"
        await pilot.pause()
        assert app.is_running
        seen.append(type(app.screen).__name__)
    return seen


def _prepare(store: Store, screen: str) -> str | None:
    """The stored interview that opens on ``screen`` when resumed (``None``: stay at the start)."""
    if screen == "start":
        return None
    if screen == "question":
        return draft_interview(store, "birth_date")
    if screen == "groups":
        return draft_interview(store, confirm=False)
    iid = draft_interview(store)
    if screen == "client":
        session = Session.resume(bundle(), store, iid, inspector="Петрова П. П.")
        finish(session)
        session.close()
    return iid


async def _open(pilot, app: SobesednikApp, screen: str, iid: str | None) -> None:
    if iid is None:
        return
    if screen == "client":
        app.post_message(ShowFinished(iid))
    else:
        app.resume_interview(iid)
    await pilot.pause()
    if screen == "plan":
        await pilot.press("ctrl+p")
        await pilot.pause()
    assert type(app.screen).__name__ == _SCREENS[screen], app.screen


_SCREENS = {"start": "StartScreen", "question": "QuestionScreen", "groups": "GroupsScreen",
            "review": "ReviewScreen", "plan": "PlanScreen", "client": "ClientScreen"}
_WHERE = [(False, s) for s in _SCREENS] + [(True, s) for s in ("start", "question", "review", "plan")]


@pytest.mark.parametrize(("kiosk", "screen"), _WHERE,
                         ids=[f"{'kiosk' if k else 'desk'}-{s}" for k, s in _WHERE])
async def test_random_keys_and_pastes_never_end_the_app(make_app, store: Store, kiosk: bool,
                                                        screen: str) -> None:
    iid = _prepare(store, screen)
    app = make_app(kiosk=kiosk)
    rng = random.Random(f"{SEED}-{kiosk}-{screen}")
    started = time.monotonic()
    seen = await _walk(app, rng, KEYS_PER_RUN, lambda pilot: _open(pilot, app, screen, iid))
    print(f"{KEYS_PER_RUN} keys in {time.monotonic() - started:.1f} s; screens: {sorted(set(seen))}")


async def test_a_kiosk_survives_a_100_kb_paste_into_every_answer(make_app) -> None:
    """100 KB pasted into each question of a kiosk interview, then Enter: the app stays up,
    and the question either takes it or says why not. (The real answer is then given
    through the session: typing it key by key would only slow the test.)"""
    app = make_app(kiosk=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuestionScreen)
        asked = 0
        while (q := screen.session.current) is not None:
            # Digits where a number box would take them, letters elsewhere: the paste gets
            # as far as it can before the length stops it.
            digits = q.type in ("integer", "number", "phone", "date")
            for paste in ("7" * 100_000,) if digits else ("я" * 100_000,):
                answer = screen.query_one("#answer")
                assert await until(pilot, lambda answer=answer: app.focused is answer), q.id
                app.post_message(events.Paste(paste))
                await pilot.pause()
                if q.type not in ("yes_no", "choice", "multi_choice", "date"):
                    error = screen.query_one("#error")
                    refused = lambda error=error: "Вставка не принята" in str(error.render())  # noqa: E731
                    assert await until(pilot, refused), q.id
                await pilot.press("enter" if q.type != "long_text" else "ctrl+n")
                await pilot.pause()
                assert app.is_running
                assert screen.session.value(q.id) != paste  # nothing of 100 KB is kept
                # Enter picked an option, or skipped an optional question: back to it.
                while app.screen is not screen:
                    app.pop_screen()
                if screen.session.current is not q:
                    screen.session.back()
                    await screen.show_question()
                assert screen.session.current is q, q.id
            screen.session.submit(MOTHER.get(q.id))
            if screen.session.current is not None:
                await screen.show_question()
            asked += 1
        assert asked > 25
