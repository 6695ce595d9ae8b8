"""Command line: ``sobesednik [run]``, ``sobesednik check``, ``sobesednik replay``.

Every error a user can cause (a broken script, a bad answers file, a damaged store) ends
as a message on stderr and a non-zero exit code, never as a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from tui import __version__
from tui.paths import DATA_DIR_ENV

COMMANDS = ("run", "check", "replay", "classify")


def _date(text: str) -> date:
    from tui.engine.dates import DateFormatError, parse_date

    try:
        return parse_date(text)
    except DateFormatError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sobesednik",
        description="Собеседник: интервью по оценке потребностей клиента ЦЗН и индивидуальный план.",
    )
    parser.add_argument("--version", action="version", version=f"sobesednik {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="КОМАНДА")

    run = sub.add_parser("run", help="провести интервью (команда по умолчанию)")
    run.add_argument(
        "--data-dir", metavar="КАТАЛОГ",
        help=f"каталог данных (по умолчанию ${DATA_DIR_ENV} или каталог данных пользователя)",
    )
    run.add_argument("--scripts", metavar="КАТАЛОГ", help="сценарии интервью (по умолчанию встроенные)")
    run.add_argument("--date", type=_date, metavar="ДД.ММ.ГГГГ", help="дата интервью (по умолчанию сегодня)")
    run.add_argument(
        "--inspector", metavar="ФИО", help="кто проводит интервью (по умолчанию имя пользователя)"
    )
    run.add_argument("--kiosk", action="store_true", help="режим терминала самообслуживания")
    run.add_argument("--record", metavar="ФАЙЛ", help="записывать ответы в файл для replay")

    check = sub.add_parser("check", help="проверить сценарии интервью")
    check.add_argument(
        "paths", nargs="*", metavar="ПУТЬ", help="файлы или каталоги (по умолчанию встроенные)"
    )

    replay = sub.add_parser("replay", help="пройти интервью по файлу ответов и вывести план")
    replay.add_argument("answers", metavar="ОТВЕТЫ.yaml")
    replay.add_argument("--date", type=_date, metavar="ДД.ММ.ГГГГ", help="дата интервью")
    replay.add_argument("--out", metavar="ФАЙЛ", help="записать план в файл (по умолчанию в stdout)")
    replay.add_argument("--scripts", metavar="КАТАЛОГ", help="сценарии интервью (по умолчанию встроенные)")
    classify = sub.add_parser("classify", help="отнести клиента к группам по файлу фактов")
    classify.add_argument("facts", metavar="ФАКТЫ.yaml")
    classify.add_argument("--date", type=_date, metavar="ДД.ММ.ГГГГ", help="дата, на которую решать")
    classify.add_argument("--json", action="store_true", help="вывести результат в JSON")
    classify.add_argument("--scripts", metavar="КАТАЛОГ", help="сценарии интервью (по умолчанию встроенные)")
    from tui.cli.common import register

    parser.set_defaults(store_commands=register(sub))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    known = (*COMMANDS, *parser.get_default("store_commands"), "-h", "--help", "--version")
    if not args_list or args_list[0] not in known:
        args_list.insert(0, "run")
    args = parser.parse_args(args_list)
    try:
        if args.command in args.store_commands:
            return _store_command(args)
        if args.command == "check":
            return cmd_check(args)
        if args.command == "replay":
            return cmd_replay(args)
        if args.command == "classify":
            return cmd_classify(args)
        return cmd_run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _store_command(args: argparse.Namespace) -> int:
    from tui.store import StoreError

    try:
        return args.store_commands[args.command](args)
    except StoreError as exc:
        _err(str(exc))
        return 2


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def _scripts(arg: str | None) -> list[Path]:
    from tui.paths import scripts_dir

    return [Path(arg)] if arg else [scripts_dir()]


def _bundle_or_report(scripts: str | None, reachability: bool = True) -> Any:
    """The scripts as a bundle, or ``None`` after printing every problem in them."""
    from tui.engine.loader import load_bundle_or_raise
    from tui.engine.model import ScriptError

    try:
        return load_bundle_or_raise(_scripts(scripts), reachability)
    except ScriptError as exc:
        _err(f"Сценарии интервью содержат ошибки:\n{exc}")
        return None


def cmd_check(args: argparse.Namespace) -> int:
    from tui.engine.loader import load_bundle

    paths = [Path(p) for p in args.paths] or _scripts(None)
    bundle, problems = load_bundle(paths)
    for p in problems:
        print(p)
    if problems:
        _err(f"Найдено проблем: {len(problems)}.")
        return 1
    from tui.engine.dates import plural

    def count(n: int, one: str, few: str, many: str) -> str:
        return f"{n} {plural(n, one, few, many)}"

    questions = len(bundle.questions())
    print(
        "Сценарии в порядке: "
        f"{count(len(bundle.files), 'файл', 'файла', 'файлов')}, "
        f"{count(questions, 'вопрос', 'вопроса', 'вопросов')}, "
        f"{count(len(bundle.groups), 'группа', 'группы', 'групп')}, "
        f"{count(len(bundle.measures), 'мера', 'меры', 'мер')}."
    )
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    from tui.engine.plan import build_plan
    from tui.engine.replay import ReplayError, replay
    from tui.fs import atomic_write
    from tui.render.markdown import PlanError, render_plan
    from tui.store import StoreError

    bundle = _bundle_or_report(args.scripts)
    if bundle is None:
        return 2
    try:
        result = replay(bundle, args.answers, args.date)
    except ReplayError as exc:
        _err(str(exc))
        return 1
    interview = result.interview
    for qid in result.unused:
        _err(f"{args.answers}: ответ «{qid}» сохранён, но не использован: вопрос не задаётся")
    groups = interview.classification.members
    def why(g: Any) -> str:
        return f"решение инспектора: {g.override.reason}" if g.override else g.reason

    _err("Группы: " + ("; ".join(f"{g.title} — {why(g)}" for g in groups) or "не определены"))
    for g in interview.classification.undecided:
        _err(f"Не решено: {g.title} — {g.reason}")
    try:
        plan = render_plan(build_plan(interview, result.meta()))
    except PlanError as exc:
        _err(str(exc))
        return 2
    if args.out:
        try:
            atomic_write(Path(args.out), plan)
        except OSError as exc:
            _err(str(StoreError(f"Не удалось записать план в {args.out}: {exc.strerror or exc}")))
            return 2
        _err(f"План записан: {args.out}")
    else:
        sys.stdout.write(plan)
    return 0


_MARKS = {"in": "✓ да", "out": "✗ нет", "undecided": "? не решено"}


def cmd_classify(args: argparse.Namespace) -> int:
    import json

    from tui.engine.replay import ReplayError, classify_facts
    from tui.engine.values import to_json

    bundle = _bundle_or_report(args.scripts)
    if bundle is None:
        return 2
    try:
        result = classify_facts(bundle, args.facts, args.date)
    except ReplayError as exc:
        _err(str(exc))
        return 1
    results = result.classification.results
    for qid in result.inapplicable:
        _err(f"{args.facts}: факт «{qid}» при остальных фактах не спрашивается в интервью")
    if args.json:
        doc = {
            "date": result.today.isoformat(),
            "groups": [r.id for r in results if r.member],
            "results": [{**r.to_json(), "near_miss": r.near_miss} for r in results],
            "facts": {k: to_json(None, v) for k, v in result.facts.items()},
        }
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return 0
    from tui.engine.dates import format_date

    print(f"Дата: {format_date(result.today)}")
    for r in results:
        line = f"{_MARKS[r.status]:14} {r.title}"
        if r.reason:
            line += f" — {r.reason}"
        print(line)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from tui.engine.loader import load_bundle_or_raise
    from tui.engine.model import ScriptError
    from tui.paths import data_dir
    from tui.store import Store, StoreError

    try:
        # Every problem that could break an interview is checked; the search for
        # unreachable questions is left to `sobesednik check` (and CI).
        bundle = load_bundle_or_raise(_scripts(args.scripts), reachability=False)
    except ScriptError as exc:
        _err(f"Сценарии интервью содержат ошибки, интервью не запускается:\n{exc}")
        return 2
    try:
        store = Store(data_dir(args.data_dir), progress=lambda m: print(m, file=sys.stderr, flush=True))
    except StoreError as exc:
        _err(str(exc))
        return 2
    from tui.app.app import SobesednikApp

    app = SobesednikApp(
        bundle,
        store,
        today=args.date or date.today(),
        kiosk=args.kiosk,
        inspector=args.inspector,
        record=args.record,
    )
    app.run()
    return app.return_code or 0
