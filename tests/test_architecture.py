"""Layering: the engine, rules, store and rendering never import Textual."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "tui" / "core"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_core_module_imports_textual_or_the_app():
    offenders = {
        p.name: sorted(
            m for m in imported_modules(p) if m.split(".")[0] == "textual" or m.startswith("tui.app")
        )
        for p in sorted(CORE.glob("*.py"))
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_replaying_an_interview_loads_no_textual():
    code = (
        "import sys\n"
        "from tui.engine.replay import replay\n"
        "from tui.engine.plan import build_plan\n"
        "from tui.render.markdown import render_plan\n"
        "from tui.engine.loader import load_bundle_or_raise\n"
        "from tui.paths import scripts_dir\n"
        "b = load_bundle_or_raise([scripts_dir()])\n"
        "render_plan(build_plan(replay(b, 'tests/replays/mother_own_business.yaml').interview))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))\n"
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
