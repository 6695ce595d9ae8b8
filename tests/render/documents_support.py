"""What the document tests share: the centre's details as `sobesednik setup` records them,
and the plans of the replay cases."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from tests.helpers import REPLAYS, bundle
from tui.engine.plan import Plan, build_plan
from tui.engine.replay import replay
from tui.render.documents import render_document

#: The centre and the case worker, as `Settings.office(login)` gives them.
OFFICE: dict[str, dict[str, str]] = {
    "centre": {
        "name": "ГОБУ ЦЗН Мурманской области, отдел в г. Мурманске",
        "address": "г. Мурманск, ул. Полярные Зори, д. 46",
        "phone": "+7 (8152) 45-67-89",
        "hours": "пн–чт 9:00–17:00, пт 9:00–16:00",
    },
    "curator": {
        "login": "petrova",
        "full_name": "Петрова Анна Ивановна",
        "position": "ведущий инспектор",
        "phone": "+7 (8152) 45-67-80",
        "office": "12",
    },
}

CASES = sorted(p for p in REPLAYS.glob("*.yaml"))
COMBO = REPLAYS / "combo_pre_pensioner_disabled_long_unemployed.yaml"


@lru_cache(maxsize=64)
def case_plan(case: Path) -> Plan:
    result = replay(bundle(), case)
    return build_plan(result.interview, result.meta())


def document(plan: Plan, fmt: str, copy: str, office: dict[str, Any] | None = None) -> str:
    """The document as text (every text format)."""
    doc = render_document(plan, fmt, copy, OFFICE if office is None else office)
    assert not doc.warnings
    return doc.data.decode("utf-8")


def answers_file(tmp_path: Path, case: Path = COMBO, **changes: Any) -> Path:
    """``case`` with top-level keys (``date``, ``groups``, ``inspector``) or answers changed
    (``answers={...}``)."""
    doc = yaml.safe_load(case.read_text(encoding="utf-8"))
    doc["answers"].update(changes.pop("answers", {}))
    doc.update(changes)
    path = tmp_path / case.name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def plan_of(path: Path, meta: dict[str, Any] | None = None) -> Plan:
    result = replay(bundle(), path)
    return build_plan(result.interview, {**result.meta(), **(meta or {})})
