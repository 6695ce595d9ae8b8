"""Answer values: from what a person typed (or an answers file holds) to typed values.

The UI, ``replay`` and the kiosk all pass answers through :func:`coerce` and
:func:`validate`, so they accept and refuse exactly the same things.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from tui.engine import dates
from tui.engine.expr import ExpressionError, render_text
from tui.engine.limits import MAX_NUMBER_DIGITS, MAX_TEXT_ANSWER
from tui.engine.model import Question, Rule
from tui.engine.textsafe import clip, first_hidden, printable

_YES = {"да", "д", "yes", "y", "true", "1"}
_NO = {"нет", "н", "no", "n", "false", "0"}


class AnswerError(ValueError):
    """An answer that cannot be accepted; ``str()`` is the message shown to the person."""


class NeedsConfirmation(AnswerError):
    """An unusual but possible answer (a ``confirm: true`` rule): it is taken once the
    person gives it again, confirmed."""


#: The smallest number too long to accept (:data:`~tui.engine.limits.MAX_NUMBER_DIGITS`).
_TOO_BIG = 10**MAX_NUMBER_DIGITS
_LONG_NUMBER = f"Слишком длинное число: не больше {MAX_NUMBER_DIGITS} цифр."
_LONG_TEXT = f"Слишком длинный ответ: не больше {MAX_TEXT_ANSWER} знаков."


def _is_empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []


def coerce(q: Question, raw: Any) -> Any:
    """Turn ``raw`` into the question's value type, or ``None`` when nothing was given.

    ``raw`` is what a person typed or any value of an answers file; whatever it is, the
    only error is :class:`AnswerError`. Text is at most
    :data:`~tui.engine.limits.MAX_TEXT_ANSWER` characters, a number at most
    :data:`~tui.engine.limits.MAX_NUMBER_DIGITS` digits, a date within
    :data:`~tui.engine.limits.MIN_YEAR` … ``MAX_YEAR``."""
    if _is_empty(raw):
        return None
    coercer = _COERCERS.get(q.type)
    if coercer is None:
        raise AnswerError(f"Неизвестный тип вопроса «{q.type}».")
    return coercer(q, raw)


def _stripped_text(raw: Any) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise AnswerError("Ожидается текст.")
    if isinstance(raw, float) and not math.isfinite(raw):
        raise AnswerError("Ожидается текст.")
    if isinstance(raw, int) and abs(raw) >= 10**MAX_TEXT_ANSWER:
        raise AnswerError(_LONG_TEXT)  # str() of it would fail, and it is too long anyway
    text = str(raw).strip()
    if len(text) > MAX_TEXT_ANSWER:
        raise AnswerError(_LONG_TEXT)
    hidden = first_hidden(text)
    if hidden is not None:
        raise AnswerError(f"В ответе есть непечатаемый знак {printable(hidden)}: уберите его.")
    return text


def _short_number(n: int) -> int:
    if abs(n) >= _TOO_BIG:
        raise AnswerError(_LONG_NUMBER)
    return n


def _number_text(raw: str, pattern: str, message: str) -> str:
    """Typed digits without the spaces that group them; too many digits is refused
    before anything converts them."""
    text = raw.replace(" ", "").replace("\u00a0", "")
    if not re.fullmatch(pattern, text):
        raise AnswerError(message)
    if sum(c.isdigit() for c in text) > MAX_NUMBER_DIGITS:
        raise AnswerError(_LONG_NUMBER)
    return text


def _coerce_text(q: Question, raw: Any) -> str:
    """One line of text: runs of whitespace become one space."""
    return " ".join(_stripped_text(raw).split())


def _coerce_long_text(q: Question, raw: Any) -> str:
    """Long text keeps its line breaks and spacing, only trimmed at the ends."""
    return _stripped_text(raw)


_INTEGER_HINT = "Введите целое число цифрами, например 2."
_NUMBER_HINT = "Введите число цифрами, например 7,5."


def _coerce_integer(q: Question, raw: Any) -> int:
    if isinstance(raw, bool):
        raise AnswerError("Ожидается целое число.")
    if isinstance(raw, float):
        if not math.isfinite(raw) or not raw.is_integer():
            raise AnswerError(_INTEGER_HINT)
        return _short_number(int(raw))
    if isinstance(raw, int):
        return _short_number(raw)
    if not isinstance(raw, str):
        raise AnswerError(_INTEGER_HINT)
    return int(_number_text(raw, r"[-+]?[0-9]+", _INTEGER_HINT))


def _coerce_number(q: Question, raw: Any) -> float:
    if isinstance(raw, bool):
        raise AnswerError("Ожидается число.")
    if isinstance(raw, float) and not math.isfinite(raw):
        raise AnswerError(_NUMBER_HINT)
    if isinstance(raw, int | float):
        if abs(raw) >= _TOO_BIG:
            raise AnswerError(_LONG_NUMBER)
        return float(raw)
    if not isinstance(raw, str):
        raise AnswerError(_NUMBER_HINT)
    text = _number_text(raw.replace(",", "."), r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", _NUMBER_HINT)
    return float(text)


def _coerce_date(q: Question, raw: Any) -> date:
    if isinstance(raw, datetime):
        raise AnswerError("Ожидается дата без времени, в виде ДД.ММ.ГГГГ.")
    if not isinstance(raw, str | date):
        raise AnswerError("Ожидается дата в виде ДД.ММ.ГГГГ.")
    try:
        if isinstance(raw, str):
            return dates.parse_date(raw)
        dates.check_year(raw.year)
        return raw
    except dates.DateFormatError as exc:
        raise AnswerError(str(exc)) from None


def _coerce_yes_no(q: Question, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    if not isinstance(raw, str):
        raise AnswerError("Ответьте «да» или «нет».")
    text = raw.strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise AnswerError("Ответьте «да» или «нет».")


def _coerce_choice(q: Question, raw: Any) -> str:
    if not isinstance(raw, str):
        raise AnswerError(f"Выберите один из вариантов: {_options(q)}.")
    return _choice_value(q, raw)


def _coerce_multi_choice(q: Question, raw: Any) -> list[str] | None:
    """The chosen values, each once, in the order of the question's choices."""
    items = [part for part in raw.split(",") if part.strip()] if isinstance(raw, str) else raw
    if not isinstance(items, list | tuple | set | frozenset):
        raise AnswerError(f"Выберите варианты из списка: {_options(q)}.")
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise AnswerError(f"Выберите варианты из списка: {_options(q)}.")
        value = _choice_value(q, item)
        if value not in out:
            out.append(value)
    order = q.choice_values
    return sorted(out, key=order.index) or None


