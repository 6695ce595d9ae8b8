"""``sobesednik plan`` as an inspector prints a finished interview's plan, ``replay`` with a
format and a copy, and ``check`` of the templates, through the real commands: where the
file goes and who may read it, what is refused and why (the exact missing details, an
unfinished interview, a symbolic link), the centre's own templates, and the audit trail."""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from icalendar import Calendar

from tests.helpers import REPLAYS, ROOT, bundle, finish
from tui.cli import main
from tui.engine.replay import read_answers_file
from tui.engine.session import Session
from tui.paths import TEMPLATES_ENV
from tui.store import files
from tui.store.settings import Centre, Inspector, Settings, save_settings
from tui.store.store import Store

COMBO = "combo_pre_pensioner_disabled_long_unemployed"
LOGIN = "ivanova"
CENTRE = Centre("ГОБУ ЦЗН г. Мурманска", "г. Мурманск, ул. Полярные Зори, д. 46", "+7 (8152) 45-67-89",
                "пн–чт 9:00–17:15, пт 9:00–16:00")
CURATOR = Inspector("Иванова Анна Петровна", "ведущий инспектор", "+7 (8152) 45-67-90", "214")
TEXT_FORMATS = ["md", "txt", "html", "ics", "json"]


def finished(store: Store, name: str = COMBO, *, complete: bool = True, inspector: str = LOGIN) -> str:
    """The replay case ``name`` answered at the desk by ``inspector``, its groups
    confirmed, finished with its plan (unless not ``complete``); its id."""
    f = read_answers_file(REPLAYS / f"{name}.yaml")
    session = Session(bundle(), store, f.date, inspector=inspector)
    while True:
        if session.needs_group_confirmation:
            session.confirm_groups({})
        q = session.current
        if q is None or (not complete and q.id == "desired_work"):
            break
        session.submit(f.answers.get(q.id))
    if complete:
        finish(session)
    session.close()
    assert session.iid is not None
    return session.iid


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A store made once for the module: the three-group client finished by ``ivanova``,
    the same finished by ``petrova``, and one left unfinished; their ids by kind."""
    root = tmp_path_factory.mktemp("prepared") / "data"
    store = Store(root)
    ids = {"done": finished(store), "petrova": finished(store, inspector="petrova"),
           "draft": finished(store, complete=False)}
    store.close()
    return root, ids


@pytest.fixture
def ids(prepared) -> dict[str, str]:
    return prepared[1]


@pytest.fixture
def bare(prepared, tmp_path, monkeypatch) -> Path:
    """A copy of the prepared store without settings; the current folder an empty one of
    its own (nothing may be written there)."""
    root = tmp_path / "data"
    shutil.copytree(prepared[0], root, symlinks=True)
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv(TEMPLATES_ENV, raising=False)
    files._cache.clear()
    return root


@pytest.fixture
def data(bare) -> Path:
    """The copy with the centre's and the curator's details."""
    save_settings(bare, Settings(centre=CENTRE, inspectors={LOGIN: CURATOR}))
    return bare


def plan(capsys, data: Path, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    files._cache.clear()  # as a new process
    code = main(["plan", *args, "--data-dir", str(data)])
    out, err = capsys.readouterr()
    return code, out, err


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


# ---------------------------------------------------------------------------- where it goes


def test_the_clients_pdf_goes_to_the_documents_folder_owner_only(data, ids, capsys):
    iid = ids["done"]
    code, out, err = plan(capsys, data, iid)
    target = data / "documents" / f"{iid}-client.pdf"
    assert code == 0, err
    assert err.strip() == f"План (экземпляр клиента, pdf) записан: {target}"
    assert out == ""
    assert target.read_bytes().startswith(b"%PDF-")
    assert mode(target) == 0o600 and mode(data / "documents") == 0o700
    assert list(Path.cwd().iterdir()) == []  # never the current folder


@pytest.mark.parametrize("copy", ["client", "centre"])
@pytest.mark.parametrize("fmt", [*TEXT_FORMATS, "docx"])
def test_every_format_and_copy_is_written_and_reads_back(data, ids, capsys, fmt, copy):
    iid = ids["done"]
    code, _, err = plan(capsys, data, iid, "--format", fmt, "--copy", copy)
    assert code == 0, err
    target = data / "documents" / f"{iid}-{copy}.{fmt}"
    body = target.read_bytes()
    assert mode(target) == 0o600
    if fmt == "docx":
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(body)).paragraphs)
        assert "Громов Сергей Петрович" in text and "{{" not in text
    elif fmt == "ics":
        assert len(list(Calendar.from_ical(body).walk("VEVENT"))) >= 3
    elif fmt == "json":
        value = json.loads(body)
        assert (value["schema"], value["copy"], value["interview"]["id"]) == ("sobesednik.plan/1", copy, iid)
    else:
        text = body.decode("utf-8")
        assert "Громов" in text and "Иванова Анна Петровна" in text
        assert ("мои шаги" in text.lower()) == (copy == "client")


def test_out_writes_elsewhere_and_a_dash_is_stdout(data, ids, capsys, tmp_path):
    iid = ids["done"]
    target = tmp_path / "plan.json"
    code, _, err = plan(capsys, data, iid, "--format", "json", "--out", str(target))
    assert code == 0, err
    assert mode(target) == 0o600 and json.loads(target.read_text("utf-8"))["copy"] == "client"
    code, out, err = plan(capsys, data, iid, "--format", "json", "--out", "-")
    assert code == 0 and err == ""
    assert json.loads(out)["interview"]["id"] == iid


def test_a_binary_document_is_never_written_to_a_terminal(data, ids, capsys, monkeypatch):
    iid = ids["done"]
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    code, out, err = plan(capsys, data, iid, "--format", "docx", "--out", "-")
    assert code == 2 and out == ""
    assert "Формат docx не выводится в терминал: укажите файл (--out ФАЙЛ)." in err


def test_a_symlinked_documents_folder_is_refused_and_nothing_written_outside(data, ids, capsys, tmp_path):
    iid = ids["done"]
    outside = tmp_path / "outside"
    outside.mkdir()
    (data / "documents").symlink_to(outside, target_is_directory=True)
    code, _, err = plan(capsys, data, iid, "--format", "md")
    assert code == 2
    assert "символическая ссылка" in err and "documents" in err
    assert list(outside.iterdir()) == []


def test_printing_is_in_the_audit_trail_without_personal_data(data, ids, capsys):
    iid = ids["done"]
    assert plan(capsys, data, iid, "--format", "ics", "--inspector", "petrova")[0] == 0
    (event,) = [e for e in Store(data).audit_events(iid) if e["action"] == "save_plan"]
    assert (event["by"], event["format"], event["copy"]) == ("petrova", "ics", "client")
    assert "Громов" not in json.dumps(event, ensure_ascii=False)


# ---------------------------------------------------------------------------- refusals


def test_missing_details_are_each_named_and_nothing_is_written(bare, ids, capsys):
    root, iid = bare, ids["done"]
    code, _, err = plan(capsys, root, iid)
    assert code == 2
    assert err.strip() == (
        "План не напечатан. Для печати плана не заполнены: название центра занятости, адрес центра "
        "занятости, телефон центра занятости, часы приёма центра занятости, ФИО инспектора «ivanova», "
        "должность инспектора «ivanova», телефон инспектора «ivanova». Запустите: sobesednik setup"
    )
    assert not (root / "documents").exists()


def test_the_curator_is_the_inspector_who_finished_the_interview(data, ids, capsys):
    iid = ids["petrova"]
    code, _, err = plan(capsys, data, iid, "--format", "md")
    assert code == 2
    assert "ФИО инспектора «petrova», должность инспектора «petrova», телефон инспектора «petrova»" in err
    code, _, err = plan(capsys, data, iid, "--format", "md", "--curator", LOGIN)
    assert code == 0, err
    text = (data / "documents" / f"{iid}-client.md").read_text("utf-8")
    assert "Иванова Анна Петровна" in text


def test_an_unfinished_interview_has_no_plan_to_print(data, ids, capsys):
    iid = ids["draft"]
    code, _, err = plan(capsys, data, iid)
    assert code == 2
    assert f"Интервью {iid} не завершено: план печатается по завершённому интервью." in err
    assert not (data / "documents").exists()


def test_an_unknown_interview_is_named(data, capsys):
    code, _, err = plan(capsys, data, "20261127-101500-0a1b2c")
    assert code == 2
    assert "Интервью 20261127-101500-0a1b2c не найдено" in err


def test_the_real_command_refuses_without_a_traceback(tmp_path):
    result = subprocess.run([sys.executable, "-m", "tui", "plan", "../../etc/passwd", "--data-dir",
                             str(tmp_path / "data")], capture_output=True, text=True, cwd=tmp_path,
                            timeout=120, check=False, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "Неверный номер интервью" in result.stderr


# ---------------------------------------------------------------------------- own templates


def own_templates(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / "own"
    (folder / Path(name).parent).mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def bundled(name: str) -> str:
    return (ROOT / "templates" / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("how", ["flag", "environment", "settings"])
def test_the_centres_templates_stand_for_the_bundled_ones(data, ids, capsys, tmp_path, monkeypatch, how):
    iid = ids["done"]
    folder = own_templates(tmp_path, "plan/client.md.j2",
                           bundled("plan/client.md.j2").replace("## Мои права", "## Ваши права"))
    extra: list[str] = []
    if how == "flag":
        extra = ["--templates", str(folder)]
    elif how == "environment":
        monkeypatch.setenv(TEMPLATES_ENV, str(folder))
    else:
        save_settings(data, Settings(centre=CENTRE, inspectors={LOGIN: CURATOR}, templates=folder))
    code, _, err = plan(capsys, data, iid, "--format", "md", *extra)
    assert code == 0, err
    text = (data / "documents" / f"{iid}-client.md").read_text("utf-8")
    assert "## Ваши права" in text and "## Мои права" not in text


def test_a_broken_own_template_is_named_with_its_line_and_the_bundled_one_is_used(data, ids, capsys,
                                                                                 tmp_path):
    iid = ids["done"]
    source = bundled("plan/client.md.j2").replace("## Мои права", "## {{ client.nmae }}")
    line = source.splitlines().index("## {{ client.nmae }}") + 1
    folder = own_templates(tmp_path, "plan/client.md.j2", source)
    code, _, err = plan(capsys, data, iid, "--format", "md", "--templates", str(folder))
    assert code == 0, err
    assert f"Шаблон центра: {folder / 'plan' / 'client.md.j2'}:{line}: " in err
    assert "использован встроенный шаблон" in err
    assert "## Мои права" in (data / "documents" / f"{iid}-client.md").read_text("utf-8")


def test_a_templates_folder_that_is_not_there_is_named_with_where_it_was_given(data, ids, capsys, tmp_path,
                                                                               monkeypatch):
    iid = ids["done"]
    monkeypatch.setenv(TEMPLATES_ENV, str(tmp_path / "nowhere"))
    code, _, err = plan(capsys, data, iid)
    assert code == 2
    assert err.strip() == (f"Каталог шаблонов {tmp_path / 'nowhere'} (${TEMPLATES_ENV}) не найден "
                           "или это не каталог.")


# ---------------------------------------------------------------------------- replay


def test_replay_writes_the_copy_and_format_asked_for(data, capsys, tmp_path):
    target = tmp_path / "plan.docx"
    code = main(["replay", str(REPLAYS / f"{COMBO}.yaml"), "--format", "docx", "--copy", "client",
                 "--curator", LOGIN, "--data-dir", str(data), "--out", str(target)])
    _, err = capsys.readouterr()
    assert code == 0, err
    assert f"План записан: {target}" in err
    headings = [p.text for p in docx.Document(str(target)).paragraphs if p.style.name == "Title"]
    assert headings == ["Мои шаги"]


def test_replay_prints_a_text_format_and_refuses_without_the_details(data, capsys, tmp_path):
    case = str(REPLAYS / f"{COMBO}.yaml")
    assert main(["replay", case, "--format", "json", "--curator", LOGIN, "--data-dir", str(data)]) == 0
    out, _ = capsys.readouterr()
    assert json.loads(out)["copy"] == "centre"
    assert main(["replay", case, "--format", "json", "--data-dir", str(tmp_path / "empty")]) == 2
    _, err = capsys.readouterr()
    assert "Для печати плана не заполнены: название центра занятости" in err


# ---------------------------------------------------------------------------- check


def check(capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_check_passes_the_bundled_templates(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv(TEMPLATES_ENV, raising=False)
    code, out, err = check(capsys, "--data-dir", str(tmp_path))
    assert code == 0, out + err
    assert out.splitlines()[-1].startswith("Шаблоны плана в порядке: ")


@pytest.mark.parametrize(("name", "old", "new", "what"), [
    ("plan/client.md.j2", "## Мои права", "## {{ client.nmae }}", "в плане нет значения «client.nmae»"),
    ("plan/centre.txt.j2", "{{ title | upper }}", "{{ titel | upper }}", "в плане нет значения «titel»"),
    ("plan/client.html.j2", "{% endblock %}", "{% if %}{% endblock %}", "шаблон не компилируется"),
    ("groups/long_unemployed.md.j2", "'equalto', 'lu_resume'", "'equalto', 'lu_rezume'",
     "нет мероприятия или группы «lu_rezume»"),
    ("groups/long_unemployed.md.j2", "asked('lu_resume')", "asked('lu_rezume')",
     "нет вопроса «lu_rezume» в сценариях"),
    ("groups/disabled.md.j2", "{% if", "{{ dis_no_such_answer }}{% if",
     "в плане нет значения «dis_no_such_answer»"),
])
def test_check_names_each_problem_of_an_own_template_with_file_and_line(capsys, tmp_path, name, old, new,
                                                                        what):
    source = bundled(name)
    assert old in source, (name, old)
    changed = source.replace(old, new, 1)
    line = next(i for i, text in enumerate(changed.splitlines(), 1) if new.split("}}")[0] in text
                or new in text)
    folder = own_templates(tmp_path, name, changed)
    code, out, err = check(capsys, "--templates", str(folder), "--data-dir", str(tmp_path))
    assert code == 1
    assert any(ln.startswith(f"{folder / name}:{line}: {what}") for ln in out.splitlines()), out
    assert err == "Найдено проблем в шаблонах плана: 1.\n"


def test_check_names_a_fragment_of_a_group_that_does_not_exist(capsys, tmp_path):
    folder = own_templates(tmp_path, "groups/disabld.md.j2", "- **ИПРА:** есть.\n")
    code, out, _ = check(capsys, "--templates", str(folder), "--data-dir", str(tmp_path))
    assert code == 1
    assert f"{folder / 'groups' / 'disabld.md.j2'}:0: нет клиентской группы «disabld»" in out


def test_check_names_an_unknown_value_in_a_word_template_with_its_paragraph(capsys, tmp_path):
    folder = tmp_path / "own"
    (folder / "plan").mkdir(parents=True)
    source, target = ROOT / "templates" / "plan" / "centre.docx", folder / "plan" / "centre.docx"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item)
            if item.filename == "word/document.xml":
                body = body.decode("utf-8").replace("{{ date_long }}", "{{ date_lnog }}", 1).encode("utf-8")
            dst.writestr(item, body)
    code, out, _ = check(capsys, "--templates", str(folder), "--data-dir", str(tmp_path))
    assert code == 1
    (line,) = [ln for ln in out.splitlines() if ln.startswith(str(target))]
    assert "(абзац «Дата составления: {{ date_lnog }}»): в плане нет значения «date_lnog»" in line


def test_check_renders_a_sample_plan_for_what_only_a_rendering_meets(capsys, tmp_path):
    loop = "{% for s in steps %}{{ s.headnig }}{% endfor %}"  # a loop's item: unknown until rendered
    source = bundled("plan/client.md.j2").replace("## Мои права", loop)
    folder = own_templates(tmp_path, "plan/client.md.j2", source)
    code, out, _ = check(capsys, "--templates", str(folder), "--data-dir", str(tmp_path))
    assert code == 1
    (line,) = [ln for ln in out.splitlines() if ln.startswith(str(folder / "plan" / "client.md.j2"))]
    assert "шаблон не отрисовывается" in line and "headnig" in line
