"""The two copies of the plan as their readers see them: the client who takes «Мои шаги»
home, the centre that files its copy, the inspector who prints both."""

from __future__ import annotations

import dataclasses
import re
from datetime import date

import pytest

from tests.helpers import REPLAYS, bundle
from tests.render.documents_support import CASES, COMBO, OFFICE, answers_file, case_plan, document, plan_of
from tui.engine.workdays import is_working_day
from tui.render.documents import FORMATS, PlanError, render_document

TEXT_FORMATS = ("md", "txt", "html")
DATE = re.compile(r"\b(\d{2})\.(\d{2})\.(\d{4})\b")
PLANNED = [c for c in CASES if case_plan(c).client_measures]


def all_documents(case):
    plan = case_plan(case)
    return {(fmt, copy): document(plan, fmt, copy) for fmt in TEXT_FORMATS for copy in ("client", "centre")}


# ------------------------------------------------------------------ what the client's copy holds


def test_the_clients_copy_has_his_steps_by_date_visits_rights_and_his_case_worker():
    text = document(case_plan(COMBO), "md", "client")
    for heading in ("# Мои шаги", "## Что я делаю и что центр занятости делает для меня",
                    "### Сделано на приёме 27.11.2026", "### До 11.12.2026",
                    "## Когда я прихожу в центр занятости", "## Какую работу я ищу",
                    "## Мои права", "## Мои обязанности", "## Мой куратор"):
        assert heading in text
    assert "**Громов Сергей Петрович** · план от 27.11.2026" in text
    assert "- 11.01.2027 — повторное профилирование и пересмотр плана" in text
    assert "**Петрова Анна Ивановна**, ведущий инспектор, каб. 12, тел. +7 (8152) 45-67-80" in text
    assert "г. Мурманск, ул. Полярные Зори, д. 46, тел. +7 (8152) 45-67-89" in text
    assert "Часы работы: пн–чт 9:00–17:00, пт 9:00–16:00." in text
    assert "Экземпляр плана получил(а): ____________________ / Громов С. П. /" in text
    assert "Дата подписания: 27.11.2026" in text


def test_the_steps_are_in_date_order_at_the_interview_first():
    text = document(case_plan(COMBO), "md", "client")
    headings = re.findall(r"^### (.+)$", text, flags=re.M)
    assert headings[0].startswith("Сделано на приёме")
    days = [tuple(reversed(found.groups())) for h in headings if (found := DATE.search(h))]
    assert days and days == sorted(days) and len(set(days)) == len(days)
    undated = [h for h in headings if not DATE.search(h)]
    assert not undated or headings[-len(undated):] == undated  # «Постоянно», … come last


def test_the_clients_copy_names_no_group_reason_or_birth_date():
    titles = [g.title for g in bundle().groups]
    for case in PLANNED:
        plan = case_plan(case)
        for fmt in TEXT_FORMATS:
            text = document(plan, fmt, "client").lower()
            assert not [t for t in titles if t.lower() in text], (case.stem, fmt)
            for g in plan.groups_in:
                assert g.reason.lower() not in text, (case.stem, fmt, g.id)
            born = plan.facts.get("birth_date")
            assert born is None or born.strftime("%d.%m.%Y") not in text


#: What the seed says not to stress, the conviction and undeclared income: never in the
#: client's copy (domain.md §4). The ИПРА may be named: it is the client's own paper, the
#: one he brings and the one his vacancies follow.
NOT_TO_STRESS = ("инвалид", "мсэ", "сирот", "попечения родителей", "освобод",
                 "лишения свободы", "судим", "теневой", "без оформления", "подработк")


def _missing_client_wording(plan):
    return [m.id for m in plan.client_measures if not m.client.strip()]


@pytest.mark.parametrize("case", [c for c in PLANNED if {"released", "orphan", "disabled"}
                                  & set(case_plan(c).classification.ids)], ids=lambda c: c.stem)
