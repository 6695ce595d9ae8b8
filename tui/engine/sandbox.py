"""The sandbox expressions and templates run in: read-only, bounded in size and in time.

:class:`SafeEnvironment` is Jinja's :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment`
(no private attributes, no ``list.append`` / ``dict.update`` or other changes to the values
it is given) with the limits of :mod:`tui.engine.limits` on top:

- ``**``, ``*``, ``+`` and ``%`` are intercepted: a power with a large exponent, an integer
  of more than ``MAX_EXPRESSION_INT_DIGITS`` digits, a text or list of more than
  ``MAX_EXPRESSION_SIZE`` is refused before it is made (``'a' * 10**10``,
  ``10 ** (10 ** 8)``, ``(1,) * 10**9``); ``~`` (joining texts) likewise;
- the limit holds for the *total* too (:func:`total`: the characters of every text and the
  items of every list inside a value, counted all the way in, cheaply and with an early
  stop): a list holding one long text many times is small, but ``['x' * 99999] * 99999``,
  and joining, formatting, writing (``{{ }}``), sorting or filtering such a value, is
  refused before the text is made. A filter's value and arguments, what it yields one by
  one (``map``, ``select``, …), what ``str.join``, ``str.format``, ``%``, ``~``,
  ``expandtabs``, ``translate``, ``indent``, ``wordwrap`` and ``tojson(indent)`` would make
  are estimated first;
- ``range`` makes at most ``MAX_EXPRESSION_SIZE`` numbers; padding by width (``center``,
  ``ljust``, ``'{:>999999}'.format``, ``'%0999999d' | format``) and ``lipsum`` are bounded;
- every attribute, call, operator, output and ``range`` step checks the time: an
  evaluation running past its budget (:func:`budget`) stops; so does a rendering writing
  more than ``MAX_RENDERED_TEXT`` characters.

Going past a limit raises :class:`LimitError` (a Jinja ``SecurityError``), which the
expression language reports as :class:`~tui.engine.expr.ExpressionError`.
"""

from __future__ import annotations

import functools
import re
import string
import time
import types
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import chain
from typing import Any, overload

from jinja2 import Template, Undefined
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.exceptions import SecurityError
from jinja2.nodes import Concat
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Namespace, generate_lorem_ipsum

from tui.engine import limits

_MAX_SIZE = limits.MAX_EXPRESSION_SIZE
#: Bits of the largest integer an expression may make (``MAX_EXPRESSION_INT_DIGITS``).
_MAX_BITS = int(limits.MAX_EXPRESSION_INT_DIGITS * 3.33) + 1
#: A width or precision in a format of five digits or more, or one given by ``*``.
_WIDE_PERCENT = re.compile(r"%[^%a-zA-Z]*?(\*|\d{5,})")
_WIDE_SPEC = re.compile(r"\d{5,}|[{*]")
_TOO_BIG = f"значение длиннее {_MAX_SIZE} элементов"
_TOO_LONG = f"текст длиннее {_MAX_SIZE} знаков"
#: Filters that only read their value (its length, an item), never copy or write it.
_READING_FILTERS = frozenset({"length", "count", "first", "last", "default", "d", "attr", "random"})


class LimitError(SecurityError):
    """An evaluation past a limit of :mod:`tui.engine.limits`; ``str()`` says which."""


class _Budget:
    __slots__ = ("deadline", "seconds", "written")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.written = 0


_BUDGET: ContextVar[_Budget | None] = ContextVar("sobesednik_budget", default=None)


@contextmanager
def budget(seconds: float = limits.MAX_EVALUATION_SECONDS) -> Iterator[None]:
    """Bound the time of what runs inside (the outermost budget counts)."""
    if _BUDGET.get() is not None:
        yield
        return
    token = _BUDGET.set(_Budget(seconds))
    try:
        yield
    finally:
        _BUDGET.reset(token)


class Budget:
    """:func:`budget` as a plain context manager, for the many short evaluations of
    expressions (a generator-based one costs more than most of them)."""

    __slots__ = ("seconds", "token")

    def __init__(self, seconds: float = limits.MAX_EVALUATION_SECONDS) -> None:
        self.seconds = seconds
        self.token: Any = None

    def __enter__(self) -> None:
        if _BUDGET.get() is None:
            self.token = _BUDGET.set(_Budget(self.seconds))

    def __exit__(self, *exc: object) -> None:
        if self.token is not None:
            _BUDGET.reset(self.token)
            self.token = None


