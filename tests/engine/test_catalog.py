"""The measure catalog: every measure of the methodology reaches some client's plan."""

from __future__ import annotations

from tests.helpers import REPLAYS, bundle
from tui.engine.plan import choose_measures
from tui.engine.replay import replay


def test_every_measure_in_the_catalog_appears_in_some_plan():
    planned: set[str] = set()
    for case in sorted(REPLAYS.glob("*.yaml")):
        planned |= {mid for m in choose_measures(replay(bundle(), case).interview) for mid in m.merged}
    catalog = {m.id for m in bundle().measures}
    assert sorted(catalog - planned) == []


def test_a_shared_measure_appears_once_with_every_group_that_asked_for_it():
    shared = {m.id: m for m in bundle().measures if len(m.groups) > 1}
    assert shared, "the catalog has measures several groups share"
    titles = {g.id: g.title for g in bundle().groups}
    for case in sorted(REPLAYS.glob("*.yaml")):
        interview = replay(bundle(), case).interview
        planned = choose_measures(interview)
        ids = [mid for m in planned for mid in m.merged]
        assert len(ids) == len(set(ids)), f"{case.name}: a measure twice"
        for m in planned:
            for mid in (mid for mid in m.merged if mid in shared):
                expected = [titles[g] for g in shared[mid].groups if g in interview.classification.ids]
                assert set(expected) <= set(m.groups), f"{case.name}: {mid}"


def test_every_step_of_the_client_has_a_date_and_a_commitment():
    """What the client does has a deadline or says «постоянно» / «до трудоустройства»
    (only the centre's own step may be «по договорённости»), and a commitment."""
    for m in bundle().measures:
        if m.responsible in ("client", "both"):
            assert m.deadline_days is not None or m.ongoing, m.id
            if m.deadline_days != 0:
                assert m.commitment, f"{m.id}: what does the client commit to?"
