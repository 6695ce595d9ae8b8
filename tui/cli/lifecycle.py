"""Store commands: the lifecycle of stored data (see :mod:`tui.cli.common` and
:mod:`tui.store.export`, :mod:`~tui.store.importer`, :mod:`~tui.store.backup`,
:mod:`~tui.store.erase`, :mod:`~tui.store.consent`): ``export``, ``import``, ``backup``,
``delete-client``, ``purge`` and ``withdraw-consent``.

Exit codes: 0 done; 1 done in part (a damaged or unreadable file or folder skipped by an
export or a backup, a line refused, an interview open in another window left alone) or not
confirmed; 2 nothing done (the store, the scripts or a file could not be used; a symbolic
link in the data directory refuses a backup).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.cli.common import (
    CommandError,
    Handler,
    add_data_dir,
    add_inspector,
    add_scripts,
    client_label,
    count,
    err,
    iso_to_ru,
    load_scripts,
    open_store,
    relative,
    report_skipped,
    who,
)

if TYPE_CHECKING:
    from tui.engine.policy import DataPolicy
    from tui.store import Store
    from tui.store.erase import ClientInterviews, CopiesRemoved, Removal
    from tui.store.records import OldInterview

RESTORE_HELP = """\
Восстановление из резервной копии:
  1. создайте пустой каталог:            mkdir -m 700 /путь/к/новому/каталогу
  2. распакуйте в него архив:            tar -xzf sobesednik-ГГГГММДД-ЧЧММСС.tar.gz -C /путь/к/новому/каталогу
  3. постройте заново указатель поиска:  sobesednik doctor --data-dir /путь/к/новому/каталогу
  4. работайте с ним:                    sobesednik --data-dir /путь/к/новому/каталогу
     (или укажите его в переменной SOBESEDNIK_DATA_DIR).
