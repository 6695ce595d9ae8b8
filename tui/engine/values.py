"""Answer values: from what a person typed (or an answers file holds) to typed values.

The UI, ``replay`` and the kiosk all pass answers through :func:`coerce` and
:func:`validate`, so they accept and refuse exactly the same things.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from tui.engine import dates
from tui.engine.expr import ExpressionError, render_text
from tui.engine.model import Question

_YES = {"да", "д", "yes", "y", "true", "1"}
_NO = {"нет", "н", "no", "n", "false", "0"}


class AnswerError(ValueError):
    """An answer that cannot be accepted; ``str()`` is the message shown to the person."""


def _is_empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []


def coerce(q: Question, raw: Any) -> Any:
    """Turn ``raw`` into the question's value type, or ``None`` when nothing was given."""
    if _is_empty(raw):
        return None
    coercer = _COERCERS.get(q.type)
    if coercer is None:
        raise AnswerError(f"Неизвестный тип вопроса «{q.type}».")
    return coercer(q, raw)


def _stripped_text(raw: Any) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise AnswerError("Ожидается текст.")
    return str(raw).strip()


def _coerce_text(q: Question, raw: Any) -> str:
    """One line of text: runs of whitespace become one space."""
    return " ".join(_stripped_text(raw).split())


def _coerce_long_text(q: Question, raw: Any) -> str:
    """Long text keeps its line breaks and spacing, only trimmed at the ends."""
    return _stripped_text(raw)


def _coerce_integer(q: Question, raw: Any) -> int:
    if isinstance(raw, bool):
        raise AnswerError("Ожидается целое число.")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    text = str(raw).replace(" ", "").replace("\u00a0", "")
    if re.fullmatch(r"[-+]?\d+", text):
        return int(text)
    raise AnswerError("Введите целое число цифрами, например 2.")


def _coerce_number(q: Question, raw: Any) -> float:
    if isinstance(raw, bool):
        raise AnswerError("Ожидается число.")
    if isinstance(raw, int | float):
        return float(raw)
    text = str(raw).replace(" ", "").replace("\u00a0", "").replace(",", ".")
    if re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)", text):
        return float(text)
    raise AnswerError("Введите число цифрами, например 7,5.")


def _coerce_date(q: Question, raw: Any) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if not isinstance(raw, str):
        raise AnswerError("Ожидается дата в виде ДД.ММ.ГГГГ.")
    try:
        return dates.parse_date(raw)
    except dates.DateFormatError as exc:
        raise AnswerError(str(exc)) from None


def _coerce_yes_no(q: Question, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
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
    raise AnswerError(f"Нет такого варианта: «{text}». Варианты: {_options(q)}.")


def normalize_phone(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    if len(digits) == 11 and digits[0] in "78":
        digits = digits[1:]
    if len(digits) != 10:
        raise AnswerError(
            "Номер телефона — 10 цифр после +7, например +7 912 345-67-89."
        )
    return f"+7 {digits[0:3]} {digits[3:6]}-{digits[6:8]}-{digits[8:10]}"


def validate(q: Question, value: Any, context: Mapping[str, Any]) -> None:
    """Check a coerced value against the question's requirements and rules."""
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
    if low is not None and measure < low:
        raise AnswerError(_bound_message(q, "min", low))
    if high is not None and measure > high:
        raise AnswerError(_bound_message(q, "max", high))
    for rule in q.rules:
        try:
            ok = bool(rule.expr.evaluate(ctx))
        except TypeError:
            continue  # the rule reads an answer not given (none): it cannot judge this one
        except ExpressionError as exc:
            raise AnswerError(f"Правило проверки не вычисляется: {exc}") from None
        if not ok:
            raise AnswerError(_message(rule.message, ctx))


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
