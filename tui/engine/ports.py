"""What the engine needs from where interviews are kept, as protocols.

A :class:`~tui.engine.session.Session` is given an object that satisfies
:class:`InterviewStore` (the store, :class:`tui.store.Store`; a test may give another).
The engine never imports the store: these protocols are the whole of what it knows of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Protocol


class HeldLease(Protocol):
    """An interview held open by this process, so that no other window writes it."""

    def release(self, *, remove: bool = True) -> None: ...


class SavedInterview(Protocol):
    """An interview as it was kept: its header and its answers (as stored: JSON values)."""

    @property
    def header(self) -> dict[str, Any]: ...

    @property
    def answers(self) -> dict[str, Any]: ...

    @property
    def interview_date(self) -> date: ...


class InterviewStore(Protocol):
    """Where a session keeps its interview. Each call is durable when it returns, and
    raises an exception that says what went wrong (the answer is then not kept)."""

    def create_interview(
        self, *, interview_date: date, scripts: str, mode: str, inspector: str,
        consent: dict[str, Any],
    ) -> str:
        """A new interview, with the consent record; its id."""
        ...

    def save_answer(self, iid: str, qid: str, value: Any, by: str) -> None: ...

    def lease(self, iid: str, *, inspector: str, mode: str) -> HeldLease: ...

    def load(self, iid: str) -> SavedInterview: ...

    def add_inspector(self, iid: str, inspector: str) -> None:
        """Note that ``inspector`` opened the interview."""
        ...

    def save_group_confirmation(
        self, iid: str, *, overrides: list[dict[str, Any]], computed: list[str], by: str
    ) -> None: ...

    def complete(self, iid: str, *, groups: list[dict[str, Any]], plan: str, by: str,
                 value: Mapping[str, Any] | None = None) -> None:
        """Finish the interview, keeping the plan text issued and the plan's value (a
        JSON-able mapping: :func:`tui.engine.plan_value.plan_value`)."""
        ...
