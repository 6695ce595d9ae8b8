"""The centre's own templates folder: a file there stands for the bundled one; a broken one
is named with its line and the bundled one prints the plan instead — the inspector at the
desk still hands the client a plan."""

from __future__ import annotations

import dataclasses

import pytest

from tests.helpers import REPLAYS
from tests.render.documents_support import COMBO, OFFICE, case_plan, document
from tui.render.documents import render_document

MOTHER = REPLAYS / "mother_employer.yaml"


def own(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_centres_template_is_used_for_its_file_only(tmp_path):
    own(tmp_path, "plan/client.md.j2", "# {{ title }} — {{ client.short_name }}\n")
    plan = case_plan(COMBO)
    doc = render_document(plan, "md", "client", OFFICE, templates=tmp_path)
    assert doc.warnings == []
    assert doc.data.decode() == "# Мои шаги — Громов С. П.\n"
    centre = render_document(plan, "md", "centre", OFFICE, templates=tmp_path)
    assert centre.data.decode() == document(plan, "md", "centre")


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        ("# План\n\n{% if %}\n", 3, "шаблон не отрисовывается"),
        ("# {{ title }}\n{{ client.nickname }}\n", 2, "nickname"),
        ("# {{ title }}\n{{ steps | sum }}\n", 2, "шаблон не отрисовывается"),
    ],
    ids=["syntax", "a field that does not exist", "a type error"],
)
def test_a_broken_template_is_named_and_the_bundled_one_prints(tmp_path, text, line, what):
    path = own(tmp_path, "plan/client.md.j2", text)
    plan = case_plan(COMBO)
    doc = render_document(plan, "md", "client", OFFICE, templates=tmp_path)
    assert len(doc.warnings) == 1
    warning = doc.warnings[0]
    assert warning.startswith(f"{path}:{line}: шаблон не отрисовывается"), warning
    assert what in warning and warning.endswith("использован встроенный шаблон")
    assert doc.data.decode() == document(plan, "md", "client")


def test_a_broken_group_fragment_is_named_and_the_bundled_section_stays(tmp_path):
    path = own(tmp_path, "groups/mother_preschool.md.j2", "## Жизнь\n\n- {{ no_such_answer }}\n")
    plan = case_plan(MOTHER)
    doc = render_document(plan, "md", "centre", OFFICE, templates=tmp_path)
    assert [w.split(": шаблон")[0] for w in doc.warnings] == [f"{path}:3"]
    assert doc.data.decode() == document(plan, "md", "centre")
    assert "## Жизненная ситуация" in doc.data.decode()


def test_the_centres_texts_replace_the_rights_and_a_broken_file_is_named(tmp_path):
    bundled = (REPLAYS.parents[1] / "templates" / "plan" / "texts.yaml").read_text(encoding="utf-8")
    own(tmp_path, "plan/texts.yaml", bundled.replace(
        "Бесплатно получать консультации", "Получать без оплаты консультации"))
    text = render_document(case_plan(COMBO), "md", "client", OFFICE, templates=tmp_path).data.decode()
    assert "- Получать без оплаты консультации" in text

    broken = tmp_path / "broken"
    path = own(broken, "plan/texts.yaml", "rights:\n  - Право\nduties: [\n")
    doc = render_document(case_plan(COMBO), "md", "client", OFFICE, templates=broken)
    assert len(doc.warnings) == 1 and doc.warnings[0].startswith(f"{path}:4: это не YAML")
    assert doc.warnings[0].endswith("использован встроенный файл")
    assert "- Бесплатно получать консультации" in doc.data.decode()

    incomplete = tmp_path / "incomplete"
    path = own(incomplete, "plan/texts.yaml", "rights:\n  - Право\n")
    doc = render_document(case_plan(COMBO), "md", "client", OFFICE, templates=incomplete)
    assert doc.warnings == [f"{path}:1: «duties» — нужны ключи attend, attend_home, always; "
                            "использован встроенный файл"]


def test_the_centres_html_template_still_escapes_every_value(tmp_path):
    own(tmp_path, "plan/client.html.j2", "<h1>{{ client.name }}</h1>{{ work.desired }}")
    plan = case_plan(MOTHER)
    facts = {**plan.facts, "desired_work": "<script>alert(1)</script>"}
    hostile = dataclasses.replace(plan, facts=facts)
    doc = render_document(hostile, "html", "client", OFFICE, templates=tmp_path)
    assert doc.data.decode() == "<h1>Кузнецова Мария</h1>&lt;script&gt;alert(1)&lt;/script&gt;"
