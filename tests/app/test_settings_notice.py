"""The inspector's start screen says calmly what a plan printed at this desk would lack
(the centre's and the inspector's details, ``sobesednik setup``), and what is wrong with a
broken settings file; a kiosk never shows it."""

from __future__ import annotations

from textual.widgets import Static

from tests.conftest import INSPECTOR
from tui.app.screens.start import StartScreen
from tui.store.settings import Centre, Inspector, Settings, save_settings
from tui.store.store import Store

SIZE = (80, 24)
CENTRE = Centre("ГОБУ ЦЗН Мурманской области", "г. Мурманск, ул. Папанина, д. 4", "+7 (8152) 48-76-54",
                "пн–пт 9:00–17:00")
ME = Inspector("Иванова Ирина Ивановна", "ведущий инспектор", "+7 (8152) 48-76-55", "12")


def notice(app) -> Static:  # type: ignore[no-untyped-def]
    return app.screen.query_one("#settings-notice", Static)


async def test_missing_details_are_named_on_the_start_screen(make_app, store: Store) -> None:
    save_settings(store.root, Settings(centre=CENTRE))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        shown = notice(app)
        assert shown.display
        text = str(shown.render())
        assert text.startswith(f"Для печати плана не заполнены: ФИО инспектора «{INSPECTOR}», "
                               f"должность инспектора «{INSPECTOR}», телефон инспектора «{INSPECTOR}».")
        assert text.endswith("Запустите: sobesednik setup")


async def test_no_notice_once_everything_is_filled_in(make_app, store: Store) -> None:
    save_settings(store.root, Settings(centre=CENTRE, inspectors={INSPECTOR: ME}))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not notice(app).display


async def test_settings_filled_in_meanwhile_take_the_notice_away(make_app, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "название центра занятости" in str(notice(app).render())
        save_settings(store.root, Settings(centre=CENTRE, inspectors={INSPECTOR: ME}))  # setup elsewhere
        await pilot.press("ctrl+n")  # an interview begun and left: back on the start screen
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        assert not notice(app).display


async def test_a_broken_settings_file_gives_its_message_not_a_traceback(make_app, store: Store) -> None:
    (store.root / "settings.yaml").write_text("centre:\n  phone: звонить\n", "utf-8")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        text = str(notice(app).render())
        assert text.startswith(f"Файл настроек не читается: {store.root / 'settings.yaml'}:2: "
                               "centre.phone (телефон центра занятости): ожидается номер телефона")
        assert text.endswith("Запустите: sobesednik setup")


async def test_a_kiosk_shows_no_notice(make_app, store: Store) -> None:
    app = make_app(kiosk=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not app.screen.query("#settings-notice")