def _coerce_phone(q: Question, raw: Any) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise AnswerError("Ожидается номер телефона.")
    if isinstance(raw, int) and abs(raw) >= _TOO_BIG:
        raise AnswerError(_PHONE_HINT)
    return normalize_phone(str(raw))


#: One coercion per question type (:data:`tui.engine.model.QUESTION_TYPES`).
_COERCERS: dict[str, Callable[[Question, Any], Any]] = {
    "text": _coerce_text,
    "long_text": _coerce_long_text,
    "integer": _coerce_integer,
    "number": _coerce_number,
    "date": _coerce_date,
    "yes_no": _coerce_yes_no,
    "choice": _coerce_choice,
    "multi_choice": _coerce_multi_choice,
    "phone": _coerce_phone,
}


def _options(q: Question) -> str:
    return ", ".join(f"«{c.label}»" for c in q.choices)


def _choice_value(q: Question, raw: str) -> str:
    text = raw.strip()
    for c in q.choices:
        if text == c.value:
            return c.value
    folded = text.casefold()
    for c in q.choices:
        if folded in (c.label.casefold(), (c.label_client or "").casefold()):
            return c.value
    raise AnswerError(f"Нет такого варианта: «{clip(text)}». Варианты: {_options(q)}.")


_PHONE_HINT = "Номер телефона — 10 цифр после +7, например +7 912 345-67-89."


def normalize_phone(text: str) -> str:
    if len(text) > 100:
        raise AnswerError(_PHONE_HINT)
    digits = re.sub(r"[^0-9]", "", text)
    if len(digits) == 11 and digits[0] in "78":
        digits = digits[1:]
    if len(digits) != 10:
        raise AnswerError(_PHONE_HINT)
    return f"+7 {digits[0:3]} {digits[3:6]}-{digits[6:8]}-{digits[8:10]}"


