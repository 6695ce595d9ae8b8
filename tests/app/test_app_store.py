"""The inspector's desk at 80x24: finding a client, their interviews, resuming one (perhaps
begun by another inspector), reading a finished one's plan; a kiosk shows none of it."""

from __future__ import annotations

from datetime import date

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Markdown, Static

from tests.helpers import bundle, draft_interview, finish
from tui.app.app import SobesednikApp, handover_message
from tui.app.screens.client import ClientScreen
from tui.app.screens.question import QuestionScreen
from tui.app.screens.start import StartScreen
from tui.engine.session import Session
from tui.store.store import COMPLETE, InterviewBusyError, Store, StoreError

SIZE = (80, 24)
INSPECTOR = "Иванова И. И."  # the app's inspector (tests/conftest.py)
OTHER = "Петрова П. П."  # draft_interview's inspector


def finished_interview(store: Store, inspector: str = OTHER) -> str:
    """A complete mother interview with its plan issued."""
    iid = draft_interview(store, inspector=inspector)
    session = Session.resume(bundle(), store, iid, inspector=inspector)
    finish(session)
    session.close()
    return iid


def other_client(store: Store, upto: str = "sex") -> str:
    """An unfinished interview of another client: Кузнецова Анна, 02.03.1990, +7 900 111-22-33."""
    iid = draft_interview(store, upto)
    for qid, value in (("last_name", "Кузнецова"), ("first_name", "Анна"), ("middle_name", None),
                       ("birth_date", "1990-03-02"), ("phone", "+7 900 111-22-33")):
        store.save_answer(iid, qid, value, by=OTHER)
    return iid


def start(app: SobesednikApp) -> StartScreen:
    assert isinstance(app.screen, StartScreen), app.screen
    return app.screen


