"""Layering: the engine, store and rendering never import Textual; no module or class grows
into a bag of unrelated jobs. (`lint-imports` checks every arrow between the parts.)"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

TUI = Path(__file__).resolve().parents[1] / "tui"
#: The parts that must work without a user interface.
CORE = [TUI / "engine", TUI / "store", TUI / "render"]
MAX_MODULE_LINES = 600
MAX_CLASS_LINES = 400


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
        for p in sorted(p for part in CORE for p in part.rglob("*.py"))
    }
    assert len(offenders) > 20  # the parts were found
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


def test_no_module_over_600_lines_and_no_class_over_400():
    modules = sorted(TUI.rglob("*.py"))
    too_long = {str(p.relative_to(TUI)): n for p in modules
                if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    classes = {}
    for p in modules:
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
                classes[f"{p.relative_to(TUI)}:{node.name}"] = node.end_lineno - node.lineno + 1
    assert too_long == {}
    assert {k: n for k, n in classes.items() if n > MAX_CLASS_LINES} == {}
    assert len(classes) > 50  # the classes were found
