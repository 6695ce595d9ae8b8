"""Calendar arithmetic as the Civil Code counts terms (ГК РФ ст. 192 п. 3).

Adding months or years that lands on a day the month lacks gives that month's last day:
29 February + 1 year is 28 February.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from tui.engine.limits import MAX_YEAR, MIN_YEAR

_MONTHS_GENITIVE = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)
_MONTHS_PREPOSITIONAL = (
    "январе", "феврале", "марте", "апреле", "мае", "июне",
    "июле", "августе", "сентябре", "октябре", "ноябре", "декабре",
)


def add_months(d: date, months: int) -> date:
    """Return ``d`` moved by whole ``months``, clamped to the end of the target month."""
    total = d.year * 12 + (d.month - 1) + int(months)
    year, month0 = divmod(total, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(d.day, last))


def add_years(d: date, years: int, months: int = 0) -> date:
    return add_months(d, int(years) * 12 + int(months))


def full_years(start: date, on: date) -> int:
    """Completed years from ``start`` to ``on`` (a person's age on a date)."""
    years = on.year - start.year
    if add_years(start, years) > on:
        years -= 1
    return years


def full_months(start: date, on: date) -> int:
    """Completed months from ``start`` to ``on``."""
    months = (on.year - start.year) * 12 + (on.month - start.month)
    if add_months(start, months) > on:
        months -= 1
    return months


class DateFormatError(ValueError):
    """A typed date that is malformed or does not exist; ``str()`` is a Russian message."""


_DMY = re.compile(r"^\s*(\d{1,2})[.\-/ ](\d{1,2})[.\-/ ](\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


def parse_date(text: str) -> date:
    """Parse ``ДД.ММ.ГГГГ`` (or ISO ``ГГГГ-ММ-ДД``) and explain what is wrong if it fails."""
    m = _DMY.match(text)
    if m:
        day, month, year = (int(g) for g in m.groups())
    else:
        m = _ISO.match(text)
        if not m:
            raise DateFormatError("Введите дату в виде ДД.ММ.ГГГГ, например 05.03.1990.")
        year, month, day = (int(g) for g in m.groups())
    if not 1 <= month <= 12:
        raise DateFormatError(f"Месяца {month} нет: месяц — число от 1 до 12.")
    check_year(year)
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise DateFormatError(
            f"Такой даты нет: в {_MONTHS_PREPOSITIONAL[month - 1]} {year} года "
            f"{last} {plural(last, 'день', 'дня', 'дней')}."
        )
    return date(year, month, day)


def check_year(year: int) -> None:
    """Refuse a year outside :data:`~tui.engine.limits.MIN_YEAR` … ``MAX_YEAR``: no answer
    needs one, and plan dates counted from it must stay within the calendar."""
    if year < MIN_YEAR:
        raise DateFormatError(f"Год {year} слишком ранний: проверьте год.")
    if year > MAX_YEAR:
        raise DateFormatError(f"Год {year} слишком поздний: проверьте год.")


def plural(n: int, one: str, few: str, many: str) -> str:
    """Russian plural form for ``n``: 1 день, 2 дня, 5 дней, 21 день."""
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def format_years(years: float | int | None) -> str:
    """A length of record in Russian: 1 год, 42 года, 10 лет, 12,5 года (a fraction takes
    the genitive singular)."""
    if years is None:
        return ""
    if float(years).is_integer():
        n = int(years)
        return f"{n} {plural(n, 'год', 'года', 'лет')}"
    return f"{float(years):g}".replace(".", ",") + " года"


def format_date(d: date | None) -> str:
    return "" if d is None else d.strftime("%d.%m.%Y")


def format_date_long(d: date | None) -> str:
    return "" if d is None else f"{d.day} {_MONTHS_GENITIVE[d.month - 1]} {d.year} г."
