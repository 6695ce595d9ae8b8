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
- constant parts that make a value past the size limits (``'a' * 10**10``, ``range(10**9)``);
- in texts: ``include``, ``import``, ``extends``, ``block``, ``macro`` and ``call`` (a
  script's text stands alone), and ``for`` loops nested deeper than
  :data:`~tui.engine.limits.MAX_LOOP_NESTING`.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from jinja2 import nodes
from jinja2.sandbox import _mutable_spec

from tui.engine import limits
from tui.engine.sandbox import LimitError, check_binop, checked, safe_range

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
_STATEMENTS = {
    nodes.Include: "include", nodes.Import: "import", nodes.FromImport: "from … import",
    nodes.Extends: "extends", nodes.Block: "block", nodes.Macro: "macro",
    nodes.CallBlock: "call",
}
_BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "**": operator.pow, "*": operator.mul, "+": operator.add, "-": operator.sub,
    "%": operator.mod, "/": operator.truediv, "//": operator.floordiv,
}


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
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        return _attribute_refusal(node.arg.value)
    if isinstance(node, nodes.Call):
        return _call_refusal(node)
    if isinstance(node, nodes.Filter) and node.name in _ATTRIBUTE_FILTERS:
        args = [*node.args, *(kw.value for kw in node.kwargs)]
        texts = [a.value for a in args if isinstance(a, nodes.Const)]
        return next((w for w in map(_attribute_refusal, texts) if w), None)
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


def _call_refusal(node: nodes.Call) -> str | None:
    if isinstance(node.node, nodes.Getattr) and node.node.attr in MUTATING_METHODS:
        return (
            f"«.{node.node.attr}(…)» меняет значение, а выражения только читают: "
            "используйте фильтры (| sort, | reject, …) или новое значение"
        )
    if isinstance(node.node, nodes.Name) and node.node.name == "range":
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
    if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name) and node.node.name == "range":
        if node.kwargs or node.dyn_args or node.dyn_kwargs:
            raise _NotConstant
        return safe_range(*(_constant(a) for a in node.args))
    raise _NotConstant
