"""A bad field of an interview header never hides the interview (issue 10, item 9): each
field the store or the engine reads (the interview date, the status, the inspectors, the
inspector's group decisions, the confirmation of the groups, the groups issued, the consent
withdrawals) is read with a fallback and a warning, resume works, lists show the interview,
export goes on, ``doctor --check-only`` names the field and ``doctor`` mends it keeping the
answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import TODAY, bundle
from tui.cli import main
from tui.engine.session import Session
from tui.store.store import Store

CONSENT = {"given": True, "text_version": "2026-11", "how": "подписано на бумаге"}
CLIENT = (("consent_pd", True), ("last_name", "Смирнова"), ("first_name", "Ольга"),
          ("birth_date", "1987-08-14"), ("phone", "+7 921 555-12-34"))

#: (field, a value a hand or an old bug left, what doctor --check-only says of it)
BAD_FIELDS: list[tuple[str, Any, str]] = [
    ("inspectors", 5, "список инспекторов"),
    ("inspectors", "Петрова", "список инспекторов"),
    ("inspectors", ["Петрова", 7, None], "список инспекторов"),
    ("group_overrides", [{"group": 5}], "решения инспектора о группах"),
    ("group_overrides", [{"group": "pensioner", "action": "добавить", "reason": "так"}],
     "решения инспектора о группах"),
    ("group_overrides", [{"group": "pensioner", "action": "add", "reason": 5}],
     "решения инспектора о группах"),
    ("group_overrides", [{"group": "pensioner", "action": "add", "reason": "да", "by": 1}],
     "решения инспектора о группах"),
    ("group_overrides", {"group": "pensioner"}, "решения инспектора о группах"),
    ("group_overrides", "pensioner", "решения инспектора о группах"),
    ("groups_confirmed", {"computed": [5]}, "подтверждении групп"),
    ("groups_confirmed", {"computed": "pensioner"}, "подтверждении групп"),
    ("groups_confirmed", "да", "подтверждении групп"),
    ("status", "готово", "неизвестное состояние"),
    ("status", 5, "неизвестное состояние"),
    ("groups", 5, "группы клиента"),
    ("groups", [5, "pensioner"], "группы клиента"),
    ("consent_withdrawals", 5, "отзывы согласия"),
    ("consent_withdrawals", ["health"], "отзывы согласия"),
]
CASES = [pytest.param(f, v, s, id=f"{f}={v!r}") for f, v, s in BAD_FIELDS]


def interview(store: Store) -> str:
    iid = store.create_interview(interview_date=TODAY, scripts="profile v1", mode="inspector",
                                 inspector="Петрова", consent=CONSENT)
    for qid, value in CLIENT:
        store.save_answer(iid, qid, value, by="Петрова")
    return iid


def edit_header(path: Path, **fields: object) -> None:
    data = json.loads(path.read_text("utf-8"))
    data["interview"]["1"].update(fields)
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")


def raw_header(path: Path) -> dict[str, Any]:
    header: dict[str, Any] = json.loads(path.read_text("utf-8"))["interview"]["1"]
    return header


def doctor(capsys: pytest.CaptureFixture[str], root: Path, *flags: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["doctor", "--data-dir", str(root), *flags])
    out, err = capsys.readouterr()
    return code, out + err


@pytest.fixture
def stored(tmp_path: Path) -> tuple[Path, str]:
    root = tmp_path / "data"
    store = Store(root)
    iid = interview(store)
    store.close()
    return root, iid


@pytest.mark.parametrize(("key", "bad", "said"), CASES)
def test_resume_works_with_a_warning_whatever_a_header_field_holds(stored, key, bad, said):
    root, iid = stored
    store = Store(root)
    path = store.interview_path(iid)
    edit_header(path, **{key: bad})
    session = Session.resume(bundle(), store, iid, inspector="Иванова")
    assert session.interview.answers["last_name"] == "Смирнова"
    assert all(isinstance(i, str) for i in session.earlier_inspectors)
    warnings = " ".join(store.take_warnings())
    assert iid in warnings and "sobesednik doctor" in warnings
    inspectors = raw_header(path)["inspectors"]
    assert isinstance(inspectors, list) and all(isinstance(i, str) for i in inspectors)
    assert inspectors[-1] == "Иванова"
    if key == "inspectors":
        assert inspectors == [*(["Петрова"] if bad != 5 else []), "Иванова"]  # never letters
    session.close()
    store.close()


@pytest.mark.parametrize(("key", "bad", "said"), CASES)
def test_lists_and_search_show_an_interview_whatever_a_header_field_holds(stored, key, bad, said):
    root, iid = stored
    store = Store(root)
    edit_header(store.interview_path(iid), **{key: bad})
    found = store.find("Смирнова")
    assert [s.id for s in found] == [iid]
    assert all(isinstance(i, str) and len(i) > 1 for i in found[0].inspectors)
    assert iid in [s.id for s in store.recent()]
    store.close()


@pytest.mark.parametrize(("key", "bad", "said"), CASES)
def test_doctor_check_only_names_a_bad_header_field(stored, capsys, key, bad, said):
    root, iid = stored
    path = root / "interviews" / iid[:6] / f"{iid}.json"
    edit_header(path, **{key: bad})
    code, out = doctor(capsys, root, "--check-only")
    assert code == 1, out
    line = next(ln for ln in out.splitlines() if f"{iid}.json" in ln)
    assert said in line
    assert "Хранилище в порядке" not in out


@pytest.mark.parametrize(("key", "bad", "said"), CASES)
def test_doctor_mends_a_bad_header_field_and_keeps_the_answers(stored, capsys, key, bad, said):
    root, iid = stored
    path = root / "interviews" / iid[:6] / f"{iid}.json"
    edit_header(path, **{key: bad})
    code, out = doctor(capsys, root)
    assert code == 0, out
    assert not (root / "damaged").exists()  # nothing set aside
    header = raw_header(path)
    assert header["repaired"][-1][key] == bad  # the old value is kept
    store = Store(root)
    loaded = store.load(iid)
    assert store.take_warnings() == []  # nothing left to mend
    assert dict(CLIENT) == loaded.answers
    session = Session.resume(bundle(), store, iid, inspector="Иванова")
    assert session.interview.answers["last_name"] == "Смирнова"
    session.close()
    code, out = doctor(capsys, root, "--check-only")
    assert code == 0 and "Хранилище в порядке" in out, out
    store.close()


def test_a_valid_group_override_is_kept_beside_a_bad_one(stored):
    root, iid = stored
    store = Store(root)
    good = {"group": "pensioner", "action": "add", "reason": "по справке", "by": "Петрова", "at": ""}
    edit_header(store.interview_path(iid), group_overrides=[{"group": 5}, good])
    session = Session.resume(bundle(), store, iid, inspector="Иванова")
    assert list(session.interview.overrides) == ["pensioner"]
    assert session.interview.overrides["pensioner"].reason == "по справке"
    session.close()
    store.close()


def test_withdraw_consent_works_whatever_the_withdrawals_field_holds(stored, capsys):
    root, iid = stored
    path = root / "interviews" / iid[:6] / f"{iid}.json"
    edit_header(path, consent_withdrawals=5)
    capsys.readouterr()
    code = main(["withdraw-consent", iid, "--health", "--yes", "--data-dir", str(root)])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    withdrawals = raw_header(path)["consent_withdrawals"]
    assert [w["category"] for w in withdrawals] == ["health"]


EXPORTS = [(), ("--no-personal",), ("--format", "csv"), ("--format", "csv", "--no-personal")]


@pytest.mark.parametrize("flags", EXPORTS)
@pytest.mark.parametrize(("key", "bad", "said"), CASES)
def test_export_exports_an_interview_whatever_a_header_field_holds(stored, capsys, key, bad, said, flags):
    root, iid = stored
    edit_header(root / "interviews" / iid[:6] / f"{iid}.json", **{key: bad})
    capsys.readouterr()
    code = main(["export", "--data-dir", str(root), *flags])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert iid in out or "--no-personal" in flags
    assert "Выгружено 1 интервью" in err
