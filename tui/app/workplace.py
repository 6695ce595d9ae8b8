"""Where the app runs and for whom: what screens need to know of it, handed to them.

Screens get a :class:`Workplace` instead of reaching into the application object.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.store import Store


@dataclass(frozen=True)
class Workplace:
    """The store the interviews are kept in, the interview date, whether this is a
    self-service kiosk, and who works here (the audit trail's author)."""

    store: Store
    today: date
    kiosk: bool
    inspector: str

    @property
    def mode(self) -> str:
        """The session mode of interviews begun here."""
        from tui.engine.session import INSPECTOR, KIOSK

        return KIOSK if self.kiosk else INSPECTOR
