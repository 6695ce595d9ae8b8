"""The measures of a plan as the client reads them and as the centre keeps them.

A client in several groups gets one measure per thing to do (the catalog's ``action``): one
resume, one training, one deadline each, every group's emphasis in its details; the
centre's own work (programmes, employer databases) stays out of the client's steps; a
duty without an end date says «до трудоустройства» or «постоянно»; every client, in a group
or not, gets the baseline measures; and the client's words (``client``,
``client_details``) never name a status the seed says not to stress, the conviction or the
side income.

Each test builds an interview from a golden answers file (tests/replays), or a variant of
it answered question by question, and looks at its plan value (``build_plan``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import REPLAYS, bundle
from tui.engine.interview import Interview
from tui.engine.plan import Plan, PlannedMeasure, build_plan
from tui.engine.replay import replay

CASES = sorted(REPLAYS.glob("*.yaml"))
COMBO = REPLAYS / "combo_pre_pensioner_disabled_long_unemployed.yaml"
RELEASED = REPLAYS / "released.yaml"
NO_GROUP = REPLAYS / "man_no_group.yaml"
GRADUATE = REPLAYS / "graduate.yaml"

#: The young released client: released.yaml's man, 32 years old, so also «Молодежь»
#: (under 36), with the youth module answered.
YOUNG = {
    "birth_date": "1994-03-15",
    "graduation_date": "2013-06-30",
    "youth_profession": "Электросварщик ручной сварки",
    "youth_work_in_profession": "yes",
    "youth_remote": "on_site",
    "youth_salary": 60000,
    "youth_interview_fear": True,
    "youth_search_channels": ["friends"],
    "youth_has_resume": False,
    "youth_own_business": "interested",
    "youth_training_ready": "ready",
}

#: What the client's copy never says: a status the seed says not to stress (disabled,
#: released, orphan), the conviction or custody, undeclared income or side work, the
#: seed's words for staff.
LABELS = re.compile(
    r"инвалид|освобод|лишени[яе] свободы|судим|колони|заключени|сирот|интернат|"
    r"тенев|нелегальн|неофициальн|подработ|побочн|без оформления|малоподвижн|"
    r"длительно не работающ|данной категории|\bклиент|сотрудник выясняет",
    re.IGNORECASE,
)


def plan_of(case: Path) -> Plan:
    return build_plan(replay(bundle(), case).interview)


def plan_answered(case: Path, **changes: Any) -> Plan:
    """The plan of ``case`` with ``changes`` to its answers, answered in interview order as
    ``replay`` does (an optional question may stay unanswered, a required one may not)."""
    doc = yaml.safe_load(case.read_text(encoding="utf-8"))
    answers = {**doc["answers"], **changes}
    interview = Interview(bundle(), doc["date"])
    after: str | None = None
    while (q := interview.first_pending(after)) is not None:
        assert q.id in answers or not q.required, f"{case.name}: no answer to {q.id}"
        interview.answer(q.id, answers.get(q.id), confirmed=True)
        after = q.id
    return build_plan(interview)


def young_released() -> Plan:
    plan = plan_answered(RELEASED, **YOUNG)
    assert plan.classification.ids == ["youth", "released", "long_unemployed"]
    return plan


def all_plans() -> list[tuple[str, Plan]]:
    return [(c.stem, plan_of(c)) for c in CASES] + [("young released", young_released())]


def actions(m: PlannedMeasure) -> set[str]:
    """The actions of the catalog measures merged into ``m`` (its own id when it has none)."""
    catalog = {x.id: x for x in bundle().measures}
    return {catalog[i].action or f"measure:{i}" for i in m.merged}


def client_words(m: PlannedMeasure) -> str:
    return " ".join([m.client, *m.client_details])


def of_action(plan: Plan, action: str) -> list[PlannedMeasure]:
    return [m for m in plan.measures if action in actions(m)]


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]


# ---------------------------------------------------------------- one measure per action


def test_the_three_group_client_gets_one_resume_and_one_training_each_with_one_deadline():
    plan = plan_of(COMBO)
    [resume] = of_action(plan, "resume")
    assert resume.merged == ["dis_resume_testing", "lu_resume", "prep_resume_work"]
    [training] = of_action(plan, "vocational_training")
    assert training.merged == ["lu_new_skills", "prep_new_profession"]
    for m in (resume, training):
        assert m.deadline is not None and plan.review_date is not None
        assert m.deadline <= plan.review_date
    # Each group's emphasis is said once, in the client's words too.
    assert "Объяснить в резюме перерыв в работе." in resume.client_details
    assert any("последние 10 лет" in d for d in resume.client_details)
    # Before: 27 measures, all of them in the client's list. After: one measure per action,
    # the centre's own work (the quota vacancy database) apart.
    assert len(plan.measures) == 21
    assert len(plan.client_measures) == 20
    assert [m.id for m in plan.centre_work] == ["dis_employer_cooperation"]


def test_the_young_released_client_gets_far_fewer_measures_than_23():
    plan = young_released()
    assert len(plan.client_measures) <= 18
    [plan_m] = of_action(plan, "search_plan")
    assert plan_m.merged == ["lu_individual_search_plan", "rel_search_plan", "job_search_plan"]
    [guidance] = of_action(plan, "career_guidance")
    assert guidance.merged == ["rel_career_guidance", "demand_analysis_guidance"]


@pytest.mark.parametrize("name", [c.stem for c in CASES] + ["young released"])
def test_no_two_measures_of_a_plan_do_the_same_thing(name):
    plan = dict(all_plans())[name]
    seen: dict[str, str] = {}
    for m in plan.client_measures:
        for action in actions(m):
            assert action not in seen, f"{name}: «{action}» in {seen.get(action)} and {m.id}"
            seen[action] = m.id


def test_merged_details_say_each_thing_once_and_never_contradict():
    ready = re.compile(r"(?<!не )готов(а)? (к обучению|освоить|обновить)|хочет (освоить|повысить)")
    unsure = re.compile(r"сомневается|не готов(а)? к обучению")
    for name, plan in all_plans():
        for m in plan.measures:
            staff = [s for d in m.details for s in sentences(d)]
            assert len(staff) == len(set(staff)), (name, m.id, m.details)
            client = [m.client, *(s for d in m.client_details for s in sentences(d))]
            assert len(client) == len(set(client)), (name, m.id, client)
            text = " ".join(m.details)
            assert text.count("условиям труда") + text.count("условий труда") <= 1, (name, m.id, text)
            assert len(re.findall(r"Резюме (у клиента|клиента|устарело|актуально)", text)) <= 1, (name, m.id)
            assert not (ready.search(text) and unsure.search(text)), (name, m.id, text)


def test_a_merged_step_commits_the_client_to_a_step_not_to_the_seeds_words():
    catalog = {x.id: x for x in bundle().measures}
    for name, plan in all_plans():
        for m in plan.client_measures:
            if m.responsible in ("client", "both") and not m.at_interview:
                assert m.commitment not in {catalog[i].text for i in m.merged}, (name, m.id)


# ---------------------------------------------------------------- what the client reads


@pytest.mark.parametrize("name", [c.stem for c in CASES] + ["young released"])
def test_every_step_of_the_client_has_its_words_and_no_label(name):
    plan = dict(all_plans())[name]
    for m in plan.client_measures:
        assert m.client.strip(), f"{name}: {m.id} has no words for the client"
        found = LABELS.search(client_words(m))
        assert found is None, f"{name}: {m.id}: «{found.group(0) if found else ''}» in {client_words(m)!r}"


def test_the_client_never_reads_his_side_job_or_the_profession_learnt_in_custody():
    for plan in (plan_of(RELEASED), young_released(), plan_of(COMBO),
                 plan_of(REPLAYS / "released_worked_in_custody.yaml")):
        words = " ".join(client_words(m) for m in plan.client_measures)
        for qid in ("lu_side_activity", "rel_custody_profession", "lu_barriers_other"):
            value = plan.facts.get(qid)
            if isinstance(value, str) and value.strip():
                assert value.strip() not in words, qid
        assert "Швея" not in words and "Сварочные работы по частным заказам" not in words


def test_the_centres_own_work_is_not_a_step_of_the_client():
    plan = plan_of(GRADUATE)
    assert [m.id for m in plan.centre_work] == ["grad_employer_cooperation"]
    assert all("программ по трудоустройству" not in m.text for m in plan.client_measures)
    assert plan.centre_work[0].when_text == "постоянно"


def test_duties_without_an_end_date_say_until_employed():
    plan = plan_of(COMBO)
    [feedback] = of_action(plan, "interview_feedback")
    assert feedback.deadline is None
    assert feedback.commitment_line == (
        "Рассказывать инспектору об итогах каждого собеседования — до трудоустройства."
    )
    [fairs] = of_action(plan, "job_fairs")
    assert fairs.when_text == "до трудоустройства"


# ---------------------------------------------------------------- the baseline


def test_a_client_of_no_group_gets_the_baseline_measures():
    plan = plan_of(NO_GROUP)
    assert plan.classification.ids == []
    assert [m.id for m in plan.measures] == [
        "labour_market_info", "mutual_responsibility", "suitable_vacancies", "job_search_plan",
    ]
    assert all(m.baseline and m.client for m in plan.measures)
    assert [m.when_text for m in plan.measures][1:3] == ["до трудоустройства", "до трудоустройства"]


@pytest.mark.parametrize("name", [c.stem for c in CASES])
def test_every_client_gets_the_baseline_measures_whose_condition_holds(name):
    plan = plan_of(REPLAYS / f"{name}.yaml")
    merged = {i for m in plan.measures for i in m.merged}
    own_business = plan.facts.get("chosen_path") == "own_business"
    for m in bundle().measures:
        if m.baseline and not (own_business and m.when is not None and "chosen_path" in m.when.names):
            # labour_market_info stands for its two regional wordings, one of which is chosen
            assert m.id in merged or (m.action and of_action(plan, m.action)), (name, m.id)
