"""Client-group classification on the edges, against domain.md §1–§3.

Every case builds a facts file and classifies it through the path of
``sobesednik classify FACTS.yaml``: :func:`tui.engine.replay.classify_facts` (the same
coercion, validation and rules as the interview), or ``tui.cli.main`` with ``--json``.
Interview dates are fixed. Expected dates are written out by hand (or derived with the
tiny calendar helpers below), never with the product's own date arithmetic.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import bundle
from tui.cli import main
from tui.engine.replay import ReplayError, classify_facts
from tui.engine.rules import IN, NOT_ASSESSED, OUT, UNDECIDED, Classification

TODAY = date(2026, 11, 27)

GROUPS = ("pensioner", "pre_pensioner", "youth", "mother_preschool", "disabled", "graduate",
          "released", "never_worked", "long_unemployed", "orphan")

#: Marks a fact to leave out of the file.
OMIT = object()

#: A 36-year-old man who works and belongs to no group: each case changes what it tests.
BASE: dict[str, Any] = {
    "birth_date": date(1990, 6, 15),
    "sex": "male",
    "children_count": 0,
    "education_level": "secondary_general",
    "ever_worked": True,
    "currently_employed": True,
    "receives_old_age_pension": False,
    "consent_health": True,
    "disability_group": "none",
    "orphan_status": False,
    # No hazardous-list work, no other early right, no children ever: where the record is
    # asked (women from 39, men from 44), no early right applies unless a case says so.
    "list1_years": 0,
    "list2_years": 0,
    "other_early_work": False,
    "children_raised": 0,
}


def d(text: str) -> date:
    day, month, year = (int(p) for p in text.split("."))
    return date(year, month, day)


def minus_years(when: date, years: int) -> date:
    """``when`` moved back by whole years; 29 February falls on 28 February (ГК РФ ст. 192)."""
    try:
        return when.replace(year=when.year - years)
    except ValueError:
        return when.replace(year=when.year - years, day=28)


def _yaml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return f'"{value:%d.%m.%Y}"'
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


def facts_of(**changes: Any) -> dict[str, Any]:
    facts = {**BASE, **changes}
    return {k: v for k, v in facts.items() if v is not OMIT}


def write_facts(tmp_path: Path, facts: dict[str, Any], *, date_line: date | None = None) -> Path:
    lines = [f"date: {_yaml(date_line)}"] if date_line else []
    lines += [f"{k}: {_yaml(v)}" for k, v in facts.items()]
    path = tmp_path / "facts.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def line_of(path: Path, key: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith(f"{key}:"))


def classify(tmp_path: Path, on: date = TODAY, **changes: Any) -> Classification:
    path = write_facts(tmp_path, facts_of(**changes))
    return classify_facts(bundle(), path, on).classification


def status(cl: Classification, group: str) -> str:
    result = cl.get(group)
    assert result is not None, f"no group {group}"
    return result.status


def reason(cl: Classification, group: str) -> str:
    result = cl.get(group)
    assert result is not None, f"no group {group}"
    return result.reason


def cli_json(tmp_path: Path, capsys: pytest.CaptureFixture[str], on: date = TODAY,
             **changes: Any) -> dict[str, Any]:
    path = write_facts(tmp_path, facts_of(**changes))
    code = main(["classify", str(path), "--json", "--date", f"{on:%d.%m.%Y}"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def by_id(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in doc["results"]}


def refused(tmp_path: Path, key: str, on: date = TODAY, **changes: Any) -> ReplayError:
    """Classify facts that must be refused at ``key``'s line; return the error."""
    path = write_facts(tmp_path, facts_of(**changes))
    with pytest.raises(ReplayError) as info:
        classify_facts(bundle(), path, on)
    err = info.value
    assert err.line == line_of(path, key), str(err)
    assert f"«{key}»" in err.message, str(err)
    assert str(err).startswith(f"{path}:{err.line}: ")
    return err


# ---------------------------------------------------------------------------- age edges


@pytest.mark.parametrize(
    "born, on, expected",
    [
        # youth: 14 ≤ age ≤ 35, until the 36th birthday
        ("28.11.1990", "27.11.2026", IN),  # the day before the 36th birthday: 35
        ("28.11.1990", "28.11.2026", OUT),  # the 36th birthday
        ("27.11.1991", "27.11.2026", IN),  # the 35th birthday
        ("15.06.1990", "27.11.2026", OUT),  # 36 and some months
        ("27.11.2012", "27.11.2026", IN),  # the 14th birthday
        ("29.02.2012", "28.02.2026", IN),  # born 29 February: 14 on 28 February of a common year
        ("29.02.1992", "28.02.2028", IN),  # 35 the day before the 36th birthday, a leap year
        ("29.02.1992", "29.02.2028", OUT),  # the 36th birthday falls on 29 February itself
    ],
)
def test_youth_age_edges(tmp_path, born, on, expected):
    cl = classify(tmp_path, d(on), birth_date=d(born))
    assert status(cl, "youth") == expected


