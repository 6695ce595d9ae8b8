"""The sandbox expressions and templates run in: read-only, bounded in size and in time.

:class:`SafeEnvironment` is Jinja's :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment`
(no private attributes, no ``list.append`` / ``dict.update`` or other changes to the values
it is given) with the limits of :mod:`tui.engine.limits` on top:

- ``**``, ``*``, ``+`` and ``%`` are intercepted: a power with a large exponent, an integer
  of more than ``MAX_EXPRESSION_INT_DIGITS`` digits, a text or list of more than
  ``MAX_EXPRESSION_SIZE`` is refused before it is made (``'a' * 10**10``,
  ``10 ** (10 ** 8)``, ``(1,) * 10**9``); ``~`` (joining texts) likewise;
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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, overload

from jinja2 import Template
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.exceptions import SecurityError
from jinja2.nodes import Concat
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import generate_lorem_ipsum

from tui.engine import limits

_MAX_SIZE = limits.MAX_EXPRESSION_SIZE
#: Bits of the largest integer an expression may make (``MAX_EXPRESSION_INT_DIGITS``).
_MAX_BITS = int(limits.MAX_EXPRESSION_INT_DIGITS * 3.33) + 1
#: A width or precision in a format of five digits or more, or one given by ``*``.
_WIDE_PERCENT = re.compile(r"%[^%a-zA-Z]*?(\*|\d{5,})")
_WIDE_SPEC = re.compile(r"\d{5,}|[{*]")


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


def tick() -> None:
    """Stop the evaluation if its time is up."""
    b = _BUDGET.get()
    if b is not None and time.monotonic() > b.deadline:
        raise LimitError(f"вычисляется дольше {b.seconds:g} с: остановлено")


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
        if size is not None and isinstance(times, int) and size * times > _MAX_SIZE:
            raise LimitError(f"значение длиннее {_MAX_SIZE} элементов")
    if isinstance(left, int) and isinstance(right, int):
        if left.bit_length() + right.bit_length() > _MAX_BITS + 1:
            raise LimitError(f"число длиннее {limits.MAX_EXPRESSION_INT_DIGITS} цифр")


def check_percent_format(fmt: Any) -> None:
    """Refuse a ``%`` format padding to a huge width (``'%0999999999d'``)."""
    if isinstance(fmt, str) and "%" in fmt and _WIDE_PERCENT.search(fmt):
        raise LimitError("слишком большая ширина в формате")


def check_str_format(fmt: str) -> None:
    """Refuse a ``str.format`` pattern padding to a huge width (``'{:>999999999}'``)."""
    try:
        fields = list(string.Formatter().parse(fmt))
    except ValueError:
        return  # a malformed pattern: format() itself says so
    for _, _, spec, _ in fields:
        if spec and _WIDE_SPEC.search(spec):
            raise LimitError("слишком большая ширина в формате")


def check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse what ``left operator right`` would make too large, before making it."""
    if operator == "**":
        _check_power(left, right)
    elif operator == "*":
        _check_repeat(left, right)
    elif operator == "+":
        sizes = (_size_of(left), _size_of(right))
        if None not in sizes and sum(s or 0 for s in sizes) > _MAX_SIZE:
            raise LimitError(f"значение длиннее {_MAX_SIZE} элементов")
    elif operator == "%":
        check_percent_format(left)


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


def _check_method_call(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    owner = getattr(obj, "__self__", None)
    if not isinstance(obj, types.BuiltinMethodType) or not isinstance(owner, str | bytes | int):
        return
    name = obj.__name__
    if name in _SIZED_METHODS:
        _check_widths((*args, *kwargs.values()))
    elif name == "replace" and isinstance(owner, str) and len(args) >= 2:
        _check_replace(owner, args[0], args[1])


def _check_widths(values: Sequence[Any]) -> None:
    if any(isinstance(v, int) and v > _MAX_SIZE for v in values):
        raise LimitError(f"ширина больше {_MAX_SIZE}")


def _check_replace(text: Any, old: Any, new: Any) -> None:
    if not all(isinstance(v, str) for v in (text, old, new)):
        return
    found = text.count(old) if old else len(text) + 1
    if len(text) + found * max(0, len(new) - len(old)) > _MAX_SIZE:
        raise LimitError(f"значение длиннее {_MAX_SIZE} элементов")


def _guard_filter(f: Callable[..., Any], check: Callable[[tuple[Any, ...], dict[str, Any]], None]) -> Any:
    @functools.wraps(f)  # keeps Jinja's pass_context / pass_eval_context marks
    def guarded(*args: Any, **kwargs: Any) -> Any:
        tick()
        check(args, kwargs)
        return checked(f(*args, **kwargs))

    return guarded


def _after_value(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """A filter's arguments after the value it filters (and the context Jinja passes)."""
    from jinja2.nodes import EvalContext
    from jinja2.runtime import Context

    i = 0
    while i < len(args) and isinstance(args[i], EvalContext | Context | SafeEnvironment):
        i += 1
    return args[i + 1:]


def _widths(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    _check_widths((*_after_value(args), *kwargs.values()))


def _format_filter(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    if args:
        check_percent_format(args[0])


def _replace_filter(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    rest = [a for a in args if isinstance(a, str)]
    if len(rest) >= 3:
        _check_replace(*rest[:3])


_FILTER_CHECKS = {
    "center": _widths, "indent": _widths, "batch": _widths, "slice": _widths,
    "tojson": _widths, "wordwrap": _widths, "truncate": _widths,
    "format": _format_filter, "replace": _replace_filter,
}


def _finalize(value: Any) -> Any:
    """Every ``{{ … }}`` written: check the time and how much has been written."""
    b = _BUDGET.get()
    if b is not None:
        tick()
        b.written += len(value) if isinstance(value, str) else 20
        if b.written > limits.MAX_RENDERED_TEXT:
            raise LimitError(f"текст длиннее {limits.MAX_RENDERED_TEXT} знаков")
    return value


def _before(first: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """:func:`_finalize` after ``first``."""

    def finalize(value: Any) -> Any:
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
        for name, check in _FILTER_CHECKS.items():
            self.filters[name] = _guard_filter(self.filters[name], check)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        tick()
        check_binop(operator, left, right)
        return checked(self.binop_table[operator](left, right))

    def call(self, context: Any, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        tick()
        _check_method_call(obj, args, kwargs)
        return checked(super().call(context, obj, *args, **kwargs))

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
        pattern = value.__self__

        def bounded(*args: Any, **kwargs: Any) -> str:
            check_str_format(pattern)
            return checked(fmt(*args, **kwargs))  # type: ignore[no-any-return]

        return bounded

    def join_texts(self, parts: Sequence[Any]) -> str:
        """``a ~ b``: the texts joined, within the size limit."""
        tick()
        text = "".join(str(p) for p in parts)
        return checked(text)  # type: ignore[no-any-return]
