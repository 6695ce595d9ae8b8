"""The one expression language of Sobesednik: sandboxed Jinja2.

Script conditions (``when``), computed values, validation rules, group rules and plan
templates all speak it. Nothing is ever passed to Python's ``eval``: expressions are
compiled by the sandbox of :mod:`tui.engine.sandbox` (Jinja's immutable sandbox, bounded
in size and time), which refuses access to private attributes, changes to the values it
reads and unsafe calls; what it would refuse is refused already when an expression is
compiled (:mod:`tui.engine.exprcheck`), so ``check`` names it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, Undefined, nodes
from jinja2.environment import TemplateExpression
from jinja2.exceptions import TemplateAssertionError
from jinja2.parser import Parser

from tui.engine import dates, limits, workdays
from tui.engine.exprcheck import refusal
from tui.engine.sandbox import Budget, SafeEnvironment, budget, refuse_total

#: Names every expression may use besides question ids and computed values.
BUILTIN_NAMES: frozenset[str] = frozenset(
    {"today", "lookup", "age", "years_since", "months_since", "add_years", "add_months", "add_days",
     "working_day", "groups", "params", "value", "none", "true", "false", "plural", "range", "dict", "lipsum",
     "cycler", "joiner", "namespace"}
)


class ExpressionError(Exception):
    """An expression that does not parse, or that failed while being evaluated."""


_NO_MEMORY = "не хватает памяти: значение слишком большое"


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
    return {**_date_functions(context.get("today")), **context}


def _date_functions(today: Any) -> dict[str, Any]:
    try:
        return _bound_date_functions(today)
    except TypeError:  # not even hashable: not a date either
        return _bound_date_functions(None)


@lru_cache(maxsize=64)
def _bound_date_functions(today: Any) -> dict[str, Any]:
    """``age``, ``years_since`` and ``months_since`` counting to ``today`` (the interview
    date), or to the real today when it is not a date. Kept for the last interview dates
    seen: a pass over the store meets the same few hundred again and again."""
    if not isinstance(today, date):
        return {"age": _age, "years_since": _age, "months_since": _months_since}

    def age(born: date | None, on: date | None = None) -> int | None:
        return _age(born, on or today)

    def months_since(d: date | None, on: date | None = None) -> int | None:
        return _months_since(d, on or today)

    return {"age": age, "years_since": age, "months_since": months_since}


def make_environment(loader: Any = None, finalize: Callable[[Any], Any] | None = None) -> SafeEnvironment:
    """The environment shared by expressions and plan templates: read-only, bounded in
    size, and in time for every rendering (:mod:`tui.engine.sandbox`). ``finalize`` is what
    a document format does to every value it writes (its escaper)."""
    env = SafeEnvironment(
        loader=loader,
        finalize=finalize,
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
        working_day=workdays.working_day,
        plural=dates.plural,
    )
    env.filters.update(
        ru_date=dates.format_date,
        ru_date_long=dates.format_date_long,
        ru_years=dates.format_years,
        plural=dates.plural,
    )
    return env


_ENV = make_environment()


_MISSING = object()
_MEMO_SIZE = 512
#: Results that cannot be large: the size limit has nothing to count in them.
_PLAIN = frozenset({bool, type(None), date, float})


def _bare(exc: BaseException) -> BaseException:
    """``exc`` and the exceptions it was raised from without their tracebacks: a memoised
    failure keeps its message, not the frames it was met in."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.__traceback__ = None
        current = current.__cause__ or current.__context__
    return exc


def _compile(source: str) -> TemplateExpression:
    """Jinja's ``compile_expression`` (the result undefined, not ``None``, when a name is
    missing), its template reading the environment's globals from one plain mapping: Jinja
    would merge them from a chain of mappings on every call. The globals are set once,
    when the environment is made."""
    parser = Parser(_ENV, source, state="variable")
    body = [nodes.Assign(nodes.Name("result", "store"), parser.parse_expression(), lineno=1)]
    template = _ENV.from_string(nodes.Template(body, lineno=1))
    template.globals = dict(template.globals)
    return TemplateExpression(template, undefined_to_none=False)


