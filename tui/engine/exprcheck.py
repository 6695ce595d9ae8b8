"""What an expression or a text of a script may not do, found when the script loads.

The sandbox (:mod:`tui.engine.sandbox`) refuses these at run time; finding them at load
means ``sobesednik check`` names them with ``file:line`` and a script never starts an
interview with an expression that would fail in it (a measure silently left out of a
plan, «текст не вычисляется» in a client's document):

- nesting deeper than :data:`~tui.engine.limits.MAX_EXPRESSION_DEPTH`;
- private and internal attributes (``x.__class__``, ``x['__class__']``,
  ``attr('__class__')``);
- methods that change a value (``groups.append(…)``, ``params.update(…)``): expressions
  only read;
- names built when the expression runs, which could name anything: an item key that is
  neither a constant nor read from a value (``x['__cl' ~ 'ass__']``; ``table[sex]`` and
  ``items[i - 1]`` are read), an attribute told to a filter that is not a constant
  (``attr('app' ~ 'end')``, ``map(attribute=x)``), a ``.format`` pattern built from parts;
  the attributes a constant ``.format`` pattern reads (``'{0.__class__}'``);
- constant parts that make a value past the size limits, its total included
  (``'a' * 10**10``, ``range(10**9)``, ``'%s' % ((['x' * 99999] * 99999),)``), or that run
  out of memory when folded;
- in texts: ``include``, ``import``, ``extends``, ``block``, ``macro`` and ``call`` (a
  script's text stands alone), and ``for`` loops nested deeper than
  :data:`~tui.engine.limits.MAX_LOOP_NESTING`.
"""

from __future__ import annotations

import operator
import re
import string
from collections.abc import Callable
from typing import Any

from jinja2 import nodes
from jinja2.sandbox import _mutable_spec

from tui.engine import limits
from tui.engine.sandbox import (
    LimitError,
    check_binop,
    check_method_call,
    check_str_format,
    checked,
    safe_range,
)

#: Methods of lists, dicts and sets that change them (Jinja's own list).
MUTATING_METHODS: frozenset[str] = frozenset().union(*(names for _, names in _mutable_spec))
#: Internal attributes of functions, generators, frames and types (besides ``_names``).
_INTERNAL = frozenset({
    "mro", "gi_frame", "gi_code", "gi_yieldfrom", "cr_frame", "cr_code", "cr_await",
    "ag_frame", "ag_code", "ag_await", "f_globals", "f_locals", "f_builtins", "f_code",
    "f_back", "tb_frame", "tb_next", "func_globals", "func_code", "im_func", "im_self",
})
#: Filters whose text argument names an attribute.
_ATTRIBUTE_FILTERS = frozenset({
    "attr", "map", "selectattr", "rejectattr", "sort", "groupby", "sum", "unique", "min",
    "max", "dictsort",
})
#: Where a filter is told the attribute it reads: its place after the value, its keyword.
_ATTRIBUTE_ARGUMENTS: dict[str, tuple[int | None, str | None]] = {
    "attr": (0, "name"), "map": (None, "attribute"), "selectattr": (0, None),
    "rejectattr": (0, None), "sort": (2, "attribute"), "groupby": (0, "attribute"),
    "sum": (0, "attribute"), "unique": (1, "attribute"), "min": (1, "attribute"),
    "max": (1, "attribute"),
}
#: Operators that never make a text of numbers (``items[i - 1]``).
_NUMBER_OPERATORS = frozenset({"-", "/", "//", "**"})
_COMPUTED_KEY = (
    "ключ в [ ] собирается при вычислении, и его нельзя проверить: пишите ключ прямо "
    "(x['name']) или берите его из значения (таблица[sex])"
)
_STATEMENTS = {
    nodes.Include: "include", nodes.Import: "import", nodes.FromImport: "from … import",
    nodes.Extends: "extends", nodes.Block: "block", nodes.Macro: "macro",
    nodes.CallBlock: "call",
}
_BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "**": operator.pow, "*": operator.mul, "+": operator.add, "-": operator.sub,
    "%": operator.mod, "/": operator.truediv, "//": operator.floordiv,
}
#: Methods of texts folded with constant arguments: those that can make a large text.
_FOLDED_METHODS = frozenset({"join", "format", "replace", "center", "ljust", "rjust", "zfill", "expandtabs"})


