"""«Инвалиды»: the ИПРА, the disclosure boundary and the support shape the seed's measures."""

from __future__ import annotations

import shutil

import pytest
import yaml

from tests.helpers import REPLAYS, bundle, plan_section, replay_plan, replay_variant
from tui.cli import main
from tui.engine.loader import load_bundle_or_raise
from tui.engine.policy import DataPolicy
from tui.engine.replay import ReplayError, replay
from tui.paths import scripts_dir

CASE = REPLAYS / "disabled.yaml"
HOME = REPLAYS / "disabled_home.yaml"


def test_clients_with_a_disability_replay_into_the_group():
    for case in (CASE, HOME):
        result, _ = replay_plan(case)
        assert result.unused == [], case.name
        assert result.interview.classification.ids == ["disabled"], case.name
    _, plan = replay_plan(CASE)
    assert "**Инвалиды.** Инвалидность II группы (решение МСЭ)." in plan


def test_the_module_shows_the_seed_traits_and_etiquette():
    module = next(m for m in bundle().modules if m.id == "disabled")
    assert len(module.traits) == 9
    assert "Проблема социально-психологической адаптации." in module.traits
    etiquette = "Соблюдение этикета: в общении с клиентом не следует делать акцент на его особом статусе."
    assert etiquette in module.approach


def test_plan_lists_the_seed_measures_in_its_words():
    _, plan = replay_plan(CASE)
    measures = plan_section(plan, "Мероприятия")
    for text in (
        "Соблюдение конфиденциальности. Важно обсудить с клиентом возможность информирования об "
        "инвалидности потенциального работодателя. Если клиент согласен, то необходимо определить "
        "границы информации, подлежащей разглашению",
        "Составление индивидуального плана мероприятий для сопровождении инвалида до оформления его "
        "трудоустройства.",
        "Необходимо изучить и строго учитывать индивидуальную программу реабилитации и абилитации "
        "инвалида (ИПРА) при подборе вакансий и определении трудовых функций.",
        "Составить актуальное резюме, провести тестирование клиента для определения профессиональных "
        "компетенций для возможного обучения.",
        "При необходимости - организовать сопровождение на собеседованиях (транспортное "
        "сопровождение, сурдопереводчик)",
        "Направлять на переподготовку, профессиональное обучение, повышение квалификации.",
        "Тесно сотрудничать с работодателем, собирать и актуализировать базу квотируемых вакансий",
        "Оказать содействие в профессиональной адаптации на рабочем месте.",
        "Информирование о положении на рынке труда региона.",
    ):
        assert text in measures, text
    assert "Осуществлять выезд мобильной группы" not in measures  # he comes to the centre himself
    assert "Предложить участие в программах временного трудоустройства" not in measures  # declined


def test_the_agreed_disclosure_boundary_is_stated_for_the_employer():
    _, plan = replay_plan(CASE)
    disclosure = plan_section(plan, "Что можно сообщать работодателю")
    assert (
        "- **Об инвалидности можно сообщить:** сам факт инвалидности; необходимые условия труда "
        "(по ИПРА); что клиент может быть принят на квотируемое рабочее место." in disclosure
    )
    assert "- **Не сообщать:** группу инвалидности; диагноз и другие медицинские сведения." in disclosure
    assert "- **Условие клиента:** только после приглашения на собеседование." in disclosure
    assert (
        "*Клиент согласен; границы определены на приёме — в разделе «Что можно сообщать "
        "работодателю».*" in plan
    )


def test_without_consent_to_disclose_the_employer_is_told_nothing(tmp_path):
    _, plan = replay_plan(HOME)
    disclosure = plan_section(plan, "Что можно сообщать работодателю")
    assert disclosure.strip() == (
        "- **Об инвалидности работодателю не сообщать:** клиент не дал на это согласия."
    )
    assert "*Клиент не согласен сообщать работодателю об инвалидности" in plan
    assert "*Работодателям не сообщать об инвалидности клиента.*" in plan
    # the same man as in CASE, once he withdraws his agreement
    _, withdrawn = replay_variant(
        tmp_path, CASE, dis_disclose=False, dis_disclose_what=None, dis_disclose_note=None
    )
    assert "можно сообщить" not in withdrawn
    assert "Об инвалидности работодателю не сообщать" in withdrawn


def test_ipra_limits_become_job_search_criteria():
    _, plan = replay_plan(CASE)
    criteria = plan.split("Критерии подбора вакансий:")[1].split("##")[0]
    assert (
        "- Рекомендовано по ИПРА: Труд в оптимальных и допустимых условиях; Работа с документами, "
        "на компьютере\n" in criteria
    )
    assert (
        "- Противопоказано по ИПРА: Тяжёлый физический труд, работа в ночные смены, длительная ходьба\n"
        in criteria
    )
    assert "- Без тяжёлой физической нагрузки" in criteria
    assert "- Доступная среда: без лестниц, с пандусом или лифтом" in criteria
    assert "- Дорога до работы: только недалеко от дома" in criteria


