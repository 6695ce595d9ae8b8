"""Interview commands: ``run`` (the app; the default command), ``check``, ``replay`` and
``classify`` (see :mod:`tui.cli.common`).

Exit codes: 0 done; 1 the scripts, the answers or the facts have a problem (each named as
``file:line: what``); 2 nothing could be done (broken scripts for a command that needs
them, the store, a plan template, a file that cannot be written).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.cli.common import (
    CommandError,
    Handler,
    add_data_dir,
    add_inspector,
    add_scripts,
    count,
    date_arg,
    err,
    load_scripts,
    open_store,
    script_paths,
    who,
)
from tui.cli.plan import add_document_options

if TYPE_CHECKING:
    from tui.engine.model import Bundle
    from tui.engine.plan import Plan

_MARKS = {"in": "✓ да", "out": "✗ нет", "undecided": "? не решено", "not_assessed": "– не оценивалась"}


def register(sub: Any) -> dict[str, Handler]:
    run = sub.add_parser("run", help="провести интервью (команда по умолчанию)")
    add_data_dir(run)
    add_scripts(run)
    run.add_argument("--date", type=date_arg, metavar="ДД.ММ.ГГГГ",
                     help="дата интервью (по умолчанию сегодня)")
    add_inspector(run, "кто проводит интервью (по умолчанию имя пользователя)")
    run.add_argument("--kiosk", action="store_true", help="режим терминала самообслуживания")
    run.add_argument("--record", metavar="ФАЙЛ", help="записывать ответы в файл для replay")

    check = sub.add_parser("check", help="проверить сценарии интервью и шаблоны плана")
    check.add_argument(
        "paths", nargs="*", metavar="ПУТЬ", help="файлы или каталоги (по умолчанию встроенные)"
    )
    check.add_argument("--templates", metavar="КАТАЛОГ",
                       help="проверить и свои шаблоны центра (по умолчанию $SOBESEDNIK_TEMPLATES "
                            "или «templates» в настройках)")
    add_data_dir(check)

    replay = sub.add_parser("replay", help="пройти интервью по файлу ответов и вывести план")
    replay.add_argument("answers", metavar="ОТВЕТЫ.yaml")
    replay.add_argument("--date", type=date_arg, metavar="ДД.ММ.ГГГГ", help="дата интервью")
    replay.add_argument("--out", metavar="ФАЙЛ", help="записать план в файл (по умолчанию в stdout)")
    add_scripts(replay)
    add_document_options(replay, default_format=None, default_copy=None)
    add_data_dir(replay)

    classify = sub.add_parser("classify", help="отнести клиента к группам по файлу фактов")
    classify.add_argument("facts", metavar="ФАКТЫ.yaml")
    classify.add_argument("--date", type=date_arg, metavar="ДД.ММ.ГГГГ", help="дата, на которую решать")
    classify.add_argument("--json", action="store_true", help="вывести результат в JSON")
    add_scripts(classify)
    return {"run": cmd_run, "check": cmd_check, "replay": cmd_replay, "classify": cmd_classify}


def cmd_check(args: argparse.Namespace) -> int:
    from tui.engine.loader import load_bundle

    bundle, problems = load_bundle([Path(p) for p in args.paths] or script_paths(args))
    for p in problems:
        print(p)
    if problems:
        err(f"Найдено проблем: {len(problems)}.")
        return 1
    print(
        "Сценарии в порядке: "
        f"{count(len(bundle.files), 'файл', 'файла', 'файлов')}, "
        f"{count(len(bundle.questions()), 'вопрос', 'вопроса', 'вопросов')}, "
        f"{count(len(bundle.groups), 'группа', 'группы', 'групп')}, "
        f"{count(len(bundle.measures), 'мера', 'меры', 'мер')}."
    )
    return _check_templates(args, bundle)


def _check_templates(args: argparse.Namespace, bundle: Bundle) -> int:
    """The plan templates, the bundled ones and the centre's own, against these scripts."""
    from tui.cli.plan import templates_folder
    from tui.paths import data_dir
    from tui.render.templcheck import check_templates
    from tui.store.settings import Settings, SettingsError, load_settings

    try:
        settings = load_settings(data_dir(args.data_dir))
    except SettingsError as exc:
        print(exc)  # its file:line; the templates are checked without it
        settings = Settings()
    own = templates_folder(args, settings)
    problems, checked = check_templates(bundle, own)
    for p in problems:
        print(p)
    if problems:
        err(f"Найдено проблем в шаблонах плана: {len(problems)}.")
        return 1
    mine = f"; свои шаблоны центра: {own}" if own else ""
    print(f"Шаблоны плана в порядке: {count(checked, 'файл', 'файла', 'файлов')}{mine}.")
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    from tui.engine.plan import build_plan
    from tui.engine.replay import ReplayError, replay
    from tui.fs import atomic_write
    from tui.render.markdown import PlanError, render_plan

    bundle = load_scripts(args, reachability=True)
    try:
        result = replay(bundle, args.answers, args.date)
    except ReplayError as exc:
        raise CommandError(str(exc), 1) from None
    interview = result.interview
    for qid in result.unused:
        err(f"{args.answers}: ответ «{qid}» сохранён, но не использован: вопрос не задаётся")

    def why(g: Any) -> str:
        return f"решение инспектора: {g.override.reason}" if g.override else str(g.reason)

    groups = interview.classification.members
    err("Группы: " + ("; ".join(f"{g.title} — {why(g)}" for g in groups) or "не определены"))
    for g in interview.classification.undecided:
        err(f"Не решено: {g.title} — {g.reason}")
    for g in interview.classification.not_assessed:
        err(f"Не оценивалась: {g.title} — {g.reason}")
    if args.format or args.copy or args.templates or args.curator:
        return _replay_document(args, build_plan(interview, result.meta()), result.inspector)
    try:
        plan = render_plan(build_plan(interview, result.meta()))
    except PlanError as exc:
        raise CommandError(str(exc)) from None
    if not args.out:
        sys.stdout.write(plan)
        return 0
    try:
        atomic_write(Path(args.out), plan)
    except OSError as exc:
        raise CommandError(f"Не удалось записать план в {args.out}: {exc.strerror or exc}") from None
    err(f"План записан: {args.out}")
    return 0


