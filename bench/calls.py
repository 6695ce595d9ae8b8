"""``sobesednik calls`` over a store of N interviews: the time to list whom to phone.

The store is ``bench/store.py``'s (its people, interview dates spread over three years, 10 %
drafts, 15 % returning clients), and each completed interview is given the plan value a
real plan has: the pensioner replay case's value (``tests/replays/pensioner.yaml``, the
centre's copy, about 6 KB), its dates moved by as much as the interview's date differs from
the case's. The files are written in bulk, as the Store writes them.

Each round times, interleaved: reading every interview as ``calls`` reads it
(``tui.store.records.records``: the baseline) and the whole list
(:func:`tui.store.reminders.calls`) for the next working day after a calling day in the
store's last month, and for the next 10 working days. Medians over the rounds; then the
command itself, once, as a process (start-up included).

Measured for issue 12 on 2 cores (load about 0.4), 10,000 interviews of 12 KB: reading
every file 1.41 s; calls for the next working day 0.38 s (most files are not parsed: their
bytes name no day of the window), for 10 working days 0.61 s; the command as a process
0.89 s.

    python bench/calls.py [--n 10000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import store as bench_store  # noqa: E402  (bench/store.py: people, files as the Store writes them)

from tui.cli.calls import window  # noqa: E402
from tui.engine.loader import load_bundle_or_raise  # noqa: E402
from tui.engine.plan import build_plan  # noqa: E402
from tui.engine.plan_value import plan_value  # noqa: E402
from tui.engine.replay import replay  # noqa: E402
from tui.paths import scripts_dir  # noqa: E402
from tui.store.files import dump_json  # noqa: E402
from tui.store.layout import interview_files  # noqa: E402
from tui.store.records import records  # noqa: E402
from tui.store.reminders import calls  # noqa: E402
from tui.store.store import Store  # noqa: E402

CASE = ROOT / "tests" / "replays" / "pensioner.yaml"


def base_value() -> tuple[dict[str, Any], date]:
    bundle = load_bundle_or_raise([scripts_dir()])
    result = replay(bundle, CASE)
    plan = build_plan(result.interview, {"mode": "inspector"})
    return plan_value(plan, "centre"), plan.today


def moved(value: dict[str, Any], days: int) -> dict[str, Any]:
    """``value`` with every date moved by ``days``."""
    def shift(text: Any) -> Any:
        if not isinstance(text, str):
            return text
        return (date.fromisoformat(text) + timedelta(days=days)).isoformat()

    out = json.loads(json.dumps(value))
    out["visits"] = [shift(d) for d in out["visits"]]
    out["review_date"] = shift(out["review_date"])
    for m in out["measures"]:
        m["deadline"] = shift(m["deadline"])
    for e in out["events"]:
        e["date"] = shift(e["date"])
    return out


def add_values(root: Path, value: dict[str, Any], case_day: date) -> tuple[int, date]:
    """Give each completed interview the case's value moved to its date; how many, and
    the latest interview date."""
    n, latest = 0, date.min
    for path in interview_files(root):
        data = json.loads(path.read_text("utf-8"))
        header = data["interview"]["1"]
        day = date.fromisoformat(header["interview_date"])
        latest = max(latest, day)
        if header.get("status") != "complete":
            continue
        data["plans"]["1"]["value"] = moved(value, (day - case_day).days)
        path.write_text(dump_json(data), "utf-8")
        n += 1
    return n, latest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sobesednik-bench-calls-", dir="/tmp") as tmp:
        t0 = time.perf_counter()
        data = bench_store.populate(args.n, Path(tmp), args.seed, baseline=False)
        value, case_day = base_value()
        with_value, latest = add_values(data.store_root, value, case_day)
        size = sum(p.stat().st_size for p in interview_files(data.store_root))
        print(f"{args.n:,} interviews ({with_value:,} completed with a plan value), "
              f"{size / args.n / 1024:.1f} KB a file, built in {time.perf_counter() - t0:.0f} s")
        first, last = window(latest - timedelta(days=20), 1)
        store = Store(data.store_root)
        read_t, calls_t = [], []
        found = None
        for _ in range(args.rounds):
            t = time.perf_counter()
            sum(1 for _ in records(store))
            read_t.append(time.perf_counter() - t)
            t = time.perf_counter()
            found = calls(store, first, last)
            calls_t.append(time.perf_counter() - t)
        store.close()
        assert found is not None
        read_m, calls_m = statistics.median(read_t), statistics.median(calls_t)
        print(f"reading every interview: {read_m:.2f} s ({args.n / read_m:,.0f} a second)")
        print(f"calls for {first:%d.%m.%Y}: {calls_m:.2f} s ({args.n / calls_m:,.0f} interviews a second), "
              f"{len(found.calls)} calls; x{calls_m / read_m:.2f} of reading")
        store = Store(data.store_root)
        long_first, long_last = window(latest - timedelta(days=20), 10)
        long_t = []
        for _ in range(args.rounds):
            t = time.perf_counter()
            wide = calls(store, long_first, long_last)
            long_t.append(time.perf_counter() - t)
        store.close()
        print(f"calls for 10 working days ({long_first:%d.%m}–{long_last:%d.%m.%Y}): "
              f"{statistics.median(long_t):.2f} s, {len(wide.calls)} calls")
        t = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "tui", "calls", "--data-dir", str(data.store_root),
                               "--date", (first - timedelta(days=1)).strftime("%d.%m.%Y"), "--csv"],
                              capture_output=True, text=True, cwd=ROOT, check=False)
        wall = time.perf_counter() - t
        print(f"sobesednik calls --csv as a process: {wall:.2f} s, exit {done.returncode}, "
              f"{len(done.stdout.splitlines()) - 1} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
