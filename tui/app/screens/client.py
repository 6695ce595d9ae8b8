"""A client's interviews, read only: the history (when they were profiled, by whom) and the
plan issued at a finished interview. Each plan shown is recorded in the audit trail. A plan
issued for groups that ``sobesednik reclassify`` has since changed is marked for review."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Markdown, Static

from tui.app.messages import ResumeInterview
from tui.app.widgets.summary import client_name, iso_date, iso_time, status_label
from tui.app.widgets.text import cell

if TYPE_CHECKING:
    from tui.app.workplace import Workplace
    from tui.store import InterviewSummary


class ClientScreen(Screen[None]):
    """Opened from the start screen on a finished interview; ``history`` are the summaries of
    the same client's interviews (:meth:`Store.client_interviews`), newest first."""

    BINDINGS = [
        Binding("escape", "back", "Назад"),
        Binding("ctrl+s", "save", "Сохранить план в файл"),
    ]

    def __init__(self, place: Workplace, iid: str, history: list[InterviewSummary]) -> None:
        super().__init__()
        self.place = place
        self.iid = iid
        self.history = {s.id: s for s in history}
        #: The interview whose plan is shown and its plan text ("" when none is shown).
        self.shown: str | None = None
        self.text = ""
        self._audited: set[str] = set()

    def compose(self) -> ComposeResult:
        summary = self.history.get(self.iid)
        birth = iso_date(summary.client.get("birth_date")) if summary else ""
        name = client_name(summary) if summary else ""
        yield Header()
        yield Static(Content(name + (f", {birth} г. р." if birth else "")), id="client-name")
        yield Static(f"Интервью клиента: {len(self.history)}", id="history-title")
        table: DataTable[Any] = DataTable(id="history", cursor_type="row", zebra_stripes=True)
        table.add_column("Интервью", key="date", width=10)
        table.add_column("Статус", key="status", width=12)
        table.add_column("Завершено", key="completed", width=16)
        table.add_column("Инспекторы", key="inspectors", width=30)
        for iid, s in self.history.items():
            table.add_row(
                iso_date(s.interview_date),
                status_label(s),
                iso_time(s.completed_at),
                cell(", ".join(s.inspectors)),
                key=iid,
            )
        yield table
        yield Static(id="client-plan-status")
        with VerticalScroll(id="plan-scroll"):
            yield Markdown("", id="plan")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#history", DataTable)
        ids = list(self.history)
        if self.iid in ids:
            table.move_cursor(row=ids.index(self.iid))
        self.show(self.iid)
        table.focus()

    @property
    def reader(self) -> str:
        return self.place.inspector

    def show(self, iid: str) -> None:
        """Show the plan of interview ``iid`` (recorded in the audit trail once per visit)."""
        from tui.store import StoreError

        if iid == self.shown:
            return
        status = self.query_one("#client-plan-status", Static)
        status.remove_class("-error", "-outdated")
        markdown = self.query_one("#plan", Markdown)
        self.shown, self.text = iid, ""
        summary = self.history.get(iid)
        if summary is None or not summary.complete:
            status.update(
                f"Интервью от {iso_date(summary.interview_date if summary else '')} не закончено. "
                "Enter — продолжить его с первого вопроса без ответа."
            )
            markdown.update("")
            self.refresh_bindings()
            return
        try:
            if iid not in self._audited:
                self.place.store.audit("read", self.reader, iid=iid)
                self._audited.add(iid)
            stored = self.place.store.load(iid)
        except StoreError as exc:
            status.update(Content(f"План не показан. {exc}"))
            status.add_class("-error")
            markdown.update("")
            self.refresh_bindings()
            return
        plan = stored.latest_plan
        if plan is None:
            status.update("Интервью завершено, но выданного плана в хранилище нет.")
            markdown.update("")
        else:
            self.text = plan.text
            outdated = _outdated(stored.header)
            status.update(Content(
                f"План выдан {iso_time(plan.issued_at)}{', ' + plan.by if plan.by else ''} · только "
                "чтение · Tab — к плану" + outdated
            ))
            status.set_class(bool(outdated), "-outdated")
            markdown.update(self.text)
        self.query_one("#plan-scroll").scroll_home(animate=False)
        self.refresh_bindings()

    @on(DataTable.RowHighlighted, "#history")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value:
            self.show(str(event.row_key.value))

    @on(DataTable.RowSelected, "#history")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        iid = str(event.row_key.value)
        summary = self.history.get(iid)
        if summary is not None and summary.complete:
            self.show(iid)
            self.query_one("#plan-scroll").focus()
            return
        # An unfinished interview of the same client: continue it, as from the start screen.
        self.post_message(ResumeInterview(iid))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save":
            return bool(self.text)
        return True

    def action_back(self) -> None:
        self.dismiss()

    def action_save(self) -> None:
        from tui.app.widgets.save_plan import SavePlanModal

        if not self.text or self.shown is None:
            return
        path = Path.cwd() / f"plan-{self.shown}.md"
        iid = self.shown
        self.app.push_screen(
            SavePlanModal(self.text, path, lambda: self.place.store.audit("save_plan", self.reader, iid=iid)),
            self._saved,
        )

    def _saved(self, path: Path | None) -> None:
        if path is not None:
            self.notify(f"План сохранён: {path}", title="Готово", markup=False)


def _outdated(header: dict[str, Any]) -> str:
    """What the status says of a plan issued for groups the rules have since changed
    (``sobesednik reclassify``): the plan stays as issued, the inspector reviews it."""
    from tui.store.reclassify import outdated_plan

    note = outdated_plan(header)
    if note is None:
        return ""
    titles = {g.get("id"): g.get("title") for g in header.get("groups") or [] if isinstance(g, dict)}

    def names(key: str) -> str:
        return "; ".join(str(titles.get(g) or g) for g in note.get(key) or []) or "нет групп"

    return (f"\nПлан выдан по прежним группам: {iso_time(note.get('at'))} правила изменились "
            f"({note.get('by') or '—'}), группы клиента теперь: {names('members_to')} (были: "
            f"{names('members_from')}). Пересмотрите план с клиентом: проведите новое интервью.")