def test_youth_near_miss_at_36_says_why_not(tmp_path, capsys):
    doc = cli_json(tmp_path, capsys, d("28.11.2026"), birth_date=d("28.11.1990"))
    youth = by_id(doc)["youth"]
    assert youth["status"] == OUT and youth["near_miss"] is True
    assert "36 лет" in youth["reason"] and "35" in youth["reason"]
    assert youth["facts"] == {"birth_date": "1990-11-28"}


def test_youth_reason_on_the_last_day_gives_the_age(tmp_path):
    cl = classify(tmp_path, d("27.11.2026"), birth_date=d("28.11.1990"))
    assert "Возраст 35 лет" in reason(cl, "youth")


@pytest.mark.parametrize(
    "born, on",
    [
        ("28.11.2012", "27.11.2026"),  # the day before the 14th birthday
        ("29.02.2012", "27.02.2026"),  # 29 February: still 13 the day before 28 February
    ],
)
def test_a_client_under_14_is_refused(tmp_path, born, on):
    err = refused(tmp_path, "birth_date", d(on), birth_date=d(born))
    assert "14" in err.message


# ---------------------------------------------------------------------------- retirement

#: (sex, born, age years, age months, retirement date) — domain.md §3, the general rule.
GENERAL_SCHEDULE = [
    ("male", "10.04.1950", 60, 0, "10.04.2010"),
    ("male", "10.04.1958", 60, 0, "10.04.2018"),
    ("male", "10.04.1959", 60, 6, "10.10.2019"),
    ("male", "10.04.1960", 61, 6, "10.10.2021"),
    ("male", "10.04.1961", 63, 0, "10.04.2024"),
    ("male", "10.04.1962", 64, 0, "10.04.2026"),
    ("male", "10.04.1963", 65, 0, "10.04.2028"),
    ("male", "10.04.1975", 65, 0, "10.04.2040"),
    ("female", "10.04.1955", 55, 0, "10.04.2010"),
    ("female", "10.04.1963", 55, 0, "10.04.2018"),
    ("female", "10.04.1964", 55, 6, "10.10.2019"),
    ("female", "10.04.1965", 56, 6, "10.10.2021"),
    ("female", "10.04.1966", 58, 0, "10.04.2024"),
    ("female", "10.04.1967", 59, 0, "10.04.2026"),
    ("female", "10.04.1968", 60, 0, "10.04.2028"),
    ("female", "10.04.1980", 60, 0, "10.04.2040"),
]

#: The Far North with a full record (15 northern years, insurance 25 men / 20 women).
NORTHERN_SCHEDULE = [
    ("male", "10.04.1955", 55, 0, "10.04.2010"),
    ("male", "10.04.1963", 55, 0, "10.04.2018"),
    ("male", "10.04.1964", 55, 6, "10.10.2019"),
    ("male", "10.04.1965", 56, 6, "10.10.2021"),
    ("male", "10.04.1966", 58, 0, "10.04.2024"),
    ("male", "10.04.1967", 59, 0, "10.04.2026"),
    ("male", "10.04.1968", 60, 0, "10.04.2028"),
    ("male", "10.04.1975", 60, 0, "10.04.2035"),
    ("female", "10.04.1960", 50, 0, "10.04.2010"),
    ("female", "10.04.1968", 50, 0, "10.04.2018"),
    ("female", "10.04.1969", 50, 6, "10.10.2019"),
    ("female", "10.04.1970", 51, 6, "10.10.2021"),
    ("female", "10.04.1971", 53, 0, "10.04.2024"),
    ("female", "10.04.1972", 54, 0, "10.04.2026"),
    ("female", "10.04.1973", 55, 0, "10.04.2028"),
    ("female", "10.04.1980", 55, 0, "10.04.2035"),
]

FULL_INSURANCE = {"male": 25, "female": 20}


def assert_retirement_date(tmp_path: Path, facts: dict[str, Any], retires: date,
                           years: int | None = None, months: int = 0) -> None:
    """The groups switch exactly on ``retires`` and on the first day of the five years
    before it; the pre-pension reason names the date (and the age, when computed)."""
    window = minus_years(retires, 5)
    day = timedelta(days=1)
    bndl = bundle()

    def on(when: date) -> Classification:
        return classify_facts(bndl, write_facts(tmp_path, facts), when).classification

    before_window = on(window - day)
    assert (status(before_window, "pensioner"), status(before_window, "pre_pensioner")) == (OUT, OUT)
    first = on(window)
    assert (status(first, "pensioner"), status(first, "pre_pensioner")) == (OUT, IN)
    last = on(retires - day)
    assert (status(last, "pensioner"), status(last, "pre_pensioner")) == (OUT, IN)
    text = reason(last, "pre_pensioner")
    assert f"{retires:%d.%m.%Y}" in text, text
    if years is not None:
        assert f"({years} " in text, text
        assert (f" {months} мес." in text) == bool(months), text
    retired = on(retires)
    assert (status(retired, "pensioner"), status(retired, "pre_pensioner")) == (IN, OUT)
    assert retires.strftime("%d.%m.%Y") in reason(retired, "pensioner")


