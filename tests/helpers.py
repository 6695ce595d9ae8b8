"""Shared test helpers: the bundled scripts and a fixed interview date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from textual.pilot import Pilot

from tui.engine.interview import Interview
from tui.engine.loader import load_bundle_or_raise
from tui.engine.model import Bundle
from tui.engine.plan import build_plan
from tui.engine.replay import ReplayResult, replay
from tui.engine.session import Session
from tui.paths import scripts_dir
from tui.render.markdown import render_plan
from tui.store.store import Store

TODAY = date(2026, 11, 27)
#: The project's folder (the checkout).
ROOT = Path(__file__).resolve().parents[1]
REPLAYS = ROOT / "tests" / "replays"
#: Test data: example scripts and answers, a schema-1 data directory.
DATA = ROOT / "tests" / "data"

#: A complete mother interview, question id → what an inspector would type.
MOTHER_TYPED = {
    "consent_pd": "да",
    "last_name": "Смирнова",
    "first_name": "Ольга",
    "middle_name": "Викторовна",
    "birth_date": "14.08.1987",
    "sex": "female",
    "phone": "8 921 555-12-34",
    "children_count": "2",
    "youngest_child_birth_date": "03.05.2022",
    "education_level": "secondary_vocational",
    "graduation_date": "30.06.2011",
    "ever_worked": "да",
    "currently_employed": "нет",
    "last_job_end_date": "15.01.2026",
    "receives_old_age_pension": "нет",
    # At 39 the work record is asked (Список № 1 gives women a pension from 45); with 14
    # insurance years neither the lists nor the mothers' rights can apply.
    "northern_years": "10",
    "insurance_years": "14",
    "other_early_work": "нет",
    "sfr_retirement_date": "",
    "consent_health": "нет",
    "released_from_custody_date": "",
    "desired_work": "Парикмахер или администратор салона",
    "federal_profile_group": "",  # not yet profiled on «Работа России»
    "salary_importance": "important",
    "desired_salary": "45000",
    "kindergarten": "attends",
    "relatives_help": "sometimes",
    "work_barriers": ["long_break", "search_skills"],
    "schedule_limits": ["until_18", "no_weekends"],
    "expectations": ["social_protection", "balance"],
    "professional_interests": "Парикмахер, стаж 6 лет",
    "chosen_path": "employer",
    "ready_to_study": "нет",
    "psychologist": "да",
    "womens_club": "нет",
}


@lru_cache(maxsize=1)
def bundle() -> Bundle:
    return load_bundle_or_raise([scripts_dir()])


def plan_text(interview: Interview, meta: dict[str, Any] | None = None) -> str:
    """The plan of ``interview`` as Markdown, as the app and ``replay`` render it."""
    return render_plan(build_plan(interview, meta))


def finish(session: Session) -> str:
    """Render the session's plan and complete the interview with it, as the app does;
    returns the plan text."""
    text = render_plan(session.plan())
    session.finish(text)
    return text


def replay_plan(case: Path) -> tuple[ReplayResult, str]:
    """Replay an answers file on the bundled scripts and render its plan (``mode: replay``)."""
    result = replay(bundle(), case)
    return result, plan_text(result.interview, {"mode": "replay"})


def replay_variant(tmp_path: Path, case: Path, **changes: Any) -> tuple[ReplayResult, str]:
    """``case`` with some answers changed (``None`` removes an answer), replayed from a copy
    of the same name in ``tmp_path``."""
    doc = yaml.safe_load(case.read_text(encoding="utf-8"))
    for qid, value in changes.items():
        if value is None:
            doc["answers"].pop(qid, None)
        else:
            doc["answers"][qid] = value
    path = tmp_path / case.name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return replay_plan(path)


def plan_section(plan: str, heading: str) -> str:
    """The text of the plan's ``## heading`` section, up to the next ``## `` heading."""
    return plan.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]


def measure_detail(plan: str, text: str) -> str:
    """The italic detail line under the measure ``text`` (``""`` if there is none)."""
    after = plan.split(text, 1)[1].split("\n")[1].strip()
    return after.strip("*") if after.startswith("*") else ""


def draft_interview(
    store: Store, upto: str | None = None, *, confirm: bool = True, inspector: str = "Петрова П. П."
) -> str:
    """An unfinished interview in ``store``, answered from ``MOTHER_TYPED`` up to question
    ``upto`` (to the end when ``None``); the groups are confirmed as found unless
    ``confirm`` is false. Returns its id."""
    session = Session(bundle(), store, TODAY, inspector=inspector)
    while True:
        if confirm and session.needs_group_confirmation:
            session.confirm_groups({})
        if session.current is None or session.current.id == upto:
            break
        session.submit(MOTHER_TYPED[session.current.id])
    assert session.iid is not None
    session.close()  # as when the inspector leaves the interview
    return session.iid


async def until(pilot: Pilot[Any], condition: Callable[[], bool], pauses: int = 200) -> bool:
    """Let the app work until ``condition`` holds, or give up after ``pauses`` turns; the
    caller asserts what it waited for. One pause is not always enough on a loaded machine:
    a message that passes through the focused widget and the screen takes several turns."""
    for _ in range(pauses):
        if condition():
            return True
        await pilot.pause()
    return condition()
