"""Where the interview store stands at scale, beside plain single-file TinyDB.

For each N in ``--sizes`` two data sets with the same N interviews (≈3 KB of content each,
Cyrillic names and free text, 10 % of them unfinished) are written straight to disk, in
bulk and without fsync:

* store: the current :class:`tui.core.store.Store` layout, byte for byte as the Store
  writes it (checked at start-up against files the Store itself wrote): the index
  ``sobesednik.json`` plus ``interviews/<id>.json``;
* baseline: plain TinyDB, one file with the default ``JSONStorage``, one document per
  interview, one answer updated per save.

After one ``sync()`` every operation is timed through the public API of each, in rounds
that interleave the two systems (their order alternates between rounds), so machine noise
hits both alike. Each round runs every operation once on the baseline and up to 10 times
on the store (fewer when a store call is slow: the count comes from one warm-up call so
that the store's share of a round is no longer than the baseline's); the sample counts are
printed, and p99 is nearest-rank (the maximum at 100 samples or fewer). The page cache is warm: every
file was just written or read. Resident memory is measured in a separate process per
system (Python, TinyDB and the store, no UI) that opens the data and runs each operation
once, from ``/proc/self/status``.

    python bench/store.py [--sizes 1000,10000] [--rounds R]

``--sizes 100000`` works too: about 9 minutes on 2 cores and 2.5 GB of memory at peak, as
the baseline's every call then reads, and every save also rewrites, a 540 MB file.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tinydb import Query, TinyDB  # noqa: E402

from tui.core.store import SCHEMA_VERSION, SUMMARY_FIELDS, Store  # noqa: E402

TZ = datetime.now().astimezone().tzinfo
INSPECTORS = ("Петрова", "Иванова", "Сидоренко", "Кравец", "Морозова")
SCRIPTS = "interview 2026-11"
DRAFT_SHARE = 0.10
STORE_MAX_PER_ROUND = 10
TARGETS = "save ≤ 2 ms p99 and search ≤ 50 ms at 100,000 interviews; app memory under 100 MB"

SURNAMES = (
    "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов "
    "Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев "
    "Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв "
    "Сергеев Кузьмин Фролов Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов Поляков "
    "Сорокин Виноградов Ковалёв Белов Медведев Антонов Тарасов Жуков Баранов Филиппов Комаров "
    "Давыдов Беляев Герасимов Богданов Осипов Сидоров"
).split()
MALE = ("Александр Алексей Андрей Антон Артём Борис Вадим Валерий Василий Виктор Владимир "
        "Дмитрий Евгений Егор Иван Игорь Илья Кирилл Константин Максим Михаил Никита Николай "
        "Олег Павел Роман Сергей Степан Юрий Ярослав").split()
FEMALE = ("Анастасия Анна Валентина Валерия Вера Виктория Галина Дарья Екатерина Елена Инна "
          "Ирина Ксения Лариса Людмила Марина Мария Надежда Наталья Нина Оксана Ольга Полина "
          "Светлана София Татьяна Ульяна Юлия Яна Алёна").split()
PATRONYMS = ("Александров Алексеев Андреев Борисов Викторов Владимиров Дмитриев Евгеньев "
             "Иванов Игорев Михайлов Николаев Олегов Павлов Петров Сергеев Юрьев").split()
SENTENCES = (
    "Готова выйти на работу с понедельника, если найдётся место в детском саду.",
    "Ищет работу рядом с домом, дорога не больше сорока минут в одну сторону.",
    "Раньше работала продавцом-кассиром в сетевом магазине, уволилась по собственному желанию.",
    "Хотел бы пройти обучение на сварщика или электромонтёра за счёт службы занятости.",
    "Интересуется удалённой работой, есть свой ноутбук и устойчивый интернет.",
    "Нужен график с девяти до пятнадцати, после обеда забирает ребёнка из школы.",
    "Рассматривает открытие своего дела: пошив и ремонт одежды на дому.",
    "Опыт работы бухгалтером восемь лет, знает 1С, готова к переобучению.",
    "Просит помочь составить резюме и разместить его на портале «Работа России».",
    "Согласен на временную работу и общественные работы на период поиска.",
    "Есть водительское удостоверение категории B, стаж вождения двенадцать лет.",
    "Бабушка может сидеть с детьми два дня в неделю, остальные дни — только неполный день.",
    "Ограничения по здоровью: нельзя поднимать тяжести, противопоказана работа в ночную смену.",
    "Хочет консультацию психолога перед собеседованиями, волнуется после долгого перерыва.",
)
MODULE_TEXT = ("work_barriers_other", "schedule_limits", "expectations", "professional_interests",
               "business_idea", "study_direction")
#: The non-summary answer that every timed save changes (the per-answer save of the app).
PLAIN_QID = "desired_work"


# ---------------------------------------------------------------------------- content


def iso(t: datetime) -> str:
    return t.isoformat(timespec="seconds")


@dataclass
class Interview:
    """One interview's content, independent of how a system lays it out on disk."""

    id: str
    created_at: str
    interview_date: str
    inspector: str
    consent: dict[str, Any]
    answers: list[tuple[str, Any, str]]  # (question, value, at) in the order saved
    completed_at: str | None = None
    groups: list[dict[str, Any]] = field(default_factory=list)
    plan: str = ""

    @property
    def status(self) -> str:
        return "complete" if self.completed_at else "draft"

    def index_updated_at(self) -> str:
        """The index's ``updated_at``: set on create, on a summary answer, on complete."""
        if self.completed_at:
            return self.completed_at
        ats = [at for qid, _, at in self.answers if qid in SUMMARY_FIELDS]
        return ats[-1] if ats else self.created_at


