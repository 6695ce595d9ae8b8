"""The app survives what people and files throw at it (issue 10): double presses, long
pastes, unexpected errors. A crash shows a calm screen and no one's data."""

from __future__ import annotations

import asyncio

from textual.widgets import Input

from tests.app.test_app import MOTHER, SIZE, answer_current, error_text, question_screen
from tui.app.app import SobesednikApp
from tui.store.store import Store


async def _to_question(pilot, app: SobesednikApp, qid: str) -> None:
    await pilot.press("ctrl+n")
    await pilot.pause()
    while question_screen(app).session.current.id != qid:
        await answer_current(pilot, app, MOTHER)


async def test_enter_and_ctrl_n_at_once_advance_one_question(make_app, store: Store) -> None:
    """Enter (Input.Submitted) and Ctrl+N arriving together, or a double tap: the answer
    is taken once and the next question shows, once, with no error under it."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _to_question(pilot, app, "last_name")
        screen = question_screen(app)
        await pilot.press(*MOTHER["last_name"])
        await asyncio.gather(screen.action_next(), screen.action_next())
        await pilot.pause()
        assert app.screen is screen
        assert screen.session.current.id == "first_name"
        assert screen.session.value("last_name") == MOTHER["last_name"]
        assert len(screen.query("#answer")) == 1
        assert screen.query_one("#answer", Input).value == ""
        assert error_text(app) == ""
