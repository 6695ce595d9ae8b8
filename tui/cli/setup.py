"""``sobesednik setup``: the centre's and the inspectors' details a plan prints
(:mod:`tui.store.settings`), asked one by one on the terminal.

Each question shows the current value in brackets: Enter keeps it, «-» clears an optional
one. A value that cannot be used (a phone that is not a Russian number, a control
character, too long) is asked again with the reason. Ctrl+D or Ctrl+C leaves without
writing anything. ``--show`` prints the settings and what is still missing, for the
administrator's scripts.

Exit codes: 0 saved (or shown); 1 left without saving; 2 the settings file or the data
directory could not be used.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.cli.common import Handler, add_data_dir, err
from tui.whoami import whoami

if TYPE_CHECKING:
    from collections.abc import Callable

    from tui.store.settings import Inspector, Settings

#: The questions about the centre: (field, prompt, example).
CENTRE_QUESTIONS = (
    ("name", "Название центра занятости", "ГОБУ ЦЗН Мурманской области"),
    ("address", "Адрес отделения, где принимают клиентов", "г. Мурманск, ул. Папанина, д. 4"),
    ("phone", "Телефон центра занятости", "+7 (8152) 48-76-54"),
    ("hours", "Часы приёма", "пн–чт 9:00–17:00, пт 9:00–15:00"),
)
#: The questions about an inspector (after the login).
INSPECTOR_QUESTIONS = (
    ("full_name", "ФИО инспектора", "Петрова Анна Сергеевна"),
    ("position", "Должность", "ведущий инспектор"),
    ("phone", "Рабочий телефон инспектора", "+7 (8152) 48-76-55"),
    ("office", "Кабинет (можно не заполнять)", "12"),
)
CLEAR = "-"
YES = frozenset({"д", "да", "y", "yes"})
NO = frozenset({"н", "нет", "n", "no", ""})


class Leave(Exception):
    """Ctrl+D or Ctrl+C: nothing is written."""


def register(sub: Any) -> dict[str, Handler]:
    setup = sub.add_parser(
        "setup", help="сведения о центре занятости и инспекторах для печати плана",
        description=(
            "Спрашивает название центра занятости, адрес отделения, телефон и часы приёма, затем "
            "логин, ФИО, должность, телефон и кабинет каждого инспектора, и сохраняет их в "
            "settings.yaml каталога данных (только для владельца). В скобках — текущее значение: "
            "Enter оставляет его, «-» очищает необязательное. Ctrl+D или Ctrl+C — выйти, ничего "
            "не сохраняя. Без этих сведений план не печатается."
        ),
    )
    add_data_dir(setup)
    setup.add_argument("--show", action="store_true",
                       help="только показать сохранённые сведения и чего не хватает")
    return {"setup": cmd_setup}


def cmd_setup(args: argparse.Namespace) -> int:
    from tui.paths import data_dir
    from tui.store.settings import load_settings, save_settings

    root = data_dir(args.data_dir)
    settings = load_settings(root)  # SettingsError (file:line: what): exit 2
    if args.show:
        show(settings, whoami())
        return 0
    print(f"Настройка Собеседника: сведения для печати плана (каталог данных {root}).")
    print(f"В скобках — текущее значение: Enter оставляет его, «{CLEAR}» очищает необязательное. "
          "Ctrl+D или Ctrl+C — выйти без сохранения.")
    try:
        settings = ask_all(settings)
    except Leave:
        err("\nНастройки не сохранены.")
        return 1
    path = save_settings(root, settings)
    print(f"\nСохранено в {path} (только для владельца):")
    show(settings, whoami(), header=False)
    return 0


def ask_all(settings: Settings) -> Settings:
    from tui.store.settings import Centre

    print("\nЦентр занятости")
    current = settings.centre.as_dict()
    settings = settings.with_centre(Centre(**{
        key: ask(prompt, current[key], key, example=example)
        for key, prompt, example in CENTRE_QUESTIONS}))
    login = whoami()
    while True:
        print("\nИнспектор")
        login = ask_login(login)
        settings = settings.with_inspector(login, ask_inspector(settings.inspector(login)))
        if not ask_yes_no("Добавить ещё инспектора?"):
            return settings
        login = ""


def ask_login(default: str) -> str:
    from tui.store.settings import check_login

    return ask("Логин инспектора (под ним он входит в систему или указывает --inspector)",
               default, "login", check=check_login)


def ask_inspector(person: Inspector) -> Inspector:
    from tui.store.settings import OPTIONAL_INSPECTOR_FIELDS, Inspector

    current = person.as_dict()
    return Inspector(**{
        key: ask(prompt, current[key], key, example=example, optional=key in OPTIONAL_INSPECTOR_FIELDS)
        for key, prompt, example in INSPECTOR_QUESTIONS})


def ask(prompt: str, default: str, key: str, *, example: str = "", optional: bool = False,
        check: Callable[[str], str | None] | None = None) -> str:
    """One value: ``default`` on Enter, re-asked with the reason until it can be used."""
    from tui.store.settings import check_value

    shown = f" [{default}]" if default else (f" (например: {example})" if example else "")
    while True:
        text = read(f"  {prompt}{shown}: ").strip()
        if not text:
            text = default
        elif text == CLEAR and optional:
            return ""
        if not text and not optional:
            say("это нужно для печати плана: введите значение")
            continue
        why = (check or (lambda t: check_value(key, t)))(text)
        if why is None:
            return text
        say(why)


def ask_yes_no(prompt: str) -> bool:
    while True:
        answer = read(f"{prompt} [д/Н]: ").strip().lower()
        if answer in YES:
            return True
        if answer in NO:
            return False
        say("ответьте «д» (да) или «н» (нет)")


def read(prompt: str) -> str:
    try:
        return input(prompt)
    except (EOFError, KeyboardInterrupt):
        raise Leave from None


def say(why: str) -> None:
    print(f"    Не подходит: {why}. Попробуйте ещё раз.", file=sys.stdout, flush=True)


def show(settings: Settings, login: str, *, header: bool = True) -> None:
    """The settings as the administrator reads them, then what a plan still lacks for
    ``login`` (the one running the command)."""
    from tui.store.settings import CENTRE_FIELDS, INSPECTOR_FIELDS

    if header:
        exists = settings.path is not None and Path(settings.path).exists()
        print(f"Настройки: {settings.path}" + ("" if exists else " (файла ещё нет)"))
    print("Центр занятости:")
    for key, words in CENTRE_FIELDS.items():
        value = getattr(settings.centre, key)
        print(f"  {words.removesuffix(' центра занятости')}: {value or '—'}")
    print("Инспекторы:" if settings.inspectors else "Инспекторы: не указаны")
    for name, person in settings.inspectors.items():
        parts = [f"{words}: {value}" for key, words in INSPECTOR_FIELDS.items()
                 if (value := getattr(person, key))]
        print(f"  {name} — {'; '.join(parts) or 'сведений нет'}")
    if settings.templates is not None:
        print(f"Шаблоны плана: {settings.templates}")
    notice = settings.missing_notice(login)
    print(notice if notice else f"Для печати плана инспектором «{login}» всё заполнено.")