def validate(q: Question, value: Any, context: Mapping[str, Any], confirmed: bool = False) -> None:
    """Check a coerced value against the question's requirements and rules. A failed
    ``confirm`` rule raises :class:`NeedsConfirmation` unless the answer is ``confirmed``."""
    if value is None:
        if q.required:
            raise AnswerError("Это обязательный вопрос: без ответа дальше не пройти.")
        return
    if q.max_length is not None and isinstance(value, str) and len(value) > q.max_length:
        raise AnswerError(f"Слишком длинный ответ: не больше {q.max_length} знаков.")
    ctx = dict(context)
    ctx["value"] = value
    ctx[q.id] = value  # the rule sees the answer being given, under either name
    low = _bound(q, q.min, ctx)
    high = _bound(q, q.max, ctx)
    measure = len(value) if q.type == "multi_choice" else value
    if low is not None and _beyond(measure, low, -1):
        raise AnswerError(_bound_message(q, "min", low))
    if high is not None and _beyond(measure, high, 1):
        raise AnswerError(_bound_message(q, "max", high))
    for rule in q.rules:
        if rule.confirm and confirmed:
            continue
        if not _holds(rule, ctx):
            error = NeedsConfirmation if rule.confirm else AnswerError
            raise error(_message(rule.message, ctx))


def _holds(rule: Rule, ctx: Mapping[str, Any]) -> bool:
    try:
        return bool(rule.expr.evaluate(ctx))
    except TypeError:
        return True  # the rule reads an answer not given (none): it cannot judge this one
    except ExpressionError as exc:
        raise AnswerError(f"Правило проверки не вычисляется: {exc}") from None


def _beyond(measure: Any, bound: Any, side: int) -> bool:
    """Whether ``measure`` is below (``side`` -1) or above (1) ``bound``; a bound of another
    kind (a script's mistake) cannot judge the answer."""
    try:
        return bool(measure < bound) if side < 0 else bool(measure > bound)
    except TypeError:
        return False


def _message(text: str, ctx: Mapping[str, Any]) -> str:
    if "{" not in text:
        return text
    try:
        return render_text(text, ctx)
    except (ExpressionError, TypeError):
        return text


def _bound(q: Question, expr: Any, ctx: Mapping[str, Any]) -> Any:
    if expr is None:
        return None
    try:
        bound = expr.evaluate(ctx)
    except (ExpressionError, TypeError):
        return None
    if q.type == "date" and isinstance(bound, datetime):
        return bound.date()
    return bound


def _bound_message(q: Question, which: str, bound: Any) -> str:
    if q.type == "date":
        shown = dates.format_date(bound)
        return f"Дата не может быть раньше {shown}." if which == "min" else (
            f"Дата не может быть позже {shown}."
        )
    if q.type == "multi_choice":
        # «не меньше/не больше N» takes the genitive: 1 варианта, 3 вариантов, 21 варианта.
        word = dates.plural(bound, "варианта", "вариантов", "вариантов")
        return f"Выберите не меньше {bound} {word}." if which == "min" else (
            f"Выберите не больше {bound} {word}."
        )
    shown = display_number(bound)
    return f"Не меньше {shown}." if which == "min" else f"Не больше {shown}."


def display_number(n: Any, group: bool = False) -> str:
    """A number the Russian way: decimal comma; with ``group``, thousands split by a space."""
    if isinstance(n, float) and n.is_integer():
        n = int(n)
    text = f"{n:,}" if group and isinstance(n, int | float) and abs(n) >= 10000 else str(n)
    return text.replace(",", "\u00a0").replace(".", ",")


def display(q: Question, value: Any, kiosk: bool = False) -> str:
    """How an answer reads on screen and in the plan; ``kiosk`` prefers plain labels."""
    if value is None:
        return "—"
    if q.type == "date":
        return dates.format_date(value)
    if q.type == "yes_no":
        return "Да" if value else "Нет"
    if q.type == "choice":
        return q.choice_label(value, kiosk)
    if q.type == "multi_choice":
        return "; ".join(q.choice_label(v, kiosk) for v in value)
    if q.type in ("integer", "number"):
        return display_number(value, group=True)
    return str(value)


def to_json(q: Question | None, value: Any) -> Any:
    """A value as it is stored (JSON): dates as ISO text."""
    if isinstance(value, date):
        return value.isoformat()
    return value


def from_json(q: Question | None, value: Any) -> Any:
    if q is not None and q.type == "date" and isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return value


def to_input_text(q: Question, value: Any) -> str:
    """The text an input box is pre-filled with when an answer is revisited."""
    if value is None:
        return ""
    if q.type == "date":
        return dates.format_date(value)
    if q.type in ("integer", "number"):
        return display_number(value)
    return str(value)