def make_interview(rng: random.Random, used: set[str], draft: bool) -> Interview:
    start = datetime(2023, 12, 1, 9, 0, tzinfo=TZ) + timedelta(seconds=rng.randrange(3 * 365 * 86400))
    while True:
        iid = start.strftime("%Y%m%d-%H%M%S-") + f"{rng.getrandbits(24):06x}"
        if iid not in used:
            used.add(iid)
            break
    female = rng.random() < 0.6
    surname = rng.choice(SURNAMES) + ("а" if female else "")
    first = rng.choice(FEMALE if female else MALE)
    middle = None if rng.random() < 0.1 else rng.choice(PATRONYMS) + ("на" if female else "ич")
    born = date(1955, 1, 1) + timedelta(days=rng.randrange(50 * 365))
    children = rng.choice((0, 0, 1, 2, 3, 4))

    def text(n: int) -> str:
        return " ".join(rng.sample(SENTENCES, n))

    answers: list[tuple[str, Any]] = [
        ("consent_pd", True), ("last_name", surname), ("first_name", first), ("middle_name", middle),
        ("birth_date", born.isoformat()), ("sex", "female" if female else "male"),
        ("phone", f"+7 9{rng.randrange(10, 100)} {rng.randrange(100, 1000)}-"
                  f"{rng.randrange(10, 100)}-{rng.randrange(10, 100)}"),
        ("children_count", children),
        ("youngest_child_birth_date",
         (date(2014, 1, 1) + timedelta(days=rng.randrange(12 * 365))).isoformat() if children else None),
        ("education_level", rng.choice(("secondary", "secondary_vocational", "higher"))),
        ("graduation_date", (born + timedelta(days=rng.randrange(17 * 365, 25 * 365))).isoformat()),
        ("ever_worked", rng.random() < 0.9), ("currently_employed", rng.random() < 0.2),
        ("last_job_end_date", (date(2020, 1, 1) + timedelta(days=rng.randrange(6 * 365))).isoformat()),
        ("receives_old_age_pension", rng.random() < 0.1), ("northern_years", 0),
        ("insurance_years", rng.randrange(0, 40)), ("consent_health", True),
        ("disability_group", rng.choice(("none", "none", "none", "III", "II"))),
        ("released_from_custody_date", None), ("orphan_status", False),
        (PLAIN_QID, text(2)),
        ("salary_importance", rng.choice(("high", "medium", "low"))),
        ("desired_salary", rng.randrange(25, 90) * 1000),
        ("kindergarten", rng.choice(("attends", "waiting", "not_needed"))),
        ("relatives_help", rng.random() < 0.5),
        ("work_barriers", rng.sample(["childcare", "schedule", "transport", "skills", "health"], 2)),
        ("work_break", rng.choice(("under_1", "1_3", "over_3"))),
        ("chosen_path", rng.choice(("job", "training", "business"))),
        ("ready_to_study", rng.random() < 0.6), ("psychologist", rng.random() < 0.3),
        ("womens_club", rng.random() < 0.2),
    ] + [(qid, text(1)) for qid in MODULE_TEXT]
    if draft:
        answers = answers[: rng.randrange(1, len(answers))]
    inspector = rng.choice(INSPECTORS)
    t = start
    timed_answers = []
    for qid, value in answers:
        t += timedelta(seconds=rng.randrange(5, 40))
        timed_answers.append((qid, value, iso(t)))
    iv = Interview(
        id=iid, created_at=iso(start), interview_date=start.date().isoformat(), inspector=inspector,
        consent={"given": True, "at": iso(start), "recorded_by": inspector, "text_version": "2026-11",
                 "how": "подписано на бумаге", "categories": ["identity", "contacts", "family"]},
        answers=timed_answers,
    )
    if not draft:
        iv.completed_at = iso(t + timedelta(seconds=60))
        member = rng.sample(("mother_preschool", "long_unemployed", "youth", "disabled"), 1)[0]
        iv.groups = [{"id": member, "status": "in", "member": True}]
        iv.plan = f"# План содействия занятости\n\nКлиент: {surname} {first}. {text(2)}\n"
    return iv