@pytest.mark.parametrize("sex, born, years, months, retires", GENERAL_SCHEDULE)
def test_general_retirement_schedule(tmp_path, sex, born, years, months, retires):
    facts = facts_of(sex=sex, birth_date=d(born), northern_years=0, insurance_years=25)
    assert_retirement_date(tmp_path, facts, d(retires), years, months)


@pytest.mark.parametrize("sex, born, years, months, retires", NORTHERN_SCHEDULE)
def test_northern_full_record_schedule(tmp_path, sex, born, years, months, retires):
    facts = facts_of(sex=sex, birth_date=d(born), northern_years=15,
                     insurance_years=FULL_INSURANCE[sex])
    assert_retirement_date(tmp_path, facts, d(retires), years, months)


@pytest.mark.parametrize(
    "sex, born, northern, insurance, years, months, retires",
    [
        # Checks of domain.md §3
        ("female", "10.04.1970", 10, 20, 56, 8, "10.12.2026"),  # 60 − 10 × 4 months
        ("male", "10.04.1967", 15, 25, 59, 0, "10.04.2026"),  # a full record: 59, in 2026
        # Partial record: 4 months for each *full* northern year
        ("male", "10.04.1970", 7.5, 25, 62, 8, "10.12.2032"),  # 7 full years: 65 − 28 months
        ("male", "10.04.1970", 14.9, 25, 60, 4, "10.08.2030"),  # 14 full years: 65 − 56 months
        ("female", "10.04.1975", 12, 20, 56, 0, "10.04.2031"),  # 60 − 48 months
        # Under 7.5 northern years: no reduction
        ("male", "10.04.1970", 7.4, 25, 65, 0, "10.04.2035"),
        ("female", "10.04.1975", 7.49, 30, 60, 0, "10.04.2035"),
        # Enough northern years, insurance record too short: no reduction at all
        ("male", "10.04.1967", 15, 24.9, 65, 0, "10.04.2032"),
        ("female", "10.04.1970", 15, 19.5, 60, 0, "10.04.2030"),
        ("male", "10.04.1970", 10, 24, 65, 0, "10.04.2035"),
        # More than 15 northern years: the full northern age, no further reduction
        ("male", "10.04.1970", 25, 30, 60, 0, "10.04.2030"),
    ],
)
def test_northern_partial_and_insufficient_records(tmp_path, sex, born, northern, insurance,
                                                   years, months, retires):
    facts = facts_of(sex=sex, birth_date=d(born), northern_years=northern,
                     insurance_years=insurance)
    assert_retirement_date(tmp_path, facts, d(retires), years, months)


def test_partial_record_reason_names_the_northern_reduction(tmp_path):
    cl = classify(tmp_path, d("01.12.2026"), sex="female", birth_date=d("10.04.1970"),
                  northern_years=10, insurance_years=20)
    assert status(cl, "pre_pensioner") == IN
    assert "снижен на 40 мес. за северный стаж" in reason(cl, "pre_pensioner")


@pytest.mark.parametrize(
    "sex, born, northern, retires, relief",
    [
        # The relief is exactly for those who reach the old age (60 / 55, North 55 / 50) in
        # 2019–2020: the first and last birthdays on either side of that window.
        ("male", "31.12.1958", 0, "31.12.2018", False),  # 60 on 31.12.2018
        ("male", "01.01.1959", 0, "01.07.2019", True),  # 60 on 01.01.2019: 60 y 6 m
        ("male", "31.12.1960", 0, "30.06.2022", True),  # 60 on 31.12.2020: 61 y 6 m
        ("male", "01.01.1961", 0, "01.01.2024", False),  # 60 on 01.01.2021: 63
        ("female", "31.12.1963", 0, "31.12.2018", False),
        ("female", "01.01.1964", 0, "01.07.2019", True),
        ("female", "31.12.1965", 0, "30.06.2022", True),
        ("female", "01.01.1966", 0, "01.01.2024", False),
        ("male", "31.12.1963", 15, "31.12.2018", False),  # North: 55 on 31.12.2018
        ("male", "01.01.1964", 15, "01.07.2019", True),
        ("male", "31.12.1965", 15, "30.06.2022", True),
        ("male", "01.01.1966", 15, "01.01.2024", False),
        ("female", "31.12.1968", 15, "31.12.2018", False),  # North: 50 on 31.12.2018
        ("female", "01.01.1969", 15, "01.07.2019", True),
        ("female", "31.12.1970", 15, "30.06.2022", True),
        ("female", "01.01.1971", 15, "01.01.2024", False),
    ],
)
def test_relief_exactly_for_the_old_age_in_2019_2020(tmp_path, sex, born, northern, retires, relief):
    facts = facts_of(sex=sex, birth_date=d(born), northern_years=northern,
                     insurance_years=FULL_INSURANCE[sex])
    assert_retirement_date(tmp_path, facts, d(retires))
    cl = classify_facts(bundle(), write_facts(tmp_path, facts), d(retires) - timedelta(days=1))
    assert ("льготы 6 мес." in reason(cl.classification, "pre_pensioner")) == relief


