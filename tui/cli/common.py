"""What every command shares: its options, the store, the scripts, who runs it, and the
one way a problem is reported.

Each command module (``tui.cli.interview``, ``tui.cli.setup``, ``tui.cli.calls``,
``tui.cli.doctor``, ``tui.cli.lifecycle``, ``tui.cli.reclassify``)
defines ``register(sub) -> dict[str, Handler]``: it adds its subcommands to the
``argparse`` subparsers and returns the handler of each, a function taking the parsed
arguments and returning the exit code. A handler reports a problem the user can mend by
raising :class:`CommandError` (or letting the store's ``StoreError`` through); the one
printer in :func:`tui.cli.main.main` puts it on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.paths import DATA_DIR_ENV
from tui.whoami import whoami

if TYPE_CHECKING:
    from tui.engine.model import Bundle
    from tui.store import Store

Handler = Callable[[argparse.Namespace], int]


class CommandError(Exception):
    """A problem the user can mend; ``str()`` says what, in Russian; ``code`` is the exit
    code (2: nothing was done)."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def err(message: str) -> None:
    """Say ``message`` on stderr (problems, progress, what was done to the data)."""
    print(message, file=sys.stderr)


def count(n: int, one: str, few: str, many: str) -> str:
    """«1 файл», «3 файла», «5 файлов»."""
    from tui.engine.dates import plural

    return f"{n} {plural(n, one, few, many)}"


def iso_to_ru(iso: Any) -> str:
    """«ДД.ММ.ГГГГ» of an ISO date as stored («—» when there is none)."""
    text = str(iso or "")
    return f"{text[8:10]}.{text[5:7]}.{text[:4]}" if len(text) >= 10 else "—"


def client_label(client: Mapping[str, Any]) -> str:
    """The client as the commands name one: surname and initials, then the birth date
    («Иванова А. Б., дата рождения 12.04.1993»)."""
    initials = "".join(f" {str(client[k])[0]}." for k in ("first_name", "middle_name") if client.get(k))
    name = f"{client.get('last_name') or '—'}{initials}"
    if client.get("birth_date"):
        name += f", дата рождения {iso_to_ru(client['birth_date'])}"
    return name


def relative(root: Path, path: Path) -> str:
    """``path`` as named in a report on the data directory ``root``: relative to it."""
    return path.relative_to(root).as_posix() if path.is_relative_to(root) and path != root else str(path)


def report_skipped(what: str, skipped: list[tuple[str, str]]) -> None:
    """Say on stderr what was left out of an export or a backup, one ``path: why`` a line
    (``what``: «Выгрузка неполная», …)."""
    if skipped:
        err(f"{what}: не прочитано — {len(skipped)}:")
        for rel, why in skipped:
            err(f"  {rel}: {why}")


# --------------------------------------------------------------------------- options


def add_data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir", metavar="КАТАЛОГ",
        help=f"каталог данных (по умолчанию ${DATA_DIR_ENV} или каталог данных пользователя)",
    )


def add_scripts(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scripts", metavar="КАТАЛОГ", help="сценарии интервью (по умолчанию встроенные)")


def add_inspector(parser: argparse.ArgumentParser, help: str) -> None:  # noqa: A002 - argparse's name
    parser.add_argument("--inspector", metavar="ФИО", help=help)


def date_arg(text: str) -> date:
    """An ``argparse`` type: a date typed as ДД.ММ.ГГГГ, with the engine's messages."""
    from tui.engine.dates import DateFormatError, parse_date

    try:
        return parse_date(text)
    except DateFormatError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


# --------------------------------------------------------------------------- what commands use


def who(args: argparse.Namespace) -> str:
    """Who runs the command: ``--inspector``, else the system user (the audit author)."""
    return whoami(getattr(args, "inspector", None))


def open_store(args: argparse.Namespace) -> Store:
    """The store of ``--data-dir``, telling on stderr when opening it takes long; raises
    StoreError with a message for the user."""
    from tui.paths import data_dir
    from tui.store import Store

    return Store(data_dir(args.data_dir), progress=lambda m: print(m, file=sys.stderr, flush=True))


def script_paths(args: argparse.Namespace) -> list[Path]:
    """``--scripts``, else the bundled interview scripts."""
    from tui.paths import scripts_dir

    given = getattr(args, "scripts", None)
    return [Path(given)] if given else [scripts_dir()]


def load_scripts(args: argparse.Namespace, *, reachability: bool = False, consequence: str = "") -> Bundle:
    """The interview scripts of ``--scripts`` (else the bundled ones), checked; every
    problem in them raises :class:`CommandError`, after «Сценарии интервью содержат
    ошибки» and ``consequence`` («интервью не запускается»)."""
    from tui.engine.loader import load_bundle_or_raise
    from tui.engine.model import ScriptError

    try:
        return load_bundle_or_raise(script_paths(args), reachability)
    except ScriptError as exc:
        what = "Сценарии интервью содержат ошибки" + (f", {consequence}" if consequence else "")
        raise CommandError(f"{what}:\n{exc}") from None
