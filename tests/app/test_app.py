"""The Textual app driven by keystrokes at 80x24, as an inspector (or a kiosk client) would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from textual.pilot import Pilot
from textual.widgets import Collapsible, DataTable, Input, Static

from tests.helpers import MOTHER_TYPED, TODAY, bundle, draft_interview
from tui.app.app import SobesednikApp
from tui.app.screens.groups import GroupsScreen
from tui.app.screens.plan import PlanScreen
from tui.app.screens.question import QuestionScreen
from tui.app.screens.review import ReviewScreen
from tui.app.screens.start import StartScreen
from tui.engine import values
from tui.engine.dates import format_date
from tui.engine.model import Question
from tui.engine.session import Session
from tui.render.markdown import render_plan
from tui.store.store import COMPLETE, Store, StoreError

SIZE = (80, 24)
#: A mother of a four-year-old who worked until recently: the rules find mother_preschool only;
#: «disabled» is not assessed (no health-data consent), «long_unemployed» a near miss.
MOTHER = MOTHER_TYPED
GROUP = "Женщина с детьми дошкольного возраста"
PROFILE = {i.id for i in bundle().profile.items()}
#: The last profile question at the desk: the inspector's record from «Работа России».
LAST_PROFILE_QUESTION = "federal_profile_group"
#: A kiosk does not ask the inspector's records: its profile ends with the work sought.
KIOSK_LAST_PROFILE_QUESTION = "desired_work"
#: The mother who does not remember when her last job ended: «long_unemployed» is undecided.
NO_END_DATE = {**MOTHER, "last_job_end_date": ""}


def answer_keys(q: Question, raw: Any) -> list[str]:
    """The keys that give ``raw`` (as written in a replay file) on a fresh answer widget."""
    if raw is None or raw == "":
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


async def confirm_groups(pilot: Pilot[None], app: SobesednikApp) -> None:
    """On the group confirmation screen: leave every undecided group out, then confirm."""
    screen = app.screen
    assert isinstance(screen, GroupsScreen), screen
    table = screen.query_one("#group-list", DataTable)
    for r in screen.results:
        if screen.decision[r.id] is None:
            table.move_cursor(row=table.get_row_index(r.id))
            await pilot.press("minus")
    await pilot.press("ctrl+n")
    await pilot.pause()
    assert not isinstance(app.screen, GroupsScreen), groups_error(app)


def groups_error(app: SobesednikApp) -> str:
    error = app.screen.query_one("#groups-error", Static)
    return str(error.render()) if error.display else ""


async def answer_until(pilot: Pilot[None], app: SobesednikApp, stop: str,
                       answers: dict[str, Any] = MOTHER) -> Session:
    """Start a new interview and answer from ``answers`` until question ``stop`` shows."""
    await pilot.press("ctrl+n")
    await pilot.pause()
    session = question_screen(app).session
    await answer_until_more(pilot, app, stop, answers)
    return session


def typed(qid: str) -> Any:
    """The stored (JSON) form of ``MOTHER``'s answer to ``qid``."""
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
        # The profile is complete: the inspector confirms the groups before the module.
        assert asked[-1] == LAST_PROFILE_QUESTION
        assert set(asked) <= PROFILE
        assert isinstance(app.screen, GroupsScreen)
        await confirm_groups(pilot, app)
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
        assert "Консультация психолога" in plan

        # Save the plan under the proposed name, in the current directory.
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        saved = tmp_path / f"plan-{session.iid}.md"
        assert saved.read_text(encoding="utf-8") == plan
        assert str(saved) in str(app.screen.query_one("#plan-status", Static).render())
        saves = [(e["by"], e["iid"]) for e in store.audit_events() if e["action"] == "save_plan"]
        assert saves == [("Иванова И. И.", session.iid)]

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
    assert stored.header["groups_confirmed"]["computed"] == ["mother_preschool"]
    assert stored.header["group_overrides"] == []
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