Указатель поиска (index/) в архив не входит: он строится из интервью. Не распаковывайте
архив поверх работающего каталога данных: интервью, начатые после копии, пропадут.
"""


def register(sub: Any) -> dict[str, Handler]:
    formatter = argparse.RawDescriptionHelpFormatter

    export = sub.add_parser(
        "export", help="выгрузить интервью (JSON Lines или CSV)", formatter_class=formatter,
        description=(
            "Выгружает все интервью хранилища, по одному на строку. Работает во время интервью: "
            "каждый файл читается целиком.\n\n"
            "JSON Lines: объект на интервью — заголовок (состояние, даты, инспекторы, согласие, "
            "группы и решения инспектора), ответы с временем и автором, выданные планы. Полную "
            "выгрузку загружает «sobesednik import».\n"
            "CSV: строка на интервью, постоянные столбцы, затем столбец на каждый вопрос "
            "(да/нет — «да»/«нет», несколько вариантов — через «;»); планы не выгружаются.\n\n"
            "--no-personal: без фамилии, имени, отчества, телефона и даты рождения (остаётся год "
            "рождения), без ответов свободным текстом и сведений о здоровье, без текстов планов и "
            "причин решений инспектора. Не выгружается ничего, что выдаёт сведения о здоровье: "
            "группы, которые определяются по ним (например, «Инвалиды»), — ни принадлежность, ни "
            "решения инспектора; ответы на вопросы модулей этих групп; ответ об отдельном согласии "
            "и записи о его отзыве. Даты в ответах (рождение младшего ребёнка, освобождение и т. п.) "
            "выгружаются только годом. Номера интервью и client_key (один клиент — один ключ в "
            "пределах одной выгрузки) остаются для подсчётов, как и остальные группы клиента. Это "
            "обезличенные, но не анонимные данные: храните их как служебные."
        ),
    )
    add_data_dir(export)
    export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl",
                        help="формат: jsonl (по умолчанию) или csv")
    export.add_argument("--no-personal", action="store_true", help="без персональных данных")
    export.add_argument("--out", metavar="ФАЙЛ", help="записать в файл (по умолчанию в stdout)")
    _common(export, scripts=True)

    imp = sub.add_parser(
        "import", help="загрузить интервью из полной выгрузки JSON Lines", formatter_class=formatter,
        description=(
            "Загружает интервью из полной выгрузки («sobesednik export», JSON Lines) с их номерами и "
            "всем содержимым и добавляет их в указатель поиска. Интервью, которые уже есть в "
            "хранилище, не меняются (и считаются); интервью, удалённые по просьбе клиента, "
            "очисткой по сроку или на начальном экране, не возвращаются. Строка с ошибкой "
            "называется (ФАЙЛ:строка: что "
            "не так) и не загружается. Выгрузка без персональных данных не принимается."
        ),
    )
    add_data_dir(imp)
    imp.add_argument("file", metavar="ФАЙЛ.jsonl")
    _common(imp)

    backup = sub.add_parser(
        "backup", help="сделать резервную копию каталога данных (.tar.gz)",
        formatter_class=formatter, epilog=RESTORE_HELP,
        description=(
            "Делает архив .tar.gz каталога данных: интервью, журнал действий (audit), сведения о "
            "схеме и отложенные «doctor» файлы. Указатель поиска, блокировки и прежние копии в "
            "архив не входят. Архив доступен только владельцу; он появляется под своим именем "
            "только целиком. Интервью можно продолжать во время копирования.\n"
            "Файл или каталог, который не читается, в копию не входит: команда называет его и "
            "завершается с кодом 1. Символическая ссылка в каталоге данных — копия не делается "
            "(код 2): по ссылке могли бы попасть чужие файлы или не попасть данные.\n"
            "По умолчанию: <каталог данных>/backups/sobesednik-ГГГГММДД-ЧЧММСС.tar.gz."
        ),
    )
    add_data_dir(backup)
    backup.add_argument("--out", metavar="ПУТЬ", help="файл архива или каталог для него")
    _common(backup)

    delete = sub.add_parser(
        "delete-client", help="удалить все данные клиента по его просьбе",
        formatter_class=formatter,
        description=(
            "Удаляет все интервью клиента (с ответами, планами и записями в указателе поиска): "
            "клиент определяется по интервью с номером ID — фамилия, имя, отчество и дата "
            "рождения; указатель поиска проверяется просмотром всех файлов интервью. Перед "
            "удалением показывает интервью и просит подтверждения. Интервью, открытое в другом "
            "окне, не удаляется: закройте его и повторите. Удаляются и копии этих интервью, "
            "отложенные «sobesednik doctor» в damaged/. Резервные копии (backups/) не изменяются: "
            "команда называет те, где данные клиента остались. В журнале действий остаются только "
            "номера и число удалённых интервью."
        ),
    )
    add_data_dir(delete)
    delete.add_argument("id", metavar="ID", help="номер любого интервью клиента")
    delete.add_argument("--yes", action="store_true", help="не спрашивать подтверждения")
    _common(delete)

    purge = sub.add_parser(
        "purge", help="удалить интервью старше срока хранения", formatter_class=formatter,
        description=(
            "Удаляет интервью, последнее изменение которых (создание, ответ, завершение) было "
            "раньше срока хранения. Срок — параметр retention_months сценариев (groups.yaml) "
            "или --older-than. Перед удалением показывает, сколько интервью будет удалено, и "
            "просит подтверждения. Интервью, открытое в другом окне, не удаляется. Удаляются и "
            "копии удалённых интервью в damaged/; резервные копии, где они остались, называются."
        ),
    )
    add_data_dir(purge)
    purge.add_argument("--older-than", type=_months, metavar="МЕСЯЦЕВ",
                       help="срок хранения в месяцах (по умолчанию params.retention_months сценариев)")
    purge.add_argument("--dry-run", action="store_true", help="только показать, что будет удалено")
    purge.add_argument("--yes", action="store_true", help="не спрашивать подтверждения")
    _common(purge, scripts=True)

    withdraw = sub.add_parser(
        "withdraw-consent", help="клиент отозвал согласие: удалить сведения о здоровье",
        formatter_class=formatter,
        description=(
            "--health: клиент отозвал отдельное согласие на обработку сведений о здоровье. Во всех "
            "его интервью удаляются ответы, отмеченные в сценариях «special: health» (вместе с "
            "прежними значениями), ответ о согласии записывается как «нет» (кто и когда), "
            "удаляются основания группы «Инвалиды» и тексты выданных планов с этими сведениями; "
            "в интервью остаётся запись об отзыве. Копии этих интервью, отложенные «sobesednik "
            "doctor» в damaged/, удаляются целиком: очистить повреждённый файл надёжно нельзя. "
            "Резервные копии не изменяются: команда называет те, где сведения остались.\n"
            "--all: отзыв согласия на обработку персональных данных в целом — данные клиента "
            "удаляет команда «sobesednik delete-client ID»."
        ),
    )
    add_data_dir(withdraw)
    withdraw.add_argument("id", metavar="ID", help="номер любого интервью клиента")
    which = withdraw.add_mutually_exclusive_group(required=True)
    which.add_argument("--health", action="store_true", help="согласие на обработку сведений о здоровье")
    which.add_argument("--all", action="store_true", help="согласие на обработку персональных данных в целом")
    withdraw.add_argument("--yes", action="store_true", help="не спрашивать подтверждения")
    _common(withdraw, scripts=True)

    return {
        "export": cmd_export, "import": cmd_import, "backup": cmd_backup,
        "delete-client": cmd_delete_client, "purge": cmd_purge, "withdraw-consent": cmd_withdraw,
    }


#: ``--inspector`` of every command that changes or takes data out (the audit author).
INSPECTOR_HELP = "кто выполняет (для журнала действий; по умолчанию имя пользователя)"


def _common(parser: argparse.ArgumentParser, *, scripts: bool = False) -> None:
    add_inspector(parser, INSPECTOR_HELP)
    if scripts:
        add_scripts(parser)


def _months(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"срок — целое число месяцев больше нуля, а не «{text}»")
    return value


def _policy(args: argparse.Namespace) -> DataPolicy:
    """What the scripts say about the answers; CommandError when they are broken."""
    from tui.engine.policy import DataPolicy

    return DataPolicy.from_bundle(load_scripts(args))


def _confirm(prompt: str) -> bool:
    try:
        answer = input(prompt)
    except EOFError:
        print()
        return False
    return answer.strip().lower() in ("да", "д", "yes", "y")


def _backups_note(store: Store, iids: list[str], what: str) -> None:
    """Name the backups that still hold ``what`` of the interviews ``iids``: they are not
    edited, and the user must know of them."""
    from tui.store.erase import backups_holding

    found = backups_holding(store, iids)
    if found.holding:
        err(f"Внимание: {what} остаются в резервных копиях (они не изменяются; удалите их или "
            "храните под замком, пока они нужны):")
        for path in found.holding:
            err(f"  {path}")
    for path in found.unreadable:
        err(f"Резервная копия {path} не читается: проверьте её вручную, в ней могут быть {what}.")
    err(f"Выгрузки с персональными данными (sobesednik export), сделанные раньше, тоже могут "
        f"содержать {what}.")


def _copies_note(copies: CopiesRemoved, whose: str, why: str = "") -> None:
    """Say how many copies set aside by ``doctor`` went, and which could not."""
    n = len(copies.removed)
    if n:
        verb = "Удалена" if n % 10 == 1 and n % 100 != 11 else "Удалено"
        what = count(n, "повреждённая копия", "повреждённые копии", "повреждённых копий")
        print(f"{verb} {what} {whose} из damaged/{why}.")
    for problem in copies.problems:
        err(f"Не удалена копия в damaged/: {problem}")


# --------------------------------------------------------------------------- export, import


def cmd_export(args: argparse.Namespace) -> int:
    from tui.store.export import export, export_file

    store = open_store(args)
    personal = not args.no_personal
    policy: DataPolicy | None = None
    try:
        policy = _policy(args)
    except CommandError as exc:
        if not personal:  # a full export keeps every answer: it can do without the scripts
            raise CommandError(f"{exc}\nВыгрузка без персональных данных не сделана: по сценариям "
                               "определяется, какие ответы личные.") from None
    by = who(args)
    if not args.out:
        result = export(store, sys.stdout, fmt=args.format, personal=personal, policy=policy, by=by)
    else:
        result = export_file(store, Path(args.out), fmt=args.format, personal=personal, policy=policy, by=by)
    from tui.store.errors import UnreadableFileError

    for damaged in result.damaged:
        if not isinstance(damaged, UnreadableFileError):
            err(f"Пропущено: {damaged}")
    what = "без персональных данных" if not personal else "с персональными данными"
    where = f" в {args.out}" if args.out else ""
    err(f"Выгружено {count(result.count, 'интервью', 'интервью', 'интервью')} {what}{where}.")
    report_skipped("Выгрузка неполная, эти интервью не выгружены",
                   [(relative(store.root, d.path), d.why) for d in result.damaged])
    return 1 if result.damaged else 0


def cmd_import(args: argparse.Namespace) -> int:
    from tui.store.importer import import_file

    path = Path(args.file)
    if not path.is_file():
        err(f"Нет файла {path}: загружать нечего.")
        return 2
    store = open_store(args)
    result = import_file(store, path, by=who(args))
    for problem in result.problems:
        err(problem)
    err(f"Загружено {count(result.imported, 'интервью', 'интервью', 'интервью')}; "
        f"уже были в хранилище: {result.existing}; удалены раньше по просьбе клиента или по сроку "
        f"и не возвращены: {result.gone}; строк с ошибками: {len(result.problems)}.")
    if result.stopped:
        err("Загрузка остановлена: остальные строки файла не прочитаны. Устраните причину и "
            "повторите — уже загруженные интервью будут пропущены.")
        return 2
    return 1 if result.problems else 0


# --------------------------------------------------------------------------- backup


def cmd_backup(args: argparse.Namespace) -> int:
    from tui.store.backup import backup

    store = open_store(args)
    result = backup(store, Path(args.out) if args.out else None, by=who(args))
    size = result.size / 1024 / 1024
    print(f"Резервная копия: {result.path} ({count(result.files, 'файл', 'файла', 'файлов')}, "
          f"{size:.1f} МБ). Восстановление: sobesednik backup --help.")
    report_skipped("Копия неполная, это не вошло в копию", result.skipped)
    return 1 if result.skipped else 0


# --------------------------------------------------------------------------- removing


def _show_client(store: Store, iid: str) -> ClientInterviews:
    """Find the client's interviews (the index, confirmed by reading every file), print
    whose they are (surname, initials, birth date) and list them."""
    from tui.store.erase import find_client

    err("Поиск интервью клиента: просматриваются все файлы интервью…")
    found = find_client(store, iid)
    client = next(s for s in found.interviews if s.id == iid).client
    print(f"Клиент: {client_label(client)}")
    print(f"Интервью клиента: {len(found.interviews)}")
    for s in found.interviews:
        state = "завершено" if s.complete else "не завершено"
        mark = "  (нет в указателе поиска)" if s.id in found.by_scan else ""
        print(f"  {s.id}  {iso_to_ru(s.interview_date)}  {state}{mark}")
    if found.by_scan:
        print(f"Из них не найдено в указателе поиска, найдено просмотром всех файлов: {len(found.by_scan)}.")
    for damaged in found.damaged:
        err(f"Не прочитано и не будет изменено (может быть интервью этого клиента): {damaged}")
    return found


def _report_busy(result: Removal | Any, what: str = "Не удалено") -> None:
    for iid, why in result.busy:
        err(f"{what} {iid}: {why}")


def cmd_delete_client(args: argparse.Namespace) -> int:
    from tui.store.erase import delete_client

    store = open_store(args)
    found = _show_client(store, args.id)
    n = len(found.interviews)
    if not args.yes and not _confirm(
        f"Удалить {'все ' if n > 1 else ''}{count(n, 'интервью', 'интервью', 'интервью')} клиента со "
        "всеми ответами и планами? Это необратимо. Введите «да»: "
    ):
        err("Ничего не удалено.")
        return 1
    result = delete_client(store, args.id, by=who(args), found=found)
    _report_busy(result)
    print(f"Удалено {count(len(result.removed), 'интервью', 'интервью', 'интервью')} клиента.")
    _copies_note(result.copies, "интервью клиента")
    if result.removed:
        _backups_note(store, result.removed, "данные клиента")
    return 1 if result.busy or result.copies.problems else 0


def _retention_months(args: argparse.Namespace) -> int:
    """``--older-than``, else ``retention_months`` of the scripts' parameters."""
    if args.older_than is not None:
        return int(args.older_than)
    months = load_scripts(args, consequence="срок хранения не прочитан").params.get("retention_months")
    if isinstance(months, bool) or not isinstance(months, int) or months <= 0:
        raise CommandError("Срок хранения не задан: в параметрах сценариев (groups.yaml) нет целого "
                           "retention_months больше нуля. Укажите его там или в --older-than.")
    return months


