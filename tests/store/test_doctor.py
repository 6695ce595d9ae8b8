"""``sobesednik doctor``: it names every damaged file, sets it aside without losing a byte,
keeps the rest working, and with ``--check-only`` changes nothing."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.helpers import DATA, TODAY
from tui.cli import main
from tui.store.doctor import diagnose, salvage_tables
from tui.store.store import DamagedFileError, Store, StoreError

CONSENT = {"given": True, "text_version": "2026-11", "how": "подписано на бумаге"}
CLIENTS = {
    "Смирнова": ("Ольга", "1987-08-14", "+7 921 555-12-34"),
    "Ёлкина": ("Анна", "1991-03-02", "8 911 200-45-67"),
    "Кузнецова": ("Мария", "1985-12-30", "8 812 700-00-01"),
}
MIGRATED = DATA / "schema1" / "data"


def make_store(root: Path) -> dict[str, str]:
    """Three clients, the first one's interview complete; returns surname -> interview id."""
    store = Store(root)
    out = {}
    for n, (last, (first, birth, phone)) in enumerate(CLIENTS.items()):
        iid = store.create_interview(interview_date=TODAY, scripts="profile v1", mode="inspector",
                                     inspector="Петрова", consent=CONSENT)
        for qid, value in (("consent_pd", True), ("last_name", last), ("first_name", first),
                           ("birth_date", birth), ("phone", phone), ("children_count", 2),
                           ("desired_work", "Парикмахер")):
            store.save_answer(iid, qid, value, by="Петрова")
        if n == 0:
            store.complete(iid, groups=[], plan="# План\n", by="Петрова")
        out[last] = iid
    store.close()
    return out


def tree(root: Path) -> dict[str, bytes | None]:
    return {
        str(p.relative_to(root)): p.read_bytes() if p.is_file() else None
        for p in sorted(root.rglob("*"))
    }


def doctor(capsys, root: Path, *flags: str) -> tuple[int, str, str]:
    code = main(["doctor", "--data-dir", str(root), *flags])
    out, err = capsys.readouterr()
    return code, out, err


def found(root: Path, text: str) -> list[str]:
    store = Store(root)
    try:
        return [s.client["last_name"] for s in store.find(text)]
    finally:
        store.close()


def set_aside_copies(root: Path) -> dict[str, bytes]:
    """Files under damaged/<stamp>/, by their path relative to the stamp folder."""
    out = {}
    for stamp in (root / "damaged").iterdir():
        for p in stamp.rglob("*"):
            if p.is_file():
                out[str(p.relative_to(stamp))] = p.read_bytes()
    return out


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "data"


def test_a_healthy_store_is_ok_and_nothing_changes(root, capsys):
    make_store(root)
    before = tree(root)
    code, out, err = doctor(capsys, root)
    assert (code, err) == (0, "")
    assert out.splitlines()[-1].endswith("Хранилище в порядке.")
    assert "проверено интервью: 3" in out
    assert tree(root) == before  # not even the lock file or the audit trail is touched
    report = diagnose(root, repair=False)
    assert report.ok and report.interviews == 3 and report.findings == []


def test_an_interview_edited_into_invalid_json_is_named_and_set_aside(root, capsys):
    iids = make_store(root)
    store = Store(root)
    path = store.interview_path(iids["Ёлкина"])
    store.close()
    broken = b'{"interview": {"1": {"id": "' + iids["Ёлкина"].encode() + b'", "status": dra'
    path.write_bytes(broken)

    code, out, _ = doctor(capsys, root, "--check-only")
    assert code == 1
    assert f"{path}: файл интервью повреждён (не разбирается как JSON" in out
    assert path.read_bytes() == broken

    code, out, _ = doctor(capsys, root)
    assert code == 0
    line = next(s for s in out.splitlines() if s.startswith(f"{path}:"))
    assert "отложен в" in line and "заголовок интервью не уцелел" in line
    assert not path.exists()
    rel = str(path.relative_to(root))
    assert set_aside_copies(root) == {rel: broken}
    (stamp,) = (root / "damaged").iterdir()
    assert stat.S_IMODE(stamp.stat().st_mode) == 0o700
    assert stat.S_IMODE((stamp / rel).stat().st_mode) == 0o600
    # The rest of the store works: the others load and are found; nothing is reported damaged.
    store = Store(root)
    assert store.load(iids["Смирнова"]).status == "complete"
    assert [s.id for s in store.find("Кузнецова Мария")] == [iids["Кузнецова"]]
    assert [s.id for s in store.unfinished()] == [iids["Кузнецова"]]
    assert store.find("Ёлкина") == [] and store.damaged == []
    store.close()
    assert doctor(capsys, root)[0] == 0