def _replay_document(args: argparse.Namespace, plan: Plan, inspector: str | None) -> int:
    """The replayed plan as a document of ``--format`` (md) and ``--copy`` (centre), with
    the details of the settings of ``--data-dir``, to ``--out`` or stdout."""
    from tui.cli.plan import load_office_settings, render, templates_folder, write
    from tui.paths import data_dir

    fmt, copy = args.format or "md", args.copy or "centre"
    settings = load_office_settings(data_dir(args.data_dir))
    data = render(plan, fmt, copy, settings, args.curator or inspector or who(args),
                  templates_folder(args, settings))
    where = write(data, Path(args.out) if args.out else Path("-"), None, fmt)
    if where:
        err(f"План записан: {where}")
    return 0


def cmd_classify(args: argparse.Namespace) -> int:
    from tui.engine.dates import format_date
    from tui.engine.replay import ReplayError, classify_facts
    from tui.engine.values import to_json

    bundle = load_scripts(args, reachability=True)
    try:
        result = classify_facts(bundle, args.facts, args.date)
    except ReplayError as exc:
        raise CommandError(str(exc), 1) from None
    results = result.classification.results
    for qid in result.inapplicable:
        err(f"{args.facts}: факт «{qid}» при остальных фактах не спрашивается в интервью")
    if args.json:
        doc = {
            "date": result.today.isoformat(),
            "groups": [r.id for r in results if r.member],
            "results": [{**r.to_json(), "near_miss": r.near_miss} for r in results],
            "facts": {k: to_json(None, v) for k, v in result.facts.items()},
        }
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return 0
    print(f"Дата: {format_date(result.today)}")
    for r in results:
        line = f"{_MARKS[r.status]:16} {r.title}"
        if r.reason:
            line += f" — {r.reason}"
        print(line)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    # Every problem that could break an interview is checked; the search for unreachable
    # questions is left to `sobesednik check` (and CI).
    bundle = load_scripts(args, consequence="интервью не запускается")
    store = open_store(args)
    from tui.app.app import SobesednikApp

    app = SobesednikApp(
        bundle,
        store,
        today=args.date or date.today(),
        kiosk=args.kiosk,
        inspector=who(args),
        record=args.record,
    )
    app.run()
    return app.return_code or 0