#: Marks a mapping's place in a memo's key: the mapping is keyed by its identity.
_BY_ID = object()
#: Values that stand for themselves in a memo's key (checked first: most values are).
_SCALARS = frozenset({str, int, bool, type(None), date, float})


def _freeze(value: Any) -> Any:
    """A hashable stand-in for a value: lists become tuples; mappings (``params``, which
    never change within a bundle) are keyed by identity (the memo entry holds the values
    read, so that an identity is never reused while its entry lives)."""
    if type(value) in _SCALARS:
        return value
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return (_BY_ID, id(value))
    return value


@dataclass(frozen=True)
class Expression:
    """A parsed expression with the free names it reads; compiled to Python on first use
    (compiling costs about a millisecond, and most expressions of a script are not needed
    when an interview starts)."""

    source: str
    names: frozenset[str] = field(compare=False)
    ast: nodes.Node | None = field(default=None, compare=False, repr=False)
    _compiled: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        # What every evaluation asks, worked out once: the names read in a fixed order (the
        # memo's key), whether a date function (``age``, …) reads ``today`` unnamed, the memo.
        object.__setattr__(self, "_order", tuple(sorted(self.names)))
        object.__setattr__(self, "_dated", bool(self.names & _DATE_FUNCTIONS))
        object.__setattr__(self, "_memo", {})

    @property
    def _fn(self) -> Any:
        fn = self._compiled.get("fn")
        if fn is None:
            fn = self._compiled["fn"] = _compile(self.source)
        return fn

    def evaluate(self, context: Mapping[str, Any]) -> Any:
        """Evaluate against ``context``; ``today`` there also drives ``age()`` defaults.

        Expressions are pure, and the engine re-walks the script after every answer with
        mostly the same values, so results are memoised on the values the expression reads.
        """
        get = context.get
        try:
            key = tuple([_freeze(get(n, _MISSING)) for n in self._order])
            if self._dated:  # age() and the like read the interview date unnamed
                key += (get("today"),)
            hash(key)
        except TypeError:  # an unhashable value: evaluate without the memo
            return self._evaluate(context)
        memo: dict[Any, Any] = self._memo
        hit = memo.get(key, _MISSING)
        if hit is _MISSING:
            held = tuple([get(n) for n in self._order])  # alive while the entry is
            try:
                hit = (True, self._evaluate(context), held)
            except (TypeError, ExpressionError) as exc:
                hit = (False, _bare(exc), held)
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            memo[key] = hit
        ok, value, _ = hit
        if not ok:
            # The same failure raised afresh: a traceback kept would grow with every raise
            # and hold the frames (and the answers) of every evaluation that met it.
            raise value.with_traceback(None)
        return value

    _order: tuple[str, ...] = field(init=False, compare=False, repr=False)
    _dated: bool = field(init=False, compare=False, repr=False)
    _memo: dict[Any, Any] = field(init=False, compare=False, repr=False)

    def _evaluate(self, context: Mapping[str, Any]) -> Any:
        # Pass only the names this expression reads: Jinja copies its whole context on
        # every call, and a script's context holds every answer.
        ctx = {n: context[n] for n in self.names if n in context}
        if self._dated:
            today = context.get("today")
            ctx = {**_date_functions(today), **ctx, "today": today}
        try:
            with Budget():
                result = self._fn(**ctx)
                if isinstance(result, Undefined):
                    result._fail_with_undefined_error()
                if type(result) not in _PLAIN and not (type(result) is int and result.bit_length() < 64):
                    refuse_total(result)  # what it made in all, however it was made
            return result
        except TemplateError as exc:  # an undefined name, a limit of the sandbox, a filter's refusal
            raise ExpressionError(f"{self.source}: {exc}") from exc
        except RecursionError as exc:
            raise ExpressionError(f"{self.source}: слишком глубокая рекурсия") from exc
        except MemoryError:
            raise ExpressionError(f"{self.source}: {_NO_MEMORY}") from None
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


def find_all(ast: nodes.Node, kind: type[nodes.Node] | tuple[type[nodes.Node], ...]) -> list[Any]:
    """Every node of ``kind`` in ``ast``, the root included (Jinja's find_all skips it)."""
    return [*([ast] if isinstance(ast, kind) else []), *ast.find_all(kind)]


