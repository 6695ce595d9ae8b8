"""What each copy of the plan says, decided once for every format.

:func:`document_view` turns a :class:`~tui.engine.plan.Plan` and the centre's details
(``office``: the settings' :meth:`Settings.office`) into a plain value — texts, lists and
mappings of texts, dates written ``ДД.ММ.ГГГГ`` — that every format's template writes
as it is (escaped for its format): Markdown, plain text, HTML (and the PDF printed from
it), DOCX. Nothing is chosen in a template that the other formats would have to choose
again.

Two copies (``domain.md`` §4):

- ``client`` — «Мои шаги»: the client's steps and the centre's steps for him in plain
  words, by date; the visits; the work sought; rights and duties; the case worker and the
  centre; the signatures. No group, no reason, no removed group, nothing of the
  conviction, the health beyond the conditions of work, or undeclared income;
- ``centre`` — the plan as the centre files it: groups with reasons, the federal profile
  group, the inspector's overrides and removed groups, groups not assessed, each group's
  situation, the seed's wording of every measure with its details, the disclosure
  boundaries and the centre's own work; the same rights, duties and signatures.

A plan without a measure for the client is not offered for signature, and a plan is not
printed without the centre's and the case worker's details: both raise
:class:`~tui.render.templating.PlanError` saying what to do.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from tui.engine.dates import format_date, format_date_long
from tui.engine.model import ONGOING
from tui.engine.plan import Plan, PlannedMeasure
from tui.render import fragments
from tui.render.markdown import template_context
from tui.render.templating import PlanError
from tui.render.texts import plan_texts

COPIES = ("client", "centre")

#: The centre's and the case worker's details a plan prints, with what to call each one
#: when it is missing (``{login}``: the inspector's login).
CENTRE_FIELDS = {
    "name": "название центра занятости",
    "address": "адрес центра занятости",
    "phone": "телефон центра занятости",
    "hours": "часы приёма центра занятости",
}
CURATOR_FIELDS = {
    "full_name": "ФИО инспектора «{login}»",
    "position": "должность инспектора «{login}»",
    "phone": "телефон инспектора «{login}»",
}
#: Optional: the room (кабинет) where the case worker receives; the view's ``room`` says
#: «каб. 12» for «12».
CURATOR_OPTIONAL = ("office",)


def _clean(value: Any) -> str:
    return "" if value is None else " ".join(str(value).split())


def office_details(office: Mapping[str, Any] | None) -> tuple[dict[str, str], dict[str, str]]:
    """The centre's and the case worker's details, each a text (``""`` when missing);
    :class:`PlanError` lists every required one that is missing."""
    given = office or {}
    centre_in = given.get("centre") or {}
    curator_in = given.get("curator") or {}
    centre = {k: _clean(centre_in.get(k)) for k in CENTRE_FIELDS}
    curator = {k: _clean(curator_in.get(k)) for k in (*CURATOR_FIELDS, *CURATOR_OPTIONAL)}
    login = _clean(curator_in.get("login")) or "?"
    missing = [what for k, what in CENTRE_FIELDS.items() if not centre[k]]
    missing += [what.format(login=login) for k, what in CURATOR_FIELDS.items() if not curator[k]]
    if missing:
        # The words of tui.store.settings (Settings.missing_notice), which render cannot import.
        raise PlanError(f"Для печати плана не заполнены: {', '.join(missing)}. Запустите: sobesednik setup")
    curator["short_name"] = short_name(curator["full_name"].split())
    room = curator["office"]
    curator["room"] = room if not room or room.lower().startswith("каб") else f"каб. {room}"
    return centre, curator


def short_name(words: list[str]) -> str:
    """«Громов Сергей Петрович» as «Громов С. П.» (a signature line)."""
    words = [w for w in words if w]
    if not words:
        return ""
    return " ".join([words[0], *(f"{w[0]}." for w in words[1:3])])


def document_view(
    plan: Plan,
    copy: str,
    office: Mapping[str, Any] | None,
    templates: Path | str | None = None,
    warnings: list[str] | None = None,
) -> dict[str, Any]:
    """The content of ``copy`` (``"client"`` or ``"centre"``) of ``plan``, for any format.
    ``templates``: the centre's templates folder (the group fragments and ``texts.yaml``
    there stand for the bundled ones); what was wrong in it goes to ``warnings``."""
    if copy not in COPIES:
        raise PlanError(f"Нет такого экземпляра плана: «{copy}» (есть: {', '.join(COPIES)}).")
    centre, curator = office_details(office)
    if not plan.client_measures:
        raise PlanError(
            "В плане нет ни одного мероприятия для клиента: такой план не выдаётся на подпись. "
            "Проверьте ответы и клиентские группы или каталог мероприятий (baseline)."
        )
    said: list[str] = [] if warnings is None else warnings
    texts = plan_texts(templates, said)
    ctx = template_context(plan, copy=copy)
    view = _common(plan, copy, centre, curator, texts)
    view["work"] = _work(plan, ctx, templates, said)
    if copy == "client":
        view["steps"] = client_steps(plan, texts)
    else:
        view.update(_centre_part(plan, ctx, texts, templates, said))
    return view


def _kiosk(plan: Plan) -> bool:
    return plan.meta.get("mode") == "kiosk"


def _home_visits(plan: Plan) -> bool:
    return plan.asked("dis_limited_mobility") and bool(plan.facts.get("dis_limited_mobility"))


def _client(plan: Plan, copy: str) -> dict[str, str]:
    names = [_clean(plan.facts.get(k)) for k in ("last_name", "first_name", "middle_name")]
    born = plan.facts.get("birth_date")
    return {
        "name": " ".join(n for n in names if n),
        "short_name": short_name(names),
        # The client's own copy needs neither: the centre's copy identifies the client.
        "birth_date": format_date(born) if copy == "centre" and isinstance(born, date) else "",
        "phone": _clean(plan.facts.get("phone")) if copy == "centre" else "",
    }


def _common(
    plan: Plan, copy: str, centre: dict[str, str], curator: dict[str, str], texts: Mapping[str, Any]
) -> dict[str, Any]:
    home = _home_visits(plan)
    duties = [texts["duties"]["attend_home" if home else "attend"], *texts["duties"]["always"]]
    sign = dict(texts["sign"])
    sign["agreed"] = sign["agreed_centre"] if copy == "centre" else sign["agreed"]
    return {
        "copy": copy,
        "title": "Мои шаги" if copy == "client" else "Индивидуальный план содействия занятости",
        "subtitle": (
            "Индивидуальный план содействия занятости" if copy == "client"
            else "Экземпляр центра занятости"
        ),
        "kiosk": _kiosk(plan),
        "date": format_date(plan.today),
        "date_long": format_date_long(plan.today),
        "client": _client(plan, copy),
        "centre": centre,
        "curator": curator,
        "visits": _visits(plan, copy, texts),
        "rights": list(texts["rights"]),
        "duties": duties,
        "sign": sign,
    }


def _visits(plan: Plan, copy: str, texts: Mapping[str, Any]) -> dict[str, Any]:
    words = texts["visits"]
    home = _home_visits(plan)
    key = ("title_home" if home else "title") if copy == "client" else (
        "centre_title_home" if home else "centre_title"
    )
    dates = [
        {"date": format_date(v), "note": words["review"] if v == plan.review_date else ""}
        for v in plan.visits
    ]
    return {"title": words[key], "home": home, "dates": dates}


def _work(
    plan: Plan, ctx: Mapping[str, Any], templates: Path | str | None, warnings: list[str]
) -> dict[str, Any]:
    names = [f"groups/{g.id}.criteria.md.j2" for g in plan.groups_in]
    criteria = fragments.flat(fragments.entries(names, ctx, templates, warnings))
    return {
        "desired": _clean(plan.answer("desired_work")),
        "criteria": [_entry_text(e) for e in criteria],
    }


def _entry_text(entry: Mapping[str, str]) -> str:
    return " ".join(t for t in (entry["label"], entry["text"]) if t)


# ------------------------------------------------------------------------ the client's steps


def _client_text(m: PlannedMeasure) -> str:
    """The step in the client's words: the catalog's ``client``; until a measure has one,
    what the client commits to, or the measure's own text."""
    if m.client.strip():
        text = m.client
    elif m.responsible in ("client", "both") and m.commitment.strip():
        text = m.commitment
    else:
        text = m.text
    return _sentence(text)


