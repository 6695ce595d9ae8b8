"""The Textual app driven by keystrokes at 80x24, as an inspector (or a kiosk client) would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from textual.pilot import Pilot
from textual.widgets import Collapsible, DataTable, Input, Static

from tests.helpers import REPLAYS, TODAY, bundle
from tui.app.app import SobesednikApp
from tui.app.screens.plan import PlanScreen
from tui.app.screens.question import QuestionScreen
from tui.app.screens.review import ReviewScreen
from tui.app.screens.start import StartScreen
from tui.core import values
from tui.core.dates import format_date
from tui.core.script import Question
from tui.core.session import Session
from tui.core.store import COMPLETE, Store, StoreError

SIZE = (80, 24)
MOTHER = yaml.safe_load((REPLAYS / "mother_own_business.yaml").read_text(encoding="utf-8"))["answers"]
GROUP = "Женщина с детьми дошкольного возраста"


def answer_keys(q: Question, raw: Any) -> list[str]:
    """The keys that give ``raw`` (as written in a replay file) on a fresh answer widget."""
    if raw is None:
        return ["ctrl+n"]
    value = values.coerce(q, raw)
    if q.type == "yes_no":
        return ["down"] * (0 if value else 1) + ["enter"]
    if q.type == "choice":
        return ["down"] * q.choice_values.index(value) + ["enter"]
    if q.type == "multi_choice":
        keys: list[str] = []
        at = 0
        for v in value:
            i = q.choice_values.index(v)
            keys += ["down"] * (i - at) + ["space"]
            at = i
        return keys + ["enter"]
    if q.type == "date":
        # Only the digits: the mask puts the dots in.
        return list(format_date(value).replace(".", "")) + ["enter"]
    if q.type == "long_text":
        return list(str(raw)) + ["ctrl+n"]
    return list(str(raw)) + ["enter"]


def question_screen(app: SobesednikApp) -> QuestionScreen:
    assert isinstance(app.screen, QuestionScreen), app.screen
    return app.screen


def error_text(app: SobesednikApp) -> str:
    """The inline message under the answer on the question screen ('' when none)."""
    screen = next(s for s in reversed(app.screen_stack) if isinstance(s, QuestionScreen))
    error = screen.query_one("#error", Static)
    return str(error.render()) if error.display else ""


async def answer_current(pilot: Pilot[None], app: SobesednikApp, answers: dict[str, Any]) -> str:
    """Answer the question on screen from ``answers``; return its id. It must move on."""
    screen = question_screen(app)
    q = screen.session.current
    assert q is not None
    await pilot.press(*answer_keys(q, answers.get(q.id)))
    await pilot.pause()
    assert error_text(app) == "", f"{q.id}: {error_text(app)}"
    assert screen.session.current is not q or not isinstance(app.screen, QuestionScreen), q.id
    return q.id


async def answer_until(pilot: Pilot[None], app: SobesednikApp, stop: str) -> Session:
    """Start a new interview and answer from the replay file until question ``stop`` shows."""
    await pilot.press("ctrl+n")
    await pilot.pause()
    session = question_screen(app).session
    while session.current is not None and session.current.id != stop:
        await answer_current(pilot, app, MOTHER)
    return session


def typed(qid: str) -> Any:
    """The stored (JSON) form of the replay file's answer to ``qid``."""
    q = bundle().questions()[qid]
    return values.to_json(q, values.coerce(q, MOTHER[qid]))