def test_a_truncated_interview_keeps_every_answer_before_the_damage(root, capsys):
    store = Store(root)
    iid = store.create_interview(interview_date=TODAY, scripts="profile v1", mode="inspector",
                                 inspector="Петрова", consent=CONSENT)
    answers = {"last_name": "Ёлкина", "first_name": "Анна", "birth_date": "1991-03-02"}
    answers |= {f"q{i}": f"ответ {i}" for i in range(10)}
    for qid, value in answers.items():
        store.save_answer(iid, qid, value, by="Петрова")
    path = store.interview_path(iid)
    store.close()
    whole = path.read_bytes()
    cut = whole[: whole.index(b'"question":"q7"') + 20]  # inside the record of q7
    path.write_bytes(cut)

    code, out, _ = doctor(capsys, root)
    assert code == 0
    assert "восстановлено" in out and "ответов: 10" in out
    assert set_aside_copies(root) == {str(path.relative_to(root)): cut}
    store = Store(root)
    recovered = store.load(iid)
    assert recovered.answers == {k: v for k, v in answers.items() if k not in ("q7", "q8", "q9")}
    assert recovered.header["consent"] == CONSENT
    assert recovered.header["recovered"]["truncated"] is True
    assert [s.id for s in store.find("Елкина")] == [iid]
    store.close()


def test_salvage_reads_whole_records_only():
    raw = b'{"interview":{"1":{"id":"x"}},"answers":{"1":{"question":"a","value":1},"2":{"question":"b","va'
    tables, whole = salvage_tables(raw)
    assert tables == {"interview": {"1": {"id": "x"}}, "answers": {"1": {"question": "a", "value": 1}}}
    assert not whole
    assert salvage_tables(b'{"t":{"1":{"a":1}}}') == ({"t": {"1": {"a": 1}}}, True)


def test_a_damaged_interview_with_a_copy_in_the_migration_backup_names_it(tmp_path, capsys):
    root = tmp_path / "data"
    shutil.copytree(MIGRATED, root)
    Store(root).close()  # migrates and keeps a backup
    iid = "20261103-111500-adb172"
    path = root / "interviews" / "202611" / f"{iid}.json"
    path.write_bytes(path.read_bytes()[:500])  # schema-1 files begin with the answers
    code, out, _ = doctor(capsys, root)
    assert code == 0
    (backup,) = (root / "backups").iterdir()
    copy = backup / "interviews" / f"{iid}.json"
    assert f"есть копия в резервной копии (может быть старше, не восстановлена): {copy}" in out
    assert not path.exists()  # not restored behind the user's back


def test_a_damaged_interview_with_a_copy_in_a_backup_archive_names_it(root, capsys):
    from tui.store.backup import backup

    iids = make_store(root)
    store = Store(root)
    archive = backup(store, by="Петрова").path
    path = store.interview_path(iids["Ёлкина"])
    store.close()
    path.write_text("{", encoding="utf-8")
    code, out, _ = doctor(capsys, root, "--check-only")
    assert code == 1
    member = f"interviews/{path.parent.name}/{path.name}"
    assert f"копия в резервной копии (может быть старше, не восстановлена): {archive} (файл {member})" in out
    assert doctor(capsys, root)[0] == 0
    assert not path.exists()


