"""What screens ask of the application.

Screens never call the app: they post one of these messages, which bubbles up to
:class:`~tui.app.app.SobesednikApp`, and the app decides what comes next (which screen,
what is saved, what is said). So screens import no app and no other screen.
"""

from __future__ import annotations

from textual.message import Message


class NewInterview(Message):
    """Begin a new interview."""


class ResumeInterview(Message):
    """Continue the unfinished interview ``iid`` where it stopped."""

    def __init__(self, iid: str) -> None:
        super().__init__()
        self.iid = iid


class ShowFinished(Message):
    """Show the plan of the finished interview ``iid`` and the client's history."""

    def __init__(self, iid: str) -> None:
        super().__init__()
        self.iid = iid


class ShowReview(Message):
    """Show every answer of the open interview, the cursor on ``focus`` if given."""

    def __init__(self, focus: str | None = None) -> None:
        super().__init__()
        self.focus = focus


class ShowGroups(Message):
    """The inspector confirms (or reopens) the client groups."""


class GroupsConfirmed(Message):
    """The groups are confirmed: on to the session's current question, or the review."""


class BackToQuestions(Message):
    """Back to the question screen, at the session's current question."""


class FinishInterview(Message):
    """Render the plan, complete the interview and show the plan."""


class LeaveInterview(Message):
    """Leave the open interview for the start screen; its answers stay saved."""


class GoHome(Message):
    """Back to the start screen, saying ``notice`` if given."""

    def __init__(self, notice: str | None = None) -> None:
        super().__init__()
        self.notice = notice