# ---------------------------------------------------------------------------- on-disk formats


def store_dump(data: dict[str, Any]) -> bytes:
    """Exactly what ``AtomicJSONStorage.write`` puts in a file."""
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def store_interview_data(iv: Interview) -> dict[str, Any]:
    header: dict[str, Any] = {
        "id": iv.id, "schema_version": SCHEMA_VERSION, "interview_date": iv.interview_date,
        "scripts": SCRIPTS, "mode": "inspector", "status": iv.status, "created_at": iv.created_at,
        "updated_at": iv.completed_at or iv.created_at, "inspectors": [iv.inspector],
        "consent": iv.consent,
    }
    data: dict[str, Any] = {
        "interview": {"1": header},
        "answers": {
            str(i): {"question": qid, "value": value, "at": at, "by": iv.inspector}
            for i, (qid, value, at) in enumerate(iv.answers, 1)
        },
    }
    if iv.completed_at:
        header.update(completed_at=iv.completed_at, groups=iv.groups)
        data["plans"] = {"1": {"issued_at": iv.completed_at, "by": iv.inspector, "markdown": iv.plan}}
    return data


def store_index_entry(iv: Interview) -> dict[str, Any]:
    return {
        "id": iv.id, "status": iv.status, "created_at": iv.created_at,
        "updated_at": iv.index_updated_at(), "interview_date": iv.interview_date, "mode": "inspector",
        "client": {qid: value for qid, value, _ in iv.answers if qid in SUMMARY_FIELDS},
    }


def store_index_data(ivs: list[Interview], created_at: str) -> dict[str, Any]:
    return {
        "interviews": {str(i): store_index_entry(iv) for i, iv in enumerate(ivs, 1)},
        "meta": {"1": {"schema_version": SCHEMA_VERSION, "created_at": created_at}},
    }


def baseline_doc(iv: Interview) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": iv.id, "status": iv.status, "created_at": iv.created_at,
        "updated_at": iv.completed_at or iv.answers[-1][2], "interview_date": iv.interview_date,
        "scripts": SCRIPTS, "mode": "inspector", "inspectors": [iv.inspector], "consent": iv.consent,
        "answers": {qid: value for qid, value, _ in iv.answers},
    }
    if iv.completed_at:
        doc.update(completed_at=iv.completed_at, groups=iv.groups, plan=iv.plan)
    return doc


def baseline_dump(docs: list[dict[str, Any]]) -> bytes:
    """Exactly what TinyDB's default ``JSONStorage`` writes (``json.dumps`` with no options)."""
    return json.dumps({"_default": {str(i): d for i, d in enumerate(docs, 1)}}).encode("utf-8")