async def test_an_unusual_answer_is_taken_when_given_again(make_app, store: Store) -> None:
    """Fewer children in all than minors now is possible (wards, a spouse's children): the
    question asks to confirm, and the same answer given again is taken."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        session = await answer_until(pilot, app, "birth_date")
        await pilot.press(*"14081980", "enter")  # 46: the mothers' rights can matter
        await pilot.pause()
        await answer_until_more(pilot, app, "insurance_years")
        for qid, keys in (("insurance_years", "20"), ("list1_years", "0"), ("list2_years", "0")):
            assert session.current is not None and session.current.id == qid
            await pilot.press(*keys, "enter")
            await pilot.pause()
        await answer_until_more(pilot, app, "children_raised")
        await pilot.press("1", "enter")  # two minors in «Дети»
        await pilot.pause()
        assert "меньше, чем несовершеннолетних" in error_text(app)
        assert "нажмите «Далее» ещё раз" in error_text(app)
        assert session.current is not None and session.current.id == "children_raised"
        assert "children_raised" not in store.load(session.iid).answers
        # Another answer is checked afresh: 0 is unusual too, so it is asked about again ...
        app.screen.query_one("#answer", Input).value = ""
        await pilot.press("0", "enter")
        await pilot.pause()
        assert session.current.id == "children_raised"
        assert "children_raised" not in store.load(session.iid).answers
        # ... and taken when given again.
        await pilot.press("enter")
        await pilot.pause()
        assert session.current.id != "children_raised"
        assert error_text(app) == ""
    assert store.load(session.iid).answers["children_raised"] == 0


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
    iid = draft_interview(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # Every question answered but no plan yet: resuming opens the review.
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        session = app.screen.session
        qids = [q.id for q in session.interview.questions]
        # Down to «psychologist» and open it: «Да» is pre-selected; pick «Нет».
        await pilot.press(*["down"] * qids.index("psychologist"), "enter")
        await pilot.pause()
        assert session.current is not None and session.current.id == "psychologist"
        assert app.screen.query_one("#answer").raw() is True
        await pilot.press("down", "enter")
        await pilot.pause()
        # Nothing left unanswered: back to the review, which shows the new answer.
        assert isinstance(app.screen, ReviewScreen)
        table = app.screen.query_one("#answers", DataTable)
        assert str(table.get_row("psychologist")[2]) == "Нет"
        # The cursor stays on the question just changed.
        assert table.cursor_row == qids.index("psychologist")
        assert "Консультация психолога" not in render_plan(session.plan())
    assert store.load(iid).answers["psychologist"] is False


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
    assert summary.client == {"last_name": "Смирнова"}


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
    assert store.recent() == []


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
    from tui.render import markdown as plan

    def broken(*args: Any, **kwargs: Any) -> str:
        raise plan.PlanError("templates/plan.md.j2:3: шаблон плана не отрисовывается: ошибка")

    iid = draft_interview(store)
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
        assert not app.screen.query_one("#module-intro").display
        await answer_until_more(pilot, app, "salary_importance")
        guidance = app.screen.query_one("#guidance", Collapsible)
        assert guidance.collapsed
        assert GROUP in str(guidance.title)
        # The first question of the module says which group the section is for.
        intro = app.screen.query_one("#module-intro", Static)
        assert intro.display and f"«{GROUP}»" in str(intro.render())
        await pilot.press("f2")
        await pilot.pause()
        assert not guidance.collapsed
        text = str(app.screen.query_one("#guidance-text Static", Static).render())
        assert "Особенности группы" in text and "Как работать" in text
        # The answer keeps the keyboard focus.
        assert app.focused is app.screen.query_one("#answer")
        # Only the first question of the module says so; the guidance stays.
        await answer_current(pilot, app, MOTHER)
        assert not app.screen.query_one("#module-intro").display
        assert app.screen.query_one("#guidance", Collapsible)


async def answer_until_more(pilot: Pilot[None], app: SobesednikApp, stop: str,
                            answers: dict[str, Any] = MOTHER) -> None:
    """Answer from ``answers`` (confirming the groups when asked) until ``stop`` shows."""
    session = next(s for s in app.screen_stack if isinstance(s, QuestionScreen)).session
    def more() -> bool:
        return session.current is not None and session.current.id != stop

    while isinstance(app.screen, GroupsScreen) or more():
        if isinstance(app.screen, GroupsScreen):
            await confirm_groups(pilot, app)
            continue
        await answer_current(pilot, app, answers)


async def test_kiosk_start_screen_shows_no_other_clients(make_app, store: Store) -> None:
    draft_interview(store, "salary_importance")
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
    iid = draft_interview(store, "salary_importance")
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
    # Long enough for a loaded machine to show the question before the kiosk gives up.
    app.idle_seconds = 1.5
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)
        await pilot.pause(3.5)
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
    draft_interview(store, "phone")
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
    draft_interview(store, "phone")
    draft_interview(store, "sex")
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


# ---------------------------------------------------------------------- group confirmation


def any_answer(q: Question) -> Any:
    """A valid answer to a module question the test does not care about."""
    if q.type == "yes_no":
        return "нет"
    if q.type == "choice":
        return q.choice_values[0]
    if q.type == "multi_choice":
        return [q.choice_values[0]]
    if q.type in ("integer", "number"):
        return "1"
    if q.type == "date":
        return "01.01.2026"
    if q.type == "phone":
        return "+7 921 000-00-00"
    return "Нет сведений"


def groups_screen(app: SobesednikApp) -> GroupsScreen:
    assert isinstance(app.screen, GroupsScreen), app.screen
    return app.screen


def group_rows(app: SobesednikApp) -> list[tuple[str, str, str]]:
    """(id, mark, state) of each row of the group list, top to bottom."""
    table = groups_screen(app).query_one("#group-list", DataTable)
    out = []
    for i in range(table.row_count):
        key = table.coordinate_to_cell_key((i, 0)).row_key.value
        mark, _title, state = table.get_row_at(i)
        out.append((str(key), str(mark), str(state)))
    return out


def detail(app: SobesednikApp) -> str:
    return str(groups_screen(app).query_one("#group-detail", Static).render())


async def to_group(pilot: Pilot[None], app: SobesednikApp, gid: str) -> None:
    """Move the list's cursor to ``gid`` by the arrow keys."""
    table = groups_screen(app).query_one("#group-list", DataTable)
    table.focus()
    target = table.get_row_index(gid)
    key = "down" if target > table.cursor_row else "up"
    await pilot.press(*[key] * abs(target - table.cursor_row))
    await pilot.pause()
    assert table.cursor_row == target


