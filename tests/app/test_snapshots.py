"""How the screens look at 80x24 (pytest-textual-snapshot; `pytest --snapshot-update` to renew).

The interviews are prepared through :class:`~tui.engine.session.Session` with a fixed date and
fixed store timestamps, so every snapshot is the same on every run. The client is a mother of
a four-year-old who worked until recently: the rules find only «mother_preschool», so other
groups' modules do not change what is shown.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from tests.helpers import TODAY, bundle, draft_interview, finish
from tui.app.app import SobesednikApp
from tui.engine.session import Session
from tui.store.settings import Centre, Inspector, Settings, save_settings
from tui.store.store import Store

SIZE = (80, 24)
INSPECTOR = "Иванова И. И."
#: A desk whose plan details are all filled in (sobesednik setup): no notice.
DESK_SETTINGS = Settings(
    centre=Centre("ГОБУ ЦЗН Мурманской области", "г. Мурманск, ул. Папанина, д. 4", "+7 (8152) 48-76-54",
                  "пн–пт 9:00–17:00"),
    inspectors={INSPECTOR: Inspector("Иванова Ирина Ивановна", "ведущий инспектор", "+7 (8152) 48-76-55")},
)


@pytest.fixture
def fixed_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    # Every time the store stamps: interviews and answers, leases, the audit trail.
    for where in ("tui.store.store", "tui.store.lease", "tui.store.audit"):
        monkeypatch.setattr(f"{where}.now_iso", lambda: "2026-11-27T10:15:00+03:00")
    return Store(tmp_path / "data")


async def settle(pilot: Pilot[None]) -> None:
    """Wait for the screen, stop cursors blinking and clear the toasts."""
    await pilot.pause()
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    for area in pilot.app.screen.query(TextArea):
        area.cursor_blink = False
    pilot.app.clear_notifications()
    await pilot.pause()


def test_question_screen(snap_compare, fixed_store: Store) -> None:
    """The «salary_importance» choice after the profile, resumed from the start screen."""
    draft_interview(fixed_store, "salary_importance", inspector=INSPECTOR)
    app = SobesednikApp(bundle(), fixed_store, today=TODAY, inspector=INSPECTOR)

    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def finished_interview(store: Store, inspector: str = INSPECTOR) -> str:
    """A complete mother interview with its plan issued."""
    iid = draft_interview(store, inspector=inspector)
    session = Session.resume(bundle(), store, iid, inspector=inspector)
    finish(session)
    session.close()
    return iid


def test_start_screen_with_an_unfinished_interview(snap_compare, fixed_store: Store) -> None:
    """An interview another inspector began (unfinished first), then another client's finished one."""
    draft_interview(fixed_store, "phone", inspector="Петрова П. П.")
    finished = finished_interview(fixed_store)
    for qid, value in (("last_name", "Кузнецова"), ("first_name", "Анна"), ("middle_name", "Сергеевна"),
                       ("birth_date", "1990-03-02")):
        fixed_store.save_answer(finished, qid, value, by=INSPECTOR)
    save_settings(fixed_store.root, DESK_SETTINGS)
    app = SobesednikApp(bundle(), fixed_store, today=TODAY, inspector=INSPECTOR)
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_start_screen_with_plan_details_to_fill_in(snap_compare, fixed_store: Store) -> None:
    """The inspector's own phone is not in the settings yet: a calm line says so."""
    draft_interview(fixed_store, "phone", inspector="Петрова П. П.")
    person = DESK_SETTINGS.inspectors[INSPECTOR]
    save_settings(fixed_store.root, DESK_SETTINGS.with_inspector(INSPECTOR, replace(person, phone="")))
    app = SobesednikApp(bundle(), fixed_store, today=TODAY, inspector=INSPECTOR)
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_finished_interview_read_only(snap_compare, fixed_store: Store) -> None:
    """Enter on a finished interview: the client's history and the plan issued, read only."""
    finished_interview(fixed_store)
    app = SobesednikApp(bundle(), fixed_store, today=TODAY, inspector=INSPECTOR)

    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_review_screen(snap_compare, fixed_store: Store) -> None:
    draft_interview(fixed_store, inspector=INSPECTOR)
    app = SobesednikApp(bundle(), fixed_store, today=TODAY, inspector=INSPECTOR)

    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_date_question_with_an_error(snap_compare, fixed_store: Store) -> None:
    """A kiosk client types a date that does not exist."""
    app = SobesednikApp(bundle(), fixed_store, today=TODAY, kiosk=True)

    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await pilot.press("enter")  # «Начать»
        await pilot.pause()
        await pilot.press("enter")  # consent: «Да»
        await pilot.press(*"Смирнова", "enter", *"Ольга", "enter", "enter")
        await pilot.press(*"31021990", "enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_group_confirmation_screen(snap_compare, fixed_store: Store) -> None:
    """Resumed right after the profile: the mother group found, «disabled» not assessed
    (no health-data consent) at the bottom."""
    draft_interview(fixed_store, "salary_importance", confirm=False, inspector=INSPECTOR)
    app = SobesednikApp(bundle(), fixed_store, today=TODAY, inspector=INSPECTOR)

    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_group_removed_without_a_reason(snap_compare, fixed_store: Store) -> None:
    """The inspector removes the found group and confirms without a reason."""
    draft_interview(fixed_store, "salary_importance", confirm=False, inspector=INSPECTOR)
    app = SobesednikApp(bundle(), fixed_store, today=TODAY, inspector=INSPECTOR)

    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("space", "ctrl+n")  # the cursor starts on the found group
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
