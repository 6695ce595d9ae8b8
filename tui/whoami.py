"""Who is working: the one answer every entry point gives (the audit trail's author).

``--inspector`` (or the app's setting) when given; else the system user's login; else, in
a container that has no user name, the numeric user id, so that the author is the same
whether the interview, a CLI command or ``doctor`` wrote the event.

Imports nothing of Sobesednik.
"""

from __future__ import annotations

import getpass
import os


def whoami(given: str | None = None) -> str:
    """``given`` when there is one, else who the system says is running this process."""
    if given:
        return given
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name is available in some containers
        return f"uid {os.getuid()}"