@pytest.mark.parametrize(
    "sex, born, northern, retires",
    [
        ("male", "31.08.1960", 0, "28.02.2022"),  # 61 y 6 m lands on 31 February
        ("male", "31.08.1959", 0, "29.02.2020"),  # 60 y 6 m: a leap February
        ("female", "31.08.1965", 0, "28.02.2022"),  # 56 y 6 m
        ("male", "29.02.1964", 0, "28.02.2029"),  # 65 in a common year
        ("female", "29.02.1968", 0, "29.02.2028"),  # 60 in a leap year
        ("female", "31.08.1970", 15, "28.02.2022"),  # North 51 y 6 m
        ("male", "31.10.1971", 11, "28.02.2033"),  # 65 − 44 months = 61 y 4 m: 31 February
    ],
)
def test_retirement_date_at_month_end(tmp_path, sex, born, northern, retires):
    facts = facts_of(sex=sex, birth_date=d(born), northern_years=northern,
                     insurance_years=FULL_INSURANCE[sex])
    assert_retirement_date(tmp_path, facts, d(retires))


def test_retirement_date_is_the_computed_context_value(tmp_path):
    """The interview's context exposes the same date the classification switches on."""
    from tui.engine.interview import Interview

    answers = facts_of(sex="female", birth_date=d("10.04.1970"), northern_years=10,
                       insurance_years=20)
    iv = Interview(bundle(), TODAY, answers)
    assert iv.context["retirement_date"] == d("10.12.2026")
    assert iv.context["retirement_age_months"] == 56 * 12 + 8
    assert iv.context["northern_partial_years"] == 10


# ---------------------------------------------------------------------------- pensioner


@pytest.mark.parametrize("age_born", ["10.04.1979", "10.04.1971", "10.04.1996"])
def test_early_pension_at_any_age_is_pensioner_not_pre_pensioner(tmp_path, age_born):
    cl = classify(tmp_path, birth_date=d(age_born), receives_old_age_pension=True)
    assert status(cl, "pensioner") == IN
    assert status(cl, "pre_pensioner") == OUT
    assert "Получает пенсию" in reason(cl, "pensioner")


def test_pension_received_inside_the_pre_pension_window_is_pensioner(tmp_path):
    # A woman of 55 born 1971: 60 at 10.04.2031, so the window is open on TODAY.
    cl = classify(tmp_path, sex="female", birth_date=d("10.04.1971"), receives_old_age_pension=True,
                  northern_years=0, insurance_years=30)
    assert status(cl, "pensioner") == IN
    assert status(cl, "pre_pensioner") == OUT


def test_social_fund_date_earlier_than_computed_wins(tmp_path):
    # A man born 1970 would retire at 65 (10.04.2035); the Social Fund says 10.04.2027.
    facts = facts_of(birth_date=d("10.04.1970"), northern_years=0, insurance_years=35,
                     sfr_retirement_date=d("10.04.2027"))
    assert_retirement_date(tmp_path, facts, d("10.04.2027"))
    path = write_facts(tmp_path, facts)
    cl = classify_facts(bundle(), path, d("10.04.2027")).classification
    assert "по справке СФР" in reason(cl, "pensioner")
    cl = classify_facts(bundle(), path, d("09.04.2027")).classification
    assert "по справке СФР" in reason(cl, "pre_pensioner")
    # the computed date would give neither group on that day
    computed = classify_facts(bundle(), write_facts(tmp_path, {**facts, "sfr_retirement_date": None}),
                              d("10.04.2027")).classification
    assert (status(computed, "pensioner"), status(computed, "pre_pensioner")) == (OUT, OUT)


def test_social_fund_date_later_than_computed_wins(tmp_path):
    # A woman born 1966 would retire at 58 (10.04.2024); the Social Fund says 10.10.2026.
    facts = facts_of(sex="female", birth_date=d("10.04.1966"), northern_years=0, insurance_years=20,
                     sfr_retirement_date=d("10.10.2026"))
    assert_retirement_date(tmp_path, facts, d("10.10.2026"))
    on_computed = classify_facts(bundle(), write_facts(tmp_path, facts), d("10.04.2024")).classification
    assert status(on_computed, "pensioner") == OUT
    assert status(on_computed, "pre_pensioner") == IN


def test_pensioner_near_miss_gives_the_date(tmp_path):
    cl = classify(tmp_path, sex="female", birth_date=d("10.04.1967"), northern_years=0,
                  insurance_years=30)
    # 59 from 10.04.2026: already a pensioner on TODAY
    assert status(cl, "pensioner") == IN
    cl = classify(tmp_path, sex="female", birth_date=d("10.04.1968"), northern_years=0,
                  insurance_years=30)
    assert status(cl, "pensioner") == OUT and cl.get("pensioner").near_miss
    assert "10.04.2028" in reason(cl, "pensioner")


# ---------------------------------------------------------------------------- mother_preschool


