"""Replays per second of the mother interview: engine, groups and plan, in one process.

Prints medians over repeated rounds, and the ratio against a baseline measured in the
same run: reading the answers file alone (YAML parsing, which every replay must do).
«engine + groups» answers the questions one by one as the app does (each answer walks the
interview again); «groups from the stored answers» is what ``sobesednik reclassify`` does
for each interview: the answers as stored, one walk.

On the 2 shared cores of issue 11, the same hour: engine + groups 21-24 ms a replay (42-48
per second) before the two-stage walk, the kept groups and the cheaper evaluations, 5.2-5.3
ms (188-194 per second) after; the full replay 27-34 ms before, 13 ms after.

    python bench/replay.py [--rounds 7] [--per-round 50]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tui.engine.interview import Interview  # noqa: E402
from tui.engine.loader import load_bundle_or_raise  # noqa: E402
from tui.engine.plan import build_plan  # noqa: E402
from tui.engine.replay import read_answers_file, replay, replay_answers  # noqa: E402
from tui.paths import scripts_dir  # noqa: E402
from tui.render.markdown import render_plan  # noqa: E402

CASE = ROOT / "tests" / "replays" / "mother_own_business.yaml"


def timed(fn, n: int) -> float:
    """Seconds per call, averaged over ``n`` calls."""
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--per-round", type=int, default=50)
    args = parser.parse_args()

    t0 = time.perf_counter()
    bundle = load_bundle_or_raise([scripts_dir()])
    load_ms = (time.perf_counter() - t0) * 1000
    parsed = read_answers_file(CASE)
    today = parsed.date
    render_plan(build_plan(replay(bundle, CASE).interview))  # warm: compile the template once

    def baseline() -> None:
        read_answers_file(CASE)

    def engine_only() -> None:
        replay_answers(bundle, parsed, today)

    stored = replay_answers(bundle, parsed, today).interview.answers_json()

    def one_walk() -> None:
        Interview.from_json(bundle, today, stored).classification  # noqa: B018 - the walk

    def full() -> None:
        result = replay(bundle, CASE)
        render_plan(build_plan(result.interview, {"mode": "replay"}))

    rows = {"baseline: read answers file": baseline, "engine + groups": engine_only,
            "full replay: file, engine, groups, plan": full,
            "stored answers, one walk (memo warm)": one_walk}
    results: dict[str, list[float]] = {k: [] for k in rows}
    for _ in range(args.rounds):
        for name, fn in rows.items():  # interleaved, so noise hits all alike
            results[name].append(timed(fn, args.per_round))

    base = statistics.median(results["baseline: read answers file"])
    print(f"scripts loaded and checked once: {load_ms:.1f} ms")
    print(f"{'operation':44} {'median ms':>10} {'per s':>8} {'× baseline':>11}")
    for name, samples in results.items():
        med = statistics.median(samples)
        print(f"{name:44} {med * 1000:10.3f} {1 / med:8.0f} {med / base:11.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
