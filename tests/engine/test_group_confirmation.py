"""The inspector confirms the groups after profiling; additions and removals keep a reason."""

from __future__ import annotations

import pytest

from tests.helpers import MOTHER_TYPED, TODAY, bundle, finish, plan_text
from tui.engine.interview import Interview
from tui.engine.replay import ReplayError, replay
from tui.engine.rules import NOT_ASSESSED, Override
from tui.engine.session import KIOSK, Session
from tui.store.store import Store

PROFILE_IDS = {i.id for i in bundle().profile.items()}


def profile_answered(tmp_path, answers=MOTHER_TYPED, **kw) -> Session:
    session = Session(bundle(), Store(tmp_path), TODAY, inspector="Петрова", **kw)
    while session.current is not None and session.current.id in PROFILE_IDS:
        assert not session.needs_group_confirmation
        session.submit(answers.get(session.current.id))
    return session


def test_confirmation_is_asked_once_the_profile_is_complete(tmp_path):
    session = profile_answered(tmp_path)
    assert session.needs_group_confirmation
    assert session.computed_groups() == ["mother_preschool"]
    session.confirm_groups({})
    assert not session.needs_group_confirmation
    assert session.current.id == "salary_importance"
    header = session.store.load(session.iid).header
    assert header["groups_confirmed"]["by"] == "Петрова"
    assert header["groups_confirmed"]["computed"] == ["mother_preschool"]
    assert header["group_overrides"] == []


def test_a_kiosk_never_asks_for_confirmation(tmp_path):
    session = profile_answered(tmp_path, mode=KIOSK)
    assert not session.needs_group_confirmation


def test_removing_a_group_needs_a_reason_and_drops_its_module(tmp_path):
    session = profile_answered(tmp_path)
    with pytest.raises(ValueError, match="Укажите причину"):
        session.confirm_groups({"mother_preschool": ("remove", "  ")})
    session.confirm_groups({"mother_preschool": ("remove", "Ребёнок живёт с отцом")})
    assert session.interview.classification.ids == []
    assert session.current is None  # no module left: the interview is complete
    stored = session.store.load(session.iid).header["group_overrides"]
    assert [(o["group"], o["action"], o["reason"], o["by"]) for o in stored] == [
        ("mother_preschool", "remove", "Ребёнок живёт с отцом", "Петрова")
    ]


#: The mother with the separate health-data consent given and no disability recorded.
WITH_CONSENT = {**MOTHER_TYPED, "consent_health": "да", "disability_group": "none"}
#: The mother who does not remember when her last job ended: «long_unemployed» is undecided.
NO_END_DATE = {**MOTHER_TYPED, "last_job_end_date": ""}


def test_adding_an_undecided_group_with_a_reason_brings_it_into_the_plan(tmp_path):
    session = profile_answered(tmp_path, answers=NO_END_DATE)
    assert session.interview.classification.get("long_unemployed").status == "undecided"
    session.confirm_groups({"long_unemployed": ("add", "По трудовой книжке: не работает с 2023 года")})
    assert "long_unemployed" in session.interview.classification.ids
    while session.current is not None:
        session.submit(NO_END_DATE.get(session.current.id, _any_answer(session.current)))
    plan = finish(session)
    assert ("**Длительно не работающий гражданин.** Отнесён(а) инспектором: По трудовой книжке: "
            "не работает с 2023 года") in plan


def test_with_the_health_consent_the_inspector_may_add_the_disabled_group_by_documents(tmp_path):
    session = profile_answered(tmp_path, answers=WITH_CONSENT)
    assert session.interview.classification.get("disabled").status == "out"
    session.confirm_groups({"disabled": ("add", "Справка МСЭ: II группа")})
    assert "disabled" in session.interview.classification.ids
    while session.current is not None:
        session.submit(WITH_CONSENT.get(session.current.id, _any_answer(session.current)))
    assert "**Инвалиды.** Отнесён(а) инспектором: Справка МСЭ: II группа" in finish(session)


def test_without_the_health_consent_the_disabled_group_cannot_be_added_by_documents(tmp_path):
    session = profile_answered(tmp_path)
    result = session.interview.classification.get("disabled")
    assert result.status == NOT_ASSESSED
    with pytest.raises(ValueError) as info:
        session.confirm_groups({"disabled": ("add", "Справка МСЭ: II группа")})
    message = str(info.value)
    assert message.startswith("Группу «Инвалиды» добавить нельзя: она не оценивалась.")
    assert "Нет отдельного согласия клиента на обработку сведений о здоровье" in message
    # nothing was decided or kept: the groups still wait for the inspector
    assert "disabled" not in session.interview.classification.ids
    assert session.needs_group_confirmation
    assert "groups_confirmed" not in session.store.load(session.iid).header


def test_an_addition_kept_from_before_a_withdrawn_consent_counts_for_nothing():
    answers = {k: v for k, v in MOTHER_TYPED.items() if k in PROFILE_IDS}
    typed = Interview(bundle(), TODAY)
    for qid, raw in answers.items():
        if typed.is_applicable(qid):
            typed.answer(qid, raw)
    kept = Interview(bundle(), TODAY, typed.answers,
                     {"disabled": Override("disabled", "add", "Справка МСЭ")})
    result = kept.classification.get("disabled")
    assert result.status == NOT_ASSESSED and result.override is not None
    assert not result.member and "disabled" not in kept.classification.ids
    assert not any(q.script.group == "disabled" for q in kept.questions if q.script)


