"""Where the app runs and for whom: what screens need to know of it, handed to them.

Screens get a :class:`Workplace` instead of reaching into the application object.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.store import Store
    from tui.store.settings import Settings


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

    def settings(self) -> Settings:
        """The centre's and the inspectors' details (``settings.yaml`` of the data
        directory), read again each time: ``sobesednik setup`` may have changed them in
        another terminal. :class:`~tui.store.settings.SettingsError` when the file is broken."""
        from tui.store.settings import load_settings

        return load_settings(self.store.root)

    def print_notice(self) -> str | None:
        """What a plan printed here would lack, in one calm sentence («Для печати плана не
        заполнены: … Запустите: sobesednik setup»), or why the settings cannot be read;
        ``None`` when a plan can be printed."""
        from tui.store.settings import SETUP_HINT, SettingsError

        try:
            return self.settings().missing_notice(self.inspector)
        except SettingsError as exc:
            return f"Файл настроек не читается: {exc}. Исправьте его или заполните заново. {SETUP_HINT}"
