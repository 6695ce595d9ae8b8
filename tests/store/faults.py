"""Faults the hardening tests inject: folders and files this process may not read, and a
bound on a call that could hang (:func:`within`).

The tests run as root in CI, and chmod does not stop root; so a folder or file is made
unreadable by answering for it as the kernel would for a normal user without the right
(``EACCES``): a folder cannot be listed, nor anything in it opened or looked up; a file
cannot be opened. Everything else goes to the real functions.
"""

from __future__ import annotations

import builtins
import contextlib
import errno
import io
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

PATHLIKE = (str, bytes, os.PathLike)


class _Denied:
    """The functions of ``os`` (and ``open``) that answer for the denied paths."""

    def __init__(self, paths: tuple[Path, ...]) -> None:
        self.denied = [Path(os.path.abspath(p)) for p in paths]
        self.real = {name: getattr(os, name) for name in ("open", "scandir", "listdir", "stat", "lstat")}
        self.real_open = builtins.open

    def blocked(self, target: Any, *, inside_only: bool = False) -> bool:
        if not isinstance(target, PATHLIKE):
            return False  # a descriptor
        path = Path(os.path.abspath(os.fsdecode(target)))
        return any((path == d and not inside_only) or d in path.parents for d in self.denied)

    def check(self, target: Any, *, inside_only: bool = False, dir_fd: Any = None) -> None:
        if dir_fd is None and self.blocked(target, inside_only=inside_only):
            raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(target))

    def open(self, target: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        self.check(target, dir_fd=kwargs.get("dir_fd"))
        return int(self.real["open"](target, flags, *args, **kwargs))

    def scandir(self, target: Any = ".") -> Any:
        self.check(target)
        return self.real["scandir"](target)

    def listdir(self, target: Any = ".") -> Any:
        self.check(target)
        return self.real["listdir"](target)

    def stat(self, target: Any, *args: Any, **kwargs: Any) -> Any:
        self.check(target, inside_only=True, dir_fd=kwargs.get("dir_fd"))
        return self.real["stat"](target, *args, **kwargs)

    def lstat(self, target: Any, *args: Any, **kwargs: Any) -> Any:
        self.check(target, inside_only=True, dir_fd=kwargs.get("dir_fd"))
        return self.real["lstat"](target, *args, **kwargs)

    def open_file(self, file: Any, *args: Any, **kwargs: Any) -> Any:
        self.check(file)
        return self.real_open(file, *args, **kwargs)


def deny_reading(monkeypatch: pytest.MonkeyPatch, *paths: Path) -> None:
    """Make each of ``paths`` unreadable to this process (see the module docstring)."""
    denied = _Denied(paths)
    for name in ("open", "scandir", "listdir", "stat", "lstat"):
        monkeypatch.setattr(os, name, getattr(denied, name))
    monkeypatch.setattr(builtins, "open", denied.open_file)
    monkeypatch.setattr(io, "open", denied.open_file)


def deny_unlink(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """Make the file ``path`` impossible to remove (``EACCES``), as a folder without the
    write right would; every other unlink goes to the real one."""
    real_unlink = os.unlink

    def unlink(target: Any, *args: Any, **kwargs: Any) -> None:
        if os.fspath(target).endswith(path.name):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(target))
        real_unlink(target, *args, **kwargs)

    monkeypatch.setattr(os, "unlink", unlink)


ROOT_SKIP = pytest.mark.skipif(os.geteuid() == 0, reason="chmod does not stop root")


def within(seconds: float, fn: Callable[..., Any], *args: Any, fifos: tuple[Path, ...] = ()) -> Any:
    """``fn(*args)``, failing the test if it has not returned after ``seconds`` (a FIFO
    opened for reading waits for a writer forever: a regression must fail, not hang the
    run). The call runs in a daemon thread; on a timeout each of ``fifos`` is opened and
    closed at both ends so that the thread ends. What ``fn`` raises is raised here."""
    outcome: dict[str, Any] = {}

    def call() -> None:
        try:
            outcome["value"] = fn(*args)
        except BaseException as exc:  # handed to the test
            outcome["error"] = exc

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        for fifo in fifos:
            with contextlib.suppress(OSError):
                fd = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)  # a reader and a writer at once
                time.sleep(0.2)
                os.close(fd)
        thread.join(5)
        pytest.fail(f"{getattr(fn, '__name__', fn)} did not return within {seconds} s (hangs)")
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")
