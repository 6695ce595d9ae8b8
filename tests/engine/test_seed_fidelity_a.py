"""Issue 11, items 4 and 5, for «Женщина с детьми дошкольного возраста», «Молодежь»,
«Дети-сироты», «Гражданин, ранее не работавший» and «Выпускники учреждений ВО и СПО».

Item 4: the plan keeps the seed's conditions — financial support is offered on the
employer path too; training is offered to the young and to orphans, never imposed; an
orphan takes part in job fairs himself; the never-worked client keeps the seed's words.
Item 5: every answer of these modules changes the plan (a criterion, a measure, its detail,
a commitment) — checked mechanically — and what the profile already says is not asked again.

Each test replays a golden answers file, or a variant of it in a temporary copy.
"""

from __future__ import annotations

from collections.abc import Iterable

import jinja2
import pytest
from jinja2 import nodes

from tests.helpers import REPLAYS, bundle, measure_detail, plan_section, replay_plan, replay_variant
from tui.engine.expr import template_names
from tui.engine.model import Computed, Question
from tui.engine.plan import choose_measures
from tui.engine.replay import ReplayResult
from tui.paths import templates_dir

MOTHER = REPLAYS / "mother_employer.yaml"
MOTHER_OWN = REPLAYS / "mother_own_business.yaml"
YOUTH = REPLAYS / "youth.yaml"
ORPHAN = REPLAYS / "orphan.yaml"
NEVER_WORKED = REPLAYS / "never_worked.yaml"
GRADUATE = REPLAYS / "graduate.yaml"
COMBO_MOTHER = REPLAYS / "combo_mother_youth_graduate.yaml"

FINANCIAL = (
    "Информирование о дополнительной финансовой поддержке при трудоустройстве или организации "
    "собственного дела: заключение социального контракта, получение единовременной финансовой "
    "помощи от ЦЗН, муниципального гранта на ведение предпринимательской деятельности, "
    "губернаторского стартапа и др."
)
TRAINING = "Переобучение, дополнительное образование, повышение квалификации"
START_TRAINING = "Выбрать вместе с инспектором программу обучения и приступить к обучению"
FAIRS = "Участие в ярмарках вакансий, открытых отборах"
OPEN_DAYS = (
    "Информирование о проведении «дней открытых дверей» у работодателей, приглашение на "
    "ярмарки вакансий, открытые отборы"
)
NW_WORDS = (
    "принимать активное участие в поиске работы и решении вопроса в получение "
    "профессионального образования"
)
GUIDANCE_TESTING = "Профориентационное тестирование."
LIFE_SITUATION = "Анализ жизненной ситуации."
SELF_PRESENTATION = (
    "Участие в тренингах, направленных на получение навыков самопрезентации, прохождения "
    "собеседований, составления резюме."
)
CHANNELS = (
    "Расширение знаний о каналах поиска работы: активное использование интернет-порталов, "
    "социальных сетей и мессенджеров."
)
SEARCH_PLAN = "Формирование индивидуального плана поиска работы с клиентом"
ORPHAN_TRAININGS = "Посещение психологических тренингов, занятий по социальной адаптации"
#: The never-worked module's answers, for a variant who has never worked.
NEVER_WORKED_ANSWERS = {"nw_desired_vacancies": "Бухгалтер", "nw_psychologist": False,
                        "nw_temporary_work": "no"}
#: The five groups of this file and their modules.
MODULES = ("mother_preschool", "youth", "orphan", "never_worked", "graduate")


def measure_line(text: str) -> str:
    """A measure as the plan lists it: ``N. text`` at the start of a line."""
    return f". {text}\n"


def criteria(plan: str) -> str:
    return plan.split("Критерии подбора вакансий:", 1)[1].split("\n## ", 1)[0]


def commitments(plan: str) -> str:
    return plan_section(plan, "Что клиент обязуется сделать")


def asked(result: ReplayResult) -> set[str]:
    """The questions the replayed interview asked."""
    return {q.id for q in result.interview.questions}


def guidance_detail(result: ReplayResult) -> str:
    """The detail of the career guidance the mother's testing is part of: its own measure,
    or, for a long-term unemployed mother, that group's guidance it merges into."""
    merged = [m for m in choose_measures(result.interview) if "career_guidance_testing" in m.merged]
    assert len(merged) == 1
    return merged[0].detail


# --- Item 4: conditions faithful to the seed -------------------------------------------