@pytest.mark.parametrize(
    "sex, children, youngest, on, expected",
    [
        ("female", 1, "28.11.2018", "27.11.2026", IN),  # 7 years 364 days
        ("female", 1, "28.11.2018", "28.11.2026", OUT),  # the 8th birthday
        ("female", 2, "29.02.2020", "28.02.2028", IN),  # 8 on 29.02.2028 (leap): still 7
        ("female", 2, "29.02.2020", "29.02.2028", OUT),
        ("female", 3, "27.11.2026", "27.11.2026", IN),  # born today
        ("male", 1, "03.05.2022", "27.11.2026", OUT),  # a man with a preschool child
        ("female", 0, None, "27.11.2026", OUT),  # no children
    ],
)
def test_mother_preschool_edges(tmp_path, sex, children, youngest, on, expected):
    cl = classify(tmp_path, d(on), sex=sex, birth_date=d("14.08.1987"), children_count=children,
                  youngest_child_birth_date=d(youngest) if youngest else OMIT)
    assert status(cl, "mother_preschool") == expected


def test_mother_preschool_near_miss_at_8_says_why_not(tmp_path):
    cl = classify(tmp_path, d("28.11.2026"), sex="female", birth_date=d("14.08.1987"),
                  children_count=1, youngest_child_birth_date=d("28.11.2018"))
    result = cl.get("mother_preschool")
    assert result.status == OUT and result.near_miss
    assert "8 лет" in result.reason


# ---------------------------------------------------------------------------- graduate


@pytest.mark.parametrize(
    "level, graduated, on, expected",
    [
        ("higher", "27.11.2025", "27.11.2026", IN),  # exactly 12 months ago
        ("secondary_vocational", "27.11.2025", "27.11.2026", IN),
        ("higher", "26.11.2025", "27.11.2026", OUT),  # 12 months and one day
        ("higher", "27.10.2025", "27.11.2026", OUT),  # 13 months
        ("higher", "27.11.2026", "27.11.2026", IN),  # today
        ("secondary_general", "30.06.2026", "27.11.2026", OUT),  # school: never a graduate
        ("basic_general", "30.06.2026", "27.11.2026", OUT),
        ("none", "30.06.2026", "27.11.2026", OUT),
        # 12 months back from the end of February (ГК РФ ст. 192 п. 3)
        ("higher", "28.02.2026", "28.02.2027", IN),
        ("higher", "27.02.2026", "28.02.2027", OUT),
        ("higher", "29.02.2024", "28.02.2025", IN),  # 28.02.2025 − 12 months = 28.02.2024
        ("higher", "29.02.2024", "01.03.2025", OUT),
        ("higher", "28.02.2027", "29.02.2028", IN),
        ("higher", "27.02.2027", "29.02.2028", OUT),
    ],
)
def test_graduate_edges(tmp_path, level, graduated, on, expected):
    cl = classify(tmp_path, d(on), birth_date=d("15.06.2000"), education_level=level,
                  graduation_date=d(graduated))
    assert status(cl, "graduate") == expected


@pytest.mark.parametrize("graduated", ["26.11.2025", "27.10.2025"])
def test_graduate_near_miss_says_why_not(tmp_path, graduated):
    cl = classify(tmp_path, birth_date=d("15.06.2000"), education_level="higher",
                  graduation_date=d(graduated))
    result = cl.get("graduate")
    assert result.status == OUT and result.near_miss
    assert graduated in result.reason
    assert "12 месяцев" in result.reason


@pytest.mark.parametrize(
    "graduated, on, months",
    [
        ("31.08.2026", "27.02.2027", 5),
        ("31.08.2026", "28.02.2027", 6),  # 31 August + 6 months = 28 February
        ("31.08.2027", "28.02.2028", 5),
        ("31.08.2027", "29.02.2028", 6),  # a leap February: 29th
        ("31.08.2026", "31.08.2027", 12),
    ],
)
def test_graduate_months_count_from_31_august(tmp_path, graduated, on, months):
    cl = classify(tmp_path, d(on), birth_date=d("15.06.2000"), education_level="secondary_vocational",
                  graduation_date=d(graduated))
    assert status(cl, "graduate") == IN
    assert f"прошло {months} месяц" in reason(cl, "graduate")


def test_graduate_age_limit_is_off_by_default(tmp_path):
    # The legal category limits age to 18–25 only as an option (domain.md §2).
    cl = classify(tmp_path, birth_date=d("15.06.1980"), education_level="higher",
                  graduation_date=d("30.06.2026"), northern_years=0, insurance_years=10)
    assert status(cl, "graduate") == IN


# ---------------------------------------------------------------------------- released


@pytest.mark.parametrize(
    "released, on, expected",
    [
        ("27.11.2025", "27.11.2026", IN),  # exactly 12 months
        ("26.11.2025", "27.11.2026", OUT),  # 12 months and one day
        ("27.11.2026", "27.11.2026", IN),  # released today
        ("29.02.2024", "28.02.2025", IN),
        ("29.02.2024", "01.03.2025", OUT),
        (None, "27.11.2026", OUT),  # never released
    ],
)
def test_released_edges(tmp_path, released, on, expected):
    cl = classify(tmp_path, d(on), released_from_custody_date=d(released) if released else OMIT)
    assert status(cl, "released") == expected