def test_a_schema_1_directory_is_reported_and_upgraded_on_repair(tmp_path, capsys):
    root = tmp_path / "data"
    shutil.copytree(MIGRATED, root)
    before = tree(root)
    code, out, _ = doctor(capsys, root, "--check-only")
    assert code == 1 and "каталог в схеме 1" in out and "проверено интервью: 3" in out
    assert tree(root) == before
    code, out, _ = doctor(capsys, root)
    (backup,) = (root / "backups").iterdir()
    assert code == 0 and f"обновлён до схемы 2, резервная копия: {backup}" in out
    assert found(root, "Ёлкина") == ["Ёлкина"]


def test_temporary_files_of_killed_writers_are_removed(root, capsys):
    iids = make_store(root)
    month = root / "interviews" / iids["Смирнова"][:6]
    temps = [month / f".{iids['Смирнова']}.json.k3j2x1.tmp", root / "index" / "name" / ".x.jsonl.a1.tmp",
             root / ".sobesednik.json.zz9.tmp"]
    for t in temps:
        t.write_text('{"half": ', encoding="utf-8")
    before = tree(root)
    code, out, _ = doctor(capsys, root, "--check-only")
    assert code == 1 and "временных файлов: 3" in out
    assert f"{month}: временных файлов от прерванной записи: 1." in out
    assert tree(root) == before
    code, out, _ = doctor(capsys, root)
    assert code == 0 and "удалено временных файлов: 3" in out
    assert not any(t.exists() for t in temps)
    assert not (root / "damaged").exists()


def test_a_deleted_index_bucket_is_rebuilt_and_the_client_is_found_again(root, capsys):
    make_store(root)
    (root / "index" / "name" / "к" / "кузнецова.jsonl").unlink()
    assert found(root, "Кузнецова") == []
    code, out, _ = doctor(capsys, root)
    assert code == 0
    assert f"{root / 'index' / 'name'}: в указателе записей 2, по файлам интервью должно быть 3" in out
    assert "указатель поиска перестроен" in out
    assert found(root, "Кузнецова") == ["Кузнецова"]


def test_an_index_record_torn_by_a_power_cut_is_reported_and_the_index_rebuilt(root, capsys):
    make_store(root)
    bucket = root / "index" / "name" / "к" / "кузнецова.jsonl"
    with bucket.open("ab") as f:
        f.write(b'\n{"iid":"20261127-1015')
    code, out, _ = doctor(capsys, root, "--check-only")
    assert code == 1 and f"{bucket}: файл указателя повреждён (нечитаемых записей: 1)" in out
    code, out, _ = doctor(capsys, root)
    assert code == 0 and "указатель поиска перестроен" in out
    assert set(set_aside_copies(root)) == {"index/name/к/кузнецова.jsonl"}
    assert found(root, "Кузнецова") == ["Кузнецова"]
    assert doctor(capsys, root, "--check-only")[0] == 0


def test_a_bucket_left_empty_by_a_killed_process_is_deleted_not_kept(root, capsys):
    make_store(root)
    bucket = root / "index" / "name" / "п" / "петрова.jsonl"  # a surname typed, then corrected
    bucket.parent.mkdir()
    bucket.write_text('{"sobesednik_index":1,"gen":"00"}\n\n{"iid":"20261127-101500-123a1b2"}\n'
                      '\n{"iid":"20261127-101500-123a1b2","gone":true}\n', encoding="utf-8")
    code, out, _ = doctor(capsys, root, "--check-only")
    assert f"{bucket}: файл указателя без записей." in out
    code, out, _ = doctor(capsys, root)
    assert code == 0 and f"{bucket}: файл указателя без записей — удалён." in out
    assert not bucket.exists() and not (root / "damaged").exists()