def write_new(path: Path, data: bytes) -> None:
    """Bulk population: no temporary file, no fsync (one ``sync()`` follows); mode 0600."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def check_formats(tmp: Path) -> None:
    """The bulk writers must produce the very bytes the Store and TinyDB write themselves."""
    rng = random.Random(7)
    for draft in (False, True):
        iv = make_interview(rng, set(), draft)
        root = tmp / f"check-{draft}"
        store = Store(root)
        iid = store.create_interview(
            interview_date=date.fromisoformat(iv.interview_date), scripts=SCRIPTS, mode="inspector",
            inspector=iv.inspector, consent=iv.consent,
        )
        for qid, value, _ in iv.answers:
            store.save_answer(iid, qid, value, iv.inspector)
        if not draft:
            store.complete(iid, groups=iv.groups, plan=iv.plan, by=iv.inspector)
        # Take the ids and clock readings the Store chose; the layout must then match exactly.
        written = (root / "interviews" / f"{iid}.json").read_bytes()
        raw = json.loads(written)
        header = raw["interview"]["1"]
        iv.id, iv.created_at = iid, header["created_at"]
        iv.completed_at = header.get("completed_at")
        iv.answers = [(a["question"], a["value"], a["at"])
                      for _, a in sorted(raw["answers"].items(), key=lambda kv: int(kv[0]))]
        if store_dump(store_interview_data(iv)) != written:
            raise SystemExit(f"bench/store.py is out of date: the Store's interview file changed ({draft=})")
        index = (root / "sobesednik.json").read_bytes()
        meta_created = json.loads(index)["meta"]["1"]["created_at"]
        if store_dump(store_index_data([iv], meta_created)) != index:
            raise SystemExit(f"bench/store.py is out of date: the Store's index changed ({draft=})")
        db_path = tmp / f"check-{draft}.tinydb.json"
        with TinyDB(db_path) as db:
            db.insert(baseline_doc(iv))
        if db_path.read_bytes() != baseline_dump([baseline_doc(iv)]):
            raise SystemExit("bench/store.py is out of date: TinyDB's JSONStorage format changed")


@dataclass
class DataSet:
    store_root: Path
    baseline_path: Path
    ids: list[str]
    names: list[tuple[str, str]]  # (last_name, first_name) per interview, as the store has it
    base_names: list[tuple[str, str]]  # the same, as the baseline has it (saves change both)
    female: list[bool]
    drafts: int
    store_bytes: int
    index_bytes: int
    baseline_bytes: int
    content_bytes: float
    seconds: float


def populate(n: int, work: Path, seed: int) -> DataSet:
    t0 = time.perf_counter()
    rng = random.Random(seed)
    used: set[str] = set()
    ivs = [make_interview(rng, used, rng.random() < DRAFT_SHARE) for _ in range(n)]
    root = work / "store"
    (root / "interviews").mkdir(mode=0o700, parents=True)
    os.chmod(root, 0o700)
    store_bytes = 0
    for iv in ivs:
        data = store_dump(store_interview_data(iv))
        store_bytes += len(data)
        write_new(root / "interviews" / f"{iv.id}.json", data)
    index = store_dump(store_index_data(ivs, ivs[0].created_at))
    write_new(root / "sobesednik.json", index)
    docs = [baseline_doc(iv) for iv in ivs]
    content = sum(len(json.dumps(d, ensure_ascii=False).encode("utf-8")) for d in docs[:2000])
    baseline_path = work / "baseline.json"
    base = baseline_dump(docs)
    write_new(baseline_path, base)
    names = []
    for iv in ivs:
        answers = {qid: value for qid, value, _ in iv.answers}
        names.append((answers.get("last_name") or "", answers.get("first_name") or ""))
    female = [dict((q, v) for q, v, _ in iv.answers).get("sex") == "female" for iv in ivs]
    ds = DataSet(
        store_root=root, baseline_path=baseline_path, ids=[iv.id for iv in ivs], names=names,
        base_names=list(names), female=female, drafts=sum(iv.status == "draft" for iv in ivs),
        store_bytes=store_bytes, index_bytes=len(index), baseline_bytes=len(base),
        content_bytes=content / min(n, 2000), seconds=0.0,
    )
    del ivs, docs, base, index
    gc.collect()
    os.sync()  # the bulk writes reach the disk now, not during the timed saves
    ds.seconds = time.perf_counter() - t0
    return ds


# ---------------------------------------------------------------------------- operations


def name_matches(client: dict[str, Any], last: str, first: str) -> bool:
    """Case-insensitive prefix match on last and first name (what a search box would do)."""
    return (str(client.get("last_name") or "").casefold().startswith(last)
            and str(client.get("first_name") or "").casefold().startswith(first))


def store_find(store: Store, last: str, first: str) -> list[dict[str, Any]]:
    """The current API has no search: read every summary, filter in Python."""
    return [s for s in store.summaries() if name_matches(s.get("client") or {}, last, first)]


def store_open(root: Path) -> list[dict[str, Any]]:
    return Store(root).summaries()


def base_summaries(db: TinyDB) -> list[dict[str, Any]]:
    return sorted(db.all(), key=lambda d: d.get("updated_at", ""), reverse=True)


def base_unfinished(db: TinyDB) -> list[dict[str, Any]]:
    db.clear_cache()  # a cached query would skip reading the file; every save clears it anyway
    docs = db.search(Query().status == "draft")
    return sorted(docs, key=lambda d: d.get("updated_at", ""), reverse=True)


def base_find(db: TinyDB, last: str, first: str) -> list[dict[str, Any]]:
    db.clear_cache()
    return db.search(Query().answers.test(lambda a: name_matches(a, last, first)))


def base_set_answer(db: TinyDB, doc_id: int, qid: str, value: Any) -> None:
    def transform(doc: dict[str, Any]) -> None:
        doc["answers"][qid] = value

    db.update(transform, doc_ids=[doc_id])


def base_open(path: Path) -> float:
    t0 = time.perf_counter()
    db = TinyDB(path)
    base_summaries(db)
    elapsed = time.perf_counter() - t0
    db.close()
    return elapsed


class Workload:
    """The values each timed call uses: random interviews, always-changing answers."""

    def __init__(self, ds: DataSet, seed: int) -> None:
        self.ds = ds
        self.rng = random.Random(seed)
        self.counter = 0

    def note(self) -> str:
        self.counter += 1
        return f"{self.rng.choice(SENTENCES)} Уточнено при повторном приёме, правка {self.counter}."

    def new_surname(self, i: int, current: str) -> str:
        while True:
            name = self.rng.choice(SURNAMES) + ("а" if self.ds.female[i] else "")
            if name != current:
                return name

    def pick(self) -> int:
        return self.rng.randrange(len(self.ds.ids))

    def target(self) -> tuple[int, str, str]:
        while True:
            i = self.pick()
            last, first = self.ds.names[i]
            if last and first:
                return i, last.casefold(), first.casefold()


def vm_status() -> dict[str, float]:
    """VmRSS and VmHWM (peak) of this process, in MB, from /proc/self/status."""
    out = {}
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(rest.split()[0]) / 1024
    return out


def probe(kind: str, path: str, seed: int) -> int:
    """Child process: open the data, run each operation once, report resident memory."""
    rng = random.Random(seed)
    if kind == "store":
        store = Store(path)
        summaries = store.summaries()
        some = rng.choice([s for s in summaries if (s.get("client") or {}).get("first_name")])
        store.save_answer(some["id"], PLAIN_QID, f"Проба памяти {seed}.", "Петрова")
        store.save_answer(some["id"], "last_name", f"Пробная{seed}", "Петрова")
        found = store_find(store, "проб", "")
        store.unfinished()
    else:
        db = TinyDB(path)
        docs = base_summaries(db)
        some = rng.choice([d for d in docs if d["answers"].get("first_name")])
        base_set_answer(db, some.doc_id, PLAIN_QID, f"Проба памяти {seed}.")
        base_set_answer(db, some.doc_id, "last_name", f"Пробная{seed}")
        found = base_find(db, "проб", "")
        base_unfinished(db)
    assert found, "the probe's own save must be found"
    print(json.dumps(vm_status()))
    return 0


def measure_memory(kind: str, path: Path, seed: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--probe", kind, str(path), str(seed)],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


# ---------------------------------------------------------------------------- measuring


def p99(samples: list[float]) -> float:
    """Nearest-rank 99th percentile: the maximum when there are 100 samples or fewer."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)]


