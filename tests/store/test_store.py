"""The store: durable answers, resume, clear messages on a damaged or unusable directory."""

from __future__ import annotations

import errno
import json
import os
import random
import signal
import stat
import subprocess
import sys
import textwrap
import time

import pytest

from tests.helpers import MOTHER_TYPED, ROOT, TODAY, bundle, finish
from tui.engine.session import Session
from tui.store.store import COMPLETE, DRAFT, Store, StoreError

CONSENT = {"given": True, "text_version": "2026-11", "how": "подписано на бумаге"}


def new_interview(store: Store) -> str:
    return store.create_interview(
        interview_date=TODAY, scripts="profile v1", mode="inspector", inspector="Петрова",
        consent=CONSENT,
    )


def test_answer_is_readable_by_a_fresh_store_at_once(tmp_path):
    store = Store(tmp_path)
    iid = new_interview(store)
    store.save_answer(iid, "last_name", "Смирнова", by="Петрова")
    again = Store(tmp_path).load(iid)
    assert again.answers == {"last_name": "Смирнова"}
    assert again.answer_meta["last_name"]["by"] == "Петрова"
    assert again.status == DRAFT
    assert again.header["consent"]["text_version"] == "2026-11"


def test_changed_answer_keeps_the_previous_value(tmp_path):
    store = Store(tmp_path)
    iid = new_interview(store)
    store.save_answer(iid, "children_count", 1, by="a")
    store.save_answer(iid, "children_count", 2, by="b")
    raw = json.loads(store.interview_path(iid).read_text("utf-8"))
    (record,) = raw["answers"].values()
    assert record["value"] == 2
    assert [p["value"] for p in record["previous"]] == [1]


def test_interview_is_not_created_without_consent(tmp_path):
    store = Store(tmp_path)
    with pytest.raises(StoreError, match="без записанного согласия"):
        store.create_interview(
            interview_date=TODAY, scripts="", mode="kiosk", inspector="x", consent={"given": False}
        )
    assert store.recent() == []


def test_nothing_is_written_before_consent(tmp_path):
    store = Store(tmp_path)
    session = Session(bundle(), store, TODAY, inspector="Петрова")
    assert session.current.id == "consent_pd"
    with pytest.raises(Exception, match="Без согласия"):
        session.submit("нет")
    assert not (tmp_path / "interviews").exists()
    session.submit("да")
    assert session.iid is not None
    stored = store.load(session.iid)
    assert stored.answers == {"consent_pd": True}
    assert stored.header["consent"]["given"] is True
    assert stored.header["consent"]["text_version"] == "2026-11"


def test_unfinished_interview_is_listed_and_resumes_where_it_stopped(tmp_path):
    store = Store(tmp_path)
    session = Session(bundle(), store, TODAY, inspector="Петрова")
    for qid in ("consent_pd", "last_name", "first_name", "middle_name", "birth_date"):
        assert session.current.id == qid
        session.submit(MOTHER_TYPED[qid])
    (summary,) = Store(tmp_path).unfinished()
    assert summary.client["last_name"] == "Смирнова"
    assert summary.client["birth_date"] == "1987-08-14"
    session.close()  # Петрова leaves; Иванова carries on
    resumed = Session.resume(bundle(), Store(tmp_path), summary.id, inspector="Иванова")
    assert resumed.current.id == "sex"
    assert resumed.value("birth_date").isoformat() == "1987-08-14"
    assert store.load(summary.id).header["inspectors"] == ["Петрова", "Иванова"]


def test_finished_interview_is_complete_with_groups_and_plan(tmp_path):
    store = Store(tmp_path)
    session = Session(bundle(), store, TODAY, inspector="Петрова")
    while session.current is not None:
        session.submit(MOTHER_TYPED.get(session.current.id))
    plan = finish(session)
    stored = store.load(session.iid)
    assert stored.status == COMPLETE
    assert [g["id"] for g in stored.header["groups"] if g["status"] == "in"] == ["mother_preschool"]
    assert store.unfinished() == []
    raw = json.loads(store.interview_path(session.iid).read_text("utf-8"))
    assert list(raw["plans"].values())[0]["markdown"] == plan