def listed(app: SobesednikApp) -> list[tuple[str, ...]]:
    """The rows of the start screen's list as shown: name, birth, date, status, inspectors."""
    table = start(app).query_one("#unfinished", DataTable)
    if not table.display:
        return []
    return [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


def title(app: SobesednikApp) -> str:
    return str(app.screen.query_one("#list-title", Static).render())


def messages(app: SobesednikApp) -> list[str]:
    return [n.message for n in app._notifications]


async def search(pilot: Pilot[None], text: str) -> None:
    """Type ``text`` as the inspector does (the focus on the list) and press Enter."""
    await pilot.press(*text, "enter")
    await pilot.pause()


SMIRNOVA = "Смирнова Ольга Викторовна"


async def test_search_by_surname_then_enter_resumes_at_the_first_unanswered_question(
    make_app, store: Store
) -> None:
    iid = draft_interview(store, "phone")
    other_client(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert len(listed(app)) == 2
        # Letters typed on the list go to the search field; Enter searches and goes to the list.
        await search(pilot, "смирн")
        screen = start(app)
        assert screen.query_one("#search", Input).value == "смирн"
        assert listed(app) == [(SMIRNOVA, "14.08.1987", "27.11.2026", "Не закончено", "Петрова")]
        assert title(app) == "Найдено интервью: 1"
        assert app.focused is screen.query_one("#unfinished")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)
        session = app.screen.session
        assert session.iid == iid and session.current is not None and session.current.id == "phone"


async def test_the_search_runs_as_you_type_and_esc_brings_back_the_list(make_app, store: Store) -> None:
    draft_interview(store, "phone")
    other_client(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*"Кузнецова А")
        for _ in range(50):  # the search waits for a pause in typing
            await pilot.pause(0.1)
            if len(listed(app)) == 1:
                break
        assert [r[0] for r in listed(app)] == ["Кузнецова Анна"]
        # Still typing: the focus stays in the field.
        assert app.focused is start(app).query_one("#search")
        await pilot.press("escape")
        await pilot.pause()
        assert start(app).query_one("#search", Input).value == ""
        assert sorted(r[0] for r in listed(app)) == ["Кузнецова Анна", SMIRNOVA]
        # ↑ on the first row goes to the field, ↓ back to the list.
        await pilot.press("up", "up")
        await pilot.pause()
        assert app.focused is start(app).query_one("#search")
        await pilot.press("down")
        await pilot.pause()
        assert app.focused is start(app).query_one("#unfinished")


async def test_search_by_phone_and_by_birth_date(make_app, store: Store) -> None:
    draft_interview(store, "middle_name")  # no phone or birth date yet
    smirnova = draft_interview(store, "children_count")  # the phone is the question before
    kuznetsova = other_client(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await search(pilot, "555-12-34")
        assert [r[0] for r in listed(app)] == [SMIRNOVA]
        table = app.screen.query_one("#unfinished", DataTable)
        assert table.coordinate_to_cell_key((0, 0)).row_key.value == smirnova
        await pilot.press("ctrl+f")  # the last search is selected: typing replaces it
        await search(pilot, "2233")
        assert [r[0] for r in listed(app)] == ["Кузнецова Анна"]
        await pilot.press("ctrl+f")
        await search(pilot, "02.03.1990")
        assert listed(app) == [("Кузнецова Анна", "02.03.1990", "27.11.2026", "Не закончено", "Петрова")]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen) and app.screen.session.iid == kuznetsova


async def test_a_search_that_finds_nobody_says_why(make_app, store: Store) -> None:
    draft_interview(store, "sex")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await search(pilot, "Сидоров")
        assert listed(app) == []
        assert title(app).startswith("По запросу «Сидоров» никого не найдено.")
        assert app.focused is start(app).query_one("#search")
        await pilot.press("ctrl+f", *"14.08", "enter")  # Ctrl+F selects the last search
        await pilot.pause()
        assert "Дату рождения введите полностью: ДД.ММ.ГГГГ." in title(app)
        await pilot.press("ctrl+f", *"12", "enter")
        await pilot.pause()
        assert "не меньше 4 последних цифр" in title(app)


async def test_a_finished_interview_opens_its_plan_read_only_with_the_clients_history(
    make_app, store: Store
) -> None:
    finished = finished_interview(store)
    draft = draft_interview(store, "sex")  # the same client came again
    other_client(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # Unfinished first, then the finished ones.
        assert [r[3] for r in listed(app)] == ["Не закончено", "Не закончено", "Завершено"]
        assert title(app) == "Незаконченные интервью: 2 · последние завершённые: 1"
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ClientScreen)
        assert str(screen.query_one("#client-name", Static).render()) == f"{SMIRNOVA}, 14.08.1987 г. р."
        history = screen.query_one("#history", DataTable)
        assert history.row_count == 2
        assert str(history.get_row(draft)[1]) == "Не закончено"
        assert str(history.get_row(finished)[1]) == "Завершено"
        # The cursor is on the interview opened.
        assert history.coordinate_to_cell_key(history.cursor_coordinate).row_key.value == finished
        assert screen.text == store.load(finished).plans[-1]["markdown"]
        assert "Индивидуальный план" in screen.text
        assert screen.query_one("#plan", Markdown).source == screen.text
        assert "только чтение" in str(screen.query_one("#client-plan-status", Static).render())
        # Read only: nothing to type into, no session, the interview stays as it was.
        assert not screen.query(Input) and app.session is None
        store.lease(finished, inspector=OTHER, mode="inspector").release()
        # The other interview of the client: no plan yet; Enter continues it.
        await pilot.press("up" if history.get_row_index(draft) < history.cursor_row else "down")
        await pilot.pause()
        assert screen.text == ""
        assert "не закончено" in str(screen.query_one("#client-plan-status", Static).render())
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen) and app.screen.session.iid == draft
        assert app.screen_stack[2:] == [app.screen]  # base, start, the question
    stored = store.load(finished)
    assert stored.status == COMPLETE and stored.header["inspectors"] == [OTHER]
    reads = [e for e in store.audit_events() if e["action"] == "read"]
    assert [(e["by"], e["iid"]) for e in reads] == [(INSPECTOR, finished)]
    assert all(set(e) <= {"at", "action", "by", "iid", "mode"} for e in store.audit_events())


