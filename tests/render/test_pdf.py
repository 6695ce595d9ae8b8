"""The printed plan, checked with the real tools: WeasyPrint prints the HTML the templates
render, and poppler's ``pdfinfo`` and ``pdftotext`` read the PDF back as a printer and a
reader would — A4 pages, every section there, the Cyrillic intact, no row of the steps or
the measures cut across a page.

Needs poppler-utils (``pdfinfo``, ``pdftotext``): CI installs it (``.ci/run``)."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path
from xml.etree import ElementTree

import pytest

from tests.render.documents_support import COMBO, OFFICE, case_plan
from tui.render.documents import render_document
from tui.render.view import document_view

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdfinfo") and shutil.which("pdftotext")),
    reason="pdfinfo/pdftotext not installed: apt-get install -y poppler-utils",
)

#: A4 in points, as pdfinfo reports it (595.276 x 841.89).
A4 = (595, 842)


@lru_cache(maxsize=8)
def printed(fmt: str, copy: str, folder: str) -> Path:
    doc = render_document(case_plan(COMBO), fmt, copy, OFFICE)
    assert doc.suffix == ".pdf" and not doc.warnings
    path = Path(folder) / f"{copy}.{fmt}.pdf"
    path.write_bytes(doc.data)
    return path


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("pdf"))


def info(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return dict(line.split(":", 1) for line in out.splitlines() if ":" in line)


NS = {"x": "http://www.w3.org/1999/xhtml"}


def words(path: Path) -> list[list[tuple[float, str]]]:
    """The words of each page in reading order, each with its left edge
    (``pdftotext -bbox-layout``)."""
    out = subprocess.run(["pdftotext", "-bbox-layout", str(path), "-"],
                         capture_output=True, text=True, check=True).stdout
    root = ElementTree.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", out))
    return [
        [(float(w.get("xMin", 0)), w.text or "") for w in page.iterfind(".//x:word", NS)]
        for page in root.iterfind(".//x:page", NS)
    ]


def pages(path: Path) -> list[str]:
    """The text of each page, whitespace single."""
    return [" ".join(text for _, text in page) for page in words(path)]


def column(path: Path, header: str, after: str | None) -> list[str]:
    """The text of one column of a table on each page: the words from the left edge of its
    header (repeated on every page the table crosses) to the next column's, so that a
    cell's lines read on, not interleaved with the cell beside it."""
    out = []
    for page in words(path):
        starts = [x for x, text in page if text == header and x > 60]
        ends = [x for x, text in page if text == after] if after else []
        if not starts:
            out.append(" ".join(text for _, text in page))
            continue
        left, right = starts[0] - 1, (ends[0] - 1 if ends else float("inf"))
        out.append(" ".join(text for x, text in page if left <= x < right))
    return [one_line(page) for page in out]


def one_line(text: str) -> str:
    """Whitespace single, and none after a hyphen: a line may break after «сайты-»."""
    return re.sub(r"-\s+", "-", " ".join(text.split()))


COPIES = [("pdf", "client"), ("pdf", "centre"), ("large", "client")]


@pytest.mark.parametrize(("fmt", "copy"), COPIES)
def test_every_page_is_a4(folder, fmt, copy):
    size = info(printed(fmt, copy, folder))["Page size"]
    width, height = (round(float(x)) for x in re.findall(r"[\d.]+", size)[:2])
    assert (width, height) == A4 and "A4" in size


def test_the_clients_copy_has_every_section_in_cyrillic(folder):
    text = " ".join(pages(printed("pdf", "client", folder)))
    for heading in ("Мои шаги", "Что я делаю и что центр занятости делает для меня",
                    "Когда я прихожу в центр занятости", "Какую работу я ищу", "Мои права",
                    "Мои обязанности", "Мой куратор", "Экземпляр плана получил(а)",
                    "Дата подписания: 27.11.2026"):
        assert heading in text
    assert "Громов Сергей Петрович" in text and "Петрова Анна Ивановна" in text
    assert "ГОБУ ЦЗН Мурманской области" in text


def test_the_centres_copy_has_every_section(folder):
    text = " ".join(pages(printed("pdf", "centre", folder)))
    for heading in ("Индивидуальный план содействия занятости", "Клиентская группа",
                    "ИПРА, условия труда и сопровождение", "Подходящая работа", "Мероприятия",
                    "Даты явки в центр занятости", "Что клиент обязуется сделать",
                    "Что можно сообщать работодателю", "Права клиента", "Куратор"):
        assert heading in text


def _cells(copy: str) -> list[str]:
    """The text of each row's main cell (the step, the measure with its detail)."""
    view = document_view(case_plan(COMBO), copy, OFFICE)
    rows = view["steps"] if copy == "client" else [{"entries": view["measures"]}]
    return [one_line(f"{e['text']} {e['detail']}") for s in rows for e in s["entries"]]


@pytest.mark.parametrize(("fmt", "copy"), COPIES)
def test_no_row_is_cut_across_a_page(folder, fmt, copy):
    header, after = ("Что", None) if copy == "client" else ("Мероприятие", "Выполняет")
    text = column(printed(fmt, copy, folder), header, after)
    assert len(text) > 1  # the tables do cross pages: the rows must break between them
    for cell in _cells(copy):
        assert [n for n, page in enumerate(text, 1) if cell in page], cell


def test_large_print_is_larger(folder):
    regular = int(info(printed("pdf", "client", folder))["Pages"])
    large = int(info(printed("large", "client", folder))["Pages"])
    assert large > regular


def test_a_very_long_answer_stays_on_the_page(tmp_path):
    """2,000 characters without a space (the longest answer one can type) wrap inside the
    page instead of running off it."""
    plan = case_plan(COMBO)
    typed = "Оператор" * 250
    facts = {**plan.facts, "desired_work": typed}
    path = tmp_path / "long.pdf"
    path.write_bytes(render_document(dataclasses.replace(plan, facts=facts), "pdf", "client", OFFICE).data)
    assert info(path)["Page size"].strip().startswith("595")
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True)
    right = max(float(x) for x in re.findall(r'xMax="([\d.]+)"', out.stdout))
    assert right <= A4[0]
    assert typed in "".join("".join(pages(path)).split())


@pytest.mark.parametrize("fmt", ["pdf", "large"])
def test_a_date_heading_is_never_left_at_the_foot_of_a_page(folder, fmt):
    """«До 28.12.2026» stands on the page of its first step, not alone at the bottom."""
    path = printed(fmt, "client", folder)
    cells, whole = column(path, "Что", None), [one_line(p) for p in pages(path)]
    view = document_view(case_plan(COMBO), "client", OFFICE)
    for step in view["steps"]:
        first = one_line(f"{step['entries'][0]['text']} {step['entries'][0]['detail']}")
        heading = [n for n, page in enumerate(whole) if one_line(step["heading"]) in page]
        assert heading == [n for n, page in enumerate(cells) if first in page], step["heading"]
