"""The command line: ``sobesednik [КОМАНДА] ...``; without a command it runs the interview.

One registry of commands (:data:`MODULES`), one printer of problems: every error a user
can cause (a broken script, a bad answers file, a damaged store) ends as a message on
stderr and a non-zero exit code, never as a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib import import_module

from tui import __version__
from tui.cli.common import CommandError, Handler, err
from tui.cli.terminal import guard_terminal

#: The modules that define commands, in the order ``--help`` lists them; each has
#: ``register(sub) -> dict[str, Handler]`` (see :mod:`tui.cli.common`).
MODULES = ("tui.cli.interview", "tui.cli.plan", "tui.cli.setup", "tui.cli.calls", "tui.cli.doctor",
           "tui.cli.lifecycle", "tui.cli.reclassify")
#: The command run when none is named.
DEFAULT = "run"
#: Commands that own the terminal (the app draws it): their output is not filtered.
INTERACTIVE = frozenset({"run"})


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, Handler]]:
    """The parser of every command, and the handler of each command by name."""
    parser = argparse.ArgumentParser(
        prog="sobesednik",
        description="Собеседник: интервью по оценке потребностей клиента ЦЗН и индивидуальный план.",
    )
    parser.add_argument("--version", action="version", version=f"sobesednik {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="КОМАНДА")
    handlers: dict[str, Handler] = {}
    for name in MODULES:
        handlers.update(import_module(name).register(sub))
    return parser, handlers


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser, handlers = build_parser()
    if not args_list or args_list[0] not in (*handlers, "-h", "--help", "--version"):
        args_list.insert(0, DEFAULT)
    args = parser.parse_args(args_list)
    if args.command not in INTERACTIVE:
        guard_terminal()
    try:
        return handlers[args.command](args)
    except CommandError as exc:
        err(str(exc))
        return exc.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:
        from tui.store import StoreError  # only now: most commands never open the store

        if isinstance(exc, StoreError):
            err(str(exc))
            return 2
        return internal_error(exc, args)


#: The exit code of an error inside the program (``EX_SOFTWARE``).
INTERNAL = 70


def internal_error(exc: Exception, args: argparse.Namespace) -> int:
    """An error of the program itself: logged in the data directory (code locations only:
    :mod:`tui.crashlog`) and said in one line, never a traceback that could quote a
    client's data. ``SOBESEDNIK_DEBUG=1`` shows the traceback instead (for developers)."""
    from tui import crashlog
    from tui.paths import data_dir

    if os.environ.get("SOBESEDNIK_DEBUG"):
        raise exc
    try:
        log = crashlog.write(data_dir(getattr(args, "data_dir", None)), exc, f"команда {args.command}")
    except Exception:  # no data directory to log into
        log = None
    where = f" Сведения (без данных клиента) записаны в журнал: {log}." if log else ""
    err(f"Внутренняя ошибка программы ({crashlog.where(exc)}).{where} Сообщите об ошибке администратору.")
    return INTERNAL
