"""``<data dir>/settings.yaml``: the centre's and the inspectors' details a plan prints.

What an administrator notices: what ``setup`` saved reads back the same and only the
owner can read it; a missing detail is named exactly (which field of the centre, which
field of which inspector); a broken file names ``file:line`` and what is wrong; a link,
a pipe or a huge file is refused with a message, never followed, never waited on.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.helpers import TODAY
from tests.store.faults import within
from tui.cli import main
from tui.store.errors import StoreError
from tui.store.settings import (
    MAX_SETTINGS_FILE_BYTES,
    Centre,
    Inspector,
    Settings,
    SettingsError,
    check_phone,
    load_settings,
    parse_settings,
    save_settings,
)

CENTRE = Centre(name="ГОБУ ЦЗН Мурманской области", address="г. Мурманск, ул. Папанина, д. 4",
                phone="+7 (8152) 48-76-54", hours="пн–чт 9:00–17:00, пт 9:00–15:00")
PETROVA = Inspector(full_name="Петрова Анна Сергеевна", position="ведущий инспектор",
                    phone="8 (8152) 48-76-55", office="12")
FULL = Settings(centre=CENTRE, inspectors={"petrova": PETROVA})
CONSENT = {"given": True, "text_version": "2026-11", "how": "подписано на бумаге"}

GOOD = """\
centre:
  name: ГОБУ ЦЗН Мурманской области
  address: г. Мурманск, ул. Папанина, д. 4
  phone: +7 (8152) 48-76-54
  hours: пн–чт 9:00–17:00
inspectors:
  petrova:
    full_name: Петрова Анна Сергеевна
    position: ведущий инспектор
    phone: 8 (8152) 48-76-55
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "data"


def test_saved_settings_read_back_the_same_and_owner_only(root: Path) -> None:
    path = save_settings(root, FULL)
    assert path == root / "settings.yaml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(root.stat().st_mode) == 0o700  # made by save, owner-only
    loaded = load_settings(root)
    assert loaded.centre == CENTRE
    assert loaded.inspectors == {"petrova": PETROVA}
    assert loaded.missing("petrova") == []
    assert loaded.missing_notice("petrova") is None


def test_office_gives_what_a_plan_prints(root: Path) -> None:
    save_settings(root, FULL)
    office = load_settings(root).office("petrova")
    assert office == {
        "centre": {"name": "ГОБУ ЦЗН Мурманской области", "address": "г. Мурманск, ул. Папанина, д. 4",
                   "phone": "+7 (8152) 48-76-54", "hours": "пн–чт 9:00–17:00, пт 9:00–15:00"},
        "curator": {"login": "petrova", "full_name": "Петрова Анна Сергеевна",
                    "position": "ведущий инспектор", "phone": "8 (8152) 48-76-55", "office": "12"},
    }


def test_no_file_is_empty_settings_that_name_everything_to_fill_in(root: Path) -> None:
    settings = load_settings(root)
    assert not root.exists()  # reading never creates the data directory
    assert settings.missing("root") == [
        "название центра занятости", "адрес центра занятости", "телефон центра занятости",
        "часы приёма центра занятости", "ФИО инспектора «root»", "должность инспектора «root»",
        "телефон инспектора «root»",
    ]
    notice = settings.missing_notice("root")
    assert notice is not None
    assert notice.startswith("Для печати плана не заполнены: название центра занятости, ")
    assert notice.endswith("Запустите: sobesednik setup")


def test_missing_names_the_one_field_and_the_inspector(root: Path) -> None:
    (root).mkdir()
    (root / "settings.yaml").write_text(GOOD.replace("  phone: +7 (8152) 48-76-54\n", ""), "utf-8")
    settings = load_settings(root)
    assert settings.missing("petrova") == ["телефон центра занятости"]
    # another inspector at the same centre is not in the file yet; the office is optional
    assert settings.missing("sidorov") == [
        "телефон центра занятости", "ФИО инспектора «sidorov»", "должность инспектора «sidorov»",
        "телефон инспектора «sidorov»",
    ]


