"""The centre's and the inspectors' details a plan prints: ``<data dir>/settings.yaml``.

Written by ``sobesednik setup`` (owner-only, replaced atomically, never through a
symbolic link), read at start-up and whenever a plan is printed::

    centre: {name: ..., address: ..., phone: ..., hours: ...}
    inspectors:
      <login>: {full_name: ..., position: ..., phone: ..., office: ...}   # office optional
    templates: /path/to/templates                                        # optional

A missing file is empty :class:`Settings` (nothing can be printed yet, and
:meth:`Settings.missing` says what to fill in); a broken one is a :class:`SettingsError`
naming ``file:line`` and what is wrong, never a traceback. The file is read only up to
:data:`MAX_SETTINGS_FILE_BYTES`, through the bounded YAML loader of the scripts
(:mod:`tui.engine.yamlsrc`), and every value is bounded (:data:`MAX_FIELD_LENGTH`,
:data:`MAX_INSPECTORS`) so that nothing in it can exhaust the program.

Rendering never imports the store: the app and the command line hand the renderer
:meth:`Settings.office`, a plain dictionary.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import os
import re
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tui.engine.textsafe import clip, first_hidden
from tui.engine.yamlsrc import SrcDict, YamlError, load_text
from tui.fs import atomic_write, open_regular
from tui.store.errors import StoreError, describe_os_error, os_reason
from tui.store.layout import SETTINGS_FILE, lstat_in, make_dirs

#: Bytes of ``settings.yaml``; a larger file is refused unread (a real one is a few KB).
MAX_SETTINGS_FILE_BYTES = 256 * 1024
#: Characters of one value (a name, an address, hours, a path).
MAX_FIELD_LENGTH = 300
#: Characters of an inspector's login.
MAX_LOGIN_LENGTH = 64
#: Inspectors in one file.
MAX_INSPECTORS = 1000

#: The centre's fields, in the order ``setup`` asks them, with what each is called in a
#: message («телефон центра занятости»).
CENTRE_FIELDS: dict[str, str] = {
    "name": "название центра занятости",
    "address": "адрес центра занятости",
    "phone": "телефон центра занятости",
    "hours": "часы приёма центра занятости",
}
#: An inspector's fields, in the order ``setup`` asks them; ``office`` may stay empty.
INSPECTOR_FIELDS: dict[str, str] = {
    "full_name": "ФИО",
    "position": "должность",
    "phone": "телефон",
    "office": "кабинет",
}
OPTIONAL_INSPECTOR_FIELDS = frozenset({"office"})
PHONE_FIELDS = frozenset({"phone"})
#: The top-level keys (the kiosk PIN of a later issue will be one more).
TOP_KEYS = ("centre", "inspectors", "templates")

SETUP_HINT = "Запустите: sobesednik setup"


class SettingsError(StoreError):
    """``settings.yaml`` cannot be read or says something wrong: ``str()`` is
    ``file:line: what`` (line 0 when the whole file is concerned)."""

    def __init__(self, path: Path | str, line: int, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        super().__init__(f"{path}:{line}: {message}")


@dataclass(frozen=True)
class Centre:
    name: str = ""
    address: str = ""
    phone: str = ""
    hours: str = ""

    def as_dict(self) -> dict[str, str]:
        return {key: getattr(self, key) for key in CENTRE_FIELDS}


@dataclass(frozen=True)
class Inspector:
    full_name: str = ""
    position: str = ""
    phone: str = ""
    office: str = ""

    def as_dict(self) -> dict[str, str]:
        return {key: getattr(self, key) for key in INSPECTOR_FIELDS}


@dataclass(frozen=True)
class Settings:
    """What ``settings.yaml`` says; empty when there is no file (``path`` says where it
    is or would be)."""

    centre: Centre = field(default_factory=Centre)
    inspectors: Mapping[str, Inspector] = field(default_factory=dict)
    templates: Path | None = None
    path: Path | None = None

    def inspector(self, login: str) -> Inspector:
        return self.inspectors.get(login) or Inspector()

    def office(self, login: str) -> dict[str, dict[str, str]]:
        """The details a plan prints: ``{"centre": {name, address, phone, hours},
        "curator": {login, full_name, position, phone, office}}`` (empty strings for what
        is not filled in)."""
        return {"centre": self.centre.as_dict(),
                "curator": {"login": login, **self.inspector(login).as_dict()}}

    def missing(self, login: str) -> list[str]:
        """Each detail a plan needs that is not filled in, in Russian («телефон центра
        занятости», «ФИО инспектора «root»»); empty when a plan can be printed."""
        out = [words for key, words in CENTRE_FIELDS.items() if not getattr(self.centre, key)]
        person = self.inspector(login)
        out += [f"{words} инспектора «{clip(login)}»" for key, words in INSPECTOR_FIELDS.items()
                if key not in OPTIONAL_INSPECTOR_FIELDS and not getattr(person, key)]
        return out

    def missing_notice(self, login: str) -> str | None:
        """One sentence for the start screen and the plan commands, or ``None``:
        «Для печати плана не заполнены: … Запустите: sobesednik setup»."""
        missing = self.missing(login)
        if not missing:
            return None
        return f"Для печати плана не заполнены: {', '.join(missing)}. {SETUP_HINT}"

    def with_centre(self, centre: Centre) -> Settings:
        return dataclasses.replace(self, centre=centre)

    def with_inspector(self, login: str, inspector: Inspector) -> Settings:
        return dataclasses.replace(self, inspectors={**self.inspectors, login: inspector})


def settings_path(data_dir: Path) -> Path:
    return data_dir / SETTINGS_FILE


# ---------------------------------------------------------------- checking values

_PHONE_CHARS = re.compile(r"^[0-9+()\- ]+(?:,? *доб\.? *[0-9]{1,6})?$")
_PHONE_HINT = ("номер телефона: 10 цифр после +7 или 8, можно с пробелами, дефисами и скобками, "
               "например +7 (8152) 12-34-56; добавочный — «доб. 123»")


def check_phone(text: str) -> str | None:
    """Why ``text`` is not a Russian phone number, or ``None`` (an empty one is not
    checked here: :meth:`Settings.missing` says it is missing)."""
    if not text:
        return None
    main = re.split(r",? *доб", text, maxsplit=1)[0]
    digits = re.sub(r"\D", "", main)
    plus = main.count("+")
    ok = (_PHONE_CHARS.match(text) is not None and plus <= 1 and (plus == 0 or main.startswith("+"))
          and ((len(digits) == 11 and digits[0] in "78" and (not plus or digits[0] == "7"))
               or (len(digits) == 10 and not plus)))
    return None if ok else f"ожидается {_PHONE_HINT}"


def check_text(text: str, limit: int = MAX_FIELD_LENGTH) -> str | None:
    """Why ``text`` cannot be a value of the settings (too long, a control character or a
    line break), or ``None``."""
    if len(text) > limit:
        return f"слишком длинно: не больше {limit} знаков"
    if "\n" in text or "\r" in text or "\t" in text:
        return "значение должно быть одной строкой"
    hidden = first_hidden(text)
    if hidden is not None:
        return f"недопустимый символ {hidden!a}"
    return None


def check_value(key: str, text: str) -> str | None:
    """Why ``text`` cannot be the field ``key`` (of the centre or an inspector), or ``None``."""
    return check_text(text) or (check_phone(text) if key in PHONE_FIELDS else None)


def check_login(text: str) -> str | None:
    if not text:
        return "логин не может быть пустым"
    return check_text(text, MAX_LOGIN_LENGTH)


# ---------------------------------------------------------------- reading

def _read(path: Path) -> str | None:
    """The text of ``settings.yaml`` (``None`` when there is none)."""
    try:
        fd = open_regular(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        why = os_reason(exc)
        if exc.errno == errno.ELOOP:
            why = "символическая ссылка: Собеседник не открывает настройки по ссылкам"
        raise SettingsError(path, 0, f"файл настроек не читается: {why}") from exc
    try:
        data = b""
        while len(data) <= MAX_SETTINGS_FILE_BYTES:
            chunk = os.read(fd, MAX_SETTINGS_FILE_BYTES + 1 - len(data))
            if not chunk:
                break
            data += chunk
    except OSError as exc:
        raise SettingsError(path, 0, f"файл настроек не читается: {os_reason(exc)}") from exc
    finally:
        os.close(fd)
    if len(data) > MAX_SETTINGS_FILE_BYTES:
        limit = MAX_SETTINGS_FILE_BYTES // 1024
        raise SettingsError(path, 0, f"файл настроек слишком большой: больше {limit} КБ")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise SettingsError(path, 0, "файл настроек не в кодировке UTF-8") from None


def _mapping(value: Any, path: Path, line: int, what: str) -> SrcDict:
    if value is None:
        empty = SrcDict()
        empty.line, empty.key_lines = line, {}
        return empty
    if not isinstance(value, SrcDict):
        raise SettingsError(path, getattr(value, "line", line), f"{what}: ожидается набор «ключ: значение»")
    return value


def _unknown(data: SrcDict, known: tuple[str, ...] | Mapping[str, str], path: Path, what: str) -> None:
    for key in data:
        if key not in known:
            raise SettingsError(path, data.line_of(key), f"{what}: неизвестный ключ «{clip(key)}» "
                                f"(ожидается: {', '.join(known)})")


def _string(data: SrcDict, key: str, path: Path, what: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise SettingsError(path, data.line_of(key), f"{what}: ожидается текст")
    text = str(value).strip()
    why = check_value(key, text)
    if why:
        raise SettingsError(path, data.line_of(key), f"{what}: {why}")
    return text


def _centre(data: SrcDict, path: Path) -> Centre:
    section = _mapping(data.get("centre"), path, data.line_of("centre"), "centre")
    _unknown(section, CENTRE_FIELDS, path, "centre")
    return Centre(**{key: _string(section, key, path, f"centre.{key} ({words})")
                     for key, words in CENTRE_FIELDS.items()})


def _inspectors(data: SrcDict, path: Path) -> dict[str, Inspector]:
    section = _mapping(data.get("inspectors"), path, data.line_of("inspectors"), "inspectors")
    if len(section) > MAX_INSPECTORS:
        raise SettingsError(path, section.line, f"inspectors: больше {MAX_INSPECTORS} инспекторов")
    out: dict[str, Inspector] = {}
    for login, value in section.items():
        line = section.line_of(login)
        why = check_login(login)
        if why:
            raise SettingsError(path, line, f"inspectors: логин «{clip(login)}»: {why}")
        entry = _mapping(value, path, line, f"inspectors.{clip(login)}")
        _unknown(entry, INSPECTOR_FIELDS, path, f"inspectors.{clip(login)}")
        out[login] = Inspector(**{
            key: _string(entry, key, path, f"inspectors.{clip(login)}.{key} ({words})")
            for key, words in INSPECTOR_FIELDS.items()})
    return out


def _templates(data: SrcDict, path: Path) -> Path | None:
    value = data.get("templates")
    if value in (None, ""):
        return None
    line = data.line_of("templates")
    if not isinstance(value, str):
        raise SettingsError(path, line, "templates: ожидается путь к каталогу шаблонов")
    why = check_text(value)
    if why:
        raise SettingsError(path, line, f"templates: {why}")
    folder = Path(value).expanduser()
    if not folder.is_absolute():
        raise SettingsError(path, line, f"templates: путь к каталогу шаблонов должен быть полным "
                            f"(от «/»), а не «{clip(value)}»")
    return folder


def parse_settings(text: str, path: Path) -> Settings:
    """:class:`Settings` from the text of a settings file (``path`` names it in errors)."""
    try:
        data = load_text(text, path)
    except YamlError as exc:
        raise SettingsError(path, exc.line, exc.message) from None
    data = _mapping(data, path, 1, "файл настроек")
    _unknown(data, TOP_KEYS, path, "файл настроек")
    return Settings(centre=_centre(data, path), inspectors=_inspectors(data, path),
                    templates=_templates(data, path), path=path)


def load_settings(data_dir: Path) -> Settings:
    """The settings of the data directory ``data_dir``: empty when there is no file;
    :class:`SettingsError` (``file:line: what``) when it is broken, a symbolic link, not
    a regular file or too large."""
    path = settings_path(data_dir)
    text = _read(path)
    if text is None:
        return Settings(path=path)
    return parse_settings(text, path)


# ---------------------------------------------------------------- writing

def dump_settings(settings: Settings) -> str:
    """The YAML text of ``settings`` (what :func:`save_settings` writes)."""
    data: dict[str, Any] = {
        "centre": settings.centre.as_dict(),
        "inspectors": {login: person.as_dict() for login, person in settings.inspectors.items()},
    }
    if settings.templates is not None:
        data["templates"] = str(settings.templates)
    header = ("# Собеседник: сведения о центре занятости и инспекторах для печати плана.\n"
              "# Заполняется командой «sobesednik setup».\n")
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False)


def save_settings(data_dir: Path, settings: Settings) -> Path:
    """Write ``settings`` to ``<data_dir>/settings.yaml`` atomically and durably,
    owner-only (0600); returns its path. The data directory is made (owner-only) when it
    does not exist; a symbolic link or a folder in the file's place is refused
    (:class:`SettingsError`), a disk problem is a :class:`StoreError` naming the file."""
    path = settings_path(data_dir)
    with _os_errors(data_dir, path):
        make_dirs(data_dir)
        st = lstat_in(data_dir, path)
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise SettingsError(path, 0, "на месте файла настроек не обычный файл (символическая ссылка, "
                            "каталог или устройство): замените его настоящим файлом или удалите")
    text = dump_settings(settings)
    parse_settings(text, path)  # what is written must read back: the checks are the reader's
    with _os_errors(data_dir, path):
        atomic_write(path, text)
    return path


@contextlib.contextmanager
def _os_errors(root: Path, path: Path) -> Iterator[None]:
    """An OS error inside becomes a :class:`StoreError` naming ``path``."""
    try:
        yield
    except OSError as exc:
        raise StoreError(describe_os_error(exc, Path(exc.filename or path), "записать", root=root)) from exc
