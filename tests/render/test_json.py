"""The plan as JSON for other systems: the plan value itself, read back as another system
reads it; every field it holds is documented in docs/plan.md; the same plan gives the same
bytes."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import REPLAYS, ROOT, bundle, replay_variant
from tests.render.office import META
from tui.engine.plan import build_plan
from tui.engine.plan_value import SCHEMA, plan_value
from tui.engine.replay import replay
from tui.engine.workdays import is_working_day
from tui.render.jsonfmt import render_json

CASES = sorted(REPLAYS.glob("*.yaml"))
DOCS = ROOT / "docs" / "plan.md"


def value_of(case, copy: str) -> dict[str, Any]:
    return plan_value(build_plan(replay(bundle(), case).interview, META), copy)


def paths(value: Any, prefix: str = "") -> set[str]:
    """Every field of a value as docs/plan.md names it: ``measures[].client_details``; the
    fields of an inspector's decision, wherever it stands, as ``override.reason``."""
    out: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            if prefix.endswith(".override"):
                path = f"override.{key}"
            out.add(path)
            out |= paths(item, path)
    elif isinstance(value, list):
        for item in value:
            out |= paths(item, f"{prefix}[]")
    return out


@pytest.mark.parametrize("copy", ["client", "centre"])
def test_the_document_reads_back_as_the_plan_value_in_utf8(copy):
    case = REPLAYS / "mother_employer.yaml"
    value = value_of(case, copy)
    data = render_json(value)
    assert json.loads(data.decode("utf-8")) == value
    assert data.endswith(b"\n")
    assert "Кузнецова".encode() in data  # Cyrillic as it is, not \u escapes
    assert json.loads(data)["schema"] == SCHEMA == "sobesednik.plan/1"
    assert json.loads(data)["copy"] == copy


def test_the_same_plan_gives_the_same_bytes():
    case = REPLAYS / "long_unemployed.yaml"
    assert render_json(value_of(case, "centre")) == render_json(value_of(case, "centre"))


def with_overrides(tmp_path) -> Path:
    """The three-group client with one group removed by the inspector, so the value holds
    every field of an override."""
    case = REPLAYS / "combo_pre_pensioner_disabled_long_unemployed.yaml"
    doc = yaml.safe_load(case.read_text(encoding="utf-8"))
    doc["inspector"] = "ivanova"
    doc["groups"] = [{"group": "disabled", "action": "remove", "reason": "Клиент просит не указывать"}]
    path = tmp_path / "overrides.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def test_every_field_of_both_copies_is_documented(tmp_path):
    section = DOCS.read_text(encoding="utf-8").split("## The JSON document", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([^`]+)` \|", section, re.M))
    seen: set[str] = set()
    for case in [*CASES, with_overrides(tmp_path)]:
        for copy in ("client", "centre"):
            seen |= paths(json.loads(render_json(value_of(case, copy))))
    assert seen - documented == set(), "fields missing in docs/plan.md"
    assert documented - seen == set(), "docs/plan.md names fields the value does not have"


def test_dates_are_iso_text_and_every_event_is_on_a_working_day():
    value = json.loads(render_json(value_of(REPLAYS / "combo_pre_pensioner_disabled_long_unemployed.yaml",
                                            "client")))
    assert value["events"], "a plan has dated events"
    for event in value["events"]:
        assert is_working_day(date.fromisoformat(event["date"])), event
    assert value["visits"][-1] == value["review_date"]
    assert all(m["deadline"] is None or m["deadline"] <= value["review_date"] for m in value["measures"])


def test_the_clients_copy_leaves_out_the_groups_and_the_centres_wording():
    case = REPLAYS / "combo_pre_pensioner_disabled_long_unemployed.yaml"
    client = json.loads(render_json(value_of(case, "client")))
    centre = json.loads(render_json(value_of(case, "centre")))
    for key in ("groups", "groups_removed", "groups_not_assessed", "federal_profile"):
        assert key not in client and key in centre
    assert all("text" not in m and "groups" not in m for m in client["measures"])
    text = render_json(value_of(case, "client")).decode("utf-8")
    for title in (g["title"] for g in centre["groups"]):
        assert title not in text


def test_markup_and_quotes_in_answers_stay_strings(tmp_path):
    name = 'О\'Нил "<b>Мэри</b>" & {{ x }} }'
    result, _ = replay_variant(tmp_path, REPLAYS / "mother_employer.yaml", last_name=name)
    value = plan_value(build_plan(result.interview, META), "client")
    assert json.loads(render_json(value))["client"]["last_name"] == name