def test_files_are_readable_only_by_their_owner(tmp_path):
    root = tmp_path / "data"
    store = Store(root)
    iid = new_interview(store)
    store.save_answer(iid, "last_name", "Смирнова", by="x")
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert stat.S_IMODE(store.interview_path(iid).stat().st_mode) == 0o600
    assert stat.S_IMODE((root / "sobesednik.json").stat().st_mode) == 0o600


def test_damaged_file_is_named_and_never_overwritten(tmp_path):
    store = Store(tmp_path)
    iid = new_interview(store)
    path = store.interview_path(iid)
    path.write_text('{"interview": {"1": {"id": ', encoding="utf-8")
    with pytest.raises(StoreError, match=f"повреждён: {path}"):
        store.save_answer(iid, "last_name", "Смирнова", by="x")
    assert path.read_text(encoding="utf-8") == '{"interview": {"1": {"id": '
    # The rest of the store keeps working.
    other = new_interview(store)
    store.save_answer(other, "last_name", "Иванова", by="x")
    assert store.load(other).answers == {"last_name": "Иванова"}


def test_full_disk_keeps_the_old_answer_and_says_so(tmp_path, monkeypatch):
    store = Store(tmp_path)
    iid = new_interview(store)
    store.save_answer(iid, "last_name", "Смирнова", by="x")

    def no_space(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(StoreError, match="Диск заполнен"):
        store.save_answer(iid, "first_name", "Ольга", by="x")
    monkeypatch.undo()
    assert store.load(iid).answers == {"last_name": "Смирнова"}
    leftovers = [p.name for p in store.interview_path(iid).parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_data_dir_that_is_a_file_gets_a_message(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(StoreError, match="это файл, а не каталог"):
        Store(target)


def test_data_dir_from_a_newer_version_is_refused(tmp_path):
    Store(tmp_path)
    index = tmp_path / "sobesednik.json"
    data = json.loads(index.read_text("utf-8"))
    data["meta"]["1"]["schema_version"] = 99
    index.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(StoreError, match="более новой версией"):
        Store(tmp_path)


WRITER = textwrap.dedent(
    """
    import sys
    from datetime import date
    from tui.store.store import Store
    store = Store(sys.argv[1])
    iid = store.create_interview(interview_date=date(2026, 11, 27), scripts="t", mode="inspector",
                                 inspector="t", consent={"given": True})
    print("iid", iid, flush=True)
    i = 0
    while True:
        store.save_answer(iid, f"q{i % 40}", i, by="t")
        print("ack", i, flush=True)   # acknowledged: save_answer returned
        i += 1
    """
)


def test_sigkill_at_random_moments_never_loses_an_acknowledged_answer(tmp_path):
    rng = random.Random(20261127)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    acknowledged = 0
    for run in range(25):
        root = tmp_path / f"run{run}"
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(root)], stdout=subprocess.PIPE, text=True, env=env
        )
        first = proc.stdout.readline().split()
        assert first[0] == "iid"
        iid = first[1]
        time.sleep(rng.uniform(0.0, 0.3))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        complete_lines = out.split("\n")[:-1]  # the kill may cut the last line short
        acks = [int(line.split()[1]) for line in complete_lines if line.startswith("ack")]
        stored = Store(root).load(iid)  # opens: nothing torn
        if acks:
            last = acks[-1]
            # Every acknowledged answer is there with its latest acknowledged value (or newer).
            for i in range(max(0, last - 39), last + 1):
                assert stored.answers[f"q{i % 40}"] >= i
            acknowledged += len(acks)
    assert acknowledged > 100  # the kills really landed amid writing