def depth(ast: nodes.Node) -> int:
    """How deep ``ast`` nests, counted without recursion."""
    best, todo = 0, [(ast, 1)]
    while todo:
        node, d = todo.pop()
        best = max(best, d)
        todo.extend((child, d + 1) for child in node.iter_child_nodes())
    return best


def refusal(ast: nodes.Node, template: bool = False) -> str | None:
    """Why the expression (or, with ``template``, the text) cannot run; ``None`` if it can."""
    if depth(ast) > limits.MAX_EXPRESSION_DEPTH:
        return f"слишком глубокая вложенность: больше {limits.MAX_EXPRESSION_DEPTH} уровней"
    todo: list[tuple[nodes.Node, int]] = [(ast, 0)]
    while todo:
        node, loops = todo.pop()
        why = _node_refusal(node, template, loops)
        if why is not None:
            return why
        loops += isinstance(node, nodes.For)
        todo.extend((child, loops) for child in node.iter_child_nodes())
    return None


def _node_refusal(node: nodes.Node, template: bool, loops: int) -> str | None:
    if isinstance(node, nodes.Getattr):
        return _attribute_refusal(node.attr)
    if isinstance(node, nodes.Getitem):
        return _key_refusal(node.arg)
    if isinstance(node, nodes.Call):
        return _call_refusal(node)
    if isinstance(node, nodes.Filter) and node.name in _ATTRIBUTE_FILTERS:
        dynamic = node.dyn_args is not None or node.dyn_kwargs is not None
        return _filter_refusal(node.name, node.args, node.kwargs, dynamic)
    if isinstance(node, nodes.BinExpr):
        return _size_refusal(node)
    if template:
        return _statement_refusal(node, loops)
    return None


def _attribute_refusal(name: Any) -> str | None:
    if not isinstance(name, str):
        return None
    for part in name.split("."):
        if part.startswith("_") or part in _INTERNAL:
            return f"обращение к «{part}» запрещено: выражения читают только ответы и параметры"
    return None


def _key_refusal(key: nodes.Node) -> str | None:
    """An item key is a constant, or read from a value (``table[sex]``, ``items[i - 1]``):
    one built when the expression runs (``x['__cl' ~ 'ass__']``) cannot be checked."""
    if isinstance(key, nodes.Const):
        return _attribute_refusal(key.value)
    return None if _is_read(key) else _COMPUTED_KEY


def _is_read(node: nodes.Node) -> bool:
    """Whether ``node`` reads a value (a name, its attributes and items, a slice, numbers
    counted from it) rather than building one."""
    if isinstance(node, nodes.Name | nodes.Slice):
        return True
    if isinstance(node, nodes.Const):
        return isinstance(node.value, int | float)
    if isinstance(node, nodes.Getattr | nodes.Getitem | nodes.Neg | nodes.Pos):
        return _is_read(node.node)
    if isinstance(node, nodes.BinExpr) and _is_read(node.left) and _is_read(node.right):
        numbers = any(isinstance(n, nodes.Const) for n in (node.left, node.right))
        return node.operator in _NUMBER_OPERATORS or numbers
    return False


def _filter_refusal(name: str, args: list[nodes.Expr], kwargs: list[Any], dynamic: bool) -> str | None:
    """A private attribute named to a filter, or a name it reads that is built when the
    expression runs (``attr('app' ~ 'end')``, ``map(attribute=x)``): that cannot be checked."""
    texts = [a.value for a in (*args, *(kw.value for kw in kwargs)) if isinstance(a, nodes.Const)]
    why = next((w for w in map(_attribute_refusal, texts) if w), None)
    if why is not None or name not in _ATTRIBUTE_ARGUMENTS:
        return why
    computed = (
        f"имя атрибута для «| {name}» собирается при вычислении, и его нельзя проверить: "
        "пишите имя прямо, в кавычках"
    )
    if dynamic:
        return computed
    if name == "map" and args:  # map('filter', …): what that filter is told
        if not isinstance(args[0], nodes.Const):
            return computed
        inner = args[0].value
        return _filter_refusal(inner, args[1:], kwargs, False) if inner in _ATTRIBUTE_ARGUMENTS else None
    at, key = _ATTRIBUTE_ARGUMENTS[name]
    named = [*(args[at:at + 1] if at is not None else []), *(kw.value for kw in kwargs if kw.key == key)]
    return None if all(isinstance(a, nodes.Const) for a in named) else computed


