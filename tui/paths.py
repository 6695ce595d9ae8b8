"""Where Sobesednik finds its bundled scripts and templates, and where it keeps data.

Scripts and templates ship inside the wheel (``tui/_data``); in a source checkout or an
editable install they are found beside the package instead. The data directory is the
platform's user data dir, overridable by ``--data-dir`` or ``SOBESEDNIK_DATA_DIR``.
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "SOBESEDNIK_DATA_DIR"
#: The centre's own templates folder (overrides the bundled templates file by file).
TEMPLATES_ENV = "SOBESEDNIK_TEMPLATES"
_PACKAGE = Path(__file__).resolve().parent


def _bundled(name: str) -> Path:
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def scripts_dir() -> Path:
    """The bundled interview scripts."""
    return _bundled("scripts") / "interview"


def templates_dir() -> Path:
    """The bundled plan templates."""
    return _bundled("templates")


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data directory: the flag, else the environment variable, else the platform's."""
    if override:
        return Path(override).expanduser()
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("sobesednik", appauthor=False))