@pytest.mark.parametrize(("text", "line", "words"), [
    ("centre: [1, 2]\n", 1, "centre: ожидается набор «ключ: значение»"),
    (GOOD.replace("+7 (8152) 48-76-54", "48-76-54"),
      4, "centre.phone (телефон центра занятости): ожидается номер телефона"),
    (GOOD.replace("8 (8152) 48-76-55", "позвонить Ане"),
      10, "inspectors.petrova.phone (телефон): ожидается номер телефона"),
    (GOOD.replace("  address:", "  adress:"),
      3, "centre: неизвестный ключ «adress» (ожидается: name, address, phone, hours)"),
    (GOOD + "pin: 1234\n", 11, "файл настроек: неизвестный ключ «pin»"),
    (GOOD.replace("    position: ведущий инспектор", "    position: {a: 1}"),
      9, "inspectors.petrova.position (должность): ожидается текст"),
    (GOOD.replace("  name: ГОБУ", "  name: " + "Ц" * 301 + " ГОБУ"), 2, "не больше 300 знаков"),
    (GOOD.replace("  name: ГОБУ ЦЗН Мурманской области", '  name: "ГОБУ\\x1b[2J ЦЗН"'),
      2, "недопустимый символ '\\x1b'"),
    (GOOD + "templates: шаблоны\n", 11, "templates: путь к каталогу шаблонов должен быть полным"),
    ("centre:\n  name: [\n", 3, "это не YAML"),
    (GOOD.replace("  petrova:", "  petrova: x\n  petrova:"), 8, "ключ «petrova» повторяется"),
    ("- centre\n", 1, "файл настроек: ожидается набор «ключ: значение»"),
])
def test_a_broken_file_names_file_line_and_what(root: Path, text: str, line: int, words: str) -> None:
    root.mkdir()
    (root / "settings.yaml").write_text(text, "utf-8")
    with pytest.raises(SettingsError) as caught:
        load_settings(root)
    message = str(caught.value)
    assert message.startswith(f"{root / 'settings.yaml'}:{line}: "), message
    assert words in message


def test_absolute_templates_folder_is_kept(root: Path) -> None:
    settings = parse_settings(GOOD + "templates: /srv/czn/templates\n", root / "settings.yaml")
    assert settings.templates == Path("/srv/czn/templates")
    save_settings(root, settings)
    assert load_settings(root).templates == Path("/srv/czn/templates")


@pytest.mark.parametrize("phone", [
    "+7 (8152) 48-76-54", "8 (8152) 48-76-54", "88152487654", "+78152487654", "(8152) 48-76-54",
    "8152 487654", "+7 921 123-45-67", "+7 (8152) 48-76-54 доб. 123", "8-800-100-00-00, доб. 5",
])
def test_russian_phone_numbers_are_accepted(phone: str) -> None:
    assert check_phone(phone) is None


@pytest.mark.parametrize("phone", [
    "48-76-54", "+1 (212) 555-01-23", "+8 (8152) 48-76-54", "8 (8152) 48-76-54 звонить после обеда",
    "+7 (8152) 48-76-54-1", "7+ 8152 487654", "++7 8152 487654", "телефон",
])
def test_other_text_is_not_a_phone(phone: str) -> None:
    assert check_phone(phone) is not None


def test_a_symbolic_link_is_refused_and_not_followed(root: Path, tmp_path: Path) -> None:
    root.mkdir()
    elsewhere = tmp_path / "elsewhere.yaml"
    elsewhere.write_text(GOOD, "utf-8")
    (root / "settings.yaml").symlink_to(elsewhere)
    with pytest.raises(SettingsError, match="символическая ссылка"):
        load_settings(root)
    with pytest.raises(SettingsError, match="символическая ссылка"):
        save_settings(root, FULL)
    assert elsewhere.read_text("utf-8") == GOOD  # never written through the link


def test_a_named_pipe_is_refused_without_waiting(root: Path) -> None:
    root.mkdir()
    os.mkfifo(root / "settings.yaml")
    with pytest.raises(SettingsError, match="не обычный файл"):
        within(10.0, load_settings, root)


def test_a_huge_file_is_refused_unread(root: Path) -> None:
    root.mkdir()
    (root / "settings.yaml").write_bytes(b"# " + b"x" * MAX_SETTINGS_FILE_BYTES)
    with pytest.raises(SettingsError, match=r"settings.yaml:0: файл настроек слишком большой"):
        load_settings(root)


def test_not_utf8_is_named(root: Path) -> None:
    root.mkdir()
    (root / "settings.yaml").write_bytes("centre: {name: ЦЗН}".encode("cp1251"))
    with pytest.raises(SettingsError, match="не в кодировке UTF-8"):
        load_settings(root)


def test_a_self_multiplying_file_is_refused(root: Path) -> None:
    root.mkdir()
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, "
              f"*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 9)]
    (root / "settings.yaml").write_text("\n".join(lines), "utf-8")
    with pytest.raises(SettingsError, match="слишком много элементов"):
        within(10.0, load_settings, root)


def test_saving_refuses_values_that_would_not_read_back(root: Path) -> None:
    bad = FULL.with_centre(Centre(name="ЦЗН", phone="не знаю"))
    with pytest.raises(SettingsError, match="ожидается номер телефона"):
        save_settings(root, bad)
    assert not (root / "settings.yaml").exists()