def test_a_mother_looking_for_an_employer_hears_of_financial_support_too():
    """The seed offers the support «при трудоустройстве или организации собственного дела»."""
    _, plan = replay_plan(MOTHER)
    assert plan.count(measure_line(FINANCIAL)) == 1
    detail = measure_detail(plan, FINANCIAL)
    assert "социальном контракте на поиск работы" in detail
    assert "собственного дела" not in detail  # she chose an employer: no business grants
    _, own = replay_plan(MOTHER_OWN)
    assert "социального контракта на открытие собственного дела" in measure_detail(own, FINANCIAL)


@pytest.mark.parametrize(
    ("ready", "offered", "starts"),
    [("ready", True, True), ("unsure", True, False), ("not_ready", False, False)],
)
def test_training_is_offered_to_the_young_never_imposed(tmp_path, ready, offered, starts):
    result, plan = replay_variant(tmp_path, YOUTH, youth_training_ready=ready)
    assert "youth_training_ready" in asked(result)
    assert (measure_line(TRAINING) in plan) is offered
    assert (START_TRAINING in commitments(plan)) is starts
    if ready == "unsure":
        assert "Решить по итогам профессиональной ориентации, нужно ли обучение" in commitments(plan)
    if not starts:
        assert "приступить" not in plan


def test_an_orphan_not_ready_to_study_is_not_sent_to_training(tmp_path):
    _, plan = replay_plan(ORPHAN)  # orph_training_ready: ready
    assert measure_line(TRAINING) in plan
    assert START_TRAINING in commitments(plan)
    _, plan = replay_variant(tmp_path, ORPHAN, orph_training_ready="not_ready")
    assert measure_line(TRAINING) not in plan
    assert "приступить" not in plan
    assert "обучени" not in commitments(plan)


def test_an_orphan_takes_part_in_job_fairs_himself_with_a_commitment():
    result, plan = replay_plan(ORPHAN)
    assert plan.count(measure_line(FAIRS)) == 1
    item = plan.split(measure_line(FAIRS), 1)[1].split("\n\n", 1)[0]
    # The orphan's own part leads; youth's informing about open days is merged into it
    # (the centre invites, the client goes), not standing in for it.
    assert "Выполняет: **клиент и ЦЗН**." in item
    assert "- Участвовать в ярмарках вакансий и открытых отборах" in commitments(plan)
    assert OPEN_DAYS not in plan
    fairs = next(m for m in choose_measures(result.interview) if m.text == FAIRS)
    assert fairs.merged == ["orph_job_fairs", "open_days"]


def test_the_never_worked_client_keeps_the_seeds_words_on_professional_education(tmp_path):
    _, plan = replay_plan(NEVER_WORKED)
    assert NW_WORDS in plan
    assert "о получении профессионального образования" not in plan
    # With a diploma the question of professional education is settled: not said.
    _, plan = replay_variant(tmp_path, NEVER_WORKED, education_level="secondary_vocational",
                             graduation_date="2024-06-28")
    assert NW_WORDS not in plan


# --- Item 5: every answer counts --------------------------------------------------------

_TEMPLATE_ENV = jinja2.Environment()
#: The functions plan templates read an answer with: ``answer('q')``, ``labels('q')``, …
_ANSWER_FUNCTIONS = {"answer", "labels", "asked", "label"}


def _template_reads(source: str) -> set[str]:
    """The answers a plan template reads: by name, or by id through ``answer('q')`` etc."""
    ast = _TEMPLATE_ENV.parse(source)
    names = {n.name for n in ast.find_all(nodes.Name) if n.ctx == "load"}
    for call in ast.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name in _ANSWER_FUNCTIONS:
            names |= {a.value for a in call.args if isinstance(a, nodes.Const)}
    return names


def _plan_readers() -> set[str]:
    """Names that change the plan: what measures select on and write (``when``,
    ``detail``, ``commitment``) and what the job-search criteria and the disclosure
    boundary read. A group's situation section only repeats the answers, so it does not
    count."""
    names: set[str] = set()
    for m in bundle().measures:
        if m.when is not None:
            names |= m.when.names
        for text in (m.detail, m.commitment):
            if text:
                names |= template_names(text)
    for kind in ("criteria", "disclosure"):
        for path in sorted((templates_dir() / "groups").glob(f"*.{kind}.md.j2")):
            names |= _template_reads(path.read_text(encoding="utf-8"))
    return names


def _live(items: Iterable[Question | Computed]) -> set[str]:
    """Every item that the plan reads, directly or through the condition of a question or
    a computed value that it reads."""
    items = list(items)
    live = _plan_readers()
    while True:
        more = set(live)
        for item in items:
            if item.id not in live:
                continue
            if item.when is not None:
                more |= item.when.names
            if item.section is not None and item.section.when is not None:
                more |= item.section.when.names
            if isinstance(item, Computed):
                more |= item.expr.names
        if more == live:
            return live
        live = more


