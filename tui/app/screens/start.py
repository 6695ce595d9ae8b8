"""The start screen: a new interview, or (for an inspector) an unfinished one to resume."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Header, Static

from tui.core.dates import format_date, format_date_long

if TYPE_CHECKING:
    from tui.app.app import SobesednikApp

_NO_NAME = "(ФИО ещё не указаны)"


def client_name(summary: dict[str, Any]) -> str:
    client = summary.get("client") or {}
    parts = [client.get(k) for k in ("last_name", "first_name", "middle_name")]
    return " ".join(p for p in parts if isinstance(p, str) and p) or _NO_NAME


def _iso_date(text: Any) -> str:
    try:
        return format_date(date.fromisoformat(str(text)))
    except ValueError:
        return ""


def _iso_time(text: Any) -> str:
    try:
        return datetime.fromisoformat(str(text)).strftime("%d.%m.%Y %H:%M")
    except ValueError:
        return ""


class StartScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+n", "new", "Новое интервью"),
        Binding("delete", "discard", "Удалить выбранное"),
    ]

    app: SobesednikApp

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="start"):
            if self.app.kiosk:
                yield Static("Здравствуйте!", id="greeting")
                yield Static(
                    "Ответьте на вопросы о себе и своей ситуации — по ответам мы составим "
                    "для вас индивидуальный план поиска работы. Это займёт 10–15 минут. "
                    "Ответы сохраняются только с вашего согласия.",
                    id="lead",
                )
                yield Button("Начать", id="new", variant="primary")
            else:
                yield Static(
                    "Интервью по оценке потребностей клиента центра занятости",
                    id="lead",
                )
                yield Static(f"Дата интервью: {format_date_long(self.app.today)}", id="today")
                yield Button("Новое интервью", id="new", variant="primary")
                with Vertical(id="unfinished-box"):
                    yield Static(id="unfinished-title")
                    yield Static(
                        "Выберите клиента стрелками и нажмите Enter (или щёлкните строку), "
                        "чтобы продолжить с первого вопроса без ответа. Delete — удалить.",
                        id="unfinished-hint",
                    )
                    table: DataTable[str] = DataTable(
                        id="unfinished", cursor_type="row", zebra_stripes=True
                    )
                    table.add_column("Клиент", key="name", width=38)
                    table.add_column("Дата рожд.", key="birth", width=10)
                    table.add_column("Начато", key="started", width=16)
                    yield table
                yield Static("Незаконченных интервью нет.", id="no-unfinished")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_list()

    def on_screen_resume(self) -> None:
        self.refresh_list()

    def refresh_list(self) -> None:
        """Reload the unfinished interviews (never shown at a kiosk) and place the focus."""
        new = self.query_one("#new", Button)
        if self.app.kiosk:
            new.focus()
            return
        from tui.core.store import StoreError

        try:
            drafts = self.app.store.unfinished()
        except StoreError as exc:
            drafts = []
            self.notify(
                str(exc), title="Список интервью не читается", severity="error", timeout=10, markup=False
            )
        table = self.query_one("#unfinished", DataTable)
        keep = None
        if table.row_count:
            keep = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        table.clear()
        for s in drafts:
            table.add_row(
                Text(client_name(s)),
                _iso_date((s.get("client") or {}).get("birth_date")),
                # The index refreshes «updated_at» only when the name or birth date changes.
                _iso_time(s.get("created_at")),
                key=str(s.get("id")),
            )
        self.query_one("#unfinished-box").display = bool(drafts)
        self.query_one("#no-unfinished").display = not drafts
        self.query_one("#unfinished-title", Static).update(
            f"Незаконченные интервью: {len(drafts)}"
        )
        if drafts:
            ids = [str(d.get("id")) for d in drafts]
            table.move_cursor(row=ids.index(keep) if keep in ids else 0)
            table.focus()
        else:
            new.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "discard":
            if self.app.kiosk:
                return False
            table = self.query_one("#unfinished", DataTable)
            return table.has_focus and table.row_count > 0
        return True

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def on_descendant_blur(self) -> None:
        self.refresh_bindings()

    def action_discard(self) -> None:
        """Delete the highlighted unfinished interview (the client withdrew), after asking."""
        from tui.app.screens.confirm import ConfirmModal

        if not self.check_action("discard", ()):
            return
        table = self.query_one("#unfinished", DataTable)
        row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        iid = row_key.value
        if not iid:
            return
        name = str(table.get_row(row_key)[0])

        def discard(confirmed: bool | None) -> None:
            if not confirmed:
                return
            from tui.core.store import StoreError

            try:
                self.app.store.discard(iid)
            except StoreError as exc:
                self.notify(str(exc), title="Не удалено", severity="error", markup=False)
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
        self.app.new_interview()

    @on(Button.Pressed, "#new")
    def _new_pressed(self) -> None:
        self.app.new_interview()

    @on(DataTable.RowSelected, "#unfinished")
    def _resume_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.app.resume_interview(event.row_key.value)
