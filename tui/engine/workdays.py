"""Working days of the Russian production calendar (ТК РФ ст. 111–112).

Every date a plan gives (a visit, a deadline, the re-profiling) falls on a working day; a
date that lands on a day off moves to the next working day. The calendar is the `holidays`
package's for Russia, which carries the public holidays and the days the government moves
each year (a Saturday made a working day, a weekday made a day off). It is kept by its
maintainers from the government's yearly decree; a year the package does not know yet
still has its weekends and the fixed holidays of ТК ст. 112.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

#: The production calendar's country (ISO 3166): the Russian Federation.
COUNTRY = "RU"
#: At most this many days are looked at for the next working day (the longest run of days
#: off in a Russian year is the New Year holidays: ten days with the weekends around them).
_SEARCH_DAYS = 31


@lru_cache(maxsize=64)
def _year(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays(COUNTRY, years=year)


def is_working_day(day: date) -> bool:
    """Whether ``day`` is a working day: not a weekend unless the government made it a
    working day, and not a holiday or a day off moved onto a weekday."""
    return bool(_year(day.year).is_working_day(day))


def next_working_day(day: date) -> date:
    """``day`` itself when it is a working day, else the first working day after it.

    A date near the end of the calendar (year 9999) is returned unchanged rather than
    overflow."""
    current = day
    for _ in range(_SEARCH_DAYS):
        if is_working_day(current):
            return current
        try:
            current += timedelta(days=1)
        except OverflowError:
            return day
    return day


def working_day(value: object) -> object:
    """The expression function ``working_day(d)``: a date moved to the next working day;
    anything that is not a date (an unanswered ``none``) passes through unchanged."""
    if isinstance(value, date):
        return next_working_day(value)
    return value