def tick() -> None:
    """Stop the evaluation if its time is up."""
    b = _BUDGET.get()
    if b is not None and time.monotonic() > b.deadline:
        raise LimitError(f"вычисляется дольше {b.seconds:g} с: остановлено")


def _own(value: Any) -> int:
    """What ``value`` counts itself in :func:`total` (its items aside)."""
    # The common kinds first, each by a cheap check (the abstract ones below are slow).
    if isinstance(value, str | bytes):
        return max(1, len(value))
    if isinstance(value, int):
        return value.bit_length() * 3 // 10 + 1
    if isinstance(value, dict | list | tuple):
        return 0 if len(value) else 1
    if isinstance(value, range | _Range):
        return max(1, len(value))
    if isinstance(value, int):
        return value.bit_length() * 3 // 10 + 1
    if isinstance(value, Collection | Mapping) and not isinstance(value, Undefined):
        return 0 if len(value) else 1
    return 1


def _inside(value: Any) -> Iterator[Any] | None:
    """The values inside ``value`` that :func:`total` counts; never a generator's (that
    would use it up)."""
    if isinstance(value, dict):
        return chain.from_iterable(value.items())
    if isinstance(value, list | tuple):
        return iter(value)
    if value is None or isinstance(value, str | bytes | int | float):
        return None
    if isinstance(value, str | bytes | range | _Range | Undefined):
        return None
    if isinstance(value, Namespace):
        value = object.__getattribute__(value, "_Namespace__attrs")
    if isinstance(value, Mapping):
        return chain.from_iterable(value.items())
    if isinstance(value, Collection):
        return iter(value)
    return None


_END = object()


def total(value: Any, limit: int = _MAX_SIZE, per_level: int = 0) -> int:
    """About how many characters ``value`` writes with everything inside it: a text its
    length, an integer its digits, a list, tuple, set, mapping or namespace the totals of
    what it holds (an item held many times counts each time), ``per_level`` more for every
    value at each level of nesting (``tojson(indent)``). Counting stops past ``limit``, and a
    value too intricate to count in a few times ``limit`` steps counts as ``limit + 1``: it
    costs little however large the value would be written out."""
    count, steps, stack = 0, 0, [iter((value,))]
    while stack and count <= limit:
        item = next(stack[-1], _END)
        if item is _END:
            stack.pop()
            continue
        steps += 1
        if steps > 4 * limit + 16:
            return limit + 1
        count += _own(item) + per_level * (len(stack) - 1)
        inner = _inside(item)
        if inner is not None:
            stack.append(inner)
    return count