def test_a_damaged_drafts_list_is_set_aside_and_rebuilt(root, capsys):
    iids = make_store(root)
    drafts = Store(root).bucket_path("drafts", iids["Ёлкина"][:6])
    drafts.write_text('{"_default": {"1": {"iid": ', encoding="utf-8")
    store = Store(root)
    assert store.unfinished() == [] and store.damaged[0].path == drafts
    store.close()
    code, out, _ = doctor(capsys, root)
    assert code == 0
    assert f"{drafts}: файл указателя повреждён" in out
    assert set_aside_copies(root) == {f"index/drafts/{drafts.name}": b'{"_default": {"1": {"iid": '}
    store = Store(root)
    assert {s.id for s in store.unfinished()} == {iids["Ёлкина"], iids["Кузнецова"]}
    store.close()


def test_check_only_leaves_the_tree_byte_identical(root, capsys):
    iids = make_store(root)
    Store(root).interview_path(iids["Смирнова"]).write_text("{", encoding="utf-8")
    (root / "index" / "phone" / "1234.jsonl").unlink()
    Store(root).bucket_path("drafts", iids["Ёлкина"][:6]).write_text("[]", encoding="utf-8")
    (root / "interviews" / "readme.txt").write_text("заметка", encoding="utf-8")
    (root / "sobesednik.json").write_text("не JSON", encoding="utf-8")
    before = tree(root)
    code, out, err = doctor(capsys, root, "--check-only")
    assert code == 1 and err == ""
    assert out.count("\n") >= 6  # a line per problem, then the summary
    assert "Найдено проблем" in out.splitlines()[-1]
    assert tree(root) == before


@pytest.mark.parametrize("damage", ["damaged", "missing"])
def test_a_damaged_or_lost_meta_file_is_made_again(root, capsys, damage):
    iids = make_store(root)
    meta = root / "sobesednik.json"
    if damage == "damaged":
        meta.write_bytes(b'{"meta": {"1": {"schema_version": 2, "crea')
    else:
        meta.unlink()
    if damage == "damaged":
        with pytest.raises(DamagedFileError):
            Store(root)
    code, out, _ = doctor(capsys, root, "--check-only")
    assert code == 1 and f"{meta}: " in out
    code, out, _ = doctor(capsys, root)
    assert code == 0 and "создан заново (схема 2)" in out
    if damage == "damaged":
        assert set_aside_copies(root) == {"sobesednik.json": b'{"meta": {"1": {"schema_version": 2, "crea'}
    store = Store(root)
    assert store.meta()["schema_version"] == 2 and store.meta()["recreated"]["by"] == "doctor"
    assert store.load(iids["Ёлкина"]).answers["first_name"] == "Анна"
    assert [s.id for s in store.find("Смирнова")] == [iids["Смирнова"]]
    store.close()


def test_a_file_in_the_wrong_month_is_moved_back_and_a_stray_file_set_aside(root, capsys):
    iids = make_store(root)
    right = Store(root).interview_path(iids["Ёлкина"])
    wrong = root / "interviews" / "199901" / right.name
    wrong.parent.mkdir()
    right.rename(wrong)
    stray = root / "interviews" / right.parent.name / "заметки.txt"
    stray.write_text("не интервью", encoding="utf-8")
    assert found(root, "Ёлкина") == []
    code, out, _ = doctor(capsys, root)
    assert code == 0
    assert f"{wrong}: не в своём каталоге месяца (должен быть в {right.parent}) — перемещён" in out
    assert f"{stray}: не файл интервью — отложен в" in out
    assert right.is_file() and not stray.exists()
    assert set_aside_copies(root) == {str(stray.relative_to(root)): "не интервью".encode()}
    assert found(root, "Ёлкина") == ["Ёлкина"]


def test_unreadable_audit_lines_are_counted_and_the_trail_is_not_rewritten(root, capsys):
    make_store(root)
    (audit,) = (root / "audit").iterdir()
    with audit.open("a", encoding="utf-8") as fh:
        fh.write('{"at": "2026-11-27T10:00:00", "action": "sa\n')
    before = audit.read_bytes()
    code, out, _ = doctor(capsys, root)
    assert code == 0  # the store works; the trail is kept as it is
    assert f"{audit}: нечитаемых строк журнала: 1" in out
    assert audit.read_bytes() == before