def _old_interviews(store: Store, cutoff: Any) -> tuple[list[OldInterview], int]:
    """The interviews old enough to purge, and how many damaged files were skipped."""
    from tui.store import DamagedFileError
    from tui.store.records import old_interviews

    old: list[OldInterview] = []
    damaged = 0
    for item in old_interviews(store, cutoff):
        if isinstance(item, DamagedFileError):
            err(f"Пропущено: {item}")
            damaged += 1
        else:
            old.append(item)
    return old, damaged


def cmd_purge(args: argparse.Namespace) -> int:
    from tui.store.erase import purge, purge_cutoff

    months = _retention_months(args)
    store = open_store(args)
    cutoff = purge_cutoff(months)
    old, damaged = _old_interviews(store, cutoff)
    drafts = sum(1 for o in old if not o.complete)
    print(f"Срок хранения {count(months, 'месяц', 'месяца', 'месяцев')}: удаляются интервью, "
          f"изменённые последний раз до {cutoff:%d.%m.%Y}.")
    print(f"Найдено {count(len(old), 'интервью', 'интервью', 'интервью')} "
          f"(завершённых {len(old) - drafts}, незавершённых {drafts}).")
    if args.dry_run or not old:
        for o in old:
            state = "завершено" if o.complete else "не завершено"
            print(f"  {o.id}  изменено {o.last_change:%d.%m.%Y}  {state}")
        print("Ничего не удалено (--dry-run)." if old else "Удалять нечего.")
        return 1 if damaged else 0
    if not args.yes and not _confirm(
        f"Удалить {count(len(old), 'интервью', 'интервью', 'интервью')} без возможности "
        "восстановления? Введите «да»: "
    ):
        err("Ничего не удалено.")
        return 1
    result = purge(store, [o.id for o in old], cutoff, by=who(args), months=months)
    _report_busy(result)
    for iid in result.kept:
        err(f"Оставлено {iid}: изменилось, пока шла очистка.")
    print(f"Удалено {count(len(result.removed), 'интервью', 'интервью', 'интервью')}.")
    _copies_note(result.copies, "удалённых интервью")
    if result.removed:
        _backups_note(store, result.removed, "данные удалённых интервью")
    return 1 if result.busy or damaged or result.copies.problems else 0


