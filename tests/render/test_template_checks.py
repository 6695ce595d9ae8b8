"""`sobesednik check` over a templates folder: what a methodologist sees before the first
plan is printed with the centre's templates — each problem as ``file:line: what``."""

from __future__ import annotations

from tests.helpers import REPLAYS, bundle
from tests.render.documents_support import COMBO, OFFICE, case_plan
from tui.render.checks import check_templates
from tui.render.templating import template_environment

MEASURES = {m.id for m in bundle().measures}
SAMPLES = [case_plan(COMBO), case_plan(REPLAYS / "mother_employer.yaml")]


def test_the_bundled_templates_are_clean():
    assert check_templates(None, MEASURES, SAMPLES, OFFICE) == []


def test_every_problem_of_a_centres_folder_is_named_with_its_line(tmp_path):
    (tmp_path / "plan").mkdir()
    (tmp_path / "groups").mkdir()
    (tmp_path / "plan" / "client.md.j2").write_text("# {{ title }}\n{% for x in %}\n", encoding="utf-8")
    (tmp_path / "plan" / "centre.txt.j2").write_text("{{ title }}\n\n{{ client.nickname }}\n",
                                                     encoding="utf-8")
    (tmp_path / "groups" / "long_unemployed.md.j2").write_text(
        "## План\n{% set m = measures | selectattr('id', 'equalto', 'lu_resume_v2') | list %}\n",
        encoding="utf-8")
    problems = check_templates(tmp_path, MEASURES, SAMPLES[:1], OFFICE)
    client, centre, group = (str(tmp_path / p) for p in
                             ("plan/client.md.j2", "plan/centre.txt.j2", "groups/long_unemployed.md.j2"))
    assert f"{group}:2: нет мероприятия «lu_resume_v2» в каталоге мероприятий" in problems
    assert [p for p in problems if p.startswith(f"{client}:2: шаблон не компилируется")]
    assert [p for p in problems if p.startswith(f"{centre}:3: шаблон не отрисовывается") and "nickname" in p]
    assert all(":" in p.split(" ")[0] for p in problems)


def test_templates_are_compiled_once_per_process():
    env = template_environment(tuple(sorted({str(REPLAYS.parents[1] / "templates")})), "md")
    assert template_environment(tuple(sorted({str(REPLAYS.parents[1] / "templates")})), "md") is env
    assert env.get_template("plan/client.md.j2") is env.get_template("plan/client.md.j2")
