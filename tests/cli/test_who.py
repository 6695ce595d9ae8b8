"""Who did it: the audit trail names the same person whatever the entry point (the app,
a store command, ``doctor``), also in a container where the system knows no user name."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

import pytest

from tests.helpers import TODAY, bundle
from tui.app.app import SobesednikApp
from tui.cli import main
from tui.engine.session import Session
from tui.store import Store


def no_user_name() -> str:
    raise KeyError("getpwuid(): uid not found")  # what getpass raises in such a container


def interview_begun_in_the_app(data: Path) -> None:
    """As the app begins an interview when ``--inspector`` is not given."""
    store = Store(data)
    app = SobesednikApp(bundle(), store, today=TODAY)
    session = Session(bundle(), store, TODAY, inspector=app.inspector_name)
    session.submit("да")  # the consent: the interview is created
    session.close()
    store.close()


def something_for_doctor_to_mend(data: Path) -> None:
    """A temporary file a killed writer left: doctor removes it (and so writes the trail)."""
    month = next((data / "interviews").iterdir())
    (month / ".20261127-101500-123a1b2.json.x1y2.tmp").write_text("{", encoding="utf-8")


def authors(data: Path) -> dict[str, set[str]]:
    events = Store(data).audit_events()
    out: dict[str, set[str]] = {}
    for e in events:
        out.setdefault(e["action"], set()).add(e["by"])
    return out


def test_without_a_user_name_every_entry_point_records_the_same_author(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(getpass, "getuser", no_user_name)
    data = tmp_path / "data"
    interview_begun_in_the_app(data)
    assert main(["backup", "--data-dir", str(data)]) == 0
    assert main(["export", "--data-dir", str(data), "--out", str(tmp_path / "all.jsonl")]) == 0
    something_for_doctor_to_mend(data)
    assert main(["doctor", "--data-dir", str(data)]) == 0
    by = authors(data)
    assert set(by) >= {"create", "backup", "export", "doctor"}
    assert set().union(*by.values()) == {f"uid {os.getuid()}"}


@pytest.mark.parametrize("command", [["doctor"], ["backup"], ["export", "--out", "all.jsonl"]])
def test_inspector_given_on_the_command_line_is_the_author(tmp_path, monkeypatch, capsys, command):
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "data"
    interview_begun_in_the_app(data)
    something_for_doctor_to_mend(data)
    assert main([*command, "--data-dir", str(data), "--inspector", "Петрова П. П."]) == 0
    action = {"doctor": "doctor", "backup": "backup", "export": "export"}[command[0]]
    assert authors(data)[action] == {"Петрова П. П."}