def test_saving_keeps_the_other_inspectors(root: Path) -> None:
    save_settings(root, FULL)
    sidorov = Inspector(full_name="Сидоров Иван Ильич", position="инспектор", phone="+7 921 000-11-22")
    save_settings(root, load_settings(root).with_inspector("sidorov", sidorov))
    loaded = load_settings(root)
    assert loaded.inspectors == {"petrova": PETROVA, "sidorov": sidorov}
    assert [p.name for p in root.iterdir()] == ["settings.yaml"]  # no temporary file left


# ---------------------------------------------------------------- the store and doctor know them

def _store_with_one_interview(root: Path) -> None:
    from tui.store.store import Store

    store = Store(root)
    store.create_interview(interview_date=TODAY, scripts="profile v1", mode="inspector",
                           inspector="petrova", consent=CONSENT)
    store.close()


def doctor(capsys: pytest.CaptureFixture[str], root: Path, *flags: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["doctor", "--data-dir", str(root), *flags])
    out, err = capsys.readouterr()
    return code, out + err


def test_doctor_names_a_broken_settings_file_with_its_line_and_leaves_it(
        root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _store_with_one_interview(root)
    broken = GOOD.replace("+7 (8152) 48-76-54", "позвонить")
    (root / "settings.yaml").write_text(broken, "utf-8")
    os.chmod(root / "settings.yaml", 0o600)
    code, out = doctor(capsys, root)
    assert code != 0
    assert "settings.yaml: настройки не читаются: centre.phone (телефон центра занятости)" in out
    assert "(строка 4)" in out and "sobesednik setup" in out
    assert (root / "settings.yaml").read_text("utf-8") == broken  # the administrator's text


def test_doctor_narrows_wide_permissions_of_settings_and_documents(
        root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _store_with_one_interview(root)
    save_settings(root, FULL)
    (root / "documents").mkdir(mode=0o755)
    (root / "documents" / "plan.pdf").write_bytes(b"%PDF-1.7")
    os.chmod(root / "documents", 0o755)
    os.chmod(root / "documents" / "plan.pdf", 0o644)
    os.chmod(root / "settings.yaml", 0o644)
    code, out = doctor(capsys, root, "--check-only")
    assert "settings.yaml (0644)" in out and "documents (0755)" in out
    doctor(capsys, root)
    assert stat.S_IMODE((root / "settings.yaml").stat().st_mode) == 0o600
    assert stat.S_IMODE((root / "documents").stat().st_mode) == 0o700
    assert stat.S_IMODE((root / "documents" / "plan.pdf").stat().st_mode) == 0o600
    code, out = doctor(capsys, root, "--check-only")
    assert code == 0, out


def test_a_healthy_store_with_settings_and_documents_is_ok(
        root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _store_with_one_interview(root)
    save_settings(root, FULL)
    (root / "documents").mkdir(mode=0o700)
    code, out = doctor(capsys, root, "--check-only")
    assert code == 0, out


@pytest.mark.parametrize("name", ["settings.yaml", "documents"])
def test_a_link_in_place_of_settings_or_documents_stops_the_store(
        root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    from tui.store.store import Store

    _store_with_one_interview(root)
    target = tmp_path / "elsewhere"
    target.mkdir()
    (root / name).symlink_to(target)
    with pytest.raises(StoreError, match=f"символическая ссылка: {name}"):
        Store(root)
    code, out = doctor(capsys, root)
    assert code != 0
    assert f"исправления не выполнялись: символическая ссылка среди каталогов хранилища ({name})" in out
    assert (root / name).is_symlink()  # never moved, never followed


def test_a_folder_in_place_of_settings_is_set_aside_on_repair(
        root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _store_with_one_interview(root)
    (root / "settings.yaml").mkdir(mode=0o700)
    code, out = doctor(capsys, root, "--check-only")
    assert "settings.yaml: должен быть файлом (настройки центра занятости)" in out
    doctor(capsys, root)
    assert not (root / "settings.yaml").exists()
    assert load_settings(root).missing("petrova")  # empty settings again, setup can write them


def test_a_backup_keeps_the_settings(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import tarfile

    _store_with_one_interview(root)
    save_settings(root, FULL)
    out = tmp_path / "copy.tar.gz"
    assert main(["backup", "--data-dir", str(root), "--out", str(out)]) == 0
    with tarfile.open(out) as tar:
        names = tar.getnames()
        member = tar.extractfile("settings.yaml")
        assert member is not None
        assert "Петрова Анна Сергеевна" in member.read().decode("utf-8")
    assert "settings.yaml" in names
