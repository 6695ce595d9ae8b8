"""Rendering a plan value: a broken or missing template is named, never a traceback."""

from __future__ import annotations

import pytest

from tests.helpers import REPLAYS, bundle
from tui.engine.dates import full_years
from tui.engine.plan import build_plan
from tui.engine.replay import replay
from tui.render.markdown import PlanError, render_plan


@pytest.fixture
def plan():
    return build_plan(replay(bundle(), REPLAYS / "man_no_group.yaml").interview, {"mode": "replay"})


def test_a_broken_template_is_named_with_its_line(tmp_path, plan):
    (tmp_path / "plan.md.j2").write_text("# План\n\n{% if %}\n", encoding="utf-8")
    with pytest.raises(PlanError) as exc:
        render_plan(plan, templates=tmp_path)
    assert str(exc.value).startswith(f"{tmp_path / 'plan.md.j2'}:3: шаблон плана не отрисовывается")


def test_a_missing_template_names_where_it_was_looked_for(tmp_path, plan):
    with pytest.raises(PlanError) as exc:
        render_plan(plan, templates=tmp_path)
    assert str(exc.value).startswith(f"{tmp_path}/plan.md.j2: шаблон плана не отрисовывается")


def test_a_template_sees_the_plan_value_and_the_date_functions(tmp_path, plan):
    (tmp_path / "plan.md.j2").write_text(
        "{{ last_name }}; {{ groups_in | length }}; {{ visits | length }}; "
        "{{ asked('consent_pd') }}; {{ age(birth_date) }}; {{ interview.mode }}\n",
        encoding="utf-8",
    )
    age = full_years(plan.facts["birth_date"], plan.today)
    assert render_plan(plan, templates=tmp_path) == (
        f"{plan.facts['last_name']}; 0; {len(plan.visits)}; True; {age}; replay\n"
    )