def test_the_clients_copy_of_a_released_orphan_or_disabled_client_does_not_stress_it(case):
    plan = case_plan(case)
    side = (plan.facts.get("lu_side_activity") or "").lower()
    found = {}
    for fmt in TEXT_FORMATS:
        text = document(plan, fmt, "client").lower()
        found.update({w: fmt for w in NOT_TO_STRESS if w in text})
        if side:
            assert side not in text
    if found and _missing_client_wording(plan):
        pytest.xfail(f"{sorted(found)}: measures without the catalog's client wording yet: "
                     f"{', '.join(_missing_client_wording(plan))}")
    assert not found


def test_a_group_the_inspector_removed_is_only_in_the_centres_copy(tmp_path):
    reason = "По просьбе клиента: ищет работу без учёта инвалидности"
    plan = plan_of(answers_file(tmp_path, groups=[
        {"group": "disabled", "action": "remove", "reason": reason}]))
    for fmt in TEXT_FORMATS:
        client = document(plan, fmt, "client")
        assert "Инвалид" not in client and reason not in client and "исключена" not in client
    centre = document(plan, "md", "centre")
    assert f"- **Инвалиды** — исключена инспектором: {reason}" in centre
    assert "~~" not in centre


def test_a_kiosk_plan_leaves_the_interview_steps_to_the_inspector():
    plan = case_plan(COMBO)
    kiosk = dataclasses.replace(plan, meta={"mode": "kiosk", "inspector": None, "groups_confirmed": False})
    client, centre = document(kiosk, "md", "client"), document(kiosk, "md", "centre")
    assert "### На приёме у инспектора центра занятости" in client
    for text in (client, centre):
        assert "выполнено на приёме" not in text.lower() and "сделано на приёме" not in text.lower()
    assert "Срок: **на приёме у инспектора**" in centre
    assert "*Группы определены по ответам автоматически; инспектор подтвердит их на приёме.*" in centre


def test_a_client_visited_at_home_is_told_so_in_both_copies():
    plan = case_plan(REPLAYS / "disabled_home.yaml")
    assert "## Когда ко мне приходит мобильная группа центра занятости" in document(plan, "md", "client")
    centre = document(plan, "md", "centre")
    assert "## Даты встреч (выезд мобильной группы на дом)" in centre
    assert "- Встречаться с мобильной группой центра занятости в согласованные даты" in centre
    assert "Приходить в центр занятости в назначенные даты" not in centre


# ------------------------------------------------------------------ what the centre's copy holds


def test_the_centres_copy_keeps_groups_reasons_the_seeds_wording_and_disclosure():
    text = document(case_plan(COMBO), "md", "centre")
    assert "- **Инвалиды.** Инвалидность III группы (решение МСЭ)." in text
    assert "**Профильная группа по федеральной методике («Работа России»):** не внесена." in text
    assert "## ИПРА, условия труда и сопровождение" in text
    assert "- **Рекомендовано по ИПРА:** Работа в обычных условиях с ограничениями" in text
    assert "Необходимо изучить и строго учитывать индивидуальную программу реабилитации" in text
    assert "## Что можно сообщать работодателю" in text
    assert "- **Не сообщать:** группу инвалидности; диагноз и другие медицинские сведения." in text
    assert "**Клиент:** Громов Сергей Петрович, дата рождения 15.04.1968" in text
    assert "Инспектор центра занятости (куратор): ____________________ / Петрова А. И. /" in text


def test_a_group_not_assessed_is_named_in_the_centres_copy_only():
    plan = case_plan(REPLAYS / "released.yaml")
    assert [g.id for g in plan.groups_not_assessed] == ["disabled"]
    centre = document(plan, "md", "centre")
    assert "- **Инвалиды** — не оценивалась: клиент не дал отдельного согласия" in centre
    assert "Инвалид" not in document(plan, "md", "client")


# ------------------------------------------------------------------ both copies


def _without_catalog_texts(text, plan):
    """``text`` without the catalog's own wording (a measure may say «уточняется»)."""
    for m in plan.measures:
        for said in (m.text, m.client, *m.details, *m.client_details):
            for line in said.split("\n"):
                if line.strip():
                    text = text.replace(" ".join(line.split()), "")
    return text


