"""Store commands: doctor (see :mod:`tui.commands`)."""

from __future__ import annotations

from typing import Any

from tui.commands import Handler


def register(sub: Any) -> dict[str, Handler]:
    return {}
