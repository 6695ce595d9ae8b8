"""A client in several groups is asked about training once, and the plan never says both
that the client is ready and that the client doubts (issue 11: every answer counts, none is
asked twice). Each module has its own question; the first of them that applies asks it."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import pytest

from tests.engine.test_seed_fidelity_b import _neutral
from tests.helpers import bundle, plan_text
from tui.engine.interview import Interview

#: Every module's question about readiness for training.
READINESS = {"pens_retrain", "prep_retrain", "dis_retrain", "lu_ready_to_train", "ready_to_study",
             "rel_ready_to_train", "orph_training_ready", "youth_training_ready", "nw_study_ready"}
TODAY = date(2026, 12, 1)

BASE: dict[str, Any] = {
    "consent_pd": True, "last_name": "Тестова", "first_name": "Анна", "phone": "+7 900 000-00-00",
    "consent_health": True, "disability_group": "none", "desired_work": "любая работа",
    "education_level": "secondary_general", "ever_worked": True, "currently_employed": False,
    "last_job_end_date": date(2026, 8, 1), "receives_old_age_pension": False, "children_count": 0,
}
#: Who the client is: the age and sex decide which groups the traits below can add.
PEOPLE: dict[str, dict[str, Any]] = {
    "man of 20": {"birth_date": date(2006, 1, 1), "sex": "male"},
    "young man": {"birth_date": date(2000, 1, 1), "sex": "male"},
    "young woman": {"birth_date": date(2000, 1, 1), "sex": "female"},
    "man of 41": {"birth_date": date(1985, 1, 1), "sex": "male"},
    "woman of 36": {"birth_date": date(1990, 1, 1), "sex": "female"},
    "man of 62": {"birth_date": date(1964, 1, 1), "sex": "male", "northern_years": 0,
                  "insurance_years": 30, "list1_years": 0, "list2_years": 0,
                  "other_early_work": False},
}
TRAITS: dict[str, dict[str, Any]] = {
    "disabled": {"disability_group": "II"},
    "long break": {"last_job_end_date": date(2024, 1, 1)},
    "released": {"released_from_custody_date": date(2026, 6, 1)},
    "small child": {"children_count": 1, "youngest_child_birth_date": date(2022, 1, 1)},
    "orphan": {"orphan_status": True},
    "never worked": {"ever_worked": False, "last_job_end_date": None, "currently_employed": None},
    "nothing else": {},
}
CASES = [(who, a, b) for who in PEOPLE for a, b in itertools.combinations(TRAITS, 2)]


def _interview(who: str, a: str, b: str) -> Interview:
    answers = {**BASE, **PEOPLE[who], **TRAITS[a], **TRAITS[b]}
    answers = {k: v for k, v in answers.items() if v is not None}
    interview = Interview(bundle(), TODAY)
    after = None
    while (q := interview.first_pending(after)) is not None:
        interview.answer(q.id, answers[q.id] if q.id in answers else _neutral(q), confirmed=True)
        after = q.id
    return interview


@pytest.mark.parametrize(("who", "a", "b"), CASES, ids=[" + ".join(c) for c in CASES])
def test_training_is_asked_about_once(who, a, b):
    interview = _interview(who, a, b)
    asked = [q.id for q in interview.questions if q.id in READINESS]
    assert len(asked) <= 1, (interview.classification.ids, asked)
    plan = plan_text(interview, {"mode": "replay"})
    assert not ("готов к обучению" in plan and "сомневается" in plan)


def test_the_cases_reach_the_groups_that_share_the_question():
    # The combinations above do put clients in two or three groups with such a question.
    found = set()
    for case in CASES:
        interview = _interview(*case)
        found |= {q.id for q in interview.questions if q.id in READINESS}
    assert found >= READINESS - {"pens_retrain"}
