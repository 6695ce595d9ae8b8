"""The measure catalog: every measure of the methodology reaches some client's plan."""

from __future__ import annotations

from tests.helpers import REPLAYS, bundle
from tui.engine.plan import choose_measures
from tui.engine.replay import replay


def test_every_measure_in_the_catalog_appears_in_some_plan():
    planned: set[str] = set()
    for case in sorted(REPLAYS.glob("*.yaml")):
        planned |= {m.id for m in choose_measures(replay(bundle(), case).interview)}
    catalog = {m.id for m in bundle().measures}
    assert sorted(catalog - planned) == []


def test_a_shared_measure_appears_once_with_every_group_that_asked_for_it():
    shared = [m for m in bundle().measures if len(m.groups) > 1]
    assert shared, "the catalog has measures several groups share"
    for case in sorted(REPLAYS.glob("*.yaml")):
        interview = replay(bundle(), case).interview
        planned = choose_measures(interview)
        ids = [m.id for m in planned]
        assert len(ids) == len(set(ids)), f"{case.name}: a measure twice"
        titles = {g.id: g.title for g in bundle().groups}
        for m in planned:
            source = next(x for x in shared if x.id == m.id) if m.id in {x.id for x in shared} else None
            if source is not None:
                expected = [titles[g] for g in source.groups if g in interview.classification.ids]
                assert m.groups == expected, f"{case.name}: {m.id}"


def test_every_measure_has_a_deadline_and_client_measures_a_commitment():
    for m in bundle().measures:
        assert m.deadline_days is not None, m.id
        if m.responsible in ("client", "both") and m.deadline_days:
            assert m.commitment, f"{m.id}: what does the client commit to?"