def cmd_withdraw(args: argparse.Namespace) -> int:
    from tui.engine.policy import HEALTH
    from tui.store import DamagedFileError, StoreError
    from tui.store.consent import check_withdrawable, special_answers, withdraw_consent
    from tui.store.records import read_record

    if args.all:
        err(
            "Отзыв согласия на обработку персональных данных в целом: данные клиента уничтожаются "
            "(152-ФЗ ст. 21 ч. 5), если центр не обязан хранить их по другому основанию. Удалите все "
            f"интервью клиента командой «sobesednik delete-client {args.id}» — она покажет их и "
            "попросит подтверждения. Ничего не изменено."
        )
        return 1
    policy = _policy(args)
    check_withdrawable(policy, HEALTH)
    store = open_store(args)
    client = _show_client(store, args.id)
    found = 0
    for iid in client.ids:
        try:
            record = read_record(store, store.interview_path(iid))
        except DamagedFileError as exc:
            err(f"Не будет изменено: {exc}")
            continue
        found += special_answers(record, policy, HEALTH) if record is not None else 0
    print(f"Ответов со сведениями о здоровье: {found}. Они будут удалены вместе с прежними значениями; "
          "согласие на обработку сведений о здоровье будет записано как «нет».")
    if not args.yes and not _confirm("Записать отзыв согласия и удалить эти сведения? Введите «да»: "):
        err("Ничего не изменено.")
        return 1
    result = withdraw_consent(store, policy, args.id, category=HEALTH, by=who(args), found=client)
    _report_busy(result, "Не изменено")
    for damaged in result.damaged:
        err(f"Не изменено: {damaged}")
    print(f"Отзыв согласия записан в {count(len(result.changed), 'интервью', 'интервью', 'интервью')}: "
          f"удалено ответов со сведениями о здоровье — {result.answers}, "
          f"текстов планов с ними — {result.plans}.")
    _copies_note(result.copies, "интервью клиента",
                 " целиком: очистить их от сведений о здоровье надёжно нельзя")
    for iid in client.by_scan:  # the index lost them: put them back
        with contextlib.suppress(StoreError):
            store.reindex_interview(iid)
    if result.answers or result.plans:
        held = [iid for iid, answers, plans in result.changed if answers or plans]
        _backups_note(store, held, "сведения о здоровье клиента")
    return 1 if result.busy or result.damaged or result.copies.problems else 0
