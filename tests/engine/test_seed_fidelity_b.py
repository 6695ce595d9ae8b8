"""The plans of five groups faithful to the seed, and every answer of their modules counted.

Groups: «Гражданин предпенсионного возраста», «Гражданин пенсионного возраста», «Длительно
не работающий гражданин», «Гражданин, освободившийся из мест лишения свободы», «Инвалиды».
Each test replays a recorded interview of tests/replays (or a variant of it) and asserts
what the plan, or the interview's questions, show. A client in several groups answers the
other groups' modules too: :func:`drive` answers the questions a fixture does not cover with
a neutral answer, so these tests do not depend on the other modules' questions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jinja2 import Environment, nodes

from tests.helpers import (
    MOTHER_TYPED,
    REPLAYS,
    ROOT,
    bundle,
    measure_detail,
    plan_section,
    plan_text,
    replay_plan,
    replay_variant,
)
from tui.engine.interview import Interview
from tui.engine.model import Computed, Question
from tui.engine.plan import choose_measures

PRE = REPLAYS / "pre_pensioner.yaml"
PENS = REPLAYS / "pensioner.yaml"
LU = REPLAYS / "long_unemployed.yaml"
REL = REPLAYS / "released.yaml"
REL_ONLY = REPLAYS / "released_worked_in_custody.yaml"
DIS = REPLAYS / "disabled.yaml"
#: Pre-pensioner, disabled and long-term unemployed at once.
COMBO = REPLAYS / "combo_pre_pensioner_disabled_long_unemployed.yaml"

OWN = ("pre_pensioner", "pensioner", "long_unemployed", "released", "disabled")
#: The questions that ask whether the client is ready to train, one per module.
READINESS = ("pens_retrain", "prep_retrain", "dis_retrain", "lu_ready_to_train", "rel_ready_to_train")
#: «Клиент готов …» and «Клиент пока сомневается / не готов» about training.
READY = re.compile(r"(?<!не )готов(а)? (к обучению|освоить|обновить)|хочет (освоить|повысить)")
UNSURE = re.compile(r"сомневается|не готов(а)? к обучению")


def _neutral(q: Question) -> Any:
    """An answer to a question the fixture does not cover: none if optional, else the first
    option, «no», or a plain value."""
    if not q.required:
        return None
    if q.type == "yes_no":
        return False
    if q.type == "choice":
        return q.choices[0].value
    if q.type == "multi_choice":
        return [q.choices[0].value]
    if q.type in ("integer", "number"):
        return 1
    if q.type == "phone":
        return "+7 900 000-00-00"
    return "нет"


def answers_of(case: Path) -> tuple[Any, dict[str, Any]]:
    doc = yaml.safe_load(case.read_text(encoding="utf-8"))
    return doc["date"], dict(doc["answers"])


def drive(case: Path, extra: dict[str, Any] | None = None, **changes: Any) -> tuple[Interview, str]:
    """The interview of ``case`` with ``extra`` answers added and ``changes`` made (``None``
    removes an answer), answered in order as replay does; returns it and its plan."""
    today, answers = answers_of(case)
    answers.update(extra or {})
    for qid, value in changes.items():
        if value is None:
            answers.pop(qid, None)
        else:
            answers[qid] = value
    interview = Interview(bundle(), today)
    after: str | None = None
    while (q := interview.first_pending(after)) is not None:
        interview.answer(q.id, answers[q.id] if q.id in answers else _neutral(q), confirmed=True)
        after = q.id
    return interview, plan_text(interview, {"mode": "replay"})


def asked(interview: Interview) -> set[str]:
    return {q.id for q in interview.questions}


def titles(plan: str) -> list[str]:
    return re.findall(r"^\d+\. (.+)$", plan_section(plan, "Мероприятия"), re.M)


def criteria(plan: str) -> str:
    return plan.split("Критерии подбора вакансий:")[1].split("##")[0] if "Критерии подбора" in plan else ""


def module_answers(case: Path, prefix: str) -> dict[str, Any]:
    return {k: v for k, v in answers_of(case)[1].items() if k.startswith(prefix)}


# ---------------------------------------------------------------- item 4: the seed's conditions


def test_a_pre_pensioner_who_declines_training_is_still_told_which_professions_are_in_demand(tmp_path):
    """Trait 5: «Отсутствие желания на получение дополнительного образования по
    востребованным сейчас на рынке труда профессиям» — the training is not imposed, but the
    information that works against the trait is given."""
    _, plan = replay_variant(tmp_path, PRE, prep_retrain="no", prep_training_interest=None)
    assert "Направление на получение дополнительного образования" not in plan
    detail = measure_detail(plan, "Информирование о положении на рынке труда")
    assert "какие профессии сейчас востребованы" in detail
    assert "обучение" in detail
    _, willing = replay_plan(PRE)  # unsure: the training measure itself says it
    assert "какие профессии сейчас востребованы" not in measure_detail(
        willing, "Информирование о положении на рынке труда"
    )


def test_a_long_unemployed_pre_pensioner_is_offered_public_works():
    lu = module_answers(LU, "lu_")
    interview, plan = drive(PRE, lu, last_job_end_date="2024-03-31", lu_public_works=True)
    assert {"pre_pensioner", "long_unemployed"} <= set(interview.classification.ids)
    questions = asked(interview)
    assert "lu_public_works" in questions
    assert "lu_here_and_now" not in questions  # temporary work: asked by the pre-pensioner module
    assert "Предложение работы «здесь и сейчас» (общественные и временные работы)" in titles(plan)
    assert "оплачиваемым общественным работам" in measure_detail(plan, "Предложение работы «здесь и сейчас»")
    _, declined = drive(PRE, lu, last_job_end_date="2024-03-31", lu_public_works=False)
    assert "Предложение работы «здесь и сейчас»" not in declined


@pytest.mark.parametrize("prep_retrain", ["yes", "maybe", "no"])
def test_readiness_to_train_is_asked_once_and_never_contradicted(prep_retrain):
    interview, plan = drive(COMBO, prep_retrain=prep_retrain, dis_retrain=True)
    assert [q for q in READINESS if q in asked(interview)] == ["prep_retrain"]
    assert not (READY.search(plan) and UNSURE.search(plan)), (READY.search(plan), UNSURE.search(plan))


def test_a_released_pre_pensioner_is_asked_about_training_once():
    released = module_answers(REL_ONLY, "rel_")
    interview, plan = drive(PRE, released, released_from_custody_date="2026-07-24", prep_retrain="maybe")
    assert {"pre_pensioner", "released"} <= set(interview.classification.ids)
    assert [q for q in READINESS if q in asked(interview)] == ["prep_retrain"]
    assert "сомневается" in measure_detail(plan, "Участие в мероприятиях по профессиональной ориентации")
    assert not READY.search(plan)


def test_a_long_unemployed_pre_pensioner_is_not_asked_about_mandatory_psychological_support():
    interview, plan = drive(COMBO)
    assert "prep_psychologist" not in asked(interview)
    text = "Психологическая поддержка и индивидуальные консультации психолога"
    assert "Обязательное мероприятие для длительно не работающих граждан" in measure_detail(plan, text)
    assert "снять тревогу и неверие в успех после отказов работодателей" in measure_detail(plan, text)
    assert "Психологическая поддержка" not in titles(plan)  # said once, in the fuller words


def _mother_long_unemployed(psychologist: str) -> tuple[Interview, str]:
    module = next(s for s in bundle().modules if s.id == "mother_preschool")
    mother = {q.id: MOTHER_TYPED[q.id] for q in module.items() if q.id in MOTHER_TYPED}
    mother["psychologist"] = psychologist
    return drive(LU, mother, children_count=2, youngest_child_birth_date="03.05.2022",
                 lu_barriers=None, lu_barriers_other=None, lu_ready_to_train=None)


@pytest.mark.parametrize("declined", ["pre_pensioner", "released", "mother_long_unemployed"])
def test_a_client_who_declines_psychological_support_is_not_bound_to_it_silently(declined):
    """No psychological measure with a commitment, unless the plan says why it stays."""
    if declined == "pre_pensioner":
        _, plan = drive(PRE, prep_psychologist=False)
    elif declined == "released":
        _, plan = drive(REL_ONLY, rel_psych_support=False)
    else:
        _, plan = _mother_long_unemployed("нет")
    for title in (t for t in titles(plan) if "психолог" in t.lower()):
        detail = measure_detail(plan, title)
        assert "обязательн" in detail.lower(), (title, detail)
        if declined == "mother_long_unemployed":
            assert "Клиент отказался от консультации психолога" in detail


def test_the_custody_profession_is_analysed_for_a_young_released_client_too():
    interview, plan = drive(REL, birth_date="1994-03-15", graduation_date="2013-06-30")
    assert {"released", "youth"} <= set(interview.classification.ids)
    assert "Проведение анализа востребованности имеющейся у клиента профессии" not in plan
    # Youth's analysis and guidance merges into released's career guidance: one measure.
    guidance = [m for m in choose_measures(interview) if "demand_analysis_guidance" in m.merged]
    assert [m.merged for m in guidance] == [["rel_career_guidance", "demand_analysis_guidance"]]
    detail = guidance[0].detail
    assert "полученная в местах лишения свободы, — «Оператор швейного оборудования»" in detail
    assert "«Электросварщик ручной сварки»" in detail
    assert guidance[0].groups == ["Гражданин, освободившийся из мест лишения свободы", "Молодежь"]
    # The client reads his profession, not the one obtained in custody (the words typed for
    # it may say where).
    client = " ".join([guidance[0].client, *guidance[0].client_details])
    assert "«Электросварщик ручной сварки» и вторая ваша профессия" in client
    assert "швейного" not in client and "свобод" not in client


@pytest.mark.parametrize(
    ("case", "title"),
    [
        (REL, "Информирование о положении на рынке труда в регионе"),
        (DIS, "Информирование о положении на рынке труда региона."),
        (PENS, "Информирование о положении на рынке труда"),
        (LU, "Информирование о положении на рынке труда"),
    ],
    ids=["released", "disabled", "pensioner", "long_unemployed"],
)
def test_labour_market_information_keeps_each_groups_words(case, title):
    _, plan = replay_plan(case)
    info = [t for t in titles(plan) if t.startswith("Информирование о положении на рынке труда")]
    assert info == [title]


def test_a_released_disabled_client_is_informed_once_in_the_released_words():
    interview, plan = drive(DIS, module_answers(REL_ONLY, "rel_"), released_from_custody_date="2026-07-24")
    assert {"released", "disabled"} <= set(interview.classification.ids)
    info = [t for t in titles(plan) if t.startswith("Информирование о положении на рынке труда")]
    assert info == ["Информирование о положении на рынке труда в регионе"]


# ---------------------------------------------------------------- item 6: «котируемых»


def test_the_client_reads_quota_vacancies_spelt_right_and_the_catalog_notes_the_seeds_typo():
    _, plan = replay_plan(DIS)
    assert "собирать и актуализировать базу квотируемых вакансий" in plan
    assert "котируем" not in plan
    source = (ROOT / "scripts/interview/measures/disabled.yaml").read_text(encoding="utf-8")
    notes = [line for line in source.splitlines() if line.lstrip().startswith("#")]
    assert any("котируемых" in line for line in notes)


# ---------------------------------------------------------------- item 5: every answer counts

_ENV = Environment()


def _nodes(ast: nodes.Node, kind: type[nodes.Node]) -> Iterator[Any]:
    """``ast`` itself and every node inside it of ``kind``."""
    if isinstance(ast, kind):
        yield ast
    yield from ast.find_all(kind)


def _reads(ast: nodes.Node) -> set[str]:
    """Names a template or expression reads, and the question ids it names in
    ``answer('x')``, ``labels('x')``, ``asked('x')``."""
    out = {n.name for n in _nodes(ast, nodes.Name) if n.ctx == "load"}
    out |= _whole_reads(ast)
    return out


def _whole_reads(ast: nodes.Node) -> set[str]:
    """Question ids whose answer a template writes out whole (``answer``, ``labels``)."""
    out: set[str] = set()
    for call in _nodes(ast, nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name in ("answer", "labels", "asked"):
            out |= {a.value for a in call.args if isinstance(a, nodes.Const) and isinstance(a.value, str)}
    return out


def _texts(ast: nodes.Node) -> set[str]:
    return {c.value for c in _nodes(ast, nodes.Const) if isinstance(c.value, str)}


def _plan_readers() -> Iterator[tuple[str, nodes.Node]]:
    """What makes the plan: each measure's condition, detail and commitment, the criteria
    and disclosure templates and the plan template. A group's own summary
    (templates/groups/<id>.md.j2) only repeats answers and does not count."""
    for m in bundle().measures:
        if m.when is not None:
            yield f"условие меры «{m.id}»", m.when.ast
        for key in ("detail", "commitment"):
            text = getattr(m, key)
            if text:
                yield f"{key} меры «{m.id}»", _ENV.parse(text)
    templates = ROOT / "templates"
    for path in [templates / "plan.md.j2", *sorted(templates.glob("groups/*.criteria.md.j2")),
                 *sorted(templates.glob("groups/*.disclosure.md.j2"))]:
        yield path.name, _ENV.parse(path.read_text(encoding="utf-8"))


def _conditions() -> Iterator[tuple[set[str], nodes.Node]]:
    """Each question's condition (its own and its section's) with the questions it decides,
    and each computed value with its id."""
    for script in bundle().scripts():
        for section in script.sections:
            ids = {i.id for i in section.items}
            if section.when is not None:
                yield ids, section.when.ast
            for item in section.items:
                if isinstance(item, Computed):
                    yield {item.id}, item.expr.ast
                elif item.when is not None:
                    yield {item.id}, item.when.ast


def _live() -> tuple[set[str], list[tuple[str, nodes.Node]]]:
    """The question ids that change the plan: read where the plan is made, or read by the
    condition of a question (or the expression of a computed value) that does."""
    readers = list(_plan_readers())
    live = set().union(*(_reads(ast) for _, ast in readers))
    conditions = list(_conditions())
    while True:
        more = {n for decided, ast in conditions if decided & live for n in _reads(ast)} - live
        if not more:
            return live, readers + [(f"условие «{sorted(d)[0]}»", a) for d, a in conditions if d & live]
        live |= more


def _own_questions() -> Iterator[Question]:
    for gid in OWN:
        module = bundle().module_for(gid)
        assert module is not None, gid
        yield from (i for i in module.items() if isinstance(i, Question))


def test_every_question_of_the_five_modules_changes_the_plan():
    live, _ = _live()
    dead = [q.id for q in _own_questions() if q.id not in live]
    assert dead == []


def test_every_option_of_a_multiple_choice_changes_the_plan():
    """An option of a multiple choice is a fact of its own (a barrier, a document, a
    condition): the plan either compares it where the question is read or writes the
    chosen options out whole (a criterion per option)."""
    _, readers = _live()
    dead: list[str] = []
    for q in _own_questions():
        if q.type != "multi_choice":
            continue
        if any(q.id in _whole_reads(ast) for name, ast in readers if name.endswith(".j2")):
            continue
        seen = set().union(*(_texts(ast) for _, ast in readers if q.id in _reads(ast)))
        dead += [f"{q.id}={c.value}" for c in q.choices if c.value not in seen]
    assert dead == []


def _solutions(interview: Interview, plan: str) -> set[str]:
    """The plan's measures (but the life-situation summary) with their details and
    commitments, and the job-search criteria."""
    measures = [m for m in choose_measures(interview) if m.id != "lu_life_situation"]
    out = {f"{m.id}: {m.detail} / {m.commitment}" for m in measures}
    return out | set(criteria(plan).splitlines())


@pytest.mark.parametrize("barrier", [c.value for c in bundle().questions()["lu_barriers"].choices])
def test_each_barrier_gets_its_own_solution_in_the_plan(barrier):
    """The module promises «Каждая проблема получает в плане своё решение»."""
    other = {"lu_barriers_other": "Нет водительских прав"} if barrier == "other" else {}
    none_named, plain = drive(LU, lu_barriers=None, lu_barriers_other=None)
    named, plan = drive(LU, other, lu_barriers=[barrier])
    if barrier == "other":  # a problem of the client's own words: solved with the client
        detail = measure_detail(plan, "Выяснение жизненной ситуации клиента")
        assert "«Нет водительских прав»" in detail
        assert "на явке 11.12.2026" in detail
    else:
        assert _solutions(named, plan) - _solutions(none_named, plain), barrier


def test_the_barriers_say_where_each_is_solved():
    _, plan = replay_plan(LU)
    detail = measure_detail(plan, "Выяснение жизненной ситуации клиента")
    assert "Проблемы выяснены на приёме; решение каждой — в мероприятиях этого плана." in detail
    assert "«Нет опыта работы с новыми кассовыми программами»" in detail


def test_lost_skills_and_search_skills_shape_their_measures():
    _, plan = replay_plan(LU)
    training = measure_detail(plan, "Помощь клиенту в ориентации на рынке труда")
    assert "утрату профессиональных навыков" in training
    assert "навыки поиска работы и прохождения собеседований" in measure_detail(
        plan, "Направление на мероприятия, посвященные процессам составления резюме"
    )


def test_family_circumstances_become_a_criterion():
    _, plan = drive(LU, lu_barriers=["family"])
    assert "- Режим работы, совместимый с уходом за детьми или родственниками" in criteria(plan)


def test_search_channels_detail_starts_from_what_the_client_uses():
    _, plan = replay_plan(PRE)  # portal and contacts
    detail = measure_detail(plan, "Расширение каналов поиска работы")
    assert detail.startswith(
        "Сейчас клиент ищет работу: портал «Работа России», через знакомых и бывших коллег."
    )
    assert "Добавить к поиску сайты-агрегаторы вакансий и социальные сети" in detail


def test_a_pensioner_away_part_of_the_year_is_planned_around_it(tmp_path):
    """Trait 7: «Часто имеет жилье за пределами субъекта, не привязан к постоянному месту
    жительства»."""
    result, plan = replay_variant(
        tmp_path, PENS, pens_residence="seasonal", pens_away_period="с июня по сентябрь"
    )
    assert result.unused == []
    assert (
        "- Часть года клиент живёт за пределами области (с июня по сентябрь): учитывать при подборе"
        in criteria(plan)
    )
    assert "когда клиент в области" in measure_detail(plan, "Проведение тематических ярмарок вакансий")
    _, staying = replay_variant(tmp_path, PENS, pens_residence="permanent", pens_away_period=None)
    assert "за пределами области" not in staying


def test_a_pensioner_moving_away_is_told_of_vacancies_where_she_moves(tmp_path):
    result, plan = replay_variant(
        tmp_path, PENS, pens_residence="moving", pens_move_region="Краснодарский край"
    )
    assert result.unused == []
    assert "- Вакансии также в регионе переезда: Краснодарский край" in criteria(plan)
    detail = measure_detail(plan, "Информирование о положении на рынке труда")
    assert "Краснодарский край" in detail and "портале «Работа России»" in detail


@pytest.mark.parametrize(
    ("housing", "line"),
    [
        ("none", "- В первую очередь — вакансии с предоставлением жилья (общежития)"),
        ("temporary", "- Рассматриваются также вакансии с предоставлением жилья (общежития)"),
        ("own", None),
    ],
    ids=["none", "temporary", "own"],
)
def test_a_released_clients_housing_shapes_the_criteria(tmp_path, housing, line):
    result, plan = replay_variant(tmp_path, REL, rel_housing=housing)
    assert result.unused == []
    if line:
        assert line in criteria(plan)
    else:
        assert "предоставлением жилья" not in plan


def test_a_released_clients_working_condition_limits_become_criteria(tmp_path):
    result, plan = replay_variant(tmp_path, REL_ONLY, rel_work_limits=["physical", "night"])
    assert result.unused == []
    assert "- Без тяжёлой физической работы\n- Без работы в ночное время" in criteria(plan)
    assert "с учётом ограничений по условиям труда" in measure_detail(
        plan, "Обязательно предложить участие в оплачиваемых общественных работах"
    )


def test_a_released_pre_pensioner_is_asked_the_limits_once():
    assert bundle().questions()["rel_work_limits"].type == "multi_choice"
    interview, _ = drive(PRE, module_answers(REL_ONLY, "rel_"), released_from_custody_date="2026-07-24")
    questions = asked(interview)
    assert "prep_work_limits" in questions and "rel_work_limits" not in questions


def test_missing_documents_name_what_restores_the_passport(tmp_path):
    _, plan = replay_variant(tmp_path, REL, rel_documents=["release_certificate", "snils"])
    briefing = measure_detail(plan, "При направлении на собеседование к работодателю")
    assert "паспорт (восстановить по справке об освобождении)" in briefing
    assert "военный билет (если клиент состоит на воинском учёте)" in briefing
    _, neither = replay_variant(tmp_path, REL, rel_documents=["snils"])
    assert "паспорт, справка об освобождении" in measure_detail(neither, "При направлении на собеседование")


@pytest.mark.parametrize(
    ("case", "changes"),
    [
        (PRE, {}),  # unsure about a new profession
        (LU, {"lu_ready_to_train": "no"}),
        (COMBO, {"prep_retrain": "no"}),
    ],
    ids=["pre_pensioner_unsure", "long_unemployed_not_ready", "combo_not_ready"],
)
def test_a_client_not_ready_to_train_does_not_commit_to_start_training(case, changes):
    _, plan = drive(case, **changes)
    own = plan_section(plan, "Что клиент обязуется сделать")
    assert "программу обучения" not in own
    assert "по итогам профессиональной ориентации" in own or "какие профессии сейчас востребованы" in own
