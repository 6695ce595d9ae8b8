"""Make ``tests/data/schema1/data``: a data directory written by the schema-1 store.

The schema-1 store is the one of commit 409b582. Extract that tree and run this script
with it, so that the old ``tui`` package (store, session, scripts) writes the files::

    git archive 409b582 | tar -x -C /tmp/old
    python tests/data/schema1/make_fixture.py /tmp/old tests/data/schema1/data

Three interviews of three clients with Cyrillic names, started in two months: one
complete with its plan, two unfinished (one stopped early, one before the groups step).
Only the ``.lock`` file is left out (empty; every store makes its own).
"""

from __future__ import annotations

import shutil
import sys
from datetime import datetime
from pathlib import Path


def main(old_tree: Path, out: Path) -> None:
    sys.path.insert(0, str(old_tree))
    # The modules of that tree, not of this one: the schema-1 store was tui/core/store.py
    # (today's store is the package tui/store, which that tree does not have).
    import tui.core.store as old_store
    from tui.core.session import Session

    from tests.helpers import MOTHER_TYPED, TODAY, bundle

    assert old_store.SCHEMA_VERSION == 1, "run this with the tree of commit 409b582"
    clock = {"now": datetime(2026, 10, 14, 9, 30, 0)}

    class FixedClock(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[override]
            return clock["now"] if tz is None else clock["now"].astimezone(tz)

    old_store.datetime = FixedClock  # type: ignore[misc]
    if out.exists():
        shutil.rmtree(out)
    store = old_store.Store(out)

    def interview(when: datetime, changes: dict[str, str], upto: str | None, finish: bool) -> None:
        clock["now"] = when
        typed = {**MOTHER_TYPED, **changes}
        session = Session(bundle(), store, TODAY, inspector="Петрова П. П.")
        while True:
            if session.needs_group_confirmation:
                session.confirm_groups({})
            if session.current is None or session.current.id == upto:
                break
            session.submit(typed[session.current.id])
        if finish:
            session.finish()

    interview(datetime(2026, 10, 14, 9, 30, 0), {}, None, True)
    interview(
        datetime(2026, 11, 3, 11, 15, 0),
        {"last_name": "Ёлкина", "first_name": "Анна", "middle_name": "Сергеевна",
         "birth_date": "02.03.1991", "phone": "+7 (911) 200-45-67"},
        "education_level", False,
    )
    interview(
        datetime(2026, 11, 27, 16, 40, 0),
        {"last_name": "Кузнецова", "first_name": "Мария", "middle_name": "Ивановна",
         "birth_date": "30.12.1985", "phone": "8 812 700-00-01"},
        "desired_work", False,
    )
    (out / ".lock").unlink()


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve())
