"""YAML loading that remembers where every mapping and key came from.

Static checks and answer-file errors name ``file:line``; plain PyYAML forgets lines, so
mappings load as :class:`SrcDict` and sequences as :class:`SrcList`, each carrying the
line of its node and of each key.

A file is read only up to its size limit, and its shape is bounded before anything is
built from it (:data:`~tui.engine.limits.MAX_YAML_DEPTH` levels,
:data:`~tui.engine.limits.MAX_YAML_NODES` elements counting each ``*reference`` again), so
neither a huge file nor a deeply nested or self-multiplying one exhausts the program.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from tui.engine import limits


class SrcDict(dict[str, Any]):
    """A mapping from YAML with ``line`` (1-based) and ``key_lines``."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line) if hasattr(self, "key_lines") else self.line


class SrcList(list[Any]):
    """A sequence from YAML with ``line`` and the line of each item."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        lines = getattr(self, "item_lines", [])
        return lines[index] if 0 <= index < len(lines) else self.line


class YamlError(Exception):
    """A file that is not valid YAML; ``line`` is 1-based (0 when unknown)."""

    def __init__(self, path: Path | str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = str(path)
        self.line = line
        self.message = message


# libyaml's parser (when PyYAML has it) is about ten times faster than the pure-Python one
# and reports the same marks; the constructors below are ours either way. The type checker
# sees SafeLoader: CSafeLoader differs only in its parser (same SafeConstructor, Resolver).
if TYPE_CHECKING:
    _Base = yaml.SafeLoader
else:
    _Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _ShapeError(Exception):
    """A document nested too deeply or with too many elements; ``line`` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _check_shape(root: yaml.Node) -> None:
    """Refuse a document past the nesting and size limits, walking it without recursion
    (an alias is walked again each time it is used: that is what building it would cost)."""
    todo: list[tuple[yaml.Node, int]] = [(root, 1)]
    count = 0
    while todo:
        node, depth = todo.pop()
        count += 1
        line = node.start_mark.line + 1
        if depth > limits.MAX_YAML_DEPTH:
            raise _ShapeError(
                line, f"слишком глубокая вложенность: больше {limits.MAX_YAML_DEPTH} уровней"
            )
        if count > limits.MAX_YAML_NODES:
            raise _ShapeError(
                line,
                f"слишком много элементов: больше {limits.MAX_YAML_NODES} "
                "(считая каждое повторение по ссылке *)",
            )
        if isinstance(node, yaml.SequenceNode):
            todo.extend((child, depth + 1) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                todo.append((key, depth + 1))
                todo.append((value, depth + 1))


class _Loader(_Base):
    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        _check_shape(node)
        return self.construct_document(node)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> SrcDict:
    loader.flatten_mapping(node)
    result = SrcDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"ключ «{key}» повторяется", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> SrcList:
    result = SrcList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> Any:
    """A date such as 1990-02-31 that does not exist stays text, for a readable message."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> Any:
    """A number longer than :data:`~tui.engine.limits.MAX_YAML_NUMBER_CHARS` stays text:
    what reads it then says it is too long, instead of Python refusing to convert it."""
    text = loader.construct_scalar(node)
    if isinstance(text, str) and len(text) > limits.MAX_YAML_NUMBER_CHARS:
        return text
    return yaml.SafeLoader.construct_yaml_int(loader, node)


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


# The parser's most common complaints, said so that a script editor knows what to fix.
# libyaml and the pure-Python parser word some of them differently; both map here.
_EXPLAINED = (
    (re.compile(r"mapping values are not allowed"),
     "двоеточие внутри текста без кавычек: возьмите текст в кавычки"),
    (re.compile(r"tab character|character '\\t'"), "табуляция в отступе: делайте отступы пробелами"),
    (re.compile(r"could not find expected ':'"), "ожидалось «ключ: значение» (нет двоеточия?)"),
    (re.compile(r"expected <block end>|expected <block mapping start>|did not find expected key"),
     "неверный отступ: элементы одного уровня должны начинаться в одном столбце"),
    (re.compile(r"did not find expected '-' indicator|expected '-'"),
     "неверный отступ в списке: каждый элемент начинается с «- » в одном столбце"),
    (re.compile(r"found unexpected end of stream|unexpected end of stream"),
     "файл обрывается: не закрыты кавычки или скобки"),
    (re.compile(r"expected ',' or '\]'|expected ',' or ']'"), "не закрыта квадратная скобка «]»"),
    (re.compile(r"expected ',' or '}'"), "не закрыта фигурная скобка «}»"),
    (re.compile(r"expected the node content, but found"), "нет значения: не закрыты скобки?"),
    (re.compile(r"maximum nesting depth"),
     f"слишком глубокая вложенность: больше {limits.MAX_YAML_DEPTH} уровней"),
)


def explain(problem: str, source_line: str = "") -> str:
    """The parser's complaint in words a script editor can act on, the original in brackets."""
    indent = source_line[: len(source_line) - len(source_line.lstrip())]
    if "\t" in indent:
        return f"табуляция в отступе: делайте отступы пробелами ({problem})"
    for pattern, text in _EXPLAINED:
        if pattern.search(problem):
            return f"{text} ({problem})"
    return problem


def load_text(text: str, path: Path | str = "<text>") -> Any:
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except _ShapeError as exc:
        raise YamlError(path, exc.line, exc.message) from None
    except RecursionError:  # the pure-Python parser, on nesting deeper than it can follow
        raise YamlError(path, 0, "слишком глубокая вложенность") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        lines = text.splitlines()
        source_line = lines[mark.line] if mark and mark.line < len(lines) else ""
        what = explain(exc.problem or exc.context or "ошибка разбора", source_line)
        raise YamlError(path, line, f"это не YAML: {what}") from exc
    except yaml.YAMLError as exc:
        raise YamlError(path, 0, f"это не YAML: {exc}") from exc


def read_limited(path: Path | str, max_bytes: int) -> str:
    """The text of a UTF-8 file of at most ``max_bytes``; a larger one (``/dev/zero``, a
    10 GB log) is refused after reading one byte past the limit."""
    p = Path(path)
    try:
        with p.open("rb") as f:
            data = f.read(max_bytes + 1)
    except OSError as exc:
        raise YamlError(p, 0, f"файл не читается: {exc.strerror or exc}") from exc
    if len(data) > max_bytes:
        raise YamlError(p, 0, f"файл слишком большой: больше {_size(max_bytes)}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlError(p, 0, "файл не в кодировке UTF-8") from exc


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} МБ" if n % (1024 * 1024) == 0 else f"{n} байт"


def load_file(path: Path | str, max_bytes: int = limits.MAX_SCRIPT_FILE_BYTES) -> Any:
    return load_text(read_limited(path, max_bytes), Path(path))