def _sentence(text: str) -> str:
    """``text`` on one line, ending as a sentence does (a detail may follow it)."""
    text = " ".join(text.split())
    return text if not text or text.endswith((".", "!", "?", "…")) else f"{text}."


def _bucket(m: PlannedMeasure) -> tuple[int, date | None, str]:
    """Where a step stands in the client's copy: at the interview, by a deadline (in date
    order), ongoing, or by agreement."""
    if m.ongoing:
        return (2 if m.ongoing == "always" else 3), None, m.ongoing
    if m.at_interview:
        return 0, None, "interview"
    if m.deadline is not None:
        return 1, m.deadline, "deadline"
    return 4, None, "agreed"


def _heading(kind: str, when: date | None, plan: Plan, texts: Mapping[str, Any]) -> str:
    words = texts["when"]
    if kind == "interview":
        return str(words["interview_kiosk" if _kiosk(plan) else "interview"]).format(
            date=format_date(plan.today)
        )
    if kind == "deadline" and when is not None:
        return str(words["deadline"]).format(date=format_date(when))
    if kind in ONGOING:
        return str(words[kind])
    return str(words["agreed"])


def client_steps(plan: Plan, texts: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The client's measures grouped by when: ``{"heading", "kind", "date", "entries"}``,
    each entry ``{"text", "detail", "details", "who", "responsible"}``."""
    buckets: dict[tuple[int, date | None, str], list[dict[str, Any]]] = {}
    for m in plan.client_measures:
        details = [_sentence(d) for d in m.client_details if d.strip()] if m.client.strip() else []
        buckets.setdefault(_bucket(m), []).append({
            "text": _client_text(m),
            "detail": " ".join(details),
            "details": details,
            "who": texts["who"][m.responsible],
            "responsible": m.responsible,
        })
    return [
        {
            "heading": _heading(kind, when, plan, texts),
            "kind": kind,
            "date": format_date(when) if when else "",
            "entries": entries,
        }
        for (_, when, kind), entries in sorted(buckets.items(), key=_bucket_order)
    ]


def _bucket_order(item: tuple[tuple[int, date | None, str], Any]) -> tuple[int, date]:
    (rank, when, _), _entries = item
    return rank, when or date.min


# ------------------------------------------------------------------------ the centre's copy


def _measure_when(m: PlannedMeasure, plan: Plan, texts: Mapping[str, Any]) -> str:
    if m.at_interview and not m.ongoing:
        key = "interview_kiosk" if _kiosk(plan) else "interview"
        return str(texts["centre_when"][key]).format(date=format_date(plan.today))
    return m.when_text


def _measures(measures: list[PlannedMeasure], plan: Plan, texts: Mapping[str, Any]) -> list[dict[str, Any]]:
    several = len(plan.groups_in) > 1
    return [
        {
            "number": str(i),
            "text": " ".join(m.text.split()),
            "detail": " ".join(d.strip() for d in m.details if d.strip()),
            "details": [d.strip() for d in m.details if d.strip()],
            "who": m.responsible_label,
            "when": _measure_when(m, plan, texts),
            "groups": ", ".join(m.groups) if several else "",
        }
        for i, m in enumerate(measures, 1)
    ]


def _groups(plan: Plan) -> dict[str, Any]:
    members = [
        {
            "title": g.title,
            "reason": (f"Отнесён(а) инспектором: {g.override.reason}" if g.override else g.reason).strip(),
        }
        for g in plan.groups_in
    ]
    removed = [
        {"title": g.title, "reason": f"исключена инспектором: {g.override.reason}"}
        for g in plan.groups_removed
        if g.override is not None
    ]
    not_assessed = [
        {
            "title": g.title,
            "reason": "не оценивалась: клиент не дал отдельного согласия на обработку таких "
            "сведений (152-ФЗ ст. 10).",
        }
        for g in plan.groups_not_assessed
    ]
    return {"groups": members, "groups_removed": removed, "groups_not_assessed": not_assessed}


def _federal(plan: Plan) -> str:
    f = plan.facts
    if not f.get("federal_profile_group"):
        return "не внесена"
    group = (
        _clean(f.get("federal_profile_group_other"))
        if f.get("federal_profile_group") == "other"
        else plan.answer("federal_profile_group")
    )
    when = f.get("federal_profile_date")
    return f"{group}, присвоена {format_date(when)}" if isinstance(when, date) else group


def _notes(plan: Plan) -> list[str]:
    f = plan.facts
    notes = []
    if not plan.groups_in:
        notes.append("Клиентская группа не определена: план составлен инспектором индивидуально.")
    if f.get("reprofiling_overdue") and isinstance(f.get("reprofiling_date"), date):
        notes.append(
            f"Повторное профилирование просрочено: срок истёк {format_date(f['reprofiling_date'])}. "
            "Проведите его на «Работе России» на этом приёме и внесите новую группу и дату."
        )
    if plan.meta.get("groups_confirmed") is False:
        notes.append("Группы определены по ответам автоматически; инспектор подтвердит их на приёме.")
    return notes


def _commitments(plan: Plan) -> list[str]:
    out: list[str] = []
    for m in plan.client_measures:
        if m.responsible in ("client", "both") and not m.at_interview:
            line = m.commitment_line
            if line not in out:
                out.append(line)
    return out


def _centre_part(
    plan: Plan,
    ctx: Mapping[str, Any],
    texts: Mapping[str, Any],
    templates: Path | str | None,
    warnings: list[str],
) -> dict[str, Any]:
    situation = [f"groups/{g.id}.md.j2" for g in plan.groups_in]
    disclosure = [f"groups/{g.id}.disclosure.md.j2" for g in plan.groups_in]
    return {
        **_groups(plan),
        "federal_profile": _federal(plan),
        "notes": _notes(plan),
        "sections": fragments.entries(situation, ctx, templates, warnings),
        "measures": _measures(plan.client_measures, plan, texts),
        "centre_work": _measures(plan.centre_work, plan, texts),
        "commitments": _commitments(plan),
        "disclosure": fragments.flat(fragments.entries(disclosure, ctx, templates, warnings)),
    }