def test_a_missing_ipra_is_to_be_presented_before_the_first_visit():
    _, plan = replay_plan(HOME)
    assert "**ИПРА:** на приёме не предъявлена." in plan
    assert (
        "*ИПРА на приёме не предъявлена: клиенту — предъявить её до 11.12.2026 (можно при выезде "
        "мобильной группы); до этого вакансии подбираются по условиям труда, названным клиентом.*" in plan
    )
    assert "Рекомендовано по ИПРА" not in plan


def test_escort_names_what_the_client_needs(tmp_path):
    _, plan = replay_plan(CASE)
    assert "*На каждое собеседование клиенту нужно: транспортное сопровождение.*" in plan
    _, deaf = replay_variant(tmp_path, CASE, dis_escort=["sign_language", "transport"])
    assert "*На каждое собеседование клиенту нужно: транспортное сопровождение, сурдопереводчик.*" in deaf
    _, plan = replay_plan(HOME)
    assert "При необходимости - организовать сопровождение" not in plan
    assert "**Сопровождение на собеседованиях:** не нужно." in plan


def test_a_client_who_can_hardly_leave_home_gets_the_mobile_team_and_temporary_work():
    _, plan = replay_plan(HOME)
    measures = plan_section(plan, "Мероприятия")
    assert "Осуществлять выезд мобильной группы по оказанию услуг на дом к малоподвижным клиентам" in measures
    assert (
        "Предложить участие в программах временного трудоустройства для граждан, испытывающих "
        "трудности в поиске работы" in measures
    )
    assert "Направлять на переподготовку" not in measures  # not ready to study now
    assert "- Рассмотреть предложенные варианты временного трудоустройства — до 11.12.2026." in plan


def _without_health_consent(tmp_path, groups=None):
    """HOME's client without the separate health-data consent (the health answers gone)."""
    doc = yaml.safe_load(HOME.read_text(encoding="utf-8"))
    answers = {k: v for k, v in doc["answers"].items()
               if k != "disability_group" and not k.startswith("dis_")}
    answers["consent_health"] = False
    doc["answers"] = answers
    if groups:
        doc["groups"] = groups
    path = tmp_path / "no_consent.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_without_health_consent_the_group_is_not_assessed_and_the_plan_says_so(tmp_path):
    result, plan = replay_plan(_without_health_consent(tmp_path))
    assert result.unused == []
    assert result.interview.classification.get("disabled").status == "not_assessed"
    asked = {q.id for q in result.interview.questions}
    assert "disability_group" not in asked and not any(q.startswith("dis_") for q in asked)
    groups = plan_section(plan, "Клиентская группа")
    assert (
        "*Группа «Инвалиды» не оценивалась: клиент не дал отдельного согласия на обработку таких "
        "сведений (152-ФЗ ст. 10).*" in groups
    )
    assert "ИПРА" not in plan


def test_replay_refuses_adding_the_group_by_documents_without_health_consent(tmp_path):
    path = _without_health_consent(
        tmp_path, [{"group": "disabled", "action": "add", "reason": "Справка МСЭ предъявлена"}]
    )
    with pytest.raises(ReplayError) as info:
        replay(bundle(), path)
    line = next(i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if "group: disabled" in text)
    assert info.value.line == line
    assert info.value.message.startswith("Группу «Инвалиды» добавить нельзя: она не оценивалась.")


def test_replay_prints_the_group_not_assessed(tmp_path, capsys):
    path = _without_health_consent(tmp_path)
    assert main(["replay", str(path)]) == 0
    err = capsys.readouterr().err
    assert ("Не оценивалась: Инвалиды — Нет отдельного согласия клиента на обработку сведений о "
            "здоровье") in err
    assert "Не решено: Инвалиды" not in err


def test_plan_reads_cleanly():
    for case in (CASE, HOME):
        _, plan = replay_plan(case)
        assert "None" not in plan and "none" not in plan
        assert ".." not in plan and ";." not in plan and "\n- \n" not in plan


def test_a_group_that_needs_a_consent_is_special_data_for_export_and_withdrawal(tmp_path):
    """A group declared `needs_consent` is hidden by an export without personal data and
    dropped on withdrawal even when its rule reads no marked answer."""
    root = tmp_path / "scripts"
    shutil.copytree(scripts_dir(), root)
    groups = root / "groups.yaml"
    text = groups.read_text(encoding="utf-8")
    youth = "  - id: youth\n"
    assert text.count(youth) == 1
    groups.write_text(text.replace(youth, youth + "    needs_consent: health\n"), encoding="utf-8")
    assert DataPolicy.from_bundle(bundle()).special_groups["health"] == {"disabled"}
    edited = load_bundle_or_raise([root])
    assert DataPolicy.from_bundle(edited).special_groups["health"] == {"disabled", "youth"}