def test_released_near_miss_says_why_not(tmp_path):
    cl = classify(tmp_path, released_from_custody_date=d("26.11.2025"))
    result = cl.get("released")
    assert result.near_miss and "26.11.2025" in result.reason


# ---------------------------------------------------------------------------- long_unemployed


@pytest.mark.parametrize(
    "ended, on, expected",
    [
        ("27.11.2025", "27.11.2026", OUT),  # exactly 12 months: not «more than 12 months»
        ("26.11.2025", "27.11.2026", IN),  # 12 months and one day
        ("01.01.2020", "27.11.2026", IN),
        ("01.10.2026", "27.11.2026", OUT),
        ("28.02.2026", "28.02.2027", OUT),
        ("27.02.2026", "28.02.2027", IN),
        ("28.02.2024", "28.02.2025", OUT),
        ("29.02.2024", "28.02.2025", OUT),  # 28.02.2025 − 12 months = 28.02.2024
        ("27.02.2024", "28.02.2025", IN),
    ],
)
def test_long_unemployed_edges(tmp_path, ended, on, expected):
    cl = classify(tmp_path, d(on), currently_employed=False, last_job_end_date=d(ended))
    assert status(cl, "long_unemployed") == expected


def test_long_unemployed_exactly_12_months_is_a_near_miss(tmp_path):
    cl = classify(tmp_path, currently_employed=False, last_job_end_date=d("27.11.2025"))
    result = cl.get("long_unemployed")
    assert result.status == OUT and result.near_miss
    assert "27.11.2025" in result.reason and "больше 12 месяцев" in result.reason


def test_long_unemployed_reason_gives_the_break(tmp_path):
    cl = classify(tmp_path, currently_employed=False, last_job_end_date=d("26.11.2025"))
    assert "26.11.2025" in reason(cl, "long_unemployed")


@pytest.mark.parametrize(
    "changes",
    [
        {"currently_employed": True},  # working now
        {"ever_worked": False, "currently_employed": OMIT},  # never worked
    ],
)
def test_long_unemployed_needs_a_past_job_and_no_current_one(tmp_path, changes):
    cl = classify(tmp_path, **changes)
    assert status(cl, "long_unemployed") == OUT


def test_long_unemployed_with_unknown_end_date_is_for_the_inspector(tmp_path, capsys):
    doc = cli_json(tmp_path, capsys, currently_employed=False)
    result = by_id(doc)["long_unemployed"]
    assert result["status"] == UNDECIDED
    assert "неизвестна" in result["reason"] and "инспектор" in result["reason"]
    assert "long_unemployed" not in doc["groups"]


# ---------------------------------------------------------------------------- never_worked


def test_never_worked_in(tmp_path):
    cl = classify(tmp_path, ever_worked=False, currently_employed=OMIT)
    assert status(cl, "never_worked") == IN


def test_never_worked_out_when_worked(tmp_path):
    cl = classify(tmp_path)
    assert status(cl, "never_worked") == OUT


def test_never_worked_unknown_is_undecided(tmp_path):
    cl = classify(tmp_path, ever_worked=OMIT, currently_employed=OMIT)
    assert status(cl, "never_worked") == UNDECIDED
    assert "работал" in reason(cl, "never_worked")


# ---------------------------------------------------------------------------- orphan


@pytest.mark.parametrize(
    "born, on, expected",
    [
        ("15.03.2004", "27.11.2026", IN),  # 22
        ("28.11.2003", "27.11.2026", IN),  # the day before the 23rd birthday
        ("27.11.2003", "27.11.2026", OUT),  # the 23rd birthday
        ("29.02.2004", "27.02.2027", IN),
        ("29.02.2004", "28.02.2027", OUT),  # 23 on 28 February of a common year
        ("27.11.2012", "27.11.2026", IN),  # 14
    ],
)
def test_orphan_age_edges(tmp_path, born, on, expected):
    cl = classify(tmp_path, d(on), birth_date=d(born), orphan_status=True)
    assert status(cl, "orphan") == expected


def test_not_an_orphan(tmp_path):
    cl = classify(tmp_path, birth_date=d("15.03.2004"), orphan_status=False)
    assert status(cl, "orphan") == OUT


# ---------------------------------------------------------------------------- disabled


@pytest.mark.parametrize("group", ["I", "II", "III"])
def test_disabled_groups_in(tmp_path, group):
    cl = classify(tmp_path, disability_group=group)
    assert status(cl, "disabled") == IN
    assert f"{group} группы" in reason(cl, "disabled")


def test_no_disability_is_out(tmp_path):
    cl = classify(tmp_path, disability_group="none")
    assert status(cl, "disabled") == OUT


@pytest.mark.parametrize("consent", [False, OMIT])
def test_without_health_consent_the_disabled_group_is_not_assessed(tmp_path, consent):
    """152-ФЗ ст. 10: without the separate consent (refused, or not given at all) the group
    is neither decided nor left to the inspector."""
    cl = classify(tmp_path, consent_health=consent, disability_group=OMIT)
    result = cl.get("disabled")
    assert result.status == NOT_ASSESSED and not result.member
    assert cl.undecided == [] and cl.not_assessed == [result]
    assert "Нет отдельного согласия клиента на обработку сведений о здоровье" in result.reason
    assert "по документам нельзя" in result.reason