async def profile_done(pilot: Pilot[None], app: SobesednikApp,
                       answers: dict[str, Any] = MOTHER) -> Session:
    """A new interview with the whole profile answered: the groups screen is shown. The
    answers go through the session (typing each one is what
    test_whole_mother_interview_by_keyboard tests); the last is typed, so that the screen
    moves to the groups as after any answer."""
    await pilot.press("ctrl+n")
    await pilot.pause()
    screen = question_screen(app)
    session = screen.session
    while session.current is not None and session.current.id != LAST_PROFILE_QUESTION:
        session.submit(answers.get(session.current.id), confirmed=True)
    await screen.show_question()
    await pilot.pause()
    await answer_current(pilot, app, answers)
    groups_screen(app)
    return session


async def test_a_long_reason_is_shown_whole_on_the_groups_screen(make_app) -> None:
    """A mother of four with a partial Список № 2 record: the right, the coefficient, the
    Social Fund's advice and the source all fit at 80×24."""
    answers = {**MOTHER, "birth_date": "15.03.1975", "children_count": "3",
               "youngest_child_birth_date": "01.09.2012", "northern_years": "8",
               "insurance_years": "27", "list1_years": "0", "list2_years": "6",
               "children_raised": "4"}
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await profile_done(pilot, app, answers)
        await to_group(pilot, app, "pre_pensioner")
        text = detail(app)
        assert "многодетная мать, 4 детей — с 56 лет" in text
        assert "стаж по Списку № 2 неполный (6 лет)" in text
        box = groups_screen(app).query_one("#group-detail", Static)
        needed = box.get_content_height(box.size, box.size, box.content_region.width)
        assert needed <= box.content_region.height, (needed, box.content_region.height)