@pytest.mark.parametrize("module", MODULES)
def test_every_question_of_the_module_changes_the_plan(module):
    script = bundle().module_for(module)
    assert script is not None
    live = _live(bundle().items())
    dead = [q.id for q in script.items() if isinstance(q, Question) and q.id not in live]
    assert dead == [], f"{module}: answers that change nothing in the plan: {dead}"


def test_the_mothers_childcare_shapes_the_job_search_criteria(tmp_path):
    care = "- Неполный рабочий день, гибкий график или удалённая работа, пока ребёнок не ходит в детский сад"
    hours = "- Рабочий день в часы работы детского сада"
    _, plan = replay_plan(MOTHER)  # waiting for a place, no relatives to help
    assert care in criteria(plan)
    _, plan = replay_variant(tmp_path, MOTHER, relatives_help="regular", work_barriers=["other"])
    assert care not in criteria(plan) and hours not in criteria(plan)
    _, plan = replay_variant(tmp_path, MOTHER, kindergarten="attends", work_barriers=["other"])
    assert hours in criteria(plan) and care not in criteria(plan)
    _, plan = replay_variant(tmp_path, MOTHER, kindergarten="attends", relatives_help="sometimes",
                             work_barriers=["child_illness", "commute"], schedule_limits=[])
    assert "- Гибкий график или работа из дома, когда ребёнок болеет" in criteria(plan)
    assert "- Рядом с домом или детским садом" in criteria(plan)
    assert hours not in criteria(plan)


def test_the_mothers_other_barrier_and_interests_reach_the_measures():
    _, plan = replay_plan(MOTHER)
    assert "«Нет места в детском саду рядом с домом»" in measure_detail(plan, LIFE_SITUATION)
    interests = "Бухгалтер, 5 лет опыта в торговле; интересна работа в бюджетной сфере"
    assert f"- По опыту и профессиональным интересам: {interests}" in criteria(plan)
    assert f"«{interests}»" in measure_detail(plan, GUIDANCE_TESTING)


def test_the_mothers_work_break_comes_from_the_profile_not_asked_again(tmp_path):
    result, plan = replay_plan(MOTHER)  # the last job ended on 30.06.2026
    assert "work_break" not in asked(result)
    assert "- **Перерыв в работе:** 4 месяца (последняя работа — до 30.06.2026)." in plan
    assert "после длительного перерыва" not in guidance_detail(result)
    # Three years ago: she would have said «Меньше года» — the profile decides, not asked.
    result, plan = replay_variant(tmp_path, MOTHER, last_job_end_date="2023-11-20",
                                  work_break="under_year")
    assert "work_break" not in asked(result) and "work_break" in result.unused
    assert "- **Перерыв в работе:** 36 месяцев (последняя работа — до 20.11.2023)." in plan
    assert "после длительного перерыва в работе" in guidance_detail(result)


def test_the_mothers_work_break_is_asked_only_when_the_profile_lacks_the_date(tmp_path):
    result, plan = replay_variant(tmp_path, MOTHER, last_job_end_date=None, work_break="over_three")
    assert "work_break" in asked(result)
    assert "- **Перерыв в работе:** Больше трёх лет." in plan
    assert "после длительного перерыва в работе" in measure_detail(plan, GUIDANCE_TESTING)
    result, plan = replay_variant(tmp_path, MOTHER, ever_worked=False, currently_employed=None,
                                  last_job_end_date=None, work_break=None, **NEVER_WORKED_ANSWERS)
    assert "work_break" not in asked(result)
    assert "- **Перерыв в работе:** Ещё не работала." in plan


def test_an_orphan_without_a_home_looks_for_work_with_housing(tmp_path):
    housing = "- С предоставлением жилья или места в общежитии"
    _, plan = replay_plan(ORPHAN)  # own housing
    assert housing not in plan
    _, plan = replay_variant(tmp_path, ORPHAN, orph_housing="no_home")
    assert housing in criteria(plan)


def test_an_orphan_with_nobody_to_turn_to_gets_social_adaptation_first(tmp_path):
    _, plan = replay_plan(ORPHAN)  # a mentor supports her
    assert measure_detail(plan, ORPHAN_TRAININGS) == ""
    _, plan = replay_variant(tmp_path, ORPHAN, orph_support="nobody")
    assert "не к кому обратиться за советом" in measure_detail(plan, ORPHAN_TRAININGS)


