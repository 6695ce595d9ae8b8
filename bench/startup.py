"""Time from launch to the first question on screen, beside a minimal Textual app.

Each run is a fresh process (``python -c``), timed by this script from spawn until the
child reports a milestone on stdout:

* baseline: a minimal Textual app (one Label) has its first screen laid out;
* sobesednik: the start screen is up (scripts loaded and checked, store opened);
* sobesednik: «Новое интервью» taken and the first question is on screen.

Apps run headless (no terminal), the same for both. Prints medians and ratios to the
baseline measured in the same run.

    python bench/startup.py [--runs 9]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MINIMAL = """
from textual.app import App
from textual.widgets import Label

class Minimal(App):
    def compose(self):
        yield Label("Вопрос 1 из 8")

async def pilot(p):
    await p.pause()
    print("ready", flush=True)
    p.app.exit()

Minimal().run(headless=True, size=(80, 24), auto_pilot=pilot)
"""

SOBESEDNIK = """
import sys
from datetime import date
from tui.engine.loader import load_bundle_or_raise
from tui.store.store import Store
from tui.paths import scripts_dir
from tui.app.app import SobesednikApp

bundle = load_bundle_or_raise([scripts_dir()], reachability=False)  # as `sobesednik` does
app = SobesednikApp(bundle, Store(sys.argv[1]), today=date(2026, 11, 27))

async def pilot(p):
    await p.pause()
    print("start", flush=True)
    p.app.new_interview()
    await p.pause()
    assert type(p.app.screen).__name__ == "QuestionScreen", p.app.screen
    print("question", flush=True)
    p.app.exit()

app.run(headless=True, size=(80, 24), auto_pilot=pilot)
"""


def run_once(code: str, *args: str) -> dict[str, float]:
    """Seconds from spawn to each milestone line the child prints."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT
    )
    marks: dict[str, float] = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        marks[line.strip()] = time.perf_counter() - start
    if proc.wait() != 0:
        raise SystemExit(f"benchmark child failed with exit code {proc.returncode}")
    return marks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    samples: dict[str, list[float]] = {
        "minimal Textual app: first screen (baseline)": [],
        "sobesednik: start screen": [],
        "sobesednik: first question on screen": [],
    }
    names = list(samples)
    with tempfile.TemporaryDirectory() as data:
        run_once(SOBESEDNIK, data)  # warm the file cache and bytecode, not measured
        run_once(MINIMAL)
        for _ in range(args.runs):  # interleaved, so machine noise hits both alike
            samples[names[0]].append(run_once(MINIMAL)["ready"])
            marks = run_once(SOBESEDNIK, data)
            samples[names[1]].append(marks["start"])
            samples[names[2]].append(marks["question"])
    base = statistics.median(samples[names[0]])
    print(f"python {sys.version.split()[0]}, {args.runs} runs each, headless 80x24")
    print(f"{'milestone':46} {'median ms':>10} {'min ms':>8} {'× baseline':>11}")
    for name, values in samples.items():
        med = statistics.median(values)
        print(f"{name:46} {med * 1000:10.0f} {min(values) * 1000:8.0f} {med / base:11.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
