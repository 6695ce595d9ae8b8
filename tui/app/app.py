"""The Sobesednik application: screens over one :class:`~tui.engine.session.Session`.

The screen stack is always: an empty base, the start screen, then (during an interview) the
question screen, then perhaps the review screen, the group confirmation screen (at the desk) and the
plan screen on top. Leaving an interview pops back to the start screen.

Screens post :mod:`tui.app.messages`; the handlers here decide what comes next. The
session decides which question that is (:attr:`Session.current`).
"""

from __future__ import annotations

import sys
from datetime import date
from typing import TYPE_CHECKING, Any

from textual import events, on
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer

from tui.app import messages
from tui.app.safety import HOME, SafetyNet
from tui.app.screens.start import StartScreen
from tui.app.workplace import Workplace
from tui.whoami import whoami

if TYPE_CHECKING:
    from tui.engine.model import Bundle
    from tui.engine.session import Session
    from tui.store import Store

#: A kiosk left alone this long goes back to the start screen, hiding the last client's answers.
KIOSK_IDLE_SECONDS = 300.0


class SobesednikApp(App[None]):
    TITLE = "Собеседник"
    CSS_PATH = "app.tcss"
    # The palette's built-in commands speak English; everything here is in Russian.
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("ctrl+q", "quit", "Выход", priority=True),
        Binding("ctrl+c", "help_quit", show=False, system=True),
    ]

    def __init__(
        self,
        bundle: Bundle,
        store: Store,
        *,
        today: date,
        kiosk: bool = False,
        inspector: str | None = None,
        record: str | None = None,
        safety_net: bool = True,
    ) -> None:
        super().__init__()
        self.bundle = bundle
        self.record = record
        #: Where the app runs and who works here: the store, the date, kiosk or desk, the
        #: inspector; what the screens are told of it.
        self.place = Workplace(store, today, kiosk, whoami(inspector))
        self.idle_seconds = KIOSK_IDLE_SECONDS
        self._idle_timer: Timer | None = None
        #: The interview open on screen; it holds the interview's lease in the store.
        self.session: Session | None = None
        #: Unexpected errors end on a calm screen (:mod:`tui.app.safety`); tests switch it
        #: off to see their errors.
        self.safety_net = SafetyNet(self) if safety_net else None

    @property
    def store(self) -> Store:
        return self.place.store

    @property
    def today(self) -> date:
        return self.place.today

    @property
    def kiosk(self) -> bool:
        return self.place.kiosk

    @property
    def inspector_name(self) -> str:
        """Who works at this desk: ``--inspector`` or the system user, as sessions record it."""
        return self.place.inspector

    @property
    def mode(self) -> str:
        return self.place.mode

    # ------------------------------------------------------------------ the safety net

    def _handle_exception(self, error: Exception) -> None:
        # Where Textual sends every unhandled exception (it would print it and exit).
        if self.safety_net is None:
            super()._handle_exception(error)
        else:
            self.safety_net.caught(error)

    async def _dispatch_message(self, message: Message) -> None:
        # An error in the app's own handlers would end its message loop: catch it here.
        if self.safety_net is None:
            return await super()._dispatch_message(message)
        try:
            await super()._dispatch_message(message)
        except Exception as error:
            self.safety_net.caught(error)

    def run(self, *args: Any, **kwargs: Any) -> Any:
        """Run the app; if the safety net had to stop it, say why on the terminal."""
        result = super().run(*args, **kwargs)
        if self.safety_net is not None and self.safety_net.exit_message:
            print(self.safety_net.exit_message, file=sys.stderr)
        return result

    def after_crash(self, choice: str | None, iid: str | None) -> None:
        """The error screen closed: go on with interview ``iid``, or stay at the start."""
        from tui.app.screens.crash import CONTINUE

        if choice == CONTINUE and iid is not None:
            self.resume_interview(iid)

    def get_default_screen(self) -> Screen[Any]:
        # An empty base under the start screen: the start screen is pushed on it, so that
        # it can be replaced by a fresh one (after an error; Textual cannot switch the
        # default screen).
        return Screen(id="base")

    def on_unmount(self) -> None:
        self.release_session()

    def release_session(self) -> None:
        """Let the open interview go: other windows may open it now (its lease released)."""
        session, self.session = self.session, None
        if session is not None:
            session.close()

    def on_mount(self) -> None:
        self.sub_title = "терминал самообслуживания" if self.kiosk else "интервью с клиентом ЦЗН"
        self.push_screen(StartScreen(self.place))
        if self.kiosk:
            self._idle_timer = self.set_interval(self.idle_seconds, self._idle)

    # ------------------------------------------------------------------ kiosk

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "quit" and self.kiosk:
            return False
        return True

    def action_help_quit(self) -> None:
        if not self.kiosk:
            self.notify("Чтобы выйти из программы, нажмите Ctrl+Q.", title="Выйти?")

    async def on_event(self, event: events.Event) -> None:
        if self.kiosk and isinstance(event, events.Key | events.MouseDown | events.MouseScrollDown):
            self._reset_idle()
        await super().on_event(event)

    def _reset_idle(self) -> None:
        if self._idle_timer is not None:
            self._idle_timer.reset()

    def _idle(self) -> None:
        if len(self.screen_stack) > HOME:
            self.go_home("Интервью прервано: долго не было ответа. Ответы, которые вы дали, сохранены.")

    # ------------------------------------------------------------------ opening interviews

    @on(messages.NewInterview)
    def new_interview(self) -> None:
        from tui.engine.session import Session

        session = Session(
            self.bundle, self.store, self.today,
            mode=self.mode, inspector=self.inspector_name, record=self.record,
        )
        self.open_session(session)

    def resume_interview(self, iid: str) -> None:
        """Continue an unfinished interview; say so when another inspector began it."""
        from tui.engine.session import Session
        from tui.store import StoreError

        try:
            session = Session.resume(
                self.bundle, self.store, iid,
                mode=self.mode, inspector=self.inspector_name, record=self.record,
            )
        except StoreError as exc:
            self.notify(str(exc), title="Интервью не открывается", severity="error", timeout=10, markup=False)
            return
        self.open_session(session)
        # What the store had to mend to open it (a bad header field): the inspector is told.
        warnings = self.store.take_warnings()
        if warnings and not self.kiosk:
            self.notify("\n".join(dict.fromkeys(warnings)), title="Интервью открыто, но",
                        severity="warning", timeout=12, markup=False)
        lines = [] if self.kiosk else [handover_message(session.earlier_inspectors, session.inspector)]
        if session.needs_group_confirmation:
            lines.append("Подтвердите группы клиента, затем интервью продолжится. Прежние ответы сохранены.")
        elif session.current is not None:
            lines.append("Интервью продолжается с первого вопроса без ответа. Прежние ответы сохранены.")
        message = "\n".join(line for line in lines if line)
        if message:
            self.notify(message, timeout=8, markup=False)

    @on(messages.ResumeInterview)
    def _resume_requested(self, message: messages.ResumeInterview) -> None:
        self._back_to_start()  # from the client's history too
        self.resume_interview(message.iid)

    @on(messages.ShowFinished)
    def _show_finished(self, message: messages.ShowFinished) -> None:
        """The plan of a finished interview and the client's other interviews, read only."""
        from tui.app.screens.client import ClientScreen
        from tui.store import StoreError

        try:
            history = self.store.client_interviews(message.iid)
        except StoreError as exc:
            self.notify(str(exc), title="Интервью не открывается", severity="error", timeout=10, markup=False)
            return
        self.push_screen(ClientScreen(self.place, message.iid, history))

    def open_session(self, session: Session) -> None:
        from tui.app.screens.question import QuestionScreen

        self.release_session()
        self.session = session
        self.push_screen(QuestionScreen(session, self.store))
        if session.current is None:
            self._push_review(session)
        if session.needs_group_confirmation:
            # Resumed after the profile, before the inspector confirmed the groups.
            self._push_groups(session)

    # ------------------------------------------------------------------ within an interview

    @on(messages.ShowGroups)
    def _show_groups(self) -> None:
        if self.session is not None:
            self._push_groups(self.session)

    def _push_groups(self, session: Session) -> None:
        """The inspector confirms the client groups (never at a kiosk)."""
        from tui.app.screens.groups import GroupsScreen

        if not session.kiosk:
            self.push_screen(GroupsScreen(session))

    @on(messages.GroupsConfirmed)
    def _groups_confirmed(self) -> None:
        """On to the first question still without an answer (the first of the groups'
        modules), or to the review when every answer is given."""
        from tui.app.screens.groups import GroupsScreen
        from tui.app.screens.review import ReviewScreen

        session = self.session
        if session is None:
            return
        if isinstance(self.screen, GroupsScreen):
            self.pop_screen()
        if session.current is None:
            if not isinstance(self.screen, ReviewScreen):
                self._push_review(session)
            return
        self._back_to_questions()

    @on(messages.BackToQuestions)
    def _back_to_questions(self) -> None:
        from tui.app.screens.question import QuestionScreen

        while len(self.screen_stack) > HOME + 1 and not isinstance(self.screen, QuestionScreen):
            self.pop_screen()

    @on(messages.ShowReview)
    def _show_review(self, message: messages.ShowReview) -> None:
        if self.session is not None:
            self._push_review(self.session, message.focus)

    def _push_review(self, session: Session, focus: str | None = None) -> None:
        from tui.app.screens.review import ReviewScreen

        self.push_screen(ReviewScreen(session, focus))

    @on(messages.FinishInterview)
    def _finish(self) -> None:
        """Render the plan, mark the interview complete and show the plan; if the plan
        cannot be made, the review says why."""
        from tui.app.screens.plan import PlanScreen
        from tui.app.screens.review import ReviewScreen
        from tui.render.markdown import PlanError, render_plan
        from tui.store import StoreError

        session = self.session
        if session is None:
            return
        try:
            text = render_plan(session.plan())
        except PlanError as exc:
            if isinstance(self.screen, ReviewScreen):
                self.screen.plan_failed(f"План не сформирован: {exc}")
            return
        warning = ""
        try:
            session.finish(text)
        except StoreError as exc:
            # The plan is rendered, but the interview could not be marked complete on disk.
            warning = f"Интервью не отмечено как завершённое: {exc}"
        self.push_screen(PlanScreen(session, self.store, text, warning))

    # ------------------------------------------------------------------ leaving

    @on(messages.LeaveInterview)
    def _leave_interview(self) -> None:
        """Leave the interview for the start screen, saying what became of the answers."""
        session = self.session
        if session is None or session.iid is None:
            message = "Интервью прервано до согласия на обработку данных: ничего не сохранено."
        elif session.kiosk:
            message = "Интервью прервано. Ваши ответы сохранены: инспектор сможет продолжить его с вами."
        else:
            message = "Интервью прервано. Ответы сохранены: его можно продолжить с начального экрана."
        self.go_home(message)

    @on(messages.GoHome)
    def _go_home(self, message: messages.GoHome) -> None:
        self.go_home(message.notice)

    def go_home(self, message: str | None = None) -> None:
        """Back to the start screen; the interview's stored answers stay."""
        self.release_session()
        self._back_to_start()
        if message:
            self.notify(message, timeout=6, markup=False)

    def _back_to_start(self) -> None:
        while len(self.screen_stack) > HOME:
            self.pop_screen()


def handover_message(before: list[str], current: str) -> str:
    """«Интервью начал(а) Петрова; продолжает Иванова» when ``current`` has not worked on the
    interview before; empty otherwise. ``before``: the interview's inspectors, first first."""
    earlier = [str(i) for i in before if str(i).strip()]
    if not earlier or current in earlier:
        return ""
    started, *others = earlier
    text = f"Интервью начал(а) {started}"
    if others:
        text += f", продолжали {', '.join(others)}" if len(others) > 1 else f", продолжал(а) {others[0]}"
    text = f"{text}; продолжает {current}"
    return text if text.endswith(".") else text + "."