@pytest.mark.parametrize(
    ("case", "fear"), [(YOUTH, "youth_interview_fear"), (GRADUATE, "grad_interview_fear")]
)
def test_a_fear_of_interviews_shapes_the_training(tmp_path, case, fear):
    said = "Клиент волнуется перед собеседованием и боится отказа"
    _, plan = replay_plan(case)  # afraid
    assert said in measure_detail(plan, SELF_PRESENTATION)
    _, plan = replay_variant(tmp_path, case, **{fear: False})
    assert said not in measure_detail(plan, SELF_PRESENTATION)


def test_the_channels_already_used_decide_which_ones_to_learn(tmp_path):
    _, plan = replay_plan(YOUTH)  # job sites and friends
    assert measure_detail(plan, CHANNELS) == (
        "Уже ищет работу: сайты вакансий; знакомые и родственники. "
        "Освоить: портал «Работа России», социальные сети и мессенджеры."
    )
    assert ("- Искать вакансии на портале «Работа России», в социальных сетях и мессенджерах"
            in commitments(plan))
    _, plan = replay_plan(GRADUATE)  # job sites and social networks
    assert "Освоить: портал «Работа России»." in measure_detail(plan, CHANNELS)
    _, plan = replay_variant(tmp_path, YOUTH, youth_search_channels=["portal", "job_sites", "social"])
    assert "Освоить" not in measure_detail(plan, CHANNELS)
    assert ("- Продолжать искать вакансии на портале «Работа России», на сайтах вакансий, "
            "в социальных сетях и мессенджерах") in commitments(plan)


@pytest.mark.parametrize("has_resume", [False, True])
def test_a_young_client_without_a_resume_commits_to_write_one(tmp_path, has_resume):
    result, plan = replay_variant(tmp_path, YOUTH, youth_has_resume=has_resume)
    assert "youth_has_resume" in asked(result)
    resume = "- Подготовить вместе с инспектором резюме и сопроводительные письма для работодателей"
    letters = "- Подготовить вместе с инспектором сопроводительные письма для работодателей"
    assert (resume in commitments(plan)) is not has_resume
    assert (letters in commitments(plan)) is has_resume
    assert ("Резюме у клиента есть" in measure_detail(plan, SEARCH_PLAN)) is has_resume


def test_a_never_worked_client_with_a_resume_is_not_told_to_write_one(tmp_path):
    _, plan = replay_variant(tmp_path, NEVER_WORKED, youth_has_resume=True)
    assert "Составить резюме" not in commitments(plan)
    assert "- Откликаться на выбранные вакансии" in commitments(plan)
    _, plan = replay_variant(tmp_path, NEVER_WORKED, youth_has_resume=False)
    assert "- Составить резюме и откликаться на выбранные вакансии" in commitments(plan)


def test_readiness_to_study_is_asked_once_by_the_module_that_needs_it_first():
    readiness = {"ready_to_study", "orph_training_ready", "youth_training_ready", "nw_study_ready"}
    expected = {
        YOUTH: "youth_training_ready",
        GRADUATE: "youth_training_ready",
        ORPHAN: "orph_training_ready",
        NEVER_WORKED: "nw_study_ready",
        COMBO_MOTHER: "ready_to_study",
        REPLAYS / "combo_orphan_graduate_youth_never_worked.yaml": "orph_training_ready",
    }
    for case, question in expected.items():
        result, _ = replay_plan(case)
        assert asked(result) & readiness == {question}, case.name
        assert result.unused == [], case.name


def test_the_answers_files_of_these_groups_answer_nothing_in_vain():
    for name in ("mother_employer", "mother_own_business", "youth", "orphan", "never_worked",
                 "graduate", "combo_mother_youth_graduate",
                 "combo_orphan_graduate_youth_never_worked"):
        result, _ = replay_plan(REPLAYS / f"{name}.yaml")
        unused = [q for q in result.unused if not q.startswith("lu_")]  # a later --date
        assert unused == [], name


@pytest.mark.parametrize(("ended", "long"), [("2025-11-27", False), ("2025-11-26", True)])
def test_the_mothers_long_break_starts_where_long_unemployment_does(tmp_path, ended, long):
    """«Длительный перерыв» is the long-unemployment threshold of groups.yaml, counted the
    same way: exactly 12 months is not yet long."""
    result, plan = replay_variant(tmp_path, MOTHER, last_job_end_date=ended)
    assert ("long_unemployed" in result.interview.classification.ids) is long
    assert ("после длительного перерыва в работе" in guidance_detail(result)) is long