@pytest.mark.parametrize("case", PLANNED, ids=lambda c: c.stem)
def test_no_placeholder_and_no_empty_heading_anywhere(case):
    plan = case_plan(case)
    for (fmt, copy), text in all_documents(case).items():
        low = text.lower()
        for placeholder in ("00-00-00", "root", "none", "назначается", "\x02", "{{", "{%"):
            assert placeholder not in low, (fmt, copy, placeholder)
        own = _without_catalog_texts(" ".join(text.split()), plan).lower()
        assert "уточн" not in own, (fmt, copy)
        if fmt == "md":
            lines = [line for line in text.splitlines() if line.strip()] + ["# end"]
            for line, after in zip(lines, lines[1:], strict=False):
                level = len(line) - len(line.lstrip("#")) if line.startswith("#") else 0
                next_level = len(after) - len(after.lstrip("#")) if after.startswith("#") else 0
                assert not level or not next_level or next_level > level, (copy, line)


@pytest.mark.parametrize("case", PLANNED, ids=lambda c: c.stem)
def test_every_date_of_the_plan_is_a_working_day(case):
    """Every date a document shows is a working day of the production calendar, but the
    facts it repeats (birth date, the last job, the release, the diploma…: dates the
    answers give, and the reasons computed from them)."""
    plan = case_plan(case)
    facts = {v.strftime("%d.%m.%Y") for k, v in plan.facts.items()
             if hasattr(v, "strftime") and k not in ("today", "plan_review_date", "reprofiling_date")}
    reasons = " ".join(g.reason for g in plan.classification.results)
    for (fmt, copy), text in all_documents(case).items():
        for match in DATE.finditer(text):
            day, month, year = (int(x) for x in match.groups())
            if copy == "centre" and (match.group(0) in facts or match.group(0) in reasons):
                continue
            assert is_working_day(date(year, month, day)), (fmt, copy, match.group(0))


def test_a_plan_with_no_measure_for_the_client_is_not_offered_for_signature():
    plan = dataclasses.replace(case_plan(COMBO), measures=[])
    for fmt in FORMATS:
        with pytest.raises(PlanError, match="нет ни одного мероприятия для клиента"):
            render_document(plan, fmt, "client", OFFICE)


def test_missing_centre_details_are_named_each_with_the_command_to_fill_them():
    office = {"centre": {**OFFICE["centre"], "phone": "", "hours": "  "},
              "curator": {"login": "root", "position": "инспектор", "phone": "+7 900 000-11-22"}}
    with pytest.raises(PlanError) as exc:
        render_document(case_plan(COMBO), "pdf", "client", office)
    message = str(exc.value)
    assert message.startswith("Для печати плана не заполнены: телефон центра занятости, "
                              "часы приёма центра занятости, ФИО инспектора «root».")
    assert message.endswith("Запустите: sobesednik setup")
    assert "адрес центра занятости" not in message
    with pytest.raises(PlanError, match="название центра занятости"):
        render_document(case_plan(COMBO), "md", "centre", None)


def test_the_case_workers_room_is_optional():
    office = {"centre": OFFICE["centre"], "curator": {**OFFICE["curator"], "office": ""}}
    text = document(case_plan(COMBO), "md", "client", office)
    assert "**Петрова Анна Ивановна**, ведущий инспектор, тел. +7 (8152) 45-67-80" in text


def test_an_unknown_format_or_copy_is_named():
    with pytest.raises(PlanError, match="Нет такого формата плана: «odt»"):
        render_document(case_plan(COMBO), "odt", "client", OFFICE)
    with pytest.raises(PlanError, match="Нет такого экземпляра плана: «employer»"):
        render_document(case_plan(COMBO), "md", "employer", OFFICE)


def test_plain_text_is_wrapped_for_a_page_and_keeps_every_word():
    plan = case_plan(COMBO)
    text = document(plan, "txt", "centre")
    assert max(len(line) for line in text.splitlines()) <= 78
    words = " ".join(document(plan, "md", "centre").replace("*", "").split())
    for m in plan.client_measures:
        assert " ".join(m.text.split()) in words
        assert " ".join(m.text.split()) in " ".join(text.split())
