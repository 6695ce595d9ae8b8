"""Store commands of the command line (``doctor``, ``export``, ``backup`` ...).

Each module here defines ``register(sub) -> dict[str, handler]``: it adds its
subcommands to the ``argparse`` subparsers and returns the handler of each, a function
taking the parsed arguments and returning the exit code. Handlers report every problem a
user can cause on stderr in Russian (see :func:`err`), never as a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING, Any

from tui.paths import DATA_DIR_ENV

if TYPE_CHECKING:
    from tui.store import Store

Handler = Callable[[argparse.Namespace], int]
MODULES = ("tui.cli.doctor", "tui.cli.lifecycle")


def register(sub: Any) -> dict[str, Handler]:
    handlers: dict[str, Handler] = {}
    for name in MODULES:
        handlers.update(import_module(name).register(sub))
    return handlers


def err(message: str) -> None:
    print(message, file=sys.stderr)


def add_data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir", metavar="КАТАЛОГ",
        help=f"каталог данных (по умолчанию ${DATA_DIR_ENV} или каталог данных пользователя)",
    )


def open_store(args: argparse.Namespace) -> Store:
    """The store of ``--data-dir``; raises StoreError with a message for the user."""
    from tui.paths import data_dir
    from tui.store import Store

    return Store(data_dir(args.data_dir), progress=lambda m: print(m, file=sys.stderr, flush=True))
