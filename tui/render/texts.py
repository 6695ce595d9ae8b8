"""The fixed texts of the plan's copies (``templates/plan/texts.yaml``): the client's rights
and duties, the words for who does a step and when, the signature lines. Data, not code:
the centre's staff edit them (or override the file in the centre's templates folder)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from tui.engine.yamlsrc import YamlError, load_file
from tui.render.templating import load_text_file

TEXTS_FILE = "plan/texts.yaml"

#: Every key the file has, with the keys inside it (``None``: a list of texts).
_SHAPE: Mapping[str, tuple[str, ...] | None] = {
    "rights": None,
    "duties": ("attend", "attend_home", "always"),
    "who": ("client", "centre", "both"),
    "when": ("interview", "interview_kiosk", "deadline", "always", "until_employed", "agreed"),
    "centre_when": ("interview", "interview_kiosk"),
    "visits": ("title", "title_home", "centre_title", "centre_title_home", "review"),
    "sign": ("client", "curator", "received", "date", "agreed", "agreed_centre"),
}


class TextsError(ValueError):
    """``texts.yaml`` is not as it should be: ``line`` (1-based, 0 when unknown) and what."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"{line}: {message}")
        self.line = line
        self.message = message


def _line(node: Any, key: str | int) -> int:
    try:
        return int(node.line_of(key))
    except (AttributeError, TypeError):
        return 0


def _texts(node: Any, where: str, line: int) -> list[str]:
    if not isinstance(node, list) or not all(isinstance(t, str) and t.strip() for t in node):
        raise TextsError(line, f"«{where}» — список непустых строк")
    return [t.strip() for t in node]


def _section(data: Mapping[str, Any], key: str, keys: tuple[str, ...] | None) -> Any:
    node = data.get(key)
    line = _line(data, key)
    if keys is None:
        return _texts(node, key, line)
    if not isinstance(node, dict):
        raise TextsError(line, f"«{key}» — нужны ключи {', '.join(keys)}")
    out: dict[str, Any] = {}
    for sub in keys:
        value = node.get(sub)
        if isinstance(value, list):
            out[sub] = _texts(value, f"{key}.{sub}", _line(node, sub))
        elif isinstance(value, str) and value.strip():
            out[sub] = value.strip()
        else:
            raise TextsError(_line(node, sub) or line, f"нет текста «{key}.{sub}»")
    return out


def read_texts(path: Path) -> dict[str, Any]:
    """``texts.yaml`` read and checked; :class:`TextsError` says the line and what is wrong."""
    try:
        data = load_file(path)
    except YamlError as exc:
        raise TextsError(exc.line, exc.message) from None
    if not isinstance(data, dict):
        raise TextsError(1, "файл — словарь разделов: " + ", ".join(_SHAPE))
    return {key: _section(data, key, keys) for key, keys in _SHAPE.items()}


@lru_cache(maxsize=8)
def _bundled_or_own(override: str | None) -> tuple[dict[str, Any], tuple[str, ...]]:
    warnings: list[str] = []
    texts = load_text_file(TEXTS_FILE, override, read_texts, warnings)
    return texts, tuple(warnings)


def plan_texts(override: Path | str | None = None, warnings: list[str] | None = None) -> dict[str, Any]:
    """The texts, read once per process per folder."""
    texts, said = _bundled_or_own(None if override is None else str(override))
    if warnings is not None:
        warnings.extend(said)
    return texts