def test_consent_given_later_opens_the_questions_and_decides_the_group(tmp_path):
    session = profile_answered(tmp_path)
    session.confirm_groups({})
    assert session.interview.classification.get("disabled").status == NOT_ASSESSED
    assert not session.interview.is_applicable("disability_group")
    # The client signs the separate consent: the inspector changes the answer.
    session.goto("consent_health")
    assert session.submit("да").id == "disability_group"
    session.submit("II")
    result = session.interview.classification.get("disabled")
    assert result.status == "in" and result.member
    assert result.reason == "Инвалидность II группы (решение МСЭ)."
    assert session.needs_group_confirmation  # the rules found a new group
    session.confirm_groups({})
    first_disabled = next(q for q in session.interview.questions if q.script and q.script.group == "disabled")
    assert session.current.id == first_disabled.id


def _any_answer(q):
    """A valid answer to a module question this test does not care about."""
    if q.type == "yes_no":
        return "нет"
    if q.type in ("choice", "multi_choice"):
        return q.choices[0].value if q.type == "choice" else [q.choices[0].value]
    if q.type in ("integer", "number"):
        return "1"
    if q.type == "date":
        return "01.01.2026"
    if q.type == "phone":
        return "+7 921 000-00-00"
    return "—"


def test_a_change_in_the_facts_asks_for_confirmation_again(tmp_path):
    session = profile_answered(tmp_path)
    session.confirm_groups({})
    session.goto("sex")
    session.submit("male")
    assert session.needs_group_confirmation  # the rules now find no group
    session.confirm_groups({})
    assert not session.needs_group_confirmation


def test_unchanged_decision_needs_no_reason_and_is_not_stored(tmp_path):
    session = profile_answered(tmp_path)
    session.confirm_groups({"mother_preschool": ("add", "")})  # it was found anyway
    assert session.interview.overrides == {}


def test_resume_keeps_the_decisions(tmp_path):
    session = profile_answered(tmp_path)
    session.confirm_groups({"mother_preschool": ("remove", "Ошибка в дате рождения ребёнка")})
    session.close()
    again = Session.resume(bundle(), Store(tmp_path), session.iid, inspector="Иванова")
    assert not again.needs_group_confirmation
    assert again.interview.classification.ids == []
    assert again.interview.classification.get("mother_preschool").override.reason == (
        "Ошибка в дате рождения ребёнка"
    )


def test_recorded_decisions_replay_to_the_same_plan(tmp_path):
    record = tmp_path / "answers.yaml"
    session = profile_answered(tmp_path / "data", record=record)
    session.confirm_groups({"mother_preschool": ("remove", "Клиент просит не учитывать")})
    plan = finish(session)
    result = replay(bundle(), record)
    assert plan_text(result.interview, result.meta()) == plan
    assert "Клиентская группа не определена" in plan


def test_replay_refuses_a_decision_without_a_reason(tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text(
        "date: 2026-11-27\ngroups:\n  - {group: youth, action: add}\nanswers:\n  consent_pd: yes\n",
        encoding="utf-8",
    )
    with pytest.raises(ReplayError) as info:
        replay(bundle(), path)
    assert info.value.line == 3
    assert "нет причины решения о группе «youth»" in info.value.message


def test_leaving_an_undecided_group_out_is_kept_and_not_asked_again(tmp_path):
    session = profile_answered(tmp_path, answers=NO_END_DATE)
    session.confirm_groups({"long_unemployed": ("remove", "")})
    assert not session.needs_group_confirmation
    result = session.interview.classification.get("long_unemployed")
    assert result.status == "undecided" and not result.member
    assert result.override.reason.startswith("Не подтверждено")
    assert session.interview.classification.undecided == []


def test_the_plan_names_a_group_the_inspector_removed_and_why(tmp_path):
    session = profile_answered(tmp_path)
    session.confirm_groups({"mother_preschool": ("remove", "Ребёнок живёт с отцом")})
    plan = finish(session)
    assert (
        "- ~~Женщина с детьми дошкольного возраста~~ — исключена инспектором: Ребёнок живёт с отцом"
    ) in plan


def test_a_plan_made_before_the_groups_are_confirmed_says_so(tmp_path):
    session = profile_answered(tmp_path, mode=KIOSK)
    while session.current is not None:
        session.submit(MOTHER_TYPED.get(session.current.id, _any_answer(session.current)))
    assert "инспектор подтвердит их на приёме" in finish(session)


def test_after_confirming_the_interview_goes_to_the_first_unanswered_question(tmp_path):
    session = profile_answered(tmp_path, answers=WITH_CONSENT)
    session.confirm_groups({})
    session.submit("important")  # salary_importance, the mother module's first question
    # The disabled module comes before the mother module: adding it goes there first.
    session.confirm_groups({"disabled": ("add", "Справка МСЭ")})
    first_disabled = next(q for q in session.interview.questions if q.script and q.script.group == "disabled")
    assert session.current.id == first_disabled.id