async def test_groups_are_confirmed_after_the_last_profile_question(make_app, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        session = await profile_done(pilot, app)
        rows = group_rows(app)
        # Every group, one line each: found, near misses, the rest, then the one not assessed.
        assert len(rows) == len(bundle().groups) == 10
        assert rows[0] == ("mother_preschool", "✓", "найдена")
        assert rows[1] == ("long_unemployed", "·", "не найдена (близко)")
        assert all(state == "не найдена" for _, _, state in rows[2:-1])
        # No health-data consent: «Инвалиды» was not assessed, and cannot be added.
        assert rows[-1] == ("disabled", "–", "не оценивалась")
        # Nothing to decide: the cursor starts on the first group, with its reason.
        assert "младшему ребёнку 4 года" in detail(app)
        await to_group(pilot, app, "long_unemployed")
        assert "перерыв 10 месяцев" in detail(app)  # the near miss says why not
        await to_group(pilot, app, "disabled")
        assert "Инвалиды: не оценивалась, добавить нельзя." in detail(app)
        assert "Нет отдельного согласия клиента на обработку сведений о здоровье" in detail(app)
        assert groups_screen(app).query_one("#include").disabled
        # Nothing is stored until the inspector confirms.
        assert "groups_confirmed" not in store.load(session.iid).header
        await pilot.press("ctrl+n")
        await pilot.pause()
        # On to the first question of the group's module.
        assert question_screen(app).session.current.id == "salary_importance"
    header = store.load(session.iid).header
    assert header["groups_confirmed"]["computed"] == ["mother_preschool"]
    assert header["groups_confirmed"]["by"] == "Иванова И. И."
    assert header["group_overrides"] == []


async def test_an_undecided_group_must_be_decided(make_app, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        session = await profile_done(pilot, app, NO_END_DATE)
        rows = group_rows(app)
        assert rows[1] == ("long_unemployed", "?", "решите: + или −")
        # The cursor starts on the group the inspector has to decide, with its reason.
        assert groups_screen(app).query_one("#group-list", DataTable).cursor_row == 1
        assert "решение за инспектором" in detail(app)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert "Решите по группе «Длительно не работающий гражданин»" in groups_error(app)
        assert "groups_confirmed" not in store.load(session.iid).header
        await pilot.press("minus")
        assert group_rows(app)[1] == ("long_unemployed", "−", "не включена")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert question_screen(app).session.current.id == "salary_importance"
    assert store.load(session.iid).header["groups_confirmed"]["computed"] == ["mother_preschool"]


async def test_a_group_not_assessed_cannot_be_added_by_documents(make_app, store: Store) -> None:
    """Without the health-data consent adding «Инвалиды» would process health data: refused."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        session = await profile_done(pilot, app)
        await to_group(pilot, app, "disabled")
        for key in ("plus", "space", "enter"):
            await pilot.press(key)
            await pilot.pause()
            assert groups_error(app).startswith(
                "Группу «Инвалиды» добавить нельзя: она не оценивалась. Нет отдельного согласия "
                "клиента на обработку сведений о здоровье"
            ), key
            assert dict((r[0], r[1:]) for r in group_rows(app))["disabled"] == ("–", "не оценивалась")
            assert groups_screen(app).decision["disabled"] == "out"
        # The reason box stays closed: there is nothing to give a reason for.
        assert groups_screen(app).query_one("#group-reason", Input).disabled
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert question_screen(app).session.current.id == "salary_importance"
        assert "disabled" not in session.interview.classification.ids
    assert store.load(session.iid).header["group_overrides"] == []


async def test_removing_a_found_group_needs_a_reason_and_drops_its_module(make_app, store: Store) -> None:
    reason = "Ребёнок живёт с отцом"
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        session = await profile_done(pilot, app)
        await to_group(pilot, app, "mother_preschool")
        await pilot.press("space")
        await pilot.pause()
        assert group_rows(app)[0] == ("mother_preschool", "✗", "исключена вручную")
        # A decision against the rules asks for its reason right away.
        box = groups_screen(app).query_one("#group-reason", Input)
        assert app.focused is box and not box.disabled
        # Confirming without one shows the session's message inline.
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert groups_error(app) == (
            "Укажите причину: почему исключена группа «Женщина с детьми дошкольного возраста»."
        )
        assert app.focused is box
        await pilot.press(*reason, "enter")
        await pilot.pause()
        assert groups_error(app) == ""
        await pilot.press("ctrl+n")
        await pilot.pause()
        # No group is left with a module: every question is answered, on to the review.
        review = app.screen
        assert isinstance(review, ReviewScreen)
        assert not any(q.script.kind == "module" for q in session.interview.questions)
        shown = str(review.query_one("#groups", Static).render())
        assert f"{GROUP} — исключена инспектором: {reason}" in shown
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, PlanScreen)
        assert "Клиентская группа не определена" in app.screen.text
    [override] = store.load(session.iid).header["group_overrides"]
    assert (override["group"], override["action"], override["reason"], override["by"]) == (
        "mother_preschool", "remove", reason, "Иванова И. И."
    )


#: The mother with the separate health-data consent and no disability recorded.
WITH_CONSENT = {**MOTHER, "consent_health": "да", "disability_group": "none"}


async def test_adding_a_group_with_a_reason_asks_its_module(make_app, store: Store) -> None:
    gid = "disabled"  # with the health-data consent given, the inspector may add it by documents
    title = bundle().group(gid).title
    reason = "Справка МСЭ: II группа, предъявлена на приёме"
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        session = await profile_done(pilot, app, WITH_CONSENT)
        await to_group(pilot, app, gid)
        await pilot.press("plus")
        await pilot.pause()
        assert dict((r[0], r[1:]) for r in group_rows(app))[gid] == ("+", "добавлена вручную")
        await pilot.press(*reason, "enter")
        await pilot.press("ctrl+n")
        await pilot.pause()
        # The added group's module is asked, from its first question.
        screen = question_screen(app)
        first = next(q for q in session.interview.questions if q.script.group == gid)
        assert session.current is first
        assert f"«{title}»" in str(screen.query_one("#module-intro", Static).render())
        [override] = store.load(session.iid).header["group_overrides"]
        assert (override["group"], override["action"], override["reason"]) == (gid, "add", reason)

        while isinstance(app.screen, QuestionScreen) and session.current is not None:
            q = session.current
            await answer_current(pilot, app, {q.id: WITH_CONSENT.get(q.id, any_answer(q))})
        assert isinstance(app.screen, ReviewScreen)
        assert f"{title} — добавлена инспектором: {reason}" in str(
            app.screen.query_one("#groups", Static).render()
        )
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, PlanScreen)
        assert f"**{title}.** Отнесён(а) инспектором: {reason}" in app.screen.text
    assert store.load(session.iid).status == COMPLETE


async def test_a_kiosk_never_confirms_groups_the_inspector_does_on_resume(make_app, store: Store) -> None:
    app = make_app(kiosk=True, inspector=None)
    async with app.run_test(size=SIZE) as pilot:
        session = await answer_until(pilot, app, KIOSK_LAST_PROFILE_QUESTION)
        await answer_current(pilot, app, MOTHER)
        # The client goes straight on to the module; no guidance or group is shown.
        screen = question_screen(app)
        assert session.current.id == "salary_importance"
        assert not screen.query_one("#module-intro").display
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen) and not app.screen.query("#groups-button")
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        iid = session.iid
    assert "groups_confirmed" not in store.load(iid).header

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # resume the client's interview at the desk
        await pilot.pause()
        # First the inspector's own record, which the kiosk did not ask; then the groups.
        assert question_screen(app).session.current.id == LAST_PROFILE_QUESTION
        await answer_current(pilot, app, MOTHER)
        groups_screen(app)
        await confirm_groups(pilot, app)
        assert question_screen(app).session.current.id == "salary_importance"
    assert store.load(iid).header["groups_confirmed"]["computed"] == ["mother_preschool"]


async def test_resume_before_the_groups_are_confirmed_shows_them(make_app, store: Store) -> None:
    iid = draft_interview(store, "salary_importance", confirm=False)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        groups_screen(app)
        # Esc leaves as on the question screen: nothing decided, asked again next time.
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        await pilot.press("enter")
        await pilot.pause()
        groups_screen(app)
        await confirm_groups(pilot, app)
        assert question_screen(app).session.current.id == "salary_importance"
    assert "groups_confirmed" in store.load(iid).header


async def test_resume_of_a_complete_interview_with_unconfirmed_groups(make_app, store: Store) -> None:
    draft_interview(store, confirm=False)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        groups_screen(app)
        await confirm_groups(pilot, app)
        # Every answer is given: back to the review, where the plan can now be made.
        review = app.screen
        assert isinstance(review, ReviewScreen)
        assert "Можно сформировать план" in str(review.query_one("#status", Static).render())
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, PlanScreen)


async def test_the_plan_waits_for_the_groups(make_app, store: Store) -> None:
    """A review reached without confirming (Ctrl+B from the groups) cannot make the plan."""
    draft_interview(store, confirm=False)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("ctrl+b")
        await pilot.pause()
        screen = question_screen(app)
        assert screen.session.current.id == LAST_PROFILE_QUESTION
        await pilot.press("ctrl+r")
        await pilot.pause()
        review = app.screen
        assert isinstance(review, ReviewScreen)
        assert "подтвердите группы" in str(review.query_one("#status", Static).render())
        assert "не подтверждены" in str(review.query_one("#groups", Static).render())
        await pilot.press("ctrl+p")
        await pilot.pause()
        groups_screen(app)


async def test_a_changed_fact_asks_for_the_groups_again(make_app, store: Store) -> None:
    draft_interview(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        review = app.screen
        assert isinstance(review, ReviewScreen)
        session = review.session
        qids = [q.id for q in session.interview.questions]
        await pilot.press(*["down"] * qids.index("sex"), "enter")
        await pilot.pause()
        await pilot.press("down", "enter")  # «Мужской»
        await pilot.pause()
        # The rules no longer find the group: the inspector confirms again, told what changed.
        rows = group_rows(app)
        assert ("mother_preschool", " ", "не найдена") in rows
        change = str(groups_screen(app).query_one("#groups-change", Static).render())
        assert change == f"Ответы изменились — больше не найдены: {GROUP}."
        await confirm_groups(pilot, app)
        assert isinstance(app.screen, ReviewScreen)
        assert "Клиентская группа не определена" in str(app.screen.query_one("#groups", Static).render())


async def test_an_unchanged_fact_does_not_ask_again(make_app, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        session = await profile_done(pilot, app)
        await confirm_groups(pilot, app)
        await pilot.press("ctrl+b")  # back to the last profile question, answered again
        await pilot.pause()
        assert session.current.id == LAST_PROFILE_QUESTION
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert question_screen(app).session.current.id == "salary_importance"


async def test_groups_by_mouse(make_app, store: Store) -> None:
    reason = "Клиентка просит не учитывать"
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        session = await profile_done(pilot, app)
        await to_group(pilot, app, "long_unemployed")
        await pilot.click("#group-list", offset=(10, 1))  # the first row: highlight it
        await pilot.pause()
        assert "найдена по правилам" in detail(app)
        assert group_rows(app)[0][1] == "✓"
        await pilot.click("#group-list", offset=(10, 1))  # a second click changes it
        await pilot.pause()
        assert group_rows(app)[0][1] == "✗"
        await pilot.click("#group-reason")
        await pilot.press(*reason)
        await pilot.click("#confirm")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        # The review reopens the confirmation: the decisions and the reason are kept.
        await pilot.click("#groups-button")
        await pilot.pause()
        rows = group_rows(app)
        assert rows[0][1:] == ("✗", "исключена вручную")
        assert rows[1][1:] == ("·", "не найдена (близко)")
        assert groups_screen(app).query_one("#group-reason", Input).value == reason
        await pilot.click("#include")  # back in the group: no reason needed
        await pilot.click("#confirm")
        await pilot.pause()
        assert question_screen(app).session.current.id == "salary_importance"
        assert session.interview.overrides == {}
        # The back button returns to the last profile question.
        await pilot.press("ctrl+g")
        await pilot.pause()
        await pilot.click("#back")
        await pilot.pause()
        assert question_screen(app).session.current.id == LAST_PROFILE_QUESTION
    assert store.load(session.iid).header["group_overrides"] == []


@pytest.mark.parametrize("module_id", [m.id for m in bundle().modules])
async def test_guidance_on_every_module(make_app, store: Store, module_id: str) -> None:
    """Each module's first question names its group, and F2 opens its advice."""
    module = next(m for m in bundle().modules if m.id == module_id)
    group = bundle().group(module.group)
    session = Session(bundle(), store, TODAY, inspector="Петрова П. П.")
    while not session.needs_group_confirmation:
        session.submit(WITH_CONSENT[session.current.id])
    decisions = {} if module.group in session.computed_groups() else {module.group: ("add", "проверка")}
    session.confirm_groups(decisions)
    first = next((q for q in session.interview.questions if q.script is module), None)
    if first is None:
        pytest.skip(f"{module_id}: no question applies to this client")
    session.goto(first.id)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.open_session(session)
        await pilot.pause()
        screen = question_screen(app)
        assert f"«{group.title}»" in str(screen.query_one("#module-intro", Static).render())
        if module.traits or module.approach:
            guidance = screen.query_one("#guidance", Collapsible)
            assert group.title in str(guidance.title)
            await pilot.press("f2")
            await pilot.pause()
            assert not guidance.collapsed
            text = str(screen.query_one("#guidance-text Static", Static).render())
            assert (module.traits or module.approach)[0][:30] in " ".join(text.split())


async def test_a_failed_save_of_the_groups_is_reported(make_app, store: Store, monkeypatch) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        session = await profile_done(pilot, app)

        def disk_full(*args: Any, **kwargs: Any) -> None:
            raise StoreError("Диск заполнен: не удалось записать файл.")

        monkeypatch.setattr(store, "save_group_confirmation", disk_full)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert groups_error(app).startswith("Решение НЕ сохранено. Диск заполнен")
        assert session.needs_group_confirmation
        monkeypatch.undo()
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert question_screen(app).session.current.id == "salary_importance"
    assert store.load(session.iid).header["groups_confirmed"]["computed"] == ["mother_preschool"]
