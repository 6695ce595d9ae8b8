"""Fixtures for the Textual app tests: a store in a temporary folder and an app factory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.helpers import TODAY, bundle
from tui.store.store import Store

INSPECTOR = "Иванова И. И."


@pytest.fixture
def store(tmp_path, monkeypatch) -> Store:
    # Plans are saved to the current directory by default: keep them out of the checkout.
    monkeypatch.chdir(tmp_path)
    return Store(tmp_path / "data")


@pytest.fixture
def make_app(store) -> Callable[..., Any]:
    """``make_app(kiosk=False, **kwargs)``: the app on the bundled scripts and ``store``."""
    from tui.app.app import SobesednikApp

    def make(**kwargs: Any) -> SobesednikApp:
        kwargs.setdefault("inspector", INSPECTOR)
        # A test sees its errors; the tests of the safety net switch it on.
        kwargs.setdefault("safety_net", False)
        return SobesednikApp(bundle(), store, today=TODAY, **kwargs)

    return make
