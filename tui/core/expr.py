"""The one expression language of Sobesednik: sandboxed Jinja2.

Script conditions (``when``), computed values, validation rules, group rules and plan
templates all speak it. Nothing is ever passed to Python's ``eval``: expressions are
compiled by Jinja's :class:`~jinja2.sandbox.SandboxedEnvironment`, which refuses access
to private attributes and unsafe calls.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, Undefined, meta, nodes
from jinja2.exceptions import SecurityError, TemplateAssertionError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from tui.core import dates

#: Names every expression may use besides question ids and computed values.
BUILTIN_NAMES: frozenset[str] = frozenset(
    {"today", "lookup", "age", "years_since", "months_since", "add_years", "add_months", "add_days",
     "groups", "params", "value", "none", "true", "false", "plural", "range", "dict", "lipsum",
     "cycler", "joiner", "namespace"}
)


class ExpressionError(Exception):
    """An expression that does not parse, or that failed while being evaluated."""


def _age(born: date | None, on: date | None = None) -> int | None:
    if born is None:
        return None
    return dates.full_years(born, on or _today_default())


def _months_since(start: date | None, on: date | None = None) -> int | None:
    if start is None:
        return None
    return dates.full_months(start, on or _today_default())


def _add_days(d: date, n: int) -> date:
    from datetime import timedelta

    return d + timedelta(days=int(n))


def lookup(rows: Any, key: Any, field: str = "until") -> Any:
    """The first row of a schedule whose ``until`` is at least ``key``; a row without
    ``until`` closes the schedule (``{until: 1958, years: 60}, …, {years: 65}``)."""
    if key is None:
        raise TypeError("lookup of none")
    for row in rows:
        bound = row.get(field)
        if bound is None or key <= bound:
            return row
    raise ValueError(f"в таблице нет строки для {key}")


def _today_default() -> date:
    return date.today()


_DATE_FUNCTIONS = frozenset({"age", "years_since", "months_since"})


def runtime_context(context: Mapping[str, Any]) -> dict[str, Any]:
    """``context`` plus the date functions bound to its ``today`` (the interview date)."""
    today = context.get("today")
    ctx = dict(context)
    if isinstance(today, date):
        ctx.setdefault("age", lambda born, on=None: _age(born, on or today))
        ctx.setdefault("years_since", lambda d, on=None: _age(d, on or today))
        ctx.setdefault("months_since", lambda d, on=None: _months_since(d, on or today))
    else:
        ctx.setdefault("age", _age)
        ctx.setdefault("years_since", _age)
        ctx.setdefault("months_since", _months_since)
    return ctx


def make_environment(loader: Any = None) -> SandboxedEnvironment:
    """The environment shared by expressions and plan templates."""
    env = SandboxedEnvironment(
        loader=loader,
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(
        lookup=lookup,
        add_years=dates.add_years,
        add_months=dates.add_months,
        add_days=_add_days,
        plural=dates.plural,
    )
    env.filters.update(
        ru_date=dates.format_date,
        ru_date_long=dates.format_date_long,
        plural=dates.plural,
    )
    return env


_ENV = make_environment()


@dataclass(frozen=True)
class Expression:
    """A compiled expression with the free names it reads."""

    source: str
    names: frozenset[str] = field(compare=False)
    _fn: Any = field(compare=False, repr=False)
    ast: nodes.Template | None = field(default=None, compare=False, repr=False)

    def evaluate(self, context: Mapping[str, Any]) -> Any:
        """Evaluate against ``context``; ``today`` there also drives ``age()`` defaults."""
        # Pass only the names this expression reads: Jinja copies its whole context on
        # every call, and a script's context holds every answer.
        ctx = {n: context[n] for n in self.names if n in context}
        if self.names & _DATE_FUNCTIONS:
            ctx = runtime_context({**ctx, "today": context.get("today")})
        try:
            result = self._fn(**ctx)
            if isinstance(result, Undefined):
                result._fail_with_undefined_error()
            return result
        except (UndefinedError, SecurityError) as exc:
            raise ExpressionError(f"{self.source}: {exc}") from exc
        except TypeError:
            raise  # an unanswered (none) value compared or passed on: callers decide
        except (ValueError, AttributeError, ArithmeticError, LookupError) as exc:
            raise ExpressionError(f"{self.source}: {type(exc).__name__}: {exc}") from exc

    def test(self, context: Mapping[str, Any]) -> bool:
        """Evaluate as a condition. Comparing an unanswered (``none``) value is false."""
        try:
            return bool(self.evaluate(context))
        except TypeError:
            return False


def _undeclared(ast: nodes.Template) -> set[str]:
    return set(meta.find_undeclared_variables(ast))


@lru_cache(maxsize=4096)
def compile_expression(source: str) -> Expression:
    """Compile ``source``; raise :class:`ExpressionError` with a readable reason."""
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError("пустое выражение")
    try:
        fn = _ENV.compile_expression(source, undefined_to_none=False)
        ast = _ENV.parse("{{ (" + source + ") }}")
    except (TemplateSyntaxError, TemplateAssertionError) as exc:
        raise ExpressionError(f"выражение не разбирается: {exc.message}") from exc
    return Expression(source=source, names=frozenset(_undeclared(ast)), _fn=fn, ast=ast)


def template_names(source: str) -> set[str]:
    """Free names read by a template text (for static checks of plan texts)."""
    try:
        return _undeclared(_ENV.parse(source))
    except TemplateSyntaxError as exc:
        raise ExpressionError(f"шаблон не разбирается: {exc.message}") from exc


@lru_cache(maxsize=1024)
def _compiled_template(source: str) -> Any:
    return _ENV.from_string(source)


def render_text(source: str, context: Mapping[str, Any]) -> str:
    """Render a short template text from a script (a reason, a measure's detail)."""
    try:
        return " ".join(_compiled_template(source).render(**runtime_context(context)).split())
    except (TemplateSyntaxError, UndefinedError, SecurityError) as exc:
        raise ExpressionError(f"{source!r}: {exc}") from exc
    except (ValueError, AttributeError, ArithmeticError, LookupError) as exc:
        raise ExpressionError(f"{source!r}: {type(exc).__name__}: {exc}") from exc


def unknown_names(names: Iterable[str], known: Iterable[str]) -> list[str]:
    known_set = set(known) | BUILTIN_NAMES
    return sorted(n for n in names if n not in known_set)
