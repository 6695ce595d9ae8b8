"""``sobesednik reclassify`` over a store of N interviews: engine + groups, beside the time to
read the same interviews from the store.

The store (default 100,000 interviews) is built once and kept under ``--cache`` (default
``~/.cache/sobesednik-bench/reclassify-<N>``; a marker file says what it holds, and a store
built by other scripts or another version of this benchmark is built again). Its interviews
are the replay cases of ``tests/replays`` made into many clients: each takes a case's
answers, a new name and phone (``bench/store.py``'s people), an interview date up to three
years before the case's, every date answer moved by as much (the same ages and spans),
and its birth date moved by up to a year more (so that ages cross the groups' bounds);
its groups are the bundled scripts' result, stored as the app stores them, with the case's
plan as the issued plan. 10 % are drafts stopped at a random answer (those past the profile
have their groups confirmed), 3 % carry an inspector's override. The files are written in
bulk, byte for byte as the Store writes them (``bench/store.py``: ``write_interviews``,
checked against the Store at start-up), and the index is built by the Store.

Each round times, interleaved: reading every interview as ``reclassify`` reads it
(``tui.store.records.records``: the baseline), and the whole ``reclassify --dry-run`` pass
(the same reading, then engine + groups for each interview), with the engine + groups part
also timed on its own inside the pass. Medians over the rounds, rates per second and the
ratio to the baseline are printed, with what the pass found. ``--scripts DIR`` runs other
rules over the same store (a copy with a changed threshold shows changes).

    python bench/reclassify.py [--n 100000] [--rounds 3] [--cache DIR] [--scripts DIR]

On 2 cores: building 100,000 takes about 8 minutes (once; 1.7 GB); each round then about
3.5 minutes. Measured for issue 11 (load average about 1): engine + groups 979 interviews per
second of CPU, the whole pass 723 (701 by the clock: 2.4 minutes for 100,000), reading alone
3,608 per second.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import random
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import store as bench_store  # noqa: E402  (bench/store.py: people, files as the Store writes them)

from tui.engine.interview import Interview  # noqa: E402
from tui.engine.loader import load_bundle_or_raise  # noqa: E402
from tui.engine.model import Bundle  # noqa: E402
from tui.engine.replay import replay  # noqa: E402
from tui.paths import scripts_dir  # noqa: E402
from tui.store import reclassify  # noqa: E402
from tui.store.errors import DamagedFileError  # noqa: E402
from tui.store.reclassify import Run, check_store, regroup  # noqa: E402
from tui.store.records import records  # noqa: E402
from tui.store.store import Store  # noqa: E402

REPLAYS = ROOT / "tests" / "replays"
#: What the marker of a built store must say for it to be used again.
FORMAT = 1
OVERRIDE_SHARE = 0.03
YEARS_BACK = 3


@dataclass
class Case:
    """A replay case as the template of many interviews."""

    name: str
    today: date
    #: (question, value as stored) in the order asked.
    answers: list[tuple[str, Any]]
    profile: set[str]
    female: bool
    plan: str


def cases(bundle: Bundle) -> list[Case]:
    out = []
    profile = {q.id for q in bundle.profile.items()} if bundle.profile else set()
    for path in sorted(REPLAYS.glob("*.yaml")):
        iv = replay(bundle, path).interview
        plan = path.with_suffix(".plan.md").read_text(encoding="utf-8")
        out.append(Case(path.stem, iv.today, list(iv.answers_json().items()), profile,
                        iv.answers.get("sex") == "female", plan))
    return out


def moved(value: Any, days: int) -> Any:
    return (date.fromisoformat(value) - timedelta(days=days)).isoformat()


def variant(case: Case, person: bench_store.Person, shift: int, jitter: int,
            dates: set[str]) -> list[tuple[str, Any]]:
    """The case's answers for another client, ``shift`` days earlier (the birth date
    ``jitter`` days more)."""
    identity = {"last_name": person.last, "first_name": person.first, "middle_name": person.middle,
                "phone": person.phone}
    out = []
    for qid, value in case.answers:
        if qid in identity and value is not None:
            value = identity[qid]
        elif qid in dates and isinstance(value, str):
            value = moved(value, shift + (jitter if qid == "birth_date" else 0))
        out.append((qid, value))
    return out


def person_for(rng: random.Random, female: bool) -> bench_store.Person:
    while True:
        p = bench_store.make_person(rng)
        if p.female == female:
            return p


def one(rng: random.Random, bundle: Bundle, used: set[str], case: Case, dates: set[str]
        ) -> bench_store.Interview:
    shift = rng.randrange(YEARS_BACK * 365)
    jitter = rng.randrange(-365, 366)
    start = datetime.combine(case.today - timedelta(days=shift), datetime.min.time(), bench_store.TZ)
    start += timedelta(hours=9, seconds=rng.randrange(8 * 3600))
    person = person_for(rng, case.female)
    draft = rng.random() < bench_store.DRAFT_SHARE
    values = variant(case, person, shift, jitter, dates)
    iv = bench_store.make_interview(rng, used, draft, person, start, values)
    asked = {qid for qid, _, _ in iv.answers}
    if draft and not all(q in asked for q, _ in case.answers if q in case.profile):
        return iv  # stopped in the profile: no groups yet
    overrides = []
    if rng.random() < OVERRIDE_SHARE:
        overrides = [{"group": "long_unemployed", "action": "add", "reason": "По документам: справка",
                      "by": iv.inspector, "at": iv.answers[-1][2]}]
    answers = {qid: value for qid, value, _ in iv.answers}
    interview = Interview.from_json(bundle, date.fromisoformat(iv.interview_date), answers, overrides)
    results = interview.classification.results
    iv.computed = [r.id for r in results if r.computed_member]
    iv.overrides = overrides
    profile_end = max(at for qid, _, at in iv.answers if qid in case.profile)
    confirmed = datetime.fromisoformat(profile_end) + timedelta(seconds=20)
    iv.confirmed_at = confirmed.isoformat(timespec="seconds")
    if not draft:
        iv.groups = [r.to_json() for r in results]
        iv.plan = case.plan
    return iv


def build(root: Path, n: int, seed: int, bundle: Bundle) -> dict[str, Any]:
    """Write ``n`` interviews under ``root`` (a new store) and index them; what was built."""
    rng = random.Random(seed)
    templates = cases(bundle)
    dates = {q.id for q in bundle.questions().values() if q.type == "date"}
    Store(root).close()
    used: set[str] = set()
    t0 = time.perf_counter()
    written, batch = 0, []
    for k in range(n):
        batch.append(one(rng, bundle, used, rng.choice(templates), dates))
        if len(batch) == 2000 or k == n - 1:
            written += bench_store.write_interviews(root, batch)
            batch = []
            rate = (k + 1) / (time.perf_counter() - t0)
            print(f"\r  built {k + 1}/{n} ({rate:.0f}/s)", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    bench_store.build_index(root)
    return {"format": FORMAT, "n": n, "seed": seed, "bytes": written,
            "seconds": round(time.perf_counter() - t0, 1)}


def data_store(cache: Path, n: int, seed: int, bundle: Bundle) -> tuple[Path, dict[str, Any]]:
    root = cache / "store"
    marker = cache / "built.json"
    want = {"format": FORMAT, "n": n, "seed": seed}
    if marker.exists():
        made = json.loads(marker.read_text())
        if {k: made.get(k) for k in want} == want and root.is_dir():
            return root, made
    if root.exists():
        import shutil

        shutil.rmtree(root)
    cache.mkdir(parents=True, exist_ok=True)
    print(f"building a store of {n} interviews in {root} (kept for the next runs)", file=sys.stderr)
    made = build(root, n, seed, bundle)
    marker.write_text(json.dumps(made))
    return root, made


# ---------------------------------------------------------------------------- timing


def read_all(store: Store) -> int:
    return sum(1 for item in records(store) if not isinstance(item, DamagedFileError))


class EngineClock:
    """``regroup`` (engine + groups for one interview) with the CPU time it takes summed,
    put in the place ``check_store`` calls it from: one pass gives both figures."""

    def __init__(self) -> None:
        self.spent, self.count = 0.0, 0

    def __call__(self, bundle: Bundle, record: dict[str, Any]) -> Any:
        t = time.process_time()
        try:
            return regroup(bundle, record)
        finally:
            self.spent += time.process_time() - t
            self.count += 1


def full_pass(store: Store, bundle: Bundle, limit: int | None = None) -> tuple[Run, EngineClock]:
    """What ``reclassify --dry-run`` does (``check_store``), engine + groups timed inside."""
    clock = EngineClock()
    reclassify.regroup = clock  # type: ignore[assignment]
    run = Run()
    try:
        for _ in itertools.islice(check_store(store, bundle, run), limit):
            if limit is not None and run.checked >= limit:
                break
    finally:
        reclassify.regroup = regroup
    return run, clock


def timed(fn: Any) -> tuple[float, float, Any]:
    """CPU seconds of this process, wall seconds, and what ``fn`` gave. On a machine whose
    cores other work shares the CPU time is this work's own; the wall time is what a user
    waits."""
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    out = fn()
    return time.process_time() - cpu, time.perf_counter() - wall, out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=11)
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "sobesednik-bench"
    parser.add_argument("--cache", type=Path, default=cache)
    parser.add_argument("--scripts", type=Path, help="rules to check the store with (default: the bundled)")
    args = parser.parse_args()

    with __import__("tempfile").TemporaryDirectory() as tmp:
        bench_store.check_formats(Path(tmp))  # the bulk writer still writes what the Store writes
    built_with = load_bundle_or_raise([scripts_dir()])
    root, made = data_store(args.cache / f"reclassify-{args.n}", args.n, args.seed, built_with)
    bundle = load_bundle_or_raise([args.scripts]) if args.scripts else built_with
    store = Store(root)
    print(f"store: {root} — {made['n']} interviews, {made['bytes'] / 1e6:.0f} MB "
          f"(built in {made['seconds']:.0f} s); rules: {args.scripts or 'bundled scripts'}")
    full_pass(store, bundle, limit=2000)  # warm: every expression compiled once
    samples: dict[str, list[float]] = {"read": [], "pass": [], "engine": [], "read wall": [],
                                       "pass wall": []}
    run = Run()
    for _ in range(args.rounds):
        cpu, wall, count = timed(lambda: read_all(store))
        samples["read"].append(cpu / count)
        samples["read wall"].append(wall / count)
        cpu, wall, (run, clock) = timed(lambda: full_pass(store, bundle))
        seen = run.checked + run.skipped_count + len(run.damaged)
        samples["pass"].append(cpu / seen)
        samples["pass wall"].append(wall / seen)
        samples["engine"].append(clock.spent / clock.count)
    base = statistics.median(samples["read"])
    print(f"{'per interview, median of ' + str(args.rounds) + ' rounds (CPU time)':58} "
          f"{'ms':>7} {'per s':>8} {'× read':>7}")
    rows = (("baseline: read the interview from the store", "read"),
            ("reclassify --dry-run pass: read + engine + groups", "pass"),
            ("engine + groups alone (inside the pass)", "engine"))
    for label, key in rows:
        med = statistics.median(samples[key])
        print(f"{label:58} {med * 1000:7.3f} {1 / med:8.0f} {med / base:7.2f}")
    read_wall, pass_wall = statistics.median(samples["read wall"]), statistics.median(samples["pass wall"])
    print(f"wall clock: read {1 / read_wall:.0f} per s, the pass {1 / pass_wall:.0f} per s: "
          f"{pass_wall * made['n'] / 60:.1f} min for the {made['n']} interviews "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    why = Counter(run.skipped)
    print(f"found: checked {run.checked}, groups change for {run.changed}, skipped {run.skipped_count} "
          f"({'; '.join(f'{k}: {v}' for k, v in why.items()) or '—'}), unreadable {len(run.damaged)}")
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
