"""The start screen: a new interview; for an inspector also a search for a client and the list
of interviews (unfinished first), to resume one or to read a finished one's plan.

A kiosk shows only the greeting and «Начать»: never a list, a search or another client.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, DataTable, Footer, Header, Input, Label, Static

from tui.app.messages import NewInterview, ResumeInterview, ShowFinished
from tui.app.widgets.summary import client_name, inspectors_short, iso_date, iso_time, status_label
from tui.app.widgets.text import cell
from tui.engine.dates import format_date_long

if TYPE_CHECKING:
    from tui.app.workplace import Workplace
    from tui.store import InterviewSummary

#: Seconds after the last key before the search runs (Enter runs it at once).
SEARCH_DELAY = 0.3
#: How many interviews a list shows at most.
UNFINISHED_LIMIT = 50
RECENT_FINISHED = 10
FOUND_LIMIT = 50
INSPECTORS_WIDTH = 10


def search_hint(query: str) -> str:
    """Why ``query`` finds nothing when it is not yet a complete search."""
    if any(c.isalpha() for c in query):
        return "Проверьте фамилию: поиск идёт по фамилии или её началу, затем имя и отчество."
    digits = sum(c.isdigit() for c in query)
    if "." in query or "/" in query:
        return "Дату рождения введите полностью: ДД.ММ.ГГГГ."
    if digits < 4:
        return "Для поиска по телефону введите не меньше 4 последних цифр."
    return "Проверьте номер: поиск идёт по последним цифрам телефона."


class SearchInput(Input):
    """The search field; ↓ goes to the list."""

    BINDINGS = [Binding("down", "screen.to_results", "К списку", show=False)]


class ResultsTable(DataTable[Any]):
    """The list of interviews; ↑ on its first row goes back to the search field."""

    class LeftAtTop(Message):
        pass

    def action_cursor_up(self) -> None:
        if self.cursor_row <= 0:
            self.post_message(self.LeftAtTop())
            return
        super().action_cursor_up()


class StartScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+n", "new", "Новое интервью"),
        Binding("ctrl+f", "search", "Найти клиента"),
        Binding("delete", "discard", "Удалить"),
        Binding("escape", "clear_search", "Сбросить поиск"),
    ]

    def __init__(self, place: Workplace) -> None:
        super().__init__()
        self.place = place
        #: The interviews listed, by id (their summaries from the store).
        self.rows: dict[str, InterviewSummary] = {}
        #: The search text the list shows (``None`` before the first listing).
        self.shown_query: str | None = None
        self._search_timer: Timer | None = None
        self._damaged_reported: set[Path] = set()

    def compose(self) -> ComposeResult:
        yield Header()
        if self.place.kiosk:
            with Vertical(id="start"):
                yield Static("Здравствуйте!", id="greeting")
                yield Static(
                    "Ответьте на вопросы о себе и своей ситуации — по ответам мы составим "
                    "для вас индивидуальный план поиска работы. Это займёт 10–15 минут. "
                    "Ответы сохраняются только с вашего согласия.",
                    id="lead",
                )
                yield Button("Начать", id="new", variant="primary", action="screen.new")
        else:
            with Vertical(id="start", classes="-desk"):
                yield Static("Интервью по оценке потребностей клиента центра занятости", id="lead")
                yield Static(f"Дата интервью: {format_date_long(self.place.today)}", id="today")
                yield Static(id="settings-notice")
                yield Label("Найти клиента: фамилия, телефон или дата рождения", id="search-label")
                with Horizontal(id="search-row"):
                    # Not selected on focus: a letter typed on the list goes on after the others.
                    yield SearchInput(
                        placeholder="Смирнова О  ·  1234  ·  14.08.1987", id="search", select_on_focus=False
                    )
                    yield Button("Новое интервью", id="new", variant="primary", action="screen.new")
                yield Static(id="list-title")
                # The id predates finished interviews in the list; tests and styles use it.
                table = ResultsTable(id="unfinished", cursor_type="row", zebra_stripes=True)
                table.add_column("ФИО", key="name", width=25)
                table.add_column("Дата рожд.", key="birth", width=10)
                table.add_column("Интервью", key="date", width=10)
                table.add_column("Статус", key="status", width=12)
                table.add_column("Инспекторы", key="inspectors", width=INSPECTORS_WIDTH)
                yield table
                yield Static(id="row-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_list()
        self.show_settings_notice()

    def on_screen_resume(self) -> None:
        self.refresh_list()
        self.show_settings_notice()

    def show_settings_notice(self) -> None:
        """At the desk: what a plan printed here would lack (the settings are read again,
        ``sobesednik setup`` may have run meanwhile); nothing when all is filled in."""
        if self.place.kiosk:
            return
        notice = self.place.print_notice()
        widget = self.query_one("#settings-notice", Static)
        widget.update(Content(notice or ""))
        widget.display = notice is not None

    # ------------------------------------------------------------------ listing

    def refresh_list(self, *, place_focus: bool = True) -> None:
        """List the interviews the search asks for (unfinished and the latest finished ones
        when it is empty); never at a kiosk. ``place_focus`` puts the focus on the list."""
        if self.place.kiosk:
            self.query_one("#new", Button).focus()
            return
        from tui.store import StoreError

        query = self.query_one("#search", Input).value.strip()
        try:
            summaries, title = self._found(query) if query else self._overview()
        except StoreError as exc:
            summaries, title = [], "Список интервью не прочитан."
            self.notify(
                str(exc), title="Список интервью не читается", severity="error", timeout=10, markup=False
            )
        self.shown_query = query
        self._fill(summaries)
        self.query_one("#list-title", Static).update(Content(title))
        self._report_damaged()
        table = self.query_one("#unfinished", DataTable)
        if place_focus:
            if table.row_count:
                table.focus()
            elif query:
                self.query_one("#search", Input).focus()
            else:
                self.query_one("#new", Button).focus()
        self._show_detail()

    def _overview(self) -> tuple[list[InterviewSummary], str]:
        """Unfinished interviews, then the most recently started finished ones."""
        drafts = self.place.store.unfinished(UNFINISHED_LIMIT)
        finished = [s for s in self.place.store.recent(3 * RECENT_FINISHED) if s.complete]
        finished = finished[:RECENT_FINISHED]
        if drafts:
            title = f"Незаконченные интервью: {len(drafts)}"
            if len(drafts) >= UNFINISHED_LIMIT:
                title += f" (показаны последние {UNFINISHED_LIMIT})"
        else:
            title = "Незаконченных интервью нет"
        if finished:
            title += f" · последние завершённые: {len(finished)}"
        elif not drafts:
            title = "Интервью ещё не проводились. Начните новое: Ctrl+N."
        return drafts + finished, title

    def _found(self, query: str) -> tuple[list[InterviewSummary], str]:
        found = self.place.store.find(query, FOUND_LIMIT)
        # Unfinished first (the inspector most often wants to continue one), newest first.
        found.sort(key=lambda s: s.complete)
        if not found:
            return [], f"По запросу «{query}» никого не найдено. {search_hint(query)}"
        title = f"Найдено интервью: {len(found)}"
        if len(found) >= FOUND_LIMIT:
            title += f" (показаны первые {FOUND_LIMIT} — уточните запрос)"
        return found, title

    def _fill(self, summaries: list[InterviewSummary]) -> None:
        table = self.query_one("#unfinished", DataTable)
        keep = None
        if table.row_count:
            keep = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        table.clear()
        self.rows = {}
        for s in summaries:
            iid = s.id
            self.rows[iid] = s
            table.add_row(
                cell(client_name(s)),
                iso_date(s.client.get("birth_date")),
                iso_date(s.interview_date),
                status_label(s),
                inspectors_short(s, INSPECTORS_WIDTH),
                key=iid,
            )
        table.display = bool(summaries)
        if summaries:
            ids = list(self.rows)
            table.move_cursor(row=ids.index(keep) if keep in ids else 0)

    def _report_damaged(self) -> None:
        """Say once which damaged files the listing skipped, and what to do about them."""
        new = [d for d in self.place.store.damaged if d.path not in self._damaged_reported]
        if not new:
            return
        self._damaged_reported.update(d.path for d in new)
        root = self.place.store.root
        names = []
        for d in new:
            try:
                names.append(str(d.path.relative_to(root)))
            except ValueError:
                names.append(str(d.path))
        shown = ", ".join(names[:3]) + (f" и ещё {len(names) - 3}" if len(names) > 3 else "")
        self.notify(
            f"В каталоге данных {root} повреждены файлы, они пропущены в списке: {shown}. "
            "Проверьте хранилище командой «sobesednik doctor».",
            title="Повреждённые файлы", severity="warning", timeout=15, markup=False,
        )

    def highlighted(self) -> InterviewSummary | None:
        """The summary of the interview under the list's cursor."""
        table = self.query_one("#unfinished", DataTable)
        if not table.row_count or not table.display:
            return None
        iid = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.rows.get(str(iid))

    def _show_detail(self) -> None:
        """Two lines under the list: who and when for the highlighted row, and what Enter does."""
        detail = self.query_one("#row-detail", Static)
        s = self.highlighted()
        if s is None:
            detail.update("Ctrl+N — новое интервью; начните вводить фамилию, телефон или дату "
                          "рождения, чтобы найти клиента.")
            return
        inspectors = ", ".join(s.inspectors) or "—"
        if s.complete:
            facts = f"Завершено {iso_time(s.completed_at)} · инспекторы: {inspectors}"
            action = "Enter — план и история интервью клиента (только чтение)"
        else:
            facts = f"Начато {iso_time(s.created_at)} · инспекторы: {inspectors}"
            action = "Enter — продолжить с первого вопроса без ответа · Delete — удалить"
        if self.query_one("#search", Input).has_focus:
            action = "Enter или ↓ — к списку" + (" · Esc — сбросить поиск" if self.shown_query else "")
        detail.update(Content(f"{facts}\n{action}"))

    # ------------------------------------------------------------------ search

    @on(Input.Changed, "#search")
    def _search_changed(self) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(SEARCH_DELAY, self._search_typed)
        self.refresh_bindings()

    def _search_typed(self) -> None:
        self._search_timer = None
        if self.query_one("#search", Input).value.strip() != self.shown_query:
            self.refresh_list(place_focus=False)

    @on(Input.Submitted, "#search")
    def _search_submitted(self) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None
        self.refresh_list(place_focus=False)
        self.action_to_results()

    def action_to_results(self) -> None:
        table = self.query_one("#unfinished", DataTable)
        if table.row_count and table.display:
            table.focus()

    def action_search(self) -> None:
        if self.place.kiosk:
            return
        search = self.query_one("#search", Input)
        search.focus()
        search.select_all()  # typing replaces the last search

    def action_clear_search(self) -> None:
        if self.place.kiosk:
            return
        search = self.query_one("#search", Input)
        if search.value:
            search.value = ""
            self.refresh_list()

    @on(ResultsTable.LeftAtTop)
    def _left_list_at_top(self) -> None:
        self.query_one("#search", Input).focus()

    def on_key(self, event: events.Key) -> None:
        """Typing a letter or digit anywhere on the screen types it into the search."""
        if self.place.kiosk or not event.is_printable or not event.character or event.character == " ":
            return
        search = self.query_one("#search", Input)
        if search.has_focus:
            return
        event.stop()
        event.prevent_default()
        search.focus()
        search.action_end()
        search.insert_text_at_cursor(event.character)

    @on(DataTable.RowHighlighted, "#unfinished")
    def _row_highlighted(self) -> None:
        self._show_detail()
        self.refresh_bindings()

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("search", "clear_search", "discard") and self.place.kiosk:
            return False
        if action == "discard":
            table = self.query_one("#unfinished", DataTable)
            s = self.highlighted()
            return table.has_focus and s is not None and not s.complete
        if action == "clear_search":
            return bool(self.query_one("#search", Input).value)
        return True

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()
        if not self.place.kiosk:
            self._show_detail()

    def on_descendant_blur(self) -> None:
        self.refresh_bindings()

    def action_discard(self) -> None:
        """Delete the highlighted unfinished interview (the client withdrew), after asking."""
        from tui.app.widgets.confirm import ConfirmModal

        if not self.check_action("discard", ()):
            return
        s = self.highlighted()
        if s is None:
            return
        iid = s.id
        name = client_name(s)

        def discard(confirmed: bool | None) -> None:
            if not confirmed:
                return
            from tui.store import StoreError

            store, by = self.place.store, self.place.inspector
            try:
                # Not while another window has it open: its next answer would have no file.
                lease = store.lease(iid, inspector=by, mode=self.place.mode)
                try:
                    store.discard(iid, by=by)
                finally:
                    lease.release()
            except StoreError as exc:
                self.notify(str(exc), title="Не удалено", severity="error", timeout=10, markup=False)
                self.refresh_list()
                return
            self.notify(f"Интервью удалено: {name}.", markup=False)
            self.refresh_list()

        self.app.push_screen(
            ConfirmModal(
                f"Удалить незаконченное интервью «{name}»? Все его ответы будут удалены "
                "безвозвратно.",
                "Удалить",
            ),
            discard,
        )

    def action_new(self) -> None:
        self.post_message(NewInterview())

    @on(DataTable.RowSelected, "#unfinished")
    def _open_selected(self, event: DataTable.RowSelected) -> None:
        s = self.rows.get(str(event.row_key.value))
        if s is None:
            return
        self.post_message(ShowFinished(s.id) if s.complete else ResumeInterview(s.id))