async def test_whole_mother_interview_by_keyboard(make_app, store: Store, tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, StartScreen)
        await pilot.press("ctrl+n")
        await pilot.pause()
        session = question_screen(app).session
        asked: list[str] = []
        while isinstance(app.screen, QuestionScreen) and session.current is not None:
            asked.append(await answer_current(pilot, app, MOTHER))
        assert asked == [q.id for q in session.interview.questions]
        assert set(asked) == set(MOTHER)

        # Every answer given: the review shows the answers and the group with its reason.
        assert isinstance(app.screen, ReviewScreen)
        table = app.screen.query_one("#answers", DataTable)
        assert table.row_count == len(MOTHER)
        groups = str(app.screen.query_one("#groups", Static).render())
        assert GROUP in groups and "младшему ребёнку 4 года" in groups

        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, PlanScreen)
        plan = app.screen.text
        assert "Смирнова Ольга Викторовна" in plan
        assert GROUP in plan
        assert "Посещение женского клуба при ЦЗН" in plan

        # Save the plan under the proposed name, in the current directory.
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        saved = tmp_path / f"plan-{session.iid}.md"
        assert saved.read_text(encoding="utf-8") == plan
        assert str(saved) in str(app.screen.query_one("#plan-status", Static).render())

        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)

    assert session.iid is not None
    stored = store.load(session.iid)
    assert stored.status == COMPLETE
    assert stored.answers == {qid: typed(qid) for qid in MOTHER}
    assert stored.answers["birth_date"] == "1987-08-14"
    assert stored.answers["phone"] == "+7 921 555-12-34"
    assert stored.answers["work_barriers"] == ["long_break", "search_skills"]
    assert stored.answers["schedule_limits"] == ["no_weekends", "until_18"]
    assert stored.header["inspectors"] == ["Иванова И. И."]
    assert store.unfinished() == []