def default_rounds(n: int) -> int:
    return 100 if n <= 1000 else 30 if n <= 10000 else 10 if n <= 30000 else 5


def run_size(n: int, rounds: int, seed: int) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix=f"sobesednik-bench-{n}-", dir="/tmp"))
    try:
        ds = populate(n, work, seed)
        store = Store(ds.store_root)
        db = TinyDB(ds.baseline_path)
        wl = Workload(ds, seed + 1)

        def save_plain(system: str) -> float:
            i, value = wl.pick(), wl.note()
            t0 = time.perf_counter()
            if system == "store":
                store.save_answer(ds.ids[i], PLAIN_QID, value, "Петрова")
            else:
                base_set_answer(db, i + 1, PLAIN_QID, value)
            return time.perf_counter() - t0

        def save_summary(system: str) -> float:
            i = wl.pick()
            names = ds.names if system == "store" else ds.base_names
            value = wl.new_surname(i, names[i][0])
            t0 = time.perf_counter()
            if system == "store":
                store.save_answer(ds.ids[i], "last_name", value, "Петрова")
            else:
                base_set_answer(db, i + 1, "last_name", value)
            elapsed = time.perf_counter() - t0
            names[i] = (value, names[i][1])
            return elapsed

        def find(system: str) -> float:
            i, last, first = wl.target()
            if system == "baseline":
                last, first = ds.base_names[i][0].casefold(), ds.base_names[i][1].casefold()
            t0 = time.perf_counter()
            if system == "store":
                ids = {s["id"] for s in store_find(store, last, first)}
            else:
                ids = {d["id"] for d in base_find(db, last, first)}
            elapsed = time.perf_counter() - t0
            assert ds.ids[i] in ids, f"{system}: search missed the client it was looking for"
            return elapsed

        def unfinished(system: str) -> float:
            t0 = time.perf_counter()
            found = store.unfinished() if system == "store" else base_unfinished(db)
            elapsed = time.perf_counter() - t0
            assert len(found) == ds.drafts, (system, len(found), ds.drafts)
            return elapsed

        def open_store(system: str) -> float:
            if system == "baseline":
                return base_open(ds.baseline_path)
            t0 = time.perf_counter()
            store_open(ds.store_root)
            return time.perf_counter() - t0

        ops: dict[str, Callable[[str], float]] = {
            f"save answer ({PLAIN_QID}, not in index)": save_plain,
            "save answer (last_name, in index)": save_summary,
            "find client by name: summaries()+filter": find,
            "list unfinished: unfinished()": unfinished,
            "open: Store(path)+summaries()": open_store,
        }
        per_round: dict[str, int] = {}
        for name, op in ops.items():  # warm-up, not recorded; sets the store's calls per round
            b, s = op("baseline"), op("store")
            per_round[name] = max(1, min(STORE_MAX_PER_ROUND, int(b / max(s, 1e-9))))
        samples = {name: {"store": [], "baseline": []} for name in ops}
        for r in range(rounds):
            for name, op in ops.items():
                order = ("store", "baseline") if r % 2 == 0 else ("baseline", "store")
                for system in order:
                    for _ in range(per_round[name] if system == "store" else 1):
                        samples[name][system].append(op(system))
        db.close()
        gc.collect()
        mem = {"store": measure_memory("store", ds.store_root, seed),
               "baseline": measure_memory("baseline", ds.baseline_path, seed)}
        return {"ds": ds, "samples": samples, "mem": mem}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report(n: int, rounds: int, result: dict[str, Any], wall: float) -> list[str]:
    ds, samples, mem = result["ds"], result["samples"], result["mem"]
    print()
    print(f"N = {n:,} stored interviews ({ds.drafts:,} unfinished); "
          f"populated in {ds.seconds:.1f} s; measured in {wall:.0f} s")
    print(f"  content ≈ {ds.content_bytes / 1024:.1f} KB per interview "
          "(UTF-8 JSON of its answers and header)")
    print(f"  store:    index {ds.index_bytes / 2**20:.1f} MB, interview files "
          f"{ds.store_bytes / n / 1024:.1f} KB each (indented JSON, one record per answer)")
    print(f"  baseline: one file of {ds.baseline_bytes / 2**20:.1f} MB, "
          f"{ds.baseline_bytes / n / 1024:.1f} KB per interview "
          "(TinyDB's default json.dumps escapes Cyrillic as \\uXXXX)")
    print(f"  {rounds} rounds; baseline: 1 call per operation per round; "
          f"store: up to {STORE_MAX_PER_ROUND} (n below)")
    head = (f"  {'operation':42} {'store med ms':>13} {'store p99 ms':>13} {'base med ms':>12} "
            f"{'base p99 ms':>12} {'ratio':>8} {'n store/base':>13}")
    print(head)
    print("  " + "-" * (len(head) - 2))
    lines = []
    for name, by in samples.items():
        s, b = by["store"], by["baseline"]
        sm, bm = statistics.median(s) * 1000, statistics.median(b) * 1000
        print(f"  {name:42} {sm:13.2f} {p99(s) * 1000:13.2f} {bm:12.1f} {p99(b) * 1000:12.1f} "
              f"{sm / bm:8.3g} {f'{len(s)}/{len(b)}':>13}")
    for key, label in (("VmRSS", "resident memory after run, MB (VmRSS)"),
                       ("VmHWM", "peak resident memory, MB (VmHWM)")):
        sm, bm = mem["store"][key], mem["baseline"][key]
        print(f"  {label:42} {sm:13.1f} {'-':>13} {bm:12.1f} {'-':>12} {sm / bm:8.3g} {'1/1':>13}")
    print("  ratio = store median / baseline median (below 1: the store is faster or smaller)")
    plain_p99, summary_p99 = (p99(by["store"]) * 1000 for k, by in samples.items() if k.startswith("save"))
    find_med = statistics.median(samples["find client by name: summaries()+filter"]["store"]) * 1000
    find_p99 = p99(samples["find client by name: summaries()+filter"]["store"]) * 1000
    peak = mem["store"]["VmHWM"]
    where = "" if n == 100_000 else f"; this is {n:,}"
    verdict = (f"  store vs issue 4 targets (stated for 100,000{where}): "
               f"save p99 {plain_p99:.1f} ms plain, {summary_p99:.1f} ms last_name "
               f"(target ≤ 2: {'met' if max(plain_p99, summary_p99) <= 2 else 'missed'}), "
               f"search median {find_med:.0f} / p99 {find_p99:.0f} ms "
               f"(target ≤ 50: {'met' if find_p99 <= 50 else 'missed'}), "
               f"peak memory {peak:.0f} MB without the UI "
               f"(target < 100: {'met' if peak < 100 else 'missed'})")
    print(verdict)
    lines.append(verdict)
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000",
                        help="stored interviews, comma-separated (default 1000,10000; 100000 takes minutes)")
    parser.add_argument("--rounds", type=int, default=None,
                        help="rounds per size (default 100 at ≤1,000, 30 at ≤10,000, 5 at 100,000)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--probe", nargs=3, metavar=("KIND", "PATH", "SEED"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        return probe(args.probe[0], args.probe[1], int(args.probe[2]))
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores; data under /tmp, removed afterwards")
    print("store = tui.core.store.Store as it is today; "
          "baseline = plain TinyDB, one file, default JSONStorage")
    print("finding a client by name: the Store API has no search today, so the only way is")
    print("  Store.summaries() (reads the whole index) and a filter in Python; that is what is timed.")
    print("  The baseline does Query().answers.test(...) over its one file. Listing unfinished:")
    print("  Store.unfinished() against search(status == 'draft') sorted by updated_at.")
    print(f"issue 4 targets: {TARGETS}")
    with tempfile.TemporaryDirectory(prefix="sobesednik-bench-check-", dir="/tmp") as tmp:
        check_formats(Path(tmp))
    print("bulk-written files checked byte for byte against files the Store and TinyDB wrote")
    verdicts = []
    for n in sizes:
        rounds = args.rounds or default_rounds(n)
        t0 = time.perf_counter()
        result = run_size(n, rounds, args.seed)
        verdicts += report(n, rounds, result, time.perf_counter() - t0)
    status = vm_status()
    print()
    if len(verdicts) > 1:
        print("summary:")
        print("\n".join(verdicts))
    print(f"this benchmark process (held both systems' data in turn): VmRSS {status['VmRSS']:.0f} MB, "
          f"peak {status['VmHWM']:.0f} MB; the per-system memory rows come from separate processes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
