"""Early retirement rights (400-ФЗ ст. 8 ч. 1.2, ст. 30, ст. 32) and who is asked for them.

The retirement date is the earliest of every right a person has; pre-pensioner is the five
years before it. Expected dates are written out by hand from the table of rights, never with
the product's own date arithmetic.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.engine.test_classification import (
    assert_retirement_date,
    classify,
    d,
    facts_of,
    reason,
    refused,
    status,
    write_facts,
)
from tests.helpers import bundle
from tui.engine.interview import Interview
from tui.engine.replay import classify_facts
from tui.engine.rules import IN, OUT, UNDECIDED

WOMAN = {"sex": "female", "northern_years": 0}
MAN = {"sex": "male", "northern_years": 0}


# ------------------------------------------------------------------ the checks of the table


def test_the_northern_mother_of_two_retires_at_50(tmp_path):
    # Born 10.05.1976, two children, 12 northern and 20 insurance years: 10.05.2026, and
    # pre-pensioner from 10.05.2021.
    facts = facts_of(sex="female", birth_date=d("10.05.1976"), children_raised=2,
                     northern_years=12, insurance_years=20)
    assert_retirement_date(tmp_path, facts, d("10.05.2026"))
    cl = classify(tmp_path, d("09.05.2026"), **{k: v for k, v in facts.items() if k != "sex"},
                  sex="female")
    assert ("право на досрочную пенсию: мать 2 детей с северным стажем 12 лет — с 50 лет"
            in reason(cl, "pre_pensioner"))


def test_a_long_record_woman_born_1972_retires_at_58(tmp_path):
    # 37 insurance years, no northern record: the general 60 less 24 months, in 2030.
    facts = facts_of(**WOMAN, birth_date=d("15.03.1972"), insurance_years=37)
    assert_retirement_date(tmp_path, facts, d("15.03.2030"))
    cl = classify(tmp_path, d("01.12.2026"), **WOMAN, birth_date=d("15.03.1972"),
                  insurance_years=37)
    assert status(cl, "pre_pensioner") == IN
    text = reason(cl, "pre_pensioner")
    assert "право на досрочную пенсию: длительный страховой стаж, 37 лет — с 58 лет (15.03.2030)" in text


def test_a_man_with_a_full_list2_record_retires_at_55(tmp_path):
    facts = facts_of(**MAN, birth_date=d("20.06.1970"), insurance_years=25, list2_years=12.5)
    assert_retirement_date(tmp_path, facts, d("20.06.2025"))
    cl = classify(tmp_path, d("01.12.2026"), **MAN, birth_date=d("20.06.1970"),
                  insurance_years=25, list2_years=12.5)
    assert status(cl, "pensioner") == IN
    assert "работа по Списку № 2, 12,5 года — с 55 лет" in reason(cl, "pensioner")


# ------------------------------------------------------------------ each right on its edges


@pytest.mark.parametrize(
    "changes, retires",
    [
        # Mothers: 5 or more children → 50, 4 → 56, 3 → 57, each with 15 insurance years.
        ({"children_raised": 5, "insurance_years": 15}, "01.02.2025"),
        ({"children_raised": 7, "insurance_years": 15}, "01.02.2025"),
        ({"children_raised": 4, "insurance_years": 15}, "01.02.2031"),
        ({"children_raised": 3, "insurance_years": 15}, "01.02.2032"),
        # Two children without the northern record: the general age (60, born 1975).
        ({"children_raised": 2, "insurance_years": 30}, "01.02.2035"),
        # 14 insurance years are not enough for a mother's right.
        ({"children_raised": 5, "insurance_years": 14}, "01.02.2035"),
        # Список № 1, women: 7.5 years and 15 insurance years → 45; 7 years are not enough.
        ({"list1_years": 7.5, "insurance_years": 15}, "01.02.2020"),
        ({"list1_years": 7, "insurance_years": 15}, "01.02.2035"),
        # Список № 2, women: 10 years and 20 insurance years → 50.
        ({"list2_years": 10, "insurance_years": 20}, "01.02.2025"),
        ({"list2_years": 10, "insurance_years": 19.5}, "01.02.2035"),
    ],
)
def test_womens_rights_born_1975(tmp_path, changes, retires):
    facts = facts_of(**WOMAN, birth_date=d("01.02.1975"), **{"insurance_years": 20, **changes})
    assert_retirement_date(tmp_path, facts, d(retires))


@pytest.mark.parametrize(
    "born, changes, retires",
    [
        # Список № 1, men: 10 years and 20 insurance years → 50.
        ("01.02.1975", {"list1_years": 10, "insurance_years": 20}, "01.02.2025"),
        ("01.02.1975", {"list1_years": 9.5, "insurance_years": 20}, "01.02.2040"),
        # Список № 2, men: 12.5 years and 25 insurance years → 55.
        ("01.02.1975", {"list2_years": 12.5, "insurance_years": 24}, "01.02.2040"),
        # Long record, men: 42 years → the general 65 less 24 months = 63.
        ("01.02.1975", {"insurance_years": 42}, "01.02.2038"),
        ("01.02.1975", {"insurance_years": 41.9}, "01.02.2040"),
    ],
)
def test_mens_rights(tmp_path, born, changes, retires):
    facts = facts_of(**MAN, birth_date=d(born), **changes)
    assert_retirement_date(tmp_path, facts, d(retires))


@pytest.mark.parametrize(
    "sex, born, insurance, retires, by_age",
    [
        # Never before 60 / 55: a man born 1960 (general 61 y 6 m with the relief: 01.08.2021)
        # → 62 − 2 = 60; born 1959 (60 y 6 m with the relief) → 59, floored to 60.
        ("male", "01.02.1960", 45, "01.02.2020", "01.08.2021"),
        ("male", "01.02.1959", 45, "01.02.2019", "01.08.2019"),
        # A woman born 1966 (general 58) → 56; born 1964 (55 y 6 m with the relief) → 55.
        ("female", "01.02.1966", 40, "01.02.2022", "01.02.2024"),
        ("female", "01.02.1964", 40, "01.02.2019", "01.08.2019"),
    ],
)
def test_the_long_record_never_goes_below_60_or_55(tmp_path, sex, born, insurance, retires,
                                                  by_age):
    # (A record this long is only possible in the last years before the date: the five-year
    # window would have fewer years than 42 / 37 behind it, so only the date itself is checked.)
    def groups(on: str, years: float) -> tuple[str, str]:
        cl = classify(tmp_path, d(on), sex=sex, northern_years=0, birth_date=d(born),
                      insurance_years=years)
        return status(cl, "pensioner"), status(cl, "pre_pensioner")

    day_before = date.fromordinal(d(retires).toordinal() - 1).strftime("%d.%m.%Y")
    assert groups(day_before, insurance) == (OUT, IN)
    assert groups(retires, insurance) == (IN, OUT)
    # With a short record the same person retires only by age.
    assert groups(retires, 30) == (OUT, IN)
    assert groups(by_age, 30) == (IN, OUT)


def test_the_earliest_of_several_rights_wins(tmp_path):
    # A northern woman born 1975 (full record: 55, in 2030) who is also a mother of four (56)
    # and worked 10 years on Список № 2 (50): the list gives the earliest date.
    facts = facts_of(sex="female", birth_date=d("01.02.1975"), northern_years=16,
                     insurance_years=25, children_raised=4, list2_years=10)
    assert_retirement_date(tmp_path, facts, d("01.02.2025"))


def test_a_child_younger_than_8_counts_only_if_8_by_the_rights_date(tmp_path):
    # Born 01.02.1980; three children, the youngest born 01.06.2018 turns 8 on 01.06.2026.
    base = facts_of(**WOMAN, birth_date=d("01.02.1980"), insurance_years=20,
                    children_count=1, youngest_child_birth_date=d("01.06.2018"))
    # Mother of 3 at 57 (2037): the youngest is 8 long before, all three count.
    assert_retirement_date(tmp_path, {**base, "children_raised": 3}, d("01.02.2037"))
    # Born 01.02.1976, five children, the youngest born 01.06.2020 is 8 only on 01.06.2028,
    # after her 50th birthday (01.02.2026): four count by then, so the right is the
    # four-children one at 56 (2032), not 50.
    late = facts_of(**WOMAN, birth_date=d("01.02.1976"), insurance_years=20, children_raised=5,
                    children_count=1, youngest_child_birth_date=d("01.06.2020"))
    assert_retirement_date(tmp_path, late, d("01.02.2032"))


def test_the_reason_names_the_mothers_right_and_the_coefficient(tmp_path):
    cl = classify(tmp_path, d("01.12.2026"), **WOMAN, birth_date=d("01.02.1972"),
                  insurance_years=20, children_raised=3)
    assert status(cl, "pre_pensioner") == IN
    text = reason(cl, "pre_pensioner")
    assert "право на досрочную пенсию: многодетная мать, 3 детей — с 57 лет (01.02.2029" in text
    assert "нужен ИПК не ниже 30" in text


# ------------------------------------------------------------------ the Social Fund's certificate


def test_a_partial_hazardous_record_asks_for_the_certificate(tmp_path):
    # 8 years on Список № 2 for a man (12.5 needed): not computed, the inspector is told to
    # ask for the Social Fund's certificate, and the reason shows though he is 51.
    cl = classify(tmp_path, d("01.12.2026"), **MAN, birth_date=d("01.02.1975"),
                  insurance_years=28, list2_years=8)
    assert status(cl, "pre_pensioner") == OUT
    text = reason(cl, "pre_pensioner")
    assert "запросить в СФР" in text
    assert "стаж по Списку № 2 неполный (8 лет)" in text


def test_teachers_and_medics_are_told_to_ask_for_the_certificate(tmp_path):
    cl = classify(tmp_path, d("01.12.2026"), **WOMAN, birth_date=d("01.02.1975"),
                  insurance_years=28, other_early_work=True)
    assert "педагог, медик" in reason(cl, "pre_pensioner")


def test_no_advice_when_nothing_comes_close(tmp_path):
    cl = classify(tmp_path, d("01.12.2026"), **MAN, birth_date=d("01.02.1975"),
                  insurance_years=28)
    assert reason(cl, "pre_pensioner") == ""


def test_a_certificate_date_wins_over_every_right(tmp_path):
    cl = classify(tmp_path, d("01.12.2026"), **MAN, birth_date=d("01.02.1975"),
                  insurance_years=28, list2_years=8, sfr_retirement_date=d("01.02.2029"))
    assert status(cl, "pre_pensioner") == IN
    text = reason(cl, "pre_pensioner")
    assert "право на пенсию по справке СФР с 01.02.2029" in text
    assert "запросить" not in text


# ------------------------------------------------------------------ who is asked


def _asked(answers: dict, on: date = date(2026, 12, 1)) -> set[str]:
    iv = Interview(bundle(), on, answers)
    return {q.id for q in iv.state.questions}


@pytest.mark.parametrize(
    "who, asked, not_asked",
    [
        # A woman of 40 who worked, with 15 insurance years: Список № 1 could give 45.
        ({"sex": "female", "birth_date": d("01.02.1986"), "insurance_years": 15},
         {"list1_years", "list2_years", "other_early_work"}, {"children_raised"}),
        # A woman of 45 with 15 insurance years: the mothers' rights (from 50) too.
        ({"sex": "female", "birth_date": d("01.02.1981"), "insurance_years": 15},
         {"list1_years", "children_raised"}, set()),
        # With 14 insurance years neither lists nor mothers' rights can apply.
        ({"sex": "female", "birth_date": d("01.02.1981"), "insurance_years": 14},
         {"other_early_work"}, {"list1_years", "list2_years", "children_raised"}),
        # A man is never asked about children raised; at 43 not about the record at all.
        ({"sex": "male", "birth_date": d("01.02.1970"), "insurance_years": 30},
         {"list1_years", "list2_years"}, {"children_raised"}),
        ({"sex": "male", "birth_date": d("01.02.1983"), "insurance_years": 20},
         set(), {"insurance_years", "list1_years", "children_raised"}),
        # A woman of 38: too young for any right to matter yet.
        ({"sex": "female", "birth_date": d("01.02.1988")},
         set(), {"insurance_years", "list1_years", "children_raised"}),
        # Who never worked has no record to ask about.
        ({"sex": "female", "birth_date": d("01.02.1975"), "ever_worked": False},
         set(), {"insurance_years", "list1_years", "children_raised"}),
    ],
)
def test_the_record_is_asked_only_where_it_can_matter(who, asked, not_asked):
    answers = {"consent_pd": True, "ever_worked": True, "currently_employed": False,
               "receives_old_age_pension": False, "northern_years": 0, **who}
    questions = _asked(answers)
    assert asked <= questions
    assert not (not_asked & questions)


def test_a_pensioner_is_not_asked_about_the_record():
    questions = _asked({"consent_pd": True, "sex": "female", "birth_date": d("01.02.1960"),
                        "ever_worked": True, "currently_employed": False,
                        "receives_old_age_pension": True})
    assert not {"insurance_years", "list1_years", "children_raised"} & questions


# ------------------------------------------------------------------ bad input


def test_list_years_above_the_insurance_record_are_refused(tmp_path):
    err = refused(tmp_path, "list1_years", **MAN, birth_date=d("01.02.1970"),
                  insurance_years=20, list1_years=21)
    assert "не может быть больше страхового стажа" in str(err)
    err = refused(tmp_path, "list2_years", **MAN, birth_date=d("01.02.1970"),
                  insurance_years=20, list1_years=12, list2_years=9)
    assert "вместе не может быть больше страхового стажа" in str(err)


def test_a_missing_children_raised_leaves_the_pension_groups_undecided_and_names_it(tmp_path):
    facts = {k: v for k, v in facts_of(**WOMAN, birth_date=d("01.02.1975"),
                                       insurance_years=20).items() if k != "children_raised"}
    cl = classify_facts(bundle(), write_facts(tmp_path, facts), d("01.12.2026")).classification
    assert status(cl, "pre_pensioner") == UNDECIDED
    assert "(children_raised)" in reason(cl, "pre_pensioner")
    assert "многодетной матери" in reason(cl, "pre_pensioner")


def test_missing_list_years_are_named_for_a_man_with_a_long_record(tmp_path):
    facts = {k: v for k, v in facts_of(**MAN, birth_date=d("01.02.1970"),
                                       insurance_years=30).items() if k != "list2_years"}
    cl = classify_facts(bundle(), write_facts(tmp_path, facts), d("01.12.2026")).classification
    assert status(cl, "pensioner") == UNDECIDED
    assert "(list2_years)" in reason(cl, "pensioner")


def test_fewer_children_in_all_than_minors_asks_to_confirm_and_a_file_is_taken(tmp_path):
    from tui.engine.values import NeedsConfirmation

    answers = {"consent_pd": True, "sex": "female", "birth_date": d("01.02.1980"),
               "children_count": 2, "youngest_child_birth_date": d("01.06.2015"),
               "ever_worked": True, "currently_employed": False,
               "receives_old_age_pension": False, "northern_years": 0, "insurance_years": 20,
               "list1_years": 0, "list2_years": 0, "other_early_work": False}
    iv = Interview(bundle(), date(2026, 12, 1), answers)
    with pytest.raises(NeedsConfirmation, match="опекаемые"):
        iv.check("children_raised", "1")
    assert iv.check("children_raised", "1", confirmed=True) == 1
    assert iv.check("children_raised", "2") == 2
    # A facts file holds answers already confirmed: it is classified, not refused.
    facts = facts_of(**WOMAN, birth_date=d("01.02.1980"), insurance_years=20,
                     children_count=2, youngest_child_birth_date=d("01.06.2015"),
                     children_raised=1)
    cl = classify_facts(bundle(), write_facts(tmp_path, facts), date(2026, 12, 1))
    assert status(cl.classification, "pre_pensioner") == OUT


@pytest.mark.parametrize("sex", ["female", "male"])
def test_the_record_is_asked_from_early_enough_for_every_right(sex):
    """record_from_age must follow the rights: the youngest age any right gives, less the
    pre-pension years and one year ahead (so that a near miss is seen too)."""
    p = bundle().params
    early = p["early"]
    ages = [early["list1"][sex]["age"], early["list2"][sex]["age"],
            early["long_record"]["floor_age"][sex],
            min(row["years"] for row in p["retirement"]["northern"][sex])]
    if sex == "female":
        ages += [early["northern_mother"]["age"], *(r["age"] for r in early["mothers"]["rows"])]
    assert p["record_from_age"][sex] <= min(ages) - p["pre_pension_years"] - 1
