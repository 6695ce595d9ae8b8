"""The interview engine: order, conditions, going back, validation as the UI does it."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from tests.helpers import MOTHER_TYPED, TODAY, bundle
from tui.engine.interview import Interview
from tui.engine.loader import load_bundle_or_raise
from tui.engine.values import AnswerError
from tui.paths import scripts_dir


def run_through(answers: dict, today: date = TODAY) -> Interview:
    """Answer every question the engine asks, in its order, from ``answers``."""
    iv = Interview(bundle(), today)
    asked = []
    after = None
    while (q := iv.first_pending(after)) is not None:
        asked.append(q.id)
        iv.answer(q.id, answers.get(q.id))
        after = q.id
    iv.asked = asked  # type: ignore[attr-defined]
    return iv


def test_consent_comes_first_and_refusal_blocks_the_interview():
    iv = Interview(bundle(), TODAY)
    assert iv.first_pending().id == "consent_pd"
    with pytest.raises(AnswerError, match="Без согласия"):
        iv.answer("consent_pd", "нет")
    assert iv.first_pending().id == "consent_pd"


def test_mother_interview_asks_profile_then_module_in_order():
    iv = run_through(MOTHER_TYPED)
    assert iv.complete
    assert iv.classification.ids == ["mother_preschool"]
    # Profile first, module after; conditional questions only when they apply.
    profile = [
        "consent_pd", "last_name", "first_name", "middle_name", "birth_date", "sex", "phone",
        "children_count", "youngest_child_birth_date", "education_level", "graduation_date",
        "ever_worked", "currently_employed", "last_job_end_date", "receives_old_age_pension",
        "northern_years", "insurance_years", "other_early_work", "sfr_retirement_date",
        "consent_health", "released_from_custody_date", "desired_work", "federal_profile_group",
    ]
    assert iv.asked[: len(profile)] == profile
    assert iv.asked[len(profile)] == "salary_importance"
    # Not asked: the hazardous lists and children raised (14 insurance years: no such right
    # can apply), disability (no health consent), orphan (39).
    for skipped in ("list1_years", "children_raised", "disability_group", "orphan_status"):
        assert skipped not in iv.asked
    assert "business_idea" not in iv.asked  # employer path
    assert "study_direction" not in iv.asked  # not ready to study
    assert "work_barriers_other" not in iv.asked


def test_no_module_for_a_man_or_a_woman_without_preschool_children():
    man = run_through({**MOTHER_TYPED, "sex": "male"})
    assert man.classification.ids == []
    assert man.asked[-1] == "federal_profile_group"  # the profile ends there: no module
    older = run_through({**MOTHER_TYPED, "youngest_child_birth_date": "27.11.2018"})
    assert older.classification.ids == []  # 8 today: no longer preschool
    no_kids = run_through({**MOTHER_TYPED, "children_count": "0"})
    assert "youngest_child_birth_date" not in no_kids.asked


def test_youngest_child_turning_eight_on_the_interview_day_is_the_edge():
    day_before = run_through({**MOTHER_TYPED, "youngest_child_birth_date": "28.11.2018"})
    assert day_before.classification.ids == ["mother_preschool"]  # 7 until tomorrow
    on_the_day = run_through({**MOTHER_TYPED, "youngest_child_birth_date": "27.11.2018"})
    assert on_the_day.classification.ids == []


def test_group_reason_names_the_rule_and_facts():
    iv = run_through(MOTHER_TYPED)
    result = iv.classification.get("mother_preschool")
    assert result.member
    assert result.facts == {
        "children_count": 2, "sex": "female", "youngest_child_birth_date": date(2022, 5, 3),
    }
    assert "младшему ребёнку 4 года" in result.reason
    assert "preschool_child_max_age" in result.rule


def test_missing_fact_leaves_group_undecided_not_out():
    iv = Interview(bundle(), TODAY, {"sex": "female", "children_count": 1})
    result = iv.classification.get("mother_preschool")
    assert result.status == "undecided"
    assert "youngest_child_birth_date" in result.reason


def test_changing_an_earlier_answer_asks_only_newly_applicable_questions():
    iv = run_through(MOTHER_TYPED)
    # Switch the path to own business: only the business question is new.
    iv.answer("chosen_path", "own_business")
    assert iv.first_pending("chosen_path").id == "business_idea"
    iv.answer("business_idea", "Свой салон")
    assert iv.first_pending("business_idea") is None
    assert iv.complete


def test_answers_no_longer_asked_are_kept_but_not_used():
    iv = run_through({**MOTHER_TYPED, "chosen_path": "own_business", "business_idea": "Салон"})
    iv.answer("chosen_path", "employer")
    assert not iv.is_applicable("business_idea")
    assert iv.value("business_idea") == "Салон"  # kept
    assert iv.context["business_idea"] is None  # not used
    assert iv.kept_unused == {"business_idea": "Салон"}
    # Going back to own business brings the kept answer back without asking again.
    iv.answer("chosen_path", "own_business")
    assert iv.complete and iv.context["business_idea"] == "Салон"


def test_changing_sex_drops_the_module_and_keeps_its_answers():
    iv = run_through(MOTHER_TYPED)
    total = iv.progress()[1]
    iv.answer("sex", "male")
    assert iv.complete
    assert iv.progress()[1] < total
    assert iv.value("salary_importance") == "important"
    iv.answer("sex", "female")
    assert iv.complete and iv.progress()[1] == total


def test_progress_counts_applicable_questions():
    iv = Interview(bundle(), TODAY)
    answered, total = iv.progress()
    assert answered == 0 and total == 15  # the profile, before anything is known
    iv.answer("consent_pd", True)
    assert iv.progress() == (1, 15)
    iv.answer("children_count", 1)
    assert iv.progress() == (2, 16)  # the youngest child's birth date now applies


def test_previous_walks_back_over_applicable_questions_only():
    iv = run_through({**MOTHER_TYPED, "children_count": "0", "sex": "male"})
    assert iv.previous("children_count").id == "phone"
    assert iv.previous("consent_pd") is None


@pytest.mark.parametrize(
    ("qid", "typed", "message"),
    [
        ("birth_date", "31.02.1990", "Такой даты нет: в феврале 1990 года 28 дней."),
        ("birth_date", "29.02.2023", "в феврале 2023 года 28 дней"),
        ("birth_date", "12.13.1990", "Месяца 13 нет"),
        ("birth_date", "1990", "ДД.ММ.ГГГГ"),
        ("birth_date", "01.01.2027", "Дата не может быть позже 27.11.2026."),
        ("birth_date", "28.11.2012", "не меньше 14 лет"),
        ("children_count", "два", "целое число"),
        ("children_count", "-1", "Не меньше 0."),
        ("children_count", "21", "Не больше 20."),
        ("phone", "12345", "10 цифр"),
        ("last_name", "   ", "обязательный вопрос"),
        ("sex", "other", "Нет такого варианта"),
    ],
)
def test_invalid_answers_get_a_message_that_says_what_is_wrong(qid, typed, message):
    iv = Interview(bundle(), TODAY, {"consent_pd": True})
    with pytest.raises(AnswerError, match=message):
        iv.answer(qid, typed)
    assert qid not in iv.answers


def test_birth_on_29_february_ages_on_28_february():
    iv = Interview(bundle(), date(2026, 2, 28), {"consent_pd": True})
    iv.answer("birth_date", "29.02.2012")  # 14 on 28.02.2026 by the Civil Code
    iv2 = Interview(bundle(), date(2026, 2, 27), {"consent_pd": True})
    with pytest.raises(AnswerError, match="не меньше 14 лет"):
        iv2.answer("birth_date", "29.02.2012")


def test_child_born_before_the_mother_is_refused():
    iv = Interview(bundle(), TODAY, {"consent_pd": True, "birth_date": date(1987, 8, 14)})
    with pytest.raises(AnswerError, match="Ребёнок не может родиться раньше клиента"):
        iv.answer("youngest_child_birth_date", "01.01.1980")


def test_typed_values_and_stored_values_agree():
    iv = run_through(MOTHER_TYPED)
    assert iv.value("birth_date") == date(1987, 8, 14)
    assert iv.value("children_count") == 2
    assert iv.value("phone") == "+7 921 555-12-34"
    assert iv.value("consent_pd") is True
    assert iv.value("work_barriers") == ["long_break", "search_skills"]
    assert iv.value("schedule_limits") == ["no_weekends", "until_18"]  # script order
    stored = iv.answers_json()
    assert stored["birth_date"] == "1987-08-14"
    again = Interview.from_json(bundle(), TODAY, stored)
    assert again.answers == iv.answers and again.complete


def test_choice_accepts_the_label_as_typed():
    iv = Interview(bundle(), TODAY, {"consent_pd": True})
    assert iv.answer("sex", "Женский") == "female"


def test_optional_question_left_empty_counts_as_answered():
    iv = Interview(bundle(), TODAY, {"consent_pd": True, "last_name": "А", "first_name": "Б"})
    assert iv.first_pending("first_name").id == "middle_name"
    iv.answer("middle_name", "")
    assert iv.value("middle_name") is None
    assert iv.first_pending("middle_name").id == "birth_date"


def test_validate_rule_may_read_the_answer_by_its_own_id(tmp_path):
    scripts = tmp_path / "scripts"
    shutil.copytree(scripts_dir(), scripts)
    profile = scripts / "profile.yaml"
    text = profile.read_text(encoding="utf-8")
    own_id = text.replace("rule: value > birth_date", "rule: youngest_child_birth_date > birth_date")
    profile.write_text(own_id, encoding="utf-8")
    b = load_bundle_or_raise([scripts])
    iv = Interview(b, TODAY, {"consent_pd": True, "birth_date": date(1987, 8, 14), "children_count": 1})
    assert iv.answer("youngest_child_birth_date", "03.05.2022") == date(2022, 5, 3)
    with pytest.raises(AnswerError, match="Ребёнок не может родиться раньше клиента"):
        iv.answer("youngest_child_birth_date", "01.01.1980")


def test_kiosk_shows_the_plain_choice_labels():
    from tui.engine.model import Choice, Question, Where
    from tui.engine.values import display

    q = Question(
        id="path", type="multi_choice", ask="Путь", where=Where("x.yaml", 1),
        choices=[Choice("own_business", "Собственное дело (ИП, самозанятость)", "Своё дело"),
                 Choice("employer", "Работа у работодателя")],
    )
    assert display(q, ["own_business", "employer"]) == (
        "Собственное дело (ИП, самозанятость); Работа у работодателя"
    )
    assert display(q, ["own_business", "employer"], kiosk=True) == "Своё дело; Работа у работодателя"
