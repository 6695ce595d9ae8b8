"""The plan as JSON, for other systems: the plan value itself.

The document is :func:`tui.engine.plan_value.plan_value` of one copy, written as UTF-8
JSON (Cyrillic as it is, not ``\\u`` escapes), indented, its keys in the order the value
builds them, ending with a line break. Its ``schema`` (``sobesednik.plan/1``) names the
layout: ``docs/plan.md`` lists every field, its type and what it means; a field is never
renamed or given another meaning under the same schema id. Nothing is escaped for a
format: JSON's own string escaping keeps every answer a string.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def render_json(value: Mapping[str, Any]) -> bytes:
    """The plan value ``value`` as a JSON document (bytes, UTF-8)."""
    return (json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False) + "\n").encode("utf-8")
