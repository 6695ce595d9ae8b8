"""``sobesednik plan INTERVIEW``: a copy of the plan of a finished interview as a document
(see :mod:`tui.cli.common` and ``docs/plan.md``).

The plan is built again from the stored answers and the inspector's decisions, on the
interview's date (so its dates are the issued plan's), and rendered by
:func:`tui.render.documents.render_document` in the format and copy asked for, with the
centre's and the case worker's details of the settings (``settings.yaml``). A detail that
is missing stops it with the exact list and ``sobesednik setup``. The file goes to the
documents folder of the data directory (owner-only), never into the current folder, unless
``--out`` names another place (``-``: stdout, for the text formats or a pipe).

The document options, the templates folder and the writing are shared with ``replay``
(:mod:`tui.cli.interview`).

Exit codes: 0 written; 2 nothing written (the interview, the settings, a template, a file
that cannot be written, a plan that cannot be printed).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.cli.common import (
    CommandError,
    Handler,
    add_data_dir,
    add_inspector,
    add_scripts,
    err,
    load_scripts,
    open_store,
    who,
)

if TYPE_CHECKING:
    from tui.engine.model import Bundle
    from tui.engine.plan import Plan
    from tui.store.settings import Settings
    from tui.store.store import StoredInterview

FORMATS = ("md", "txt", "html", "pdf", "large", "docx", "ics", "json")
COPIES = ("client", "centre")
#: Formats that are not text: never written to a terminal.
BINARY = frozenset({"pdf", "large", "docx"})
COPY_NAMES = {"client": "экземпляр клиента", "centre": "экземпляр центра"}
FORMAT_HELP = ("md — Markdown, txt — текст, html — для печати, pdf, large — PDF крупным шрифтом, "
               "docx — Word, ics — календарь для телефона, json — для других систем")


def register(sub: Any) -> dict[str, Handler]:
    plan = sub.add_parser(
        "plan", help="напечатать план завершённого интервью: PDF, Word, календарь и другие форматы",
        description=(
            "Строит план завершённого интервью заново по сохранённым ответам и решениям "
            "инспектора (на дату интервью) и записывает выбранный экземпляр в выбранном "
            "формате в каталог documents/ каталога данных (или в --out). Реквизиты центра и "
            "куратора берутся из настроек (sobesednik setup)."
        ),
    )
    plan.add_argument("interview", metavar="ИНТЕРВЬЮ", help="номер завершённого интервью")
    add_document_options(plan, default_format="pdf", default_copy="client")
    plan.add_argument("--out", metavar="ФАЙЛ",
                      help="куда записать (по умолчанию <каталог данных>/documents/; «-» — в stdout)")
    add_data_dir(plan)
    add_scripts(plan)
    add_inspector(plan, "кто печатает план (для журнала действий; по умолчанию имя пользователя)")
    return {"plan": cmd_plan}


def add_document_options(parser: argparse.ArgumentParser, *, default_format: str | None,
                         default_copy: str | None) -> None:
    """``--format``, ``--copy``, ``--templates`` and ``--curator``: shared by ``plan`` and
    ``replay``."""
    parser.add_argument("--format", choices=FORMATS, default=default_format, metavar="ФОРМАТ",
                        help=f"формат документа ({FORMAT_HELP}; по умолчанию {default_format or 'md'})")
    parser.add_argument("--copy", choices=COPIES, default=default_copy, metavar="ЭКЗЕМПЛЯР",
                        help=f"client — экземпляр клиента, centre — экземпляр центра"
                             f" (по умолчанию {default_copy or 'centre'})")
    parser.add_argument("--templates", metavar="КАТАЛОГ",
                        help="свои шаблоны центра: заменяют встроенные пофайлово (по умолчанию "
                             "$SOBESEDNIK_TEMPLATES или «templates» в настройках)")
    parser.add_argument("--curator", metavar="ЛОГИН",
                        help="куратор в плане: логин инспектора из настроек (по умолчанию инспектор, "
                             "проводивший интервью)")


# ------------------------------------------------------------------------------ the command


def cmd_plan(args: argparse.Namespace) -> int:
    from tui.store.layout import DOCUMENTS_DIR

    bundle = load_scripts(args, consequence="план не печатается")
    store = open_store(args)
    iid = str(args.interview)
    stored = store.load(iid)
    for warning in store.take_warnings():
        err(warning)
    if stored.status != "complete":
        raise CommandError(
            f"Интервью {iid} не завершено: план печатается по завершённому интервью. "
            "Продолжите интервью в программе (sobesednik) и сформируйте план."
        )
    plan = stored_plan(bundle, stored)
    curator = args.curator or _issuer(stored) or who(args)
    settings = load_office_settings(store.root)
    data = render(plan, args.format, args.copy, settings, curator, templates_folder(args, settings))
    target = Path(args.out) if args.out else store.root / DOCUMENTS_DIR / f"{iid}-{args.copy}.{_ext(args)}"
    where = write(data, target, store.root if not args.out else None, args.format)
    store.audit("save_plan", who(args), iid=iid, format=args.format, copy=args.copy)
    if where:
        err(f"План ({COPY_NAMES[args.copy]}, {args.format}) записан: {where}")
    return 0


def _ext(args: argparse.Namespace) -> str:
    from tui.render.documents import FORMATS as SUFFIXES

    return SUFFIXES[args.format].lstrip(".")


def _issuer(stored: StoredInterview) -> str | None:
    """The case worker of a finished interview: who issued its plan, else the last
    inspector who worked on it; ``None`` for a kiosk (no inspector was there)."""
    if stored.header.get("mode") == "kiosk":
        return None
    latest = stored.latest_plan
    if latest is not None and latest.by:
        return latest.by
    inspectors = [str(i) for i in stored.header.get("inspectors") or [] if i]
    return inspectors[-1] if inspectors else None


def stored_plan(bundle: Bundle, stored: StoredInterview) -> Plan:
    """The plan of the stored interview ``stored``, built again as the app built it: its
    answers and the inspector's decisions, on its date; a note on stderr when the groups
    the current scripts find are not those the issued plan was made for."""
    from tui.engine.interview import Interview
    from tui.engine.plan import build_plan

    header = stored.header
    kiosk = header.get("mode") == "kiosk"
    interview = Interview.from_json(bundle, stored.interview_date, stored.answers,
                                    header.get("group_overrides"), kiosk=kiosk)
    computed = [r.id for r in interview.classification.results if r.computed_member]
    confirmed = header.get("groups_confirmed")
    meta = {
        "id": stored.id,
        "inspector": None if kiosk else _issuer(stored),
        "mode": header.get("mode"),
        "scripts": bundle.version_tag,
        "groups_confirmed": (not kiosk and isinstance(confirmed, Mapping)
                             and list(confirmed.get("computed") or []) == computed),
    }
    issued = [g.get("id") for g in header.get("groups") or [] if isinstance(g, Mapping) and g.get("member")]
    now = interview.classification.ids
    if header.get("groups") and sorted(map(str, issued)) != sorted(now):
        err(f"Интервью {stored.id}: по текущим сценариям группы клиента другие, чем в выданном плане "
            f"(были: {', '.join(map(str, issued)) or 'нет'}; теперь: {', '.join(now) or 'нет'}). "
            "Документ построен по текущим сценариям: пересмотрите план с клиентом.")
    return build_plan(interview, meta)


# ------------------------------------------------------------------------------ shared with replay


def load_office_settings(root: Path) -> Settings:
    """The settings of the data directory ``root`` (a broken file: its ``file:line``)."""
    from tui.store.settings import load_settings

    return load_settings(root)


def templates_folder(args: argparse.Namespace, settings: Settings) -> Path | None:
    """The centre's own templates folder: ``--templates``, else ``$SOBESEDNIK_TEMPLATES``,
    else the settings' ``templates``; ``None`` for the bundled templates alone. A folder
    that is not there is named with where it was given."""
    from tui.paths import TEMPLATES_ENV

    for given, source in ((getattr(args, "templates", None), "--templates"),
                          (os.environ.get(TEMPLATES_ENV), f"${TEMPLATES_ENV}"),
                          (settings.templates, f"«templates» в {settings.path or 'settings.yaml'}")):
        if given:
            folder = Path(given).expanduser()
            if not folder.is_dir():
                raise CommandError(f"Каталог шаблонов {folder} ({source}) не найден или это не каталог.")
            return folder
    return None


def render(
    plan: Plan, fmt: str, copy: str, settings: Settings, curator: str, templates: Path | None
) -> bytes:
    """The document, after the settings are checked for every detail the plan prints;
    the template warnings go to stderr."""
    from tui.render.documents import render_document
    from tui.render.templating import PlanError

    notice = settings.missing_notice(curator)
    if notice:
        raise CommandError(f"План не напечатан. {notice}")
    try:
        doc = render_document(plan, fmt, copy, settings.office(curator), templates)
    except PlanError as exc:
        raise CommandError(f"План не напечатан: {exc}") from None
    for warning in doc.warnings:
        err(f"Шаблон центра: {warning}")
    return doc.data


def write(data: bytes, target: Path, documents_root: Path | None, fmt: str) -> str | None:
    """Write the document to ``target`` (owner-only, whole or not at all); ``-`` is stdout.
    With ``documents_root`` (the data directory) the documents folder is made owner-only
    and no symbolic link on the way is followed. Returns where it went (``None``: stdout)."""
    from tui.fs import atomic_write
    from tui.store.layout import make_dirs, refuse_links

    if str(target) == "-":
        to_stdout(data, fmt)
        return None
    if target.is_dir():
        raise CommandError(f"Не удалось записать план в {target}: это каталог. Укажите имя файла.")
    if documents_root is not None:
        refuse_links(documents_root, target)
        make_dirs(target.parent)
    try:
        atomic_write(target, data)
    except OSError as exc:
        raise CommandError(f"Не удалось записать план в {target}: {exc.strerror or exc}") from None
    return str(target)


def to_stdout(data: bytes, fmt: str) -> None:
    """A document on stdout: a binary one only into a pipe or a file, never a terminal."""
    if fmt in BINARY and sys.stdout.isatty():
        raise CommandError(f"Формат {fmt} не выводится в терминал: укажите файл (--out ФАЙЛ).")
    if fmt in BINARY:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        sys.stdout.write(data.decode("utf-8"))


__all__ = ["COPIES", "FORMATS", "add_document_options", "cmd_plan", "render", "stored_plan",
           "templates_folder", "write"]