def _format_refusal(node: nodes.Node) -> str | None:
    """``'{0.__class__}'.format(x)``: the attributes a pattern reads; a pattern built from
    values when the expression runs cannot be checked."""
    try:
        pattern = _constant(node)
    except _NotConstant:
        return None if _is_read(node) else (
            "шаблон «.format» собирается при вычислении, и его нельзя проверить: пишите его прямо"
        )
    except (LimitError, ArithmeticError, TypeError, ValueError, MemoryError, RecursionError):
        return _size_refusal(node)
    if not isinstance(pattern, str):
        return None
    try:
        check_str_format(pattern)
        fields = [name for _, name, _, _ in string.Formatter().parse(pattern) if name]
    except LimitError as exc:
        return f"выражение выходит за ограничения: {exc}"
    except ValueError:
        return None  # a malformed pattern: format() says so when it runs
    parts = [part for name in fields for part in re.split(r"[.\[\]]", name)[1:]]
    return next((w for w in map(_attribute_refusal, parts) if w), None)


def _call_refusal(node: nodes.Call) -> str | None:
    if isinstance(node.node, nodes.Getattr) and node.node.attr in MUTATING_METHODS:
        return (
            f"«.{node.node.attr}(…)» меняет значение, а выражения только читают: "
            "используйте фильтры (| sort, | reject, …) или новое значение"
        )
    if isinstance(node.node, nodes.Name) and node.node.name == "range":
        return _size_refusal(node)
    if isinstance(node.node, nodes.Getattr) and node.node.attr in ("format", "format_map"):
        why = _format_refusal(node.node.node)
        if why is not None:
            return why
    if isinstance(node.node, nodes.Getattr) and node.node.attr in _FOLDED_METHODS:
        return _size_refusal(node)
    return None


def _statement_refusal(node: nodes.Node, loops: int) -> str | None:
    for kind, word in _STATEMENTS.items():
        if isinstance(node, kind):
            return f"в тексте сценария нельзя «{{% {word} %}}»: текст сценария самостоятелен"
    if isinstance(node, nodes.For) and loops >= limits.MAX_LOOP_NESTING:
        return f"циклы «for» вложены глубже {limits.MAX_LOOP_NESTING} уровней"
    return None


class _NotConstant(Exception):
    pass


def _size_refusal(node: nodes.Node) -> str | None:
    """Evaluate a part without names (``'a' * 10**10``) as the sandbox would."""
    try:
        _constant(node)
    except LimitError as exc:
        return f"выражение выходит за ограничения: {exc}"
    except MemoryError:
        return "выражение выходит за ограничения: не хватает памяти"
    except RecursionError:
        return "выражение выходит за ограничения: слишком глубокая вложенность"
    except (_NotConstant, ArithmeticError, TypeError, ValueError):
        pass  # depends on the answers, or fails at run time as an ordinary error
    return None


def _constant(node: nodes.Node) -> Any:
    if isinstance(node, nodes.Const):
        return node.value
    if isinstance(node, nodes.Tuple | nodes.List):
        items = [_constant(item) for item in node.items]
        return tuple(items) if isinstance(node, nodes.Tuple) else items
    if isinstance(node, nodes.Neg):
        return -_constant(node.node)
    if isinstance(node, nodes.BinExpr) and node.operator in _BINOPS:
        left, right = _constant(node.left), _constant(node.right)
        check_binop(node.operator, left, right)
        return checked(_BINOPS[node.operator](left, right))
    if isinstance(node, nodes.Call) and not (node.kwargs or node.dyn_args or node.dyn_kwargs):
        return _constant_call(node)
    raise _NotConstant


def _constant_call(node: nodes.Call) -> Any:
    """``range(…)`` or a text's method (``'x'.join(…)``) with constant arguments, folded."""
    if isinstance(node.node, nodes.Name) and node.node.name == "range":
        return safe_range(*(_constant(a) for a in node.args))
    if not isinstance(node.node, nodes.Getattr) or node.node.attr not in _FOLDED_METHODS:
        raise _NotConstant
    owner = _constant(node.node.node)
    if not isinstance(owner, str):
        raise _NotConstant
    method, args = getattr(owner, node.node.attr), tuple(_constant(a) for a in node.args)
    if node.node.attr == "format":
        check_str_format(owner, args)
    return checked(method(*check_method_call(method, args, {})))