async def test_a_plan_saved_to_a_file_is_in_the_audit_trail_or_not_saved_at_all(
    make_app, store: Store, tmp_path, monkeypatch
) -> None:
    finished = finished_interview(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # the finished interview, read only
        await pilot.pause()
        assert isinstance(app.screen, ClientScreen)
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        saved = tmp_path / f"plan-{finished}.md"
        assert saved.read_text("utf-8") == store.load(finished).plans[-1]["markdown"]
        assert [(e["by"], e["iid"]) for e in store.audit_events() if e["action"] == "save_plan"] == [
            (INSPECTOR, finished)
        ]
        saved.unlink()

        def full(*args, **kwargs):
            raise StoreError("Диск заполнен: не удалось записать журнал аудита.")

        monkeypatch.setattr(Store, "audit", full)
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        error = str(app.screen.query_one("#save-error", Static).render())
        assert "План не сохранён" in error and "Диск заполнен" in error
        assert not saved.exists()


async def test_escape_goes_back_from_a_finished_interview(make_app, store: Store) -> None:
    finished_interview(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert listed(app) == [(SMIRNOVA, "14.08.1987", "27.11.2026", "Завершено", "Петрова")]
        assert title(app) == "Незаконченных интервью нет · последние завершённые: 1"
        # A finished interview is not deleted from the start screen.
        await pilot.press("delete")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ClientScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen) and len(listed(app)) == 1
    assert len(store.recent()) == 1


async def test_a_kiosk_shows_no_search_and_no_list(make_app, store: Store) -> None:
    finished_interview(store)
    draft_interview(store, "sex")
    app = make_app(kiosk=True, inspector=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*"Смирнова", "ctrl+f")
        await pilot.pause()
        screen = start(app)
        assert not screen.query(Input) and not screen.query(DataTable)
        assert app.focused is screen.query_one("#new")
        shown = app.export_screenshot()
        for text in ("Смирнова", "Найти", "Петрова", "Завершено", "Незаконч"):
            assert text not in shown
    assert not [e for e in store.audit_events() if e["action"] == "read"]


async def test_an_interview_open_in_another_window_is_not_resumed(make_app, store: Store) -> None:
    iid = draft_interview(store, "phone")
    lease = store.lease(iid, inspector=OTHER, mode="inspector")  # as another window holds it
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen) and app.session is None
        [busy] = [m for m in messages(app) if "открыто в другом окне" in m]
        assert f"инспектор {OTHER}" in busy
        lease.release()  # the other window closed it
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen) and app.screen.session.iid == iid
        # Now this window holds it.
        try:
            store.lease(iid, inspector=OTHER, mode="inspector")
        except InterviewBusyError:
            pass
        else:
            raise AssertionError("the resumed interview is not held")


async def test_resuming_by_another_inspector_records_both_and_says_so(make_app, store: Store) -> None:
    iid = draft_interview(store, "phone", inspector=OTHER)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert listed(app)[0][4] == "Петрова"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)
        # INSPECTOR's initials end the sentence with their dot.
        said = f"Интервью начал(а) {OTHER}; продолжает {INSPECTOR}\n"
        assert any(m.startswith(said) for m in messages(app))
        await pilot.press("escape")
        await pilot.pause()
        assert listed(app)[0][4] == "Петрова +1"
        detail = str(start(app).query_one("#row-detail", Static).render())
        assert f"инспекторы: {OTHER}, {INSPECTOR}" in detail
    assert store.load(iid).header["inspectors"] == [OTHER, INSPECTOR]
    assert ("open", INSPECTOR) in [(e["action"], e["by"]) for e in store.audit_events(iid)]
    # The one who began it continues: nobody is said to take over.
    app = make_app(inspector=OTHER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)
        assert not [m for m in messages(app) if "; продолжает " in m]
    assert store.load(iid).header["inspectors"] == [OTHER, INSPECTOR]