async def test_an_impossible_date_is_explained_and_does_not_advance(make_app, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        session = await answer_until(pilot, app, "birth_date")
        await pilot.press(*"31021990", "enter")
        await pilot.pause()
        assert "Такой даты нет" in error_text(app)
        assert session.current is not None and session.current.id == "birth_date"
        assert app.focused is app.screen.query_one("#answer")
        assert "birth_date" not in store.load(session.iid).answers

        # Corrected, it goes on and the message is gone.
        app.screen.query_one("#answer", Input).value = ""
        await pilot.press(*"14081987", "enter")
        await pilot.pause()
        assert session.current is not None and session.current.id == "sex"
        assert error_text(app) == ""
    assert store.load(session.iid).answers["birth_date"] == "1987-08-14"


async def test_back_then_changing_an_answer_keeps_the_others(make_app, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        session = await answer_until(pilot, app, "birth_date")
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert session.current is not None and session.current.id == "middle_name"
        assert app.screen.query_one("#answer", Input).value == "Викторовна"
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert session.current.id == "first_name"
        assert app.screen.query_one("#answer", Input).value == "Ольга"
        # The old answer is selected when the box gets focus: typing replaces it.
        await pilot.press(*"Анна", "enter")
        await pilot.pause()
        # On to the first question still without an answer.
        assert session.current.id == "birth_date"
    answers = store.load(session.iid).answers
    assert answers["first_name"] == "Анна"
    assert answers["last_name"] == "Смирнова"
    assert answers["middle_name"] == "Викторовна"


async def test_changing_a_choice_from_the_review(make_app, store: Store) -> None:
    iid = _draft(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # Every question answered but no plan yet: resuming opens the review.
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        session = app.screen.session
        qids = [q.id for q in session.interview.questions]
        # Down to «womens_club» and open it: «Да» is pre-selected; pick «Нет».
        await pilot.press(*["down"] * qids.index("womens_club"), "enter")
        await pilot.pause()
        assert session.current is not None and session.current.id == "womens_club"
        assert app.screen.query_one("#answer").raw() is True
        await pilot.press("down", "enter")
        await pilot.pause()
        # Nothing left unanswered: back to the review, which shows the new answer.
        assert isinstance(app.screen, ReviewScreen)
        table = app.screen.query_one("#answers", DataTable)
        assert str(table.get_row("womens_club")[2]) == "Нет"
        # The cursor stays on the question just changed.
        assert table.cursor_row == qids.index("womens_club")
        assert "Посещение женского клуба" not in session.plan()
    assert store.load(iid).answers["womens_club"] is False


async def test_quitting_halfway_then_resuming(make_app, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        session = await answer_until(pilot, app, "phone")
        iid = session.iid
    # The app is gone (as after a power cut); a new one on the same store offers the interview.
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        start = app.screen
        assert isinstance(start, StartScreen)
        table = start.query_one("#unfinished", DataTable)
        assert table.row_count == 1
        assert app.focused is table
        row = table.get_row_at(0)
        assert str(row[0]) == "Смирнова Ольга Викторовна"
        assert row[1] == "14.08.1987"
        await pilot.press("enter")
        await pilot.pause()
        resumed = question_screen(app).session
        assert resumed.iid == iid
        assert resumed.current is not None and resumed.current.id == "phone"
        assert resumed.value("first_name") == "Ольга"
        # Going back shows the earlier answers, then on to the end.
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert resumed.current.id == "sex"
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert resumed.current.id == "phone"
        await answer_current(pilot, app, MOTHER)
        assert resumed.current.id == "children_count"
    stored = store.load(iid)
    assert stored.header["inspectors"] == ["Иванова И. И."]
    order = [q.id for q in bundle().profile.items()]
    assert stored.answers == {qid: typed(qid) for qid in order[: order.index("phone") + 1]}


async def test_leaving_with_escape_keeps_answers(make_app, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await answer_until(pilot, app, "first_name")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        assert app.screen.query_one("#unfinished", DataTable).row_count == 1
    [summary] = store.unfinished()
    assert summary["client"] == {"last_name": "Смирнова"}


async def test_refusing_consent_stores_nothing(make_app, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await pilot.pause()
        session = question_screen(app).session
        await pilot.press("down", "enter")
        await pilot.pause()
        assert "Без согласия" in error_text(app)
        assert session.current is not None and session.current.id == "consent_pd"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        assert any("ничего не сохранено" in n.message for n in app._notifications)
    assert store.summaries() == []


async def test_a_failed_save_is_reported_and_does_not_advance(make_app, store: Store, monkeypatch) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        session = await answer_until(pilot, app, "last_name")

        def disk_full(*args: Any, **kwargs: Any) -> None:
            raise StoreError("Диск заполнен: не удалось записать файл.")

        monkeypatch.setattr(store, "save_answer", disk_full)
        await pilot.press(*"Смирнова", "enter")
        await pilot.pause()
        assert "НЕ сохранён" in error_text(app)
        assert "Диск заполнен" in error_text(app)
        assert session.current is not None and session.current.id == "last_name"
        monkeypatch.undo()
        await pilot.press("enter")
        await pilot.pause()
        assert session.current.id == "first_name"


async def test_a_broken_plan_template_is_reported(make_app, store: Store, monkeypatch) -> None:
    from tui.core import plan

    def broken(*args: Any, **kwargs: Any) -> str:
        raise plan.PlanError("templates/plan.md.j2:3: шаблон плана не отрисовывается: ошибка")

    iid = _draft(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        monkeypatch.setattr(plan, "render_plan", broken)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert "План не сформирован" in str(app.screen.query_one("#status", Static).render())
    assert store.load(iid).status != COMPLETE


async def test_inspector_guidance_for_the_group_module(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await answer_until(pilot, app, "children_count")
        assert not app.screen.query(Collapsible)
        await answer_until_more(pilot, app, "salary_importance")
        guidance = app.screen.query_one("#guidance", Collapsible)
        assert guidance.collapsed
        assert GROUP in str(guidance.title)
        await pilot.press("f2")
        await pilot.pause()
        assert not guidance.collapsed
        text = str(app.screen.query_one("#guidance-text Static", Static).render())
        assert "Особенности группы" in text and "Как работать" in text
        # The answer keeps the keyboard focus.
        assert app.focused is app.screen.query_one("#answer")


async def answer_until_more(pilot: Pilot[None], app: SobesednikApp, stop: str) -> None:
    session = question_screen(app).session
    while session.current is not None and session.current.id != stop:
        await answer_current(pilot, app, MOTHER)


def _draft(store: Store, upto: str | None = None) -> str:
    """An unfinished interview in ``store``, answered from the replay file up to ``upto``
    (to the end when ``None``)."""
    session = Session(bundle(), store, TODAY, inspector="Петрова П. П.")
    while session.current is not None and session.current.id != upto:
        session.submit(MOTHER[session.current.id])
    assert session.iid is not None
    return session.iid


async def test_kiosk_start_screen_shows_no_other_clients(make_app, store: Store) -> None:
    _draft(store, "salary_importance")
    app = make_app(kiosk=True, inspector=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        assert not app.screen.query(DataTable)
        shown = app.export_screenshot()
        assert "Смирнова" not in shown and "Незаконченн" not in shown
        # No way out of the kiosk by keyboard.
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.is_running and app.return_code is None
        # A new interview speaks to the client and never shows the inspector's guidance.
        await pilot.press("enter")
        await pilot.pause()
        screen = question_screen(app)
        wording = str(screen.query_one("#wording", Static).render())
        assert wording.startswith("Я согласен (согласна)")
        session = screen.session
        assert session.kiosk


async def test_kiosk_hides_inspector_guidance(make_app, store: Store) -> None:
    iid = _draft(store, "salary_importance")
    app = make_app(kiosk=True)
    async with app.run_test(size=SIZE) as pilot:
        app.resume_interview(iid)
        await pilot.pause()
        screen = question_screen(app)
        assert screen.session.current is not None and screen.session.current.id == "salary_importance"
        assert not screen.query(Collapsible)
        wording = str(screen.query_one("#wording", Static).render())
        assert wording == "Насколько для вас важен размер зарплаты?"


async def test_answering_with_the_mouse(make_app, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.click("#new")
        await pilot.pause()
        session = question_screen(app).session
        await pilot.click("#answer RadioButton")  # «Да»
        await pilot.click("#next")
        await pilot.pause()
        assert session.current is not None and session.current.id == "last_name"
        await pilot.click("#back")
        await pilot.pause()
        assert session.current.id == "consent_pd"
        assert app.screen.query_one("#answer").raw() is True
        await pilot.click("#next")
        await pilot.pause()
        assert session.current.id == "last_name"
        await pilot.click("#review")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.query_one("#plan").disabled
        await pilot.click("#back")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen) and session.current.id == "last_name"
    assert store.load(session.iid).answers == {"consent_pd": True}


async def test_an_idle_kiosk_goes_back_to_the_start(make_app) -> None:
    app = make_app(kiosk=True)
    app.idle_seconds = 0.3
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)
        await pilot.pause(0.8)
        assert isinstance(app.screen, StartScreen)


async def test_square_brackets_in_answers_are_shown_as_typed(make_app, store: Store) -> None:
    """Typed text is never read as markup (an unbalanced «[/]» would otherwise crash)."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await answer_until(pilot, app, "last_name")
        await pilot.press(*"Смирнова [/] [b]", "enter")
        await pilot.pause()
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert str(app.screen.query_one("#answers", DataTable).get_row("last_name")[2]) == "Смирнова [/] [b]"
        await pilot.press("escape")
        await pilot.pause()
        table = app.screen.query_one("#unfinished", DataTable)
        assert str(table.get_row_at(0)[0]) == "Смирнова [/] [b]"


async def test_recording_answers_for_replay(make_app, tmp_path: Path) -> None:
    record = tmp_path / "recorded.yaml"
    app = make_app(record=str(record))
    async with app.run_test(size=SIZE) as pilot:
        await answer_until(pilot, app, "first_name")
    recorded = yaml.safe_load(record.read_text(encoding="utf-8"))
    assert recorded["answers"] == {"consent_pd": True, "last_name": "Смирнова"}
    assert recorded["date"] == TODAY


async def test_deleting_an_unfinished_interview_asks_first(make_app, store: Store) -> None:
    _draft(store, "phone")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("delete")
        await pilot.pause()
        # The safe answer is the default: Enter cancels.
        await pilot.press("enter")
        await pilot.pause()
        assert len(store.unfinished()) == 1
        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("right", "enter")
        await pilot.pause()
        assert store.unfinished() == []
        assert isinstance(app.screen, StartScreen)
        assert app.focused is app.screen.query_one("#new")


async def test_cancelling_a_deletion_keeps_the_row_chosen(make_app, store: Store) -> None:
    _draft(store, "phone")
    _draft(store, "sex")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#unfinished", DataTable)
        assert table.row_count == 2
        await pilot.press("down", "delete")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert table.cursor_row == 1 and app.focused is table
    assert len(store.unfinished()) == 2


async def test_ctrl_q_quits_for_the_inspector(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await answer_until(pilot, app, "last_name")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running