def refuse_total(*values: Any, extra: int = 0, times: int = 1, message: str = _TOO_BIG) -> None:
    """Refuse when ``extra`` plus ``times`` the totals of ``values`` is past the size limit."""
    n = extra
    for value in values:
        if n > _MAX_SIZE:
            break
        n += times * total(value, (_MAX_SIZE - n) // max(1, times))
    if n > _MAX_SIZE:
        raise LimitError(message)


def _size_of(value: Any) -> int | None:
    if isinstance(value, str | bytes | list | tuple | range | _Range):
        return len(value)
    return None


def checked(value: Any) -> Any:
    """``value`` if it is within the size limits."""
    if isinstance(value, int) and value.bit_length() > _MAX_BITS:
        raise LimitError(f"число длиннее {limits.MAX_EXPRESSION_INT_DIGITS} цифр")
    size = _size_of(value)
    if size is not None and size > _MAX_SIZE:
        raise LimitError(f"значение длиннее {_MAX_SIZE} элементов")
    return value


def _check_power(base: Any, exponent: Any) -> None:
    if not isinstance(exponent, int) or not isinstance(base, int | float):
        return
    if exponent > limits.MAX_POWER_EXPONENT and abs(base) > 1:
        raise LimitError(f"показатель степени больше {limits.MAX_POWER_EXPONENT}")
    if isinstance(base, int) and exponent > 0 and base.bit_length() * exponent > _MAX_BITS:
        raise LimitError(f"число длиннее {limits.MAX_EXPRESSION_INT_DIGITS} цифр")


def _check_repeat(left: Any, right: Any) -> None:
    for seq, times in ((left, right), (right, left)):
        size = _size_of(seq)
        if size is not None and isinstance(times, int) and times > 0:
            if size * times > _MAX_SIZE:
                raise LimitError(_TOO_BIG)
            refuse_total(seq, times=times)
    if isinstance(left, int) and isinstance(right, int):
        if left.bit_length() + right.bit_length() > _MAX_BITS + 1:
            raise LimitError(f"число длиннее {limits.MAX_EXPRESSION_INT_DIGITS} цифр")


def check_percent_format(fmt: Any, values: Any = ()) -> None:
    """Refuse a ``%`` format padding to a huge width (``'%0999999999d'``), or making a text
    past the size limit of ``values`` (a mapping counted once for every ``%(name)``)."""
    if not isinstance(fmt, str):
        return
    if "%" in fmt and _WIDE_PERCENT.search(fmt):
        raise LimitError("слишком большая ширина в формате")
    times = max(1, fmt.count("%(")) if isinstance(values, Mapping) else 1
    refuse_total(values, extra=len(fmt), times=times, message=_TOO_LONG)


def check_str_format(fmt: str, args: Sequence[Any] = (), kwargs: Mapping[str, Any] | None = None) -> None:
    """Refuse a ``str.format`` pattern padding to a huge width (``'{:>999999999}'``), or
    making a text past the size limit of ``args`` and ``kwargs`` (each field counted)."""
    try:
        fields = list(string.Formatter().parse(fmt))
    except ValueError:
        return  # a malformed pattern: format() itself says so
    n, auto = len(fmt), 0
    for _, name, spec, _ in fields:
        if spec and _WIDE_SPEC.search(spec):
            raise LimitError("слишком большая ширина в формате")
        if name is None:
            continue
        key = re.split(r"[.\[]", name, maxsplit=1)[0]
        if not key:
            key, auto = str(auto), auto + 1
        n += total(_field(key, args, kwargs or {}), _MAX_SIZE - n) if n <= _MAX_SIZE else 0
    if n > _MAX_SIZE:
        raise LimitError(_TOO_LONG)


def _field(key: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
    """The value a ``str.format`` field names (``{0}``, ``{name}``), ``None`` if none."""
    if key.isdigit():
        return args[int(key)] if int(key) < len(args) else None
    return kwargs.get(key)


def check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse what ``left operator right`` would make too large, before making it."""
    if operator == "**":
        _check_power(left, right)
    elif operator == "*":
        _check_repeat(left, right)
    elif operator == "+":
        if _size_of(left) is not None and _size_of(right) is not None:
            refuse_total(left, right)
    elif operator == "%":
        check_percent_format(left, right)


class _Range(Sequence[int]):
    """``range`` for expressions: at most ``MAX_EXPRESSION_SIZE`` numbers, and walking it
    checks the time."""

    __slots__ = ("_r",)

    def __init__(self, r: range) -> None:
        self._r = r

    def __len__(self) -> int:
        return len(self._r)

    @overload
    def __getitem__(self, index: int) -> int: ...
    @overload
    def __getitem__(self, index: slice) -> _Range: ...
    def __getitem__(self, index: int | slice) -> int | _Range:
        if isinstance(index, slice):
            return _Range(self._r[index])
        return self._r[index]

    def __iter__(self) -> Iterator[int]:
        for i, n in enumerate(self._r):
            if not i % 256:
                tick()
            yield n

    def __contains__(self, value: object) -> bool:
        return value in self._r

    def __repr__(self) -> str:
        return repr(self._r)


def safe_range(*args: int) -> _Range:
    r = range(*args)
    if len(r) > _MAX_SIZE:
        raise LimitError(f"range больше {_MAX_SIZE} чисел")
    return _Range(r)


def safe_lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:  # noqa: A002
    if n > 100 or max > 1000:
        raise LimitError("lipsum: не больше 100 абзацев по 1000 слов")
    return generate_lorem_ipsum(n, html, min, max)


#: Methods of texts and numbers whose integer argument is the size of what they make.
_SIZED_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs", "to_bytes"})


def check_method_call(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Refuse a method of a text or number making a value past the limits; the arguments
    to call it with (what ``str.join`` joins, made a list first to be measured)."""
    owner = getattr(obj, "__self__", None)
    if not isinstance(obj, types.BuiltinMethodType) or not isinstance(owner, str | bytes | int):
        return args
    name = obj.__name__
    if name in _SIZED_METHODS:
        _check_widths((*args, *kwargs.values()))
    if isinstance(owner, int):
        return args
    if name == "join" and len(args) == 1:
        args = (_listed(args[0]),)
        refuse_total(args[0], extra=len(owner) * _length(args[0]), message=_TOO_LONG)
    elif name == "replace" and len(args) >= 2:
        _check_replace(owner, args[0], args[1])
    elif name == "expandtabs" and isinstance(owner, str):
        tabs = next(iter((*args, *kwargs.values())), 8)
        _check_length(len(owner) + owner.count("\t") * (tabs if isinstance(tabs, int) else 0))
    elif name == "translate" and args and isinstance(args[0], Mapping):
        _check_length(len(owner) * max((len(v) for v in args[0].values() if isinstance(v, str)), default=1))
    return args


def _listed(values: Any) -> Any:
    """``values`` as a list if it is an iterator (walking it counts what it yields)."""
    return list(values) if isinstance(values, Iterator) else values


def _length(values: Any) -> int:
    return len(values) if isinstance(values, Collection) else 1


def _check_length(n: int) -> None:
    if n > _MAX_SIZE:
        raise LimitError(_TOO_LONG)


def _check_widths(values: Sequence[Any]) -> None:
    if any(isinstance(v, int) and v > _MAX_SIZE for v in values):
        raise LimitError(f"ширина больше {_MAX_SIZE}")


def _check_replace(text: Any, old: Any, new: Any) -> None:
    if not all(isinstance(v, str) for v in (text, old, new)):
        return
    found = text.count(old) if old else len(text) + 1
    if len(text) + found * max(0, len(new) - len(old)) > _MAX_SIZE:
        raise LimitError(_TOO_BIG)


class _Counted(Iterator[Any]):
    """What a filter yields one by one (``map``, ``select``, ``batch``, …), within the size
    limit in total and checking the time."""

    __slots__ = ("_items", "_total")

    def __init__(self, items: Iterator[Any]) -> None:
        self._items, self._total = items, 0

    def __next__(self) -> Any:
        item = next(self._items)
        tick()
        self._total += total(item, _MAX_SIZE - self._total)
        if self._total > _MAX_SIZE:
            raise LimitError(_TOO_BIG)
        return item


def _bounded(result: Any) -> Any:
    if isinstance(result, Iterator) and not isinstance(result, Collection):
        return _Counted(result)
    return checked(result)


_Check = Callable[[Any, tuple[Any, ...], dict[str, Any]], None]


def _guard_filter(name: str, f: Callable[..., Any], check: _Check | None) -> Any:
    reads = name in _READING_FILTERS

    @functools.wraps(f)  # keeps Jinja's pass_context / pass_eval_context marks
    def guarded(*args: Any, **kwargs: Any) -> Any:
        tick()
        i = _value_at(args)
        if name == "join" and i < len(args):
            args = (*args[:i], _listed(args[i]), *args[i + 1:])
        if not reads:
            refuse_total(*args[i:], *kwargs.values())
        if check is not None and i < len(args):
            check(args[i], args[i + 1:], kwargs)
        return _bounded(f(*args, **kwargs))

    return guarded


def _value_at(args: tuple[Any, ...]) -> int:
    """Where the value a filter filters is among its arguments (after the context Jinja
    passes some filters)."""
    from jinja2.nodes import EvalContext
    from jinja2.runtime import Context

    i = 0
    while i < len(args) and isinstance(args[i], EvalContext | Context | SafeEnvironment):
        i += 1
    return i


def _widths(value: Any, rest: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    _check_widths((*rest, *kwargs.values()))


def _argument(rest: tuple[Any, ...], kwargs: dict[str, Any], name: str, default: Any) -> Any:
    return rest[0] if rest else kwargs.get(name, default)


def _indent_filter(value: Any, rest: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    _widths(value, rest, kwargs)
    width = _argument(rest, kwargs, "width", 4)
    width = width if isinstance(width, int) else len(str(width))
    if isinstance(value, str):
        _check_length(len(value) + (value.count("\n") + 1) * width)


def _wordwrap_filter(value: Any, rest: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    _widths(value, rest, kwargs)
    width = _argument(rest, kwargs, "width", 79)
    wrap = rest[2] if len(rest) > 2 else kwargs.get("wrapstring")
    if isinstance(value, str) and isinstance(wrap, str) and isinstance(width, int):
        lines = len(value) // max(1, width) + len(value.split()) + 1
        _check_length(len(value) + lines * len(wrap))


def _tojson_filter(value: Any, rest: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    _widths(value, rest, kwargs)
    indent = _argument(rest, kwargs, "indent", None)
    if isinstance(indent, int) and indent > 0 and total(value, per_level=indent) > _MAX_SIZE:
        raise LimitError(_TOO_LONG)


def _format_filter(value: Any, rest: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    check_percent_format(value, kwargs or rest)


def _join_filter(value: Any, rest: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    glue = _argument(rest, kwargs, "d", "")
    refuse_total(value, extra=len(str(glue)) * _length(value), message=_TOO_LONG)


def _replace_filter(value: Any, rest: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    if len(rest) >= 2:
        _check_replace(value, rest[0], rest[1])


_FILTER_CHECKS: dict[str, _Check] = {
    "center": _widths, "indent": _indent_filter, "batch": _widths, "slice": _widths,
    "tojson": _tojson_filter, "wordwrap": _wordwrap_filter, "truncate": _widths,
    "format": _format_filter, "replace": _replace_filter, "join": _join_filter,
}


def _finalize(value: Any) -> Any:
    """Every ``{{ … }}`` written: check the time and how much has been written."""
    b = _BUDGET.get()
    if b is not None:
        tick()
        if not isinstance(value, str):
            refuse_total(value, message=_TOO_LONG)  # before str() writes it out
        b.written += len(value) if isinstance(value, str) else 20
        if b.written > limits.MAX_RENDERED_TEXT:
            raise LimitError(f"текст длиннее {limits.MAX_RENDERED_TEXT} знаков")
    return value


def _before(first: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """:func:`_finalize` after ``first`` (which writes the value out: measured before)."""

    def finalize(value: Any) -> Any:
        if not isinstance(value, str) and _BUDGET.get() is not None:
            refuse_total(value, message=_TOO_LONG)
        return _finalize(first(value))

    return finalize


class _CodeGenerator(CodeGenerator):
    """Jinja's compiler with ``~`` (joining texts) sent through the environment."""

    @optimizeconst
    def visit_Concat(self, node: Concat, frame: Frame) -> None:
        self.write("environment.join_texts((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class _Template(Template):
    """A template whose rendering has a time budget and stops on runaway recursion."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        try:
            with budget(limits.MAX_RENDER_SECONDS):
                return super().render(*args, **kwargs)
        except RecursionError:
            raise LimitError("слишком глубокая рекурсия (макрос вызывает сам себя?)") from None
        except MemoryError:
            raise LimitError("не хватает памяти") from None


class SafeEnvironment(ImmutableSandboxedEnvironment):
    """The environment of every expression and template: see the module docstring."""

    intercepted_binops = frozenset({"**", "*", "+", "%"})
    code_generator_class = _CodeGenerator
    template_class = _Template

    def __init__(self, *args: Any, finalize: Callable[[Any], Any] | None = None, **kwargs: Any) -> None:
        # ``finalize``: what a document format does to every ``{{ … }}`` first (its
        # escaper); the limits then check what it wrote.
        super().__init__(*args, finalize=_finalize if finalize is None else _before(finalize), **kwargs)
        self.globals["range"] = safe_range
        self.globals["lipsum"] = safe_lipsum
        for name, f in list(self.filters.items()):
            self.filters[name] = _guard_filter(name, f, _FILTER_CHECKS.get(name))

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        tick()
        check_binop(operator, left, right)
        return checked(self.binop_table[operator](left, right))

    def call(self, context: Any, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        tick()
        args = check_method_call(obj, args, kwargs)
        return _bounded(super().call(context, obj, *args, **kwargs))

    def getattr(self, obj: Any, attribute: str) -> Any:
        tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        tick()
        return super().getitem(obj, argument)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        fmt = super().wrap_str_format(value)
        if fmt is None:
            return None
        pattern, by_map = value.__self__, value.__name__ == "format_map"

        def bounded(*args: Any, **kwargs: Any) -> str:
            named = args[0] if by_map and args and isinstance(args[0], Mapping) else kwargs
            check_str_format(pattern, () if by_map else args, named)
            return checked(fmt(*args, **kwargs))  # type: ignore[no-any-return]

        return bounded

    def join_texts(self, parts: Sequence[Any]) -> str:
        """``a ~ b``: the texts joined, within the size limit."""
        tick()
        refuse_total(*parts, message=_TOO_LONG)
        text = "".join(str(p) for p in parts)
        return checked(text)  # type: ignore[no-any-return]
