"""The error log: what went wrong inside the program, for the administrator, without a
word of what a client said.

An unexpected exception is written to ``<data dir>/logs/errors.log``: the time, the
program's version, where it runs (desk or kiosk), the exception's type and the chain of
code locations (file, line, function, the line of code). Never the exception's message
and never local variables: either may hold a name, a birth date or a health answer. The
folder is owner-only (0700), the file too (0600); neither is ever followed through a
symbolic link. The file is rotated at :data:`MAX_LOG_BYTES` (one old copy kept).

Used by the app (its safety net) and the command line; imports nothing of Sobesednik but
its version.
"""

from __future__ import annotations

import contextlib
import os
import stat
import traceback
from datetime import datetime
from pathlib import Path

from tui import __version__

LOG_DIR = "logs"
LOG_NAME = "errors.log"
#: The log is rotated (``errors.log.1``) when it grows past this.
MAX_LOG_BYTES = 1024 * 1024


def describe(error: BaseException) -> str:
    """The exception as the log keeps it: type and code locations, its causes too; no
    messages, no values."""
    lines: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if lines:
            lines.append("  вызвано при обработке:")
        lines.append(f"  {type(current).__module__}.{type(current).__qualname__}")
        for frame in traceback.extract_tb(current.__traceback__):
            lines.append(f"    {_short(frame.filename)}:{frame.lineno} in {frame.name}")
            if frame.line:
                lines.append(f"      {frame.line.strip()}")
        current = current.__cause__ or current.__context__
    return "\n".join(lines)


def where(error: BaseException) -> str:
    """«ValueError в tui/engine/values.py:120»: the exception's type and the last place in
    Sobesednik's own code it passed (or the last place at all)."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if "/tui/" in f.filename.replace(os.sep, "/")] or frames
    place = f" в {_short(ours[-1].filename)}:{ours[-1].lineno}" if ours else ""
    return f"{type(error).__name__}{place}"


def written_to(log: Path) -> str:
    """What a user is told of where the details went (the path last: it is copied)."""
    return f"Сведения об ошибке (без данных клиента) записаны в журнал: {log}"


def write(data_dir: Path, error: BaseException, context: str) -> Path | None:
    """Append ``error`` to the log in ``data_dir``; the log's path, or ``None`` when it
    cannot be written (the disk full, the folder not ours): the caller still goes on."""
    folder = data_dir / LOG_DIR
    path = folder / LOG_NAME
    stamp = datetime.now().astimezone().isoformat(timespec="seconds")
    entry = f"{stamp} sobesednik {__version__} ({context})\n{describe(error)}\n\n"
    try:
        _ensure_folder(folder)
        _rotate(path)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, entry.encode("utf-8"))
        finally:
            os.close(fd)
    except OSError:
        return None
    return path


def _ensure_folder(folder: Path) -> None:
    with contextlib.suppress(FileExistsError):
        os.mkdir(folder, 0o700)
    info = os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode):  # a symbolic link or a file: never write through it
        raise NotADirectoryError(str(folder))


def _rotate(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        info = os.lstat(path)
        if stat.S_ISREG(info.st_mode) and info.st_size > MAX_LOG_BYTES:
            os.replace(path, path.with_name(LOG_NAME + ".1"))


def _short(filename: str) -> str:
    """A file name from the package root on (``tui/app/app.py``), else its last two parts."""
    parts = Path(filename).parts
    if "tui" in parts:
        return "/".join(parts[len(parts) - 1 - parts[::-1].index("tui"):])
    return "/".join(parts[-2:])