def test_a_disability_group_given_without_the_consent_is_not_read(tmp_path):
    # a facts file (or a kept answer) holding the group still decides nothing without consent
    cl = classify(tmp_path, consent_health=False, disability_group="II")
    assert status(cl, "disabled") == NOT_ASSESSED
    assert cl.ids == []


def test_disability_fact_missing_with_consent_is_undecided(tmp_path):
    cl = classify(tmp_path, consent_health=True, disability_group=OMIT)
    assert status(cl, "disabled") == UNDECIDED
    assert "Группа инвалидности не указана" in reason(cl, "disabled")
    assert "по справке МСЭ" in reason(cl, "disabled")


def test_classify_prints_a_group_not_assessed(tmp_path, capsys):
    path = write_facts(tmp_path, facts_of(consent_health=False, disability_group=OMIT))
    assert main(["classify", str(path), "--date", "27.11.2026"]) == 0
    lines = capsys.readouterr().out.splitlines()
    [line] = [x for x in lines if "Инвалиды" in x]
    assert line.startswith("– не оценивалась Инвалиды — Нет отдельного согласия клиента")
    assert any(x.startswith("✗ нет            Молодежь") for x in lines)  # the column still lines up
    doc = cli_json(tmp_path, capsys, consent_health=False, disability_group=OMIT)
    assert by_id(doc)["disabled"]["status"] == "not_assessed"
    assert by_id(doc)["disabled"]["member"] is False


# ---------------------------------------------------------------------------- several groups


def test_young_orphan_graduate_who_never_worked_is_in_four_groups(tmp_path, capsys):
    """domain.md §2: a 22-year-old orphan who has just finished college and never worked is
    youth, graduate, orphan and never_worked."""
    doc = cli_json(tmp_path, capsys, birth_date=d("15.03.2004"), orphan_status=True,
                   education_level="secondary_vocational", graduation_date=d("30.06.2026"),
                   ever_worked=False, currently_employed=OMIT)
    assert sorted(doc["groups"]) == sorted(["youth", "graduate", "orphan", "never_worked"])
    results = by_id(doc)
    assert set(results) == set(GROUPS)
    assert all(results[g]["status"] == IN for g in doc["groups"])
    assert all(r["status"] == OUT for g, r in results.items() if g not in doc["groups"])


def test_mother_who_is_long_unemployed_and_pre_pensioner(tmp_path):
    cl = classify(tmp_path, sex="female", birth_date=d("10.04.1968"), northern_years=15,
                  insurance_years=22, children_count=1, youngest_child_birth_date=d("01.02.2020"),
                  currently_employed=False, last_job_end_date=d("01.03.2024"))
    # North, born 1968: 50 on 10.04.2018 — a pensioner already.
    assert set(cl.ids) == {"pensioner", "mother_preschool", "long_unemployed"}


# ---------------------------------------------------------------------------- bad facts


@pytest.mark.parametrize(
    "key, changes, words",
    [
        ("birth_date", {"birth_date": d("01.01.2027")}, ""),  # in the future
        ("birth_date", {"birth_date": d("01.01.1920")}, ""),  # over 100
        ("birth_date", {"birth_date": "31.02.1990"}, "Такой даты нет"),
        ("birth_date", {"birth_date": 1990}, "ДД.ММ.ГГГГ"),
        ("graduation_date", {"education_level": "higher", "graduation_date": d("01.06.1985")},
         "14 лет"),  # before birth
        ("graduation_date", {"education_level": "higher", "graduation_date": d("01.06.2000")},
         "14 лет"),  # at 9
        ("graduation_date", {"education_level": "higher", "graduation_date": d("28.11.2026")}, ""),
        ("youngest_child_birth_date",
         {"children_count": 1, "youngest_child_birth_date": d("01.01.1989")}, "раньше клиента"),
        ("youngest_child_birth_date",
         {"children_count": 1, "youngest_child_birth_date": d("28.11.2026")}, ""),
        ("last_job_end_date", {"currently_employed": False, "last_job_end_date": d("28.11.2026")}, ""),
        ("last_job_end_date", {"currently_employed": False, "last_job_end_date": d("01.01.2000")},
         "14 лет"),
        ("released_from_custody_date", {"released_from_custody_date": d("28.11.2026")}, ""),
        ("children_count", {"children_count": "два"}, "целое число"),
        ("children_count", {"children_count": -1}, ""),
        ("sex", {"sex": "robot"}, "Нет такого варианта"),
        ("ever_worked", {"ever_worked": "maybe"}, "«да» или «нет»"),
        ("disability_group", {"disability_group": "IV"}, "Нет такого варианта"),
        ("northern_years", {"northern_years": "много", "insurance_years": 10}, "число"),
        ("insurance_years", {"northern_years": 10, "insurance_years": 5}, "северного стажа"),
        ("northern_years", {"northern_years": 30, "insurance_years": 30}, "Стаж"),  # more than age − 14
        ("sfr_retirement_date", {"sfr_retirement_date": d("01.01.1980")}, "рождения"),
    ],
)
def test_bad_facts_are_refused_at_their_line(tmp_path, key, changes, words):
    err = refused(tmp_path, key, **changes)
    assert words in err.message