def test_a_repair_is_recorded_in_the_audit_trail_without_personal_data(root, capsys):
    iids = make_store(root)
    Store(root).interview_path(iids["Ёлкина"]).write_text("{", encoding="utf-8")
    assert doctor(capsys, root)[0] == 0
    store = Store(root)
    event = store.audit_events()[-1]
    store.close()
    assert event["action"] == "doctor"
    assert (event["damaged"], event["set_aside"], event["index_rebuilt"]) == (1, 1, True)
    trail = b"".join(p.read_bytes() for p in (root / "audit").iterdir()).decode("utf-8")
    assert not any(name in trail for name in CLIENTS)


def test_an_index_journal_of_a_killed_process_is_caught_up(root, capsys):
    make_store(root)
    writer = textwrap.dedent(
        """
        import os, sys
        from datetime import date
        from tui.store.store import Store
        store = Store(sys.argv[1])
        iid = store.create_interview(interview_date=date(2026, 11, 27), scripts="t",
                                     mode="inspector", inspector="t", consent={"given": True})
        store.save_answer(iid, "last_name", "Соколова", by="t")
        os._exit(0)  # killed: no checkpoint, the journal stays
        """
    )
    subprocess.run([sys.executable, "-c", writer, str(root)], check=True)
    assert list((root / "index" / "journal").iterdir())
    code, out, _ = doctor(capsys, root, "--check-only")
    assert code == 1 and "журналы указателя от процессов, завершившихся аварийно: 1" in out
    assert doctor(capsys, root)[0] == 0
    assert found(root, "Соколова") == ["Соколова"]


def test_a_directory_from_a_newer_version_is_refused_untouched(root, capsys):
    make_store(root)
    meta = root / "sobesednik.json"
    data = json.loads(meta.read_text("utf-8"))
    data["meta"]["1"]["schema_version"] = 3
    meta.write_text(json.dumps(data), encoding="utf-8")
    before = tree(root)
    code, out, err = doctor(capsys, root)
    assert (code, out) == (2, "")
    assert err.strip() == (
        f"Каталог данных {root} создан более новой версией Собеседника "
        "(схема 3, эта версия понимает 2). Обновите программу."
    )
    with pytest.raises(StoreError) as info:
        Store(root)
    assert str(info.value) == err.strip()  # the same words as the store's
    before.pop(".lock")
    after = tree(root)
    after.pop(".lock")
    assert after == before


def test_a_path_that_is_not_a_data_directory_gets_exit_code_2(tmp_path, capsys):
    file = tmp_path / "file"
    file.write_text("x", encoding="utf-8")
    assert doctor(capsys, file) == (2, "", f"Каталог данных {file} — это файл, а не каталог.\n")
    missing = tmp_path / "missing"
    assert doctor(capsys, missing) == (2, "", f"Каталог данных {missing} не существует.\n")
    assert not missing.exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = doctor(capsys, empty)
    assert code == 2 and "нет данных Собеседника" in err
    assert list(empty.iterdir()) == []


def test_doctor_as_a_real_command(root):
    iids = make_store(root)
    Store(root).interview_path(iids["Кузнецова"]).write_text("{}", encoding="utf-8")
    env = {**os.environ, "SOBESEDNIK_DATA_DIR": str(root)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "tui", "doctor", *args],
                              capture_output=True, text=True, env=env, timeout=60)

    check = run("--check-only")
    assert check.returncode == 1 and check.stderr == ""
    assert "нет заголовка интервью" in check.stdout
    fix = run()
    assert fix.returncode == 0 and "Хранилище исправлено." in fix.stdout
    again = run("--check-only")
    assert again.returncode == 0 and again.stdout.splitlines()[-1].endswith("Хранилище в порядке.")
