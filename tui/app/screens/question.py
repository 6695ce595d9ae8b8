"""The question screen: one question of the interview at a time (``session.current``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal, VerticalScroll
from textual.content import Content
from textual.markup import escape
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Collapsible, Footer, Header, Input, Label, ProgressBar, Static

from tui.app.messages import LeaveInterview, ShowGroups, ShowReview
from tui.app.widgets.answer import HINTS, AnswerConfirmed, InputRefused, make_answer_widget
from tui.engine.session import ConsentRequired
from tui.engine.values import AnswerError, NeedsConfirmation
from tui.store import StoreError

if TYPE_CHECKING:
    from tui.engine.model import Question, Script
    from tui.engine.session import Session
    from tui.store import Store


def guidance_text(script: Script) -> Content:
    """The module's advice for the inspector (script text is never read as markup)."""
    parts: list[str | tuple[str, str]] = []
    for heading, items in (("Особенности группы", script.traits), ("Как работать", script.approach)):
        if not items:
            continue
        if parts:
            parts.append("\n\n")
        parts.append((heading, "bold"))
        parts.extend(f"\n • {item}" for item in items)
    return Content.assemble(*parts)


class QuestionScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+n", "next", "Далее"),
        Binding("ctrl+b", "back", "Назад"),
        Binding("ctrl+r", "review", "Все ответы"),
        Binding("escape", "leave", "Выйти"),
        Binding("f2", "toggle_guidance", "Подсказка"),
        Binding("ctrl+g", "groups", "Группы", show=False),
    ]

    def __init__(self, session: Session, store: Store) -> None:
        super().__init__()
        self.session = session
        #: Where the answers go: asked for the warnings of the last save.
        self.store = store
        self.shown: Question | None = None
        self._guidance_for: str | None = None
        #: A move (Next, Back) is under way: a second press meanwhile (Enter and Ctrl+N at
        #: once, a double tap) is dropped instead of racing it for the answer widget.
        self._moving = False
        #: The question and answer the person was asked to confirm (an unusual answer).
        self._to_confirm: tuple[str, Any] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="topbar"):
            yield Label(id="section")
            yield Label(id="position")
            yield ProgressBar(id="progress", show_eta=False, show_percentage=False)
        yield Container(id="guidance-slot")
        with VerticalScroll(id="body"):
            yield Static(id="module-intro")
            yield Static(id="wording")
            yield Static(id="note")
            yield Static(id="help")
            yield Static(id="consent-text")
            yield Container(id="answer-slot")
            yield Static(id="hint")
            yield Static(id="error")
        with Horizontal(id="buttons"):
            yield Button("← Назад", id="back", compact=True, action="screen.back")
            yield Button("Далее →", id="next", variant="primary", compact=True, action="screen.next")
            yield Button("Все ответы", id="review", compact=True, action="screen.review")
        yield Footer()

    async def on_mount(self) -> None:
        await self.show_question()

    async def on_screen_resume(self) -> None:
        # Back from the review: show the question it chose (or the one left open).
        if not self.is_current:
            return
        if self.session.current is None:
            self.session.back()
        if self.session.current is not self.shown:
            await self.show_question()

    # ------------------------------------------------------------------ showing

    async def show_question(self) -> None:
        q = self.session.current
        if q is None:
            return
        self.shown = q
        kiosk = self.session.kiosk
        answered, total = self.session.progress()
        number = self.session.number(q.id)
        self.query_one("#section", Label).update(Content(q.section.title if q.section else ""))
        self.query_one("#position", Label).update(f"Вопрос {number} из {total}")
        self.query_one("#progress", ProgressBar).update(total=max(total, 1), progress=answered)
        self.query_one("#wording", Static).update(Content(q.wording(kiosk)))
        note = self.query_one("#note", Static)
        note.update("Необязательный вопрос: можно оставить без ответа.")
        note.display = not q.required
        help_ = self.query_one("#help", Static)
        help_.update(Content(q.help or ""))
        help_.display = bool(q.help)
        consent = self.query_one("#consent-text", Static)
        consent_text = self.session.consent_text(q.id)
        consent.update(Content(consent_text))
        consent.display = bool(consent_text)
        hint = self.query_one("#hint", Static)
        hint.update(HINTS.get(q.type, ""))
        hint.display = q.type in HINTS
        self.show_error("")
        self._to_confirm = None
        intro = self.query_one("#module-intro", Static)
        intro_text = self._module_intro(q)
        intro.update(intro_text)
        intro.display = bool(intro_text)
        await self._show_guidance(q)
        slot = self.query_one("#answer-slot")
        await slot.remove_children()
        widget = make_answer_widget(q, self.session.value(q.id), kiosk=kiosk)
        await slot.mount(widget)
        self.query_one("#back", Button).disabled = not self.session.can_go_back()
        self.query_one("#review", Button).disabled = answered == 0
        self.query_one("#body", VerticalScroll).scroll_home(animate=False)
        widget.focus()
        self.refresh_bindings()

    def _module_intro(self, q: Question) -> Content:
        """On the first question of a group's module, which group the section is for
        (for the inspector; a kiosk client is not told the groups)."""
        script = q.script
        if self.session.kiosk or script is None or script.kind != "module":
            return Content("")
        first = next((x for x in self.session.interview.questions if x.script is script), None)
        if first is not q:
            return Content("")
        group = self.session.bundle.group(script.group or "")
        title = group.title if group else script.group or script.title
        # The guidance panel above (F2) carries the group's advice.
        return Content.assemble("Вопросы для группы ", (f"«{title}»", "bold"), ".")

    async def _show_guidance(self, q: Question) -> None:
        """The group module's advice for the inspector; never at a kiosk."""
        script = q.script
        wanted = None
        if not self.session.kiosk and script is not None and script.kind == "module":
            if script.traits or script.approach:
                wanted = script.id
        if wanted == self._guidance_for:
            return
        slot = self.query_one("#guidance-slot")
        await slot.remove_children()
        self._guidance_for = wanted
        slot.display = wanted is not None
        if script is not None and wanted is not None:
            group = self.session.bundle.group(script.group or "")
            title = group.title if group else script.title
            await slot.mount(
                Collapsible(
                    VerticalScroll(Static(guidance_text(script)), id="guidance-text"),
                    title=f"Подсказка инспектору (F2): {escape(title)}",
                    collapsed=True,
                    id="guidance",
                )
            )

    def show_error(self, message: str) -> None:
        error = self.query_one("#error", Static)
        error.update(Content(message))
        error.display = bool(message)
        for widget in self.query("#answer"):
            widget.set_class(bool(message), "-invalid")

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return True if self.session.can_go_back() else None
        if action == "review":
            return True if self.session.progress()[0] > 0 else None
        if action == "toggle_guidance":
            return self._guidance_for is not None
        if action == "groups":
            return not self.session.kiosk and self.session.interview.profile_complete
        return True

    def _raw(self) -> Any:
        widget = self.query_one("#answer")
        return widget.raw()  # type: ignore[attr-defined]

    async def action_next(self) -> None:
        q = self.session.current
        if q is None or q is not self.shown or self._moving:
            # Already moving, or the answer on screen is no longer the session's question.
            return
        self._moving = True
        try:
            await self._next(q)
        finally:
            self._moving = False

    async def _next(self, q: Question) -> None:
        raw = self._raw()
        confirmed = self._to_confirm == (q.id, raw)
        try:
            following = self.session.submit(raw, confirmed)
        except NeedsConfirmation as exc:
            # Unusual but possible: the same answer given again is taken.
            self._to_confirm = (q.id, raw)
            self.show_error(f"{exc} Если всё верно, нажмите «Далее» ещё раз — ответ будет принят.")
            self.query_one("#answer").focus()
            return
        except AnswerError as exc:
            self.show_error(str(exc))
            self.query_one("#answer").focus()
            return
        except (StoreError, ConsentRequired) as exc:
            self.show_error(f"Ответ НЕ сохранён. {exc}")
            self.notify(str(exc), title="Ответ не сохранён", severity="error", timeout=10, markup=False)
            self.query_one("#answer").focus()
            return
        warnings = self.store.take_warnings()
        if warnings and not self.session.kiosk:
            # The answer is saved; only the search index or the audit trail lagged behind.
            self.notify("\n".join(dict.fromkeys(warnings)), title="Ответ сохранён, но",
                        severity="warning", timeout=10, markup=False)
        if self.session.needs_group_confirmation:
            # The profile is complete (or a changed fact changed the groups): the inspector
            # confirms the groups before their modules' questions.
            self.post_message(ShowGroups())
        elif following is None:
            self.post_message(ShowReview(focus=q.id))
        else:
            await self.show_question()

    async def action_back(self) -> None:
        if self._moving or not self.session.can_go_back():
            return
        self._moving = True
        try:
            self.session.back()
            await self.show_question()
        finally:
            self._moving = False

    def action_review(self) -> None:
        if self.session.progress()[0] > 0:
            self.post_message(ShowReview())

    def action_leave(self) -> None:
        self.post_message(LeaveInterview())

    def action_groups(self) -> None:
        if self.check_action("groups", ()):
            self.post_message(ShowGroups())

    def action_toggle_guidance(self) -> None:
        for collapsible in self.query(Collapsible):
            collapsible.collapsed = not collapsible.collapsed

    @on(InputRefused)
    def _refused(self, event: InputRefused) -> None:
        event.stop()
        self.show_error(event.reason)

    @on(AnswerConfirmed)
    @on(Input.Submitted, "#answer")
    async def _next_requested(self, event: Message) -> None:
        event.stop()
        await self.action_next()