def _undeclared(ast: nodes.Node) -> set[str]:
    """Names a piece of Jinja reads and does not set itself (loop variables, ``set``)."""
    loaded: set[str] = set()
    stored: set[str] = set()
    for name in find_all(ast, nodes.Name):
        (stored if name.ctx in ("store", "param") else loaded).add(name.name)
    if find_all(ast, nodes.For):
        stored.add("loop")  # Jinja's loop variable inside {% for %}
    return loaded - stored


def _check_filters_and_tests(ast: nodes.Node) -> None:
    """What Jinja's compiler would refuse, found without compiling."""
    for f in find_all(ast, nodes.Filter):
        if f.name not in _ENV.filters:
            raise ExpressionError(f"выражение не разбирается: No filter named '{f.name}'.")
    for t in find_all(ast, nodes.Test):
        if t.name not in _ENV.tests:
            raise ExpressionError(f"выражение не разбирается: No test named '{t.name}'.")


_TOO_DEEP = f"слишком глубокая вложенность: больше {limits.MAX_EXPRESSION_DEPTH} уровней"


def _refuse(ast: nodes.Node, template: bool) -> None:
    """What the sandbox would refuse at run time, refused now (:mod:`tui.engine.exprcheck`)."""
    why = refusal(ast, template)
    if why is not None:
        raise ExpressionError(why)
    _check_filters_and_tests(ast)


@lru_cache(maxsize=4096)
def compile_expression(source: str) -> Expression:
    """Parse ``source``; raise :class:`ExpressionError` with a readable reason."""
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError("пустое выражение")
    if len(source) > limits.MAX_EXPRESSION_LENGTH:
        raise ExpressionError(f"выражение длиннее {limits.MAX_EXPRESSION_LENGTH} знаков")
    try:
        parser = Parser(_ENV, source, state="variable")
        ast = parser.parse_expression()
        if not parser.stream.eos:
            raise TemplateSyntaxError("chunk after expression", parser.stream.current.lineno)
    except (TemplateSyntaxError, TemplateAssertionError) as exc:
        raise ExpressionError(f"выражение не разбирается: {exc.message}") from exc
    except RecursionError:
        raise ExpressionError(_TOO_DEEP) from None
    _refuse(ast, template=False)
    return Expression(source=source, names=frozenset(_undeclared(ast)), ast=ast)


def template_names(source: str) -> set[str]:
    """Free names read by a template text (for static checks of plan texts)."""
    if len(source) > limits.MAX_TEMPLATE_LENGTH:
        raise ExpressionError(f"текст длиннее {limits.MAX_TEMPLATE_LENGTH} знаков")
    try:
        ast = _ENV.parse(source)
    except TemplateSyntaxError as exc:
        raise ExpressionError(f"шаблон не разбирается: {exc.message}") from exc
    except RecursionError:
        raise ExpressionError(_TOO_DEEP) from None
    _refuse(ast, template=True)
    return _undeclared(ast)


@lru_cache(maxsize=1024)
def _compiled_template(source: str) -> Any:
    return _ENV.from_string(source)


def render_text(source: str, context: Mapping[str, Any]) -> str:
    """Render a short template text from a script (a reason, a measure's detail)."""
    try:
        with budget():
            text = _compiled_template(source).render(**runtime_context(context))
        return " ".join(text.split())
    except TemplateError as exc:  # a syntax error, an undefined name, a limit of the sandbox
        raise ExpressionError(f"{source!r}: {exc}") from exc
    except RecursionError as exc:
        raise ExpressionError(f"{source!r}: слишком глубокая вложенность") from exc
    except MemoryError:
        raise ExpressionError(f"{source!r}: {_NO_MEMORY}") from None
    except (ValueError, AttributeError, ArithmeticError, LookupError) as exc:
        raise ExpressionError(f"{source!r}: {type(exc).__name__}: {exc}") from exc


def unknown_names(names: Iterable[str], known: Iterable[str]) -> list[str]:
    known_set = set(known) | BUILTIN_NAMES
    return sorted(n for n in names if n not in known_set)
