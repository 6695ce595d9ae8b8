"""Store commands: ``sobesednik doctor`` (see :mod:`tui.cli.common` and :mod:`tui.store.doctor`).

Exit codes: 0 the store is healthy (or was fully repaired), 1 problems remain, 2 the
directory could not be checked (missing, not a directory, from a newer version ...).
"""

from __future__ import annotations

import argparse
from typing import Any

from tui.cli.common import Handler, add_data_dir, add_inspector, who


def register(sub: Any) -> dict[str, Handler]:
    doctor = sub.add_parser(
        "doctor",
        help="проверить хранилище и исправить, что можно",
        description=(
            "Проверяет каждый файл каталога данных и исправляет, что можно: повреждённые и "
            "лишние файлы откладываются в damaged/, временные удаляются, указатель поиска "
            "перестраивается. Данные не удаляются и не перезаписываются. Символические ссылки "
            "в каталоге данных называются и никогда не открываются; права шире, чем только для "
            "владельца, сужаются до 0600/0700; файлы открытых интервью от завершившихся "
            "процессов удаляются."
        ),
    )
    add_data_dir(doctor)
    doctor.add_argument(
        "--check-only", action="store_true", help="только проверить, ничего не меняя на диске"
    )
    add_inspector(doctor, "кто проверяет (для журнала действий; по умолчанию имя пользователя)")
    return {"doctor": cmd_doctor}


def cmd_doctor(args: argparse.Namespace) -> int:
    from tui.paths import data_dir
    from tui.store.doctor import diagnose

    root = data_dir(args.data_dir)
    report = diagnose(root, repair=not args.check_only, by=who(args))  # StoreError: exit 2
    print(("Проверка" if args.check_only else "Проверка и исправление") + f" каталога данных {root}")
    for line in report.lines():
        print(line)
    print(report.summary())
    return 0 if report.ok else 1