def test_unknown_fact_is_refused_at_its_line(tmp_path):
    path = write_facts(tmp_path, facts_of(favourite_colour="green"))
    with pytest.raises(ReplayError) as info:
        classify_facts(bundle(), path, TODAY)
    assert info.value.line == line_of(path, "favourite_colour")
    assert "favourite_colour" in info.value.message


@pytest.mark.parametrize(
    "key, changes",
    [
        ("birth_date", {"birth_date": d("01.01.2027")}),
        ("graduation_date", {"education_level": "higher", "graduation_date": d("01.06.1985")}),
        ("youngest_child_birth_date", {"children_count": 1, "youngest_child_birth_date": d("01.01.1989")}),
        ("favourite_colour", {"favourite_colour": "green"}),
        ("children_count", {"children_count": "два"}),
    ],
)
def test_cli_classify_refuses_bad_facts_with_exit_1(tmp_path, capsys, key, changes):
    path = write_facts(tmp_path, facts_of(**changes))
    code = main(["classify", str(path), "--json", "--date", "27.11.2026"])
    out = capsys.readouterr()
    assert code == 1
    assert out.out == ""
    assert out.err.startswith(f"{path}:{line_of(path, key)}: ")
    assert key in out.err
    assert "Traceback" not in out.err


def test_cli_classify_without_a_date_is_refused(tmp_path, capsys):
    path = write_facts(tmp_path, facts_of())
    assert main(["classify", str(path)]) == 1
    assert "дата" in capsys.readouterr().err


def test_cli_classify_takes_the_date_from_the_file(tmp_path, capsys):
    path = write_facts(tmp_path, facts_of(birth_date=d("28.11.1990")), date_line=d("27.11.2026"))
    assert main(["classify", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["date"] == "2026-11-27" and "youth" in doc["groups"]
    # --date wins over the file's date
    assert main(["classify", str(path), "--json", "--date", "28.11.2026"]) == 0
    assert "youth" not in json.loads(capsys.readouterr().out)["groups"]


# ---------------------------------------------------------------------------- missing facts


def test_missing_record_leaves_pension_groups_undecided_naming_the_facts(tmp_path, capsys):
    # 56 years old: the record decides the retirement date, and it is not given.
    doc = cli_json(tmp_path, capsys, sex="female", birth_date=d("10.04.1970"))
    results = by_id(doc)
    for gid in ("pensioner", "pre_pensioner"):
        assert results[gid]["status"] == UNDECIDED, results[gid]
        assert "northern_years" in results[gid]["reason"]
        assert "insurance_years" in results[gid]["reason"]
        assert gid not in doc["groups"]


def test_record_is_not_needed_below_44(tmp_path):
    cl = classify(tmp_path, birth_date=d("10.04.1983"))  # 43
    assert status(cl, "pensioner") == OUT
    assert status(cl, "pre_pensioner") == OUT


def test_missing_birth_date_leaves_age_groups_undecided(tmp_path, capsys):
    doc = cli_json(tmp_path, capsys, birth_date=OMIT)
    results = by_id(doc)
    for gid in ("youth", "pensioner", "pre_pensioner"):
        assert results[gid]["status"] == UNDECIDED, results[gid]
        assert "birth_date" in results[gid]["reason"]


def test_missing_youngest_child_date_leaves_mother_undecided(tmp_path):
    cl = classify(tmp_path, sex="female", children_count=2)
    assert status(cl, "mother_preschool") == UNDECIDED
    assert "youngest_child_birth_date" in reason(cl, "mother_preschool")


# ---------------------------------------------------------------------------- reasons at the edges


def test_released_exactly_12_months_ago_is_in_and_the_reason_does_not_say_less(tmp_path):
    # Released 27.11.2025, interview 27.11.2026: exactly 12 months, still within the year.
    cl = classify(tmp_path, released_from_custody_date=d("27.11.2025"))
    assert status(cl, "released") == IN
    text = reason(cl, "released")
    assert "не прошло" not in text
    assert "прошло 12 месяцев — в пределах 12 месяцев" in text, text


def test_long_unemployed_just_over_12_months_says_more_than_12(tmp_path):
    # The job ended 26.11.2025: 12 full months and a day — the break is "more than 12".
    cl = classify(tmp_path, ever_worked=True, currently_employed=False,
                  last_job_end_date=d("26.11.2025"))
    assert status(cl, "long_unemployed") == IN
    text = reason(cl, "long_unemployed")
    assert "перерыв 12 месяцев с лишним (длительный — больше 12 месяцев)" in text, text


def test_long_unemployed_cites_the_law_in_force():
    rule = next(g for g in bundle().groups if g.id == "long_unemployed")
    assert "1032-1" not in rule.source
    assert "565-ФЗ" in rule.source