def test_the_handover_names_everyone_who_worked_before() -> None:
    assert handover_message(["Петрова П. П."], "Иванова И. И.") == (
        "Интервью начал(а) Петрова П. П.; продолжает Иванова И. И."
    )
    assert handover_message(["Петрова П. П.", "Сидоров С. С."], "Иванова И. И.") == (
        "Интервью начал(а) Петрова П. П., продолжал(а) Сидоров С. С.; продолжает Иванова И. И."
    )
    assert handover_message(["Петрова П. П.", "Иванова И. И."], "Иванова И. И.") == ""
    assert handover_message([], "Иванова И. И.") == ""


async def test_damaged_files_are_named_once_with_what_to_do(make_app, store: Store) -> None:
    kept = draft_interview(store, "children_count")
    broken = other_client(store)
    path = store.interview_path(broken)
    path.write_text('{"interview": {"1": {"id": ', encoding="utf-8")  # a torn hand edit
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # The rest keeps working.
        assert [r[0] for r in listed(app)] == [SMIRNOVA]
        [warning] = [m for m in messages(app) if "поврежден" in m]
        assert str(path.relative_to(store.root)) in warning
        assert "sobesednik doctor" in warning
        await search(pilot, "1234")
        assert [r[0] for r in listed(app)] == [SMIRNOVA]
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.session.iid == kept
        await pilot.press("escape")
        await pilot.pause()
        # Listed again, but said only once.
        assert len([m for m in messages(app) if "поврежден" in m]) == 1
    assert path.read_text(encoding="utf-8") == '{"interview": {"1": {"id": '


async def test_deleting_records_who_deleted(make_app, store: Store) -> None:
    iid = draft_interview(store, "phone")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("right", "enter")
        await pilot.pause()
        assert listed(app) == []
        assert any(m == f"Интервью удалено: {SMIRNOVA}." for m in messages(app))
    assert store.unfinished() == []
    [event] = [e for e in store.audit_events(iid) if e["action"] == "discard"]
    assert event["by"] == INSPECTOR


async def test_an_interview_open_in_another_window_is_not_deleted(make_app, store: Store) -> None:
    iid = draft_interview(store, "phone")
    lease = store.lease(iid, inspector=OTHER, mode="inspector")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("right", "enter")
        await pilot.pause()
        assert [m for m in messages(app) if "открыто в другом окне" in m]
        assert [r[0] for r in listed(app)] == [SMIRNOVA]
    lease.release()
    assert [s.id for s in store.unfinished()] == [iid]
    assert store.load(iid).answers["last_name"] == "Смирнова"


async def test_an_index_that_cannot_be_written_is_reported_and_the_interview_goes_on(
    make_app, store: Store
) -> None:
    from tests.app.test_app import answer_until

    drafts = store.bucket_path("drafts", date.today().strftime("%Y%m"))
    drafts.parent.mkdir(parents=True, exist_ok=True)
    drafts.write_text("не JSON", "utf-8")  # damaged by hand
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        session = await answer_until(pilot, app, "first_name")
        assert session.iid is not None
        assert any(n.title == "Ответ сохранён, но" and "Указатель поиска не обновлён" in n.message
                   for n in app._notifications)
    assert store.load(session.iid).answers["last_name"] == "Смирнова"


async def test_a_plan_whose_groups_a_rule_change_altered_is_marked_for_review(
    make_app, store: Store, tmp_path, capsys
) -> None:
    from tests.cli.test_reclassify import scripts_with
    from tui.cli import main

    finished = finished_interview(store)  # the youngest child is 4: a mother of a preschooler
    scripts = scripts_with(tmp_path, preschool_child_max_age=2)
    assert main(["reclassify", "--data-dir", str(store.root), "--scripts", str(scripts),
                 "--inspector", "Методист М. М."]) == 0
    assert finished in capsys.readouterr().out
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ClientScreen)
        status = screen.query_one("#client-plan-status", Static)
        shown = str(status.render())
        assert "План выдан по прежним группам" in shown and "Методист М. М." in shown
        assert "теперь: нет групп (были: Женщина с детьми дошкольного возраста)" in shown
        assert status.has_class("-outdated")
        assert screen.text == store.load(finished).plans[-1]["markdown"]  # the plan as issued
