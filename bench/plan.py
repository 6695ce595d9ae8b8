"""Time per plan document for each format and copy, beside the Markdown baseline.

The plan of the three-group client (pre-pensioner, disabled, long unemployed: the largest
plan of the replay cases) is built once; each document is then rendered by
``render_document`` as ``sobesednik plan`` renders it. Prints, per format and copy, the
first rendering in this process (templates compiled, WeasyPrint's fonts loaded), the
median of the later ones over interleaved rounds, documents per second, and the ratio to
the baseline: the client's copy in Markdown, measured in the same run.

    python bench/plan.py [--rounds 5] [--seconds 0.3] [--formats md,pdf,...]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.render.office import META, OFFICE  # noqa: E402  (the details the format tests print)
from tui.engine.loader import load_bundle_or_raise  # noqa: E402
from tui.engine.plan import build_plan  # noqa: E402
from tui.engine.replay import replay  # noqa: E402
from tui.paths import scripts_dir  # noqa: E402
from tui.render.documents import FORMATS, render_document  # noqa: E402

CASE = ROOT / "tests" / "replays" / "combo_pre_pensioner_disabled_long_unemployed.yaml"
BASELINE = ("md", "client")


def timed(fn, seconds: float) -> float:
    """Seconds per call: calls repeated for at least ``seconds`` (at least one)."""
    n, start = 0, time.perf_counter()
    while True:
        fn()
        n += 1
        spent = time.perf_counter() - start
        if spent >= seconds:
            return spent / n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=0.3, help="at least this long per row and round")
    parser.add_argument("--formats", default=",".join(FORMATS))
    args = parser.parse_args()

    bundle = load_bundle_or_raise([scripts_dir()])
    plan = build_plan(replay(bundle, CASE).interview, META)
    formats = [f for f in args.formats.split(",") if f]
    rows = [(fmt, copy) for fmt in dict.fromkeys(["md", *formats]) for copy in ("client", "centre")]

    first: dict[tuple[str, str], float] = {}
    sizes: dict[tuple[str, str], int] = {}
    for row in rows:
        start = time.perf_counter()
        sizes[row] = len(render_document(plan, row[0], row[1], OFFICE).data)
        first[row] = time.perf_counter() - start

    samples: dict[tuple[str, str], list[float]] = {row: [] for row in rows}
    for _ in range(args.rounds):
        for row in rows:  # interleaved, so noise hits all alike
            samples[row].append(timed(lambda row=row: render_document(plan, row[0], row[1], OFFICE),
                                      args.seconds))

    base = statistics.median(samples[BASELINE])
    print(f"plan: {CASE.stem}, {len(plan.measures)} measures; {args.rounds} rounds")
    print(f"{'format':7} {'copy':7} {'bytes':>8} {'first ms':>9} {'median ms':>10} {'per s':>8} {'× md':>7}")
    for (fmt, copy), values in samples.items():
        med = statistics.median(values)
        print(f"{fmt:7} {copy:7} {sizes[(fmt, copy)]:8} {first[(fmt, copy)] * 1000:9.1f} "
              f"{med * 1000:10.2f} {1 / med:8.1f} {med / base:7.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
