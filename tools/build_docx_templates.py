"""Build the bundled Word templates of the plan: templates/plan/client.docx and centre.docx.

The templates are ordinary Word documents with docxtpl tags (Jinja): the centre's staff
open them in Word, change the wording, the fonts, the header, and save; Sobesednik fills
them with the plan (tui/render/docx.py). This script only makes the first version of the
bundled ones, so that what they hold is readable in review; run it after changing it:

    .venv/bin/python tools/build_docx_templates.py

Tags (docxtpl): ``{{ value }}`` in a run; a paragraph holding only ``{%p ... %}`` is a
block tag (``for``/``if``) and is removed from the document; a table row holding only
``{%tr ... %}`` repeats the rows between. Every value comes from the document view
(tui/render/view.py): the same names the Markdown and HTML templates use.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table, _Row
from docx.text.paragraph import Paragraph

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "templates" / "plan"
FONT = "Times New Roman"
#: A run: its text, and whether it is bold / italic.
Run = tuple[str, bool, bool]


def plain(text: str) -> Run:
    return (text, False, False)


def bold(text: str) -> Run:
    return (text, True, False)


def italic(text: str) -> Run:
    return (text, False, True)


# ---------------------------------------------------------------------------- the document


def _font(style_font, size: float, *, bold_: bool | None = None) -> None:
    style_font.name = FONT
    style_font.size = Pt(size)
    style_font.color.rgb = RGBColor(0, 0, 0)
    if bold_ is not None:
        style_font.bold = bold_


def _east_asian(style) -> None:
    """Cyrillic and every script in the same font (Word picks the font per script)."""
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def new_document(title: str) -> DocumentObject:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)  # A4
    section.left_margin, section.right_margin = Mm(25), Mm(15)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    styles = doc.styles
    _font(styles["Normal"].font, 12)
    _east_asian(styles["Normal"])
    styles["Normal"].paragraph_format.space_after = Pt(4)
    for name, size in (("Title", 18), ("Heading 1", 15), ("Heading 2", 13), ("Heading 3", 12)):
        style = styles[name]
        _font(style.font, size, bold_=True)
        _east_asian(style)
        style.font.italic = False
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.space_before = Pt(10 if name != "Title" else 0)
        style.paragraph_format.space_after = Pt(4)
    styles["Title"].element.get_or_add_pPr()  # no border line under the title
    for el in styles["Title"].element.pPr.findall(qn("w:pBdr")):
        styles["Title"].element.pPr.remove(el)
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = title, "Собеседник", "Собеседник"
    props.created = props.modified = datetime(2026, 1, 1)
    props.revision = 1
    return doc


def para(doc_or_cell, runs: Iterable[Run] | str = (), style: str | None = None,
         align: WD_ALIGN_PARAGRAPH | None = None) -> Paragraph:
    p: Paragraph = doc_or_cell.add_paragraph(style=style)
    for text, b, i in ([plain(runs)] if isinstance(runs, str) else runs):
        run = p.add_run(text)
        run.bold, run.italic = b or None, i or None
    if align is not None:
        p.alignment = align
    return p


def tag(doc_or_cell, text: str) -> Paragraph:
    """A paragraph holding only a block tag: ``{%p for … %}`` and the like."""
    return para(doc_or_cell, [plain(f"{{%p {text} %}}")])


def heading(doc, text: str, level: int = 1) -> Paragraph:
    return para(doc, [plain(text)], style=f"Heading {level}")


def bullet(doc, runs: Iterable[Run] | str) -> Paragraph:
    return para(doc, runs, style="List Bullet")


def _field(paragraph: Paragraph, code: str) -> None:
    """A Word field (``PAGE``, ``NUMPAGES``) in ``paragraph``."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, code), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == code:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {code} "
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)


def header_and_footer(doc: DocumentObject, footer_text: str) -> None:
    section = doc.sections[0]
    head = section.header.paragraphs[0]
    head.text = ""
    head.add_run("{{ centre.name }}").bold = True
    head.add_run(" · {{ centre.address }} · тел. {{ centre.phone }}")
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for run in head.runs:
        run.font.size = Pt(9)
    foot = section.footer.paragraphs[0]
    foot.text = ""
    foot.add_run(f"{footer_text} · страница ")
    _field(foot, "PAGE")
    foot.add_run(" из ")
    _field(foot, "NUMPAGES")
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for run in foot.runs:
        run.font.size = Pt(9)


def _row_props(row: _Row, *, header: bool = False) -> None:
    """A row never split across two pages; a header row repeated on each page."""
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    if header:
        tr_pr.append(OxmlElement("w:tblHeader"))


def table(doc: DocumentObject, headers: list[str], widths_mm: list[float]) -> Table:
    t = doc.add_table(rows=1, cols=len(headers))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text, width in zip(t.rows[0].cells, headers, widths_mm, strict=True):
        cell.width = Mm(width)
        cell.paragraphs[0].add_run(text).bold = True
    _row_props(t.rows[0], header=True)
    return t


def tag_row(t: Table, text: str) -> None:
    """A row holding only a row tag: ``{%tr for … %}``."""
    row = t.add_row()
    row.cells[0].paragraphs[0].add_run(f"{{%tr {text} %}}")


def signatures(doc: DocumentObject) -> None:
    para(doc, "")
    para(doc, "{{ sign.agreed }}")
    line = "____________________"
    para(doc, [plain(f"{{{{ sign.client }}}}: {line} / {{{{ client.short_name }}}} /")])
    para(doc, [plain(f"{{{{ sign.curator }}}}: {line} / {{{{ curator.short_name }}}} /")])
    para(doc, [plain(f"{{{{ sign.received }}}}: {line} / {{{{ client.short_name }}}} /")])
    para(doc, [plain("{{ sign.date }}: {{ date }}")])


def contacts(doc: DocumentObject, title: str) -> None:
    heading(doc, title)
    para(doc, [bold("{{ curator.full_name }}"),
               plain(", {{ curator.position }}{% if curator.room %}, {{ curator.room }}"
                     "{% endif %}, тел. {{ curator.phone }}")])
    para(doc, [bold("{{ centre.name }}: "),
               plain("{{ centre.address }}, тел. {{ centre.phone }}. Часы работы: {{ centre.hours }}.")])


def list_section(doc: DocumentObject, title: str, items: str, condition: str | None = None) -> None:
    """A heading and a bulleted list of ``items`` (a list of texts in the view); the
    heading only when the list is not empty."""
    tag(doc, f"if {condition or items}")
    heading(doc, title)
    tag(doc, f"for item in {items}")
    bullet(doc, "{{ item }}")
    tag(doc, "endfor")
    tag(doc, "endif")


def visits(doc: DocumentObject) -> None:
    tag(doc, "if visits.dates")
    heading(doc, "{{ visits.title }}")
    tag(doc, "for v in visits.dates")
    bullet(doc, [plain("{{ v.date }}"), plain("{% if v.note %} — {{ v.note }}{% endif %}")])
    tag(doc, "endfor")
    tag(doc, "endif")


def work(doc: DocumentObject, title: str, criteria_intro: str | None) -> None:
    tag(doc, "if work.desired or work.criteria")
    heading(doc, title)
    tag(doc, "if work.desired")
    para(doc, "{{ work.desired }}")
    tag(doc, "endif")
    tag(doc, "if work.criteria")
    if criteria_intro:
        para(doc, criteria_intro)
    tag(doc, "for c in work.criteria")
    bullet(doc, "{{ c }}")
    tag(doc, "endfor")
    tag(doc, "endif")
    tag(doc, "endif")


def entries(doc: DocumentObject, items: str) -> None:
    """``label`` + ``text`` entries (a group's situation, the disclosure boundaries)."""
    tag(doc, f"for e in {items}")
    bullet(doc, [bold("{% if e.label %}{{ e.label }} {% endif %}"), plain("{{ e.text }}")])
    tag(doc, "endfor")


def title_block(doc: DocumentObject) -> None:
    para(doc, "{{ title }}", style="Title", align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc, [italic("{{ subtitle }}")], align=WD_ALIGN_PARAGRAPH.CENTER)


# ---------------------------------------------------------------------------- the copies


def client_copy() -> DocumentObject:
    doc = new_document("Мои шаги: индивидуальный план содействия занятости")
    header_and_footer(doc, "{{ client.short_name }} · план от {{ date }}")
    title_block(doc)
    para(doc, [bold("{{ client.name }}"), plain(" · план от {{ date }}")])

    heading(doc, "Что я делаю и что центр занятости делает для меня")
    tag(doc, "for step in steps")
    heading(doc, "{{ step.heading }}", 2)
    tag(doc, "for e in step.entries")
    bullet(doc, [bold("{{ e.who }}: "), plain("{{ e.text }}")])
    tag(doc, "if e.detail")
    para(doc, [italic("{{ e.detail }}")], style="List Continue")
    tag(doc, "endif")
    tag(doc, "endfor")
    tag(doc, "endfor")

    visits(doc)
    work(doc, "Какую работу я ищу", None)
    list_section(doc, "Мои права", "rights")
    list_section(doc, "Мои обязанности", "duties")
    contacts(doc, "Мой куратор")
    signatures(doc)
    return doc


def measures_table(doc: DocumentObject, items: str, *, with_who: bool) -> None:
    headers = ["№", "Мероприятие", "Выполняет", "Срок"] if with_who else ["№", "Мероприятие", "Срок"]
    widths = [10, 105, 25, 30] if with_who else [10, 130, 30]
    t = table(doc, headers, widths)
    tag_row(t, f"for m in {items}")
    row = t.add_row()
    _row_props(row)
    cells = row.cells
    cells[0].paragraphs[0].add_run("{{ m.number }}")
    text = cells[1]
    text.paragraphs[0].add_run("{{ m.text }}")
    tag(text, "if m.detail")
    para(text, [italic("{{ m.detail }}")])
    tag(text, "endif")
    tag(text, "if m.groups")
    para(text, [plain("Группы: {{ m.groups }}")])
    tag(text, "endif")
    if with_who:
        cells[2].paragraphs[0].add_run("{{ m.who }}")
    cells[-1].paragraphs[0].add_run("{{ m.when }}")
    for cell, width in zip(cells, widths, strict=True):
        cell.width = Mm(width)
    tag_row(t, "endfor")


def centre_copy() -> DocumentObject:
    doc = new_document("Индивидуальный план содействия занятости: экземпляр центра")
    header_and_footer(doc, "{{ client.short_name }} · план от {{ date }} · экземпляр центра")
    title_block(doc)
    para(doc, [bold("Клиент: "), plain("{{ client.name }}"),
               plain("{% if client.birth_date %}, дата рождения {{ client.birth_date }}{% endif %}")])
    tag(doc, "if client.phone")
    para(doc, [bold("Телефон клиента: "), plain("{{ client.phone }}")])
    tag(doc, "endif")
    para(doc, [bold("Дата составления: "), plain("{{ date_long }}")])

    heading(doc, "Клиентская группа")
    tag(doc, "for g in groups")
    bullet(doc, [bold("{{ g.title }}. "), plain("{{ g.reason }}")])
    tag(doc, "endfor")
    tag(doc, "for g in groups_removed")
    bullet(doc, [bold("{{ g.title }}"), plain(" — {{ g.reason }}")])
    tag(doc, "endfor")
    tag(doc, "for g in groups_not_assessed")
    bullet(doc, [bold("{{ g.title }}"), plain(" — {{ g.reason }}")])
    tag(doc, "endfor")
    para(doc, [bold("Профильная группа по федеральной методике («Работа России»): "),
               plain("{{ federal_profile }}.")])
    tag(doc, "for note in notes")
    para(doc, [italic("{{ note }}")])
    tag(doc, "endfor")

    tag(doc, "for s in sections")
    heading(doc, "{{ s.title }}")
    entries(doc, "s.entries")
    tag(doc, "endfor")

    work(doc, "Подходящая работа", "Критерии подбора вакансий:")

    heading(doc, "Мероприятия")
    measures_table(doc, "measures", with_who=True)
    tag(doc, "if centre_work")
    heading(doc, "Работа центра занятости")
    measures_table(doc, "centre_work", with_who=False)
    tag(doc, "endif")

    visits(doc)
    tag(doc, "if commitments or duties")
    heading(doc, "Что клиент обязуется сделать")
    tag(doc, "for c in commitments")
    bullet(doc, "{{ c }}")
    tag(doc, "endfor")
    tag(doc, "for d in duties")
    bullet(doc, "{{ d }}")
    tag(doc, "endfor")
    tag(doc, "endif")

    tag(doc, "if disclosure")
    heading(doc, "Что можно сообщать работодателю")
    entries(doc, "disclosure")
    tag(doc, "endif")
    list_section(doc, "Права клиента", "rights")
    contacts(doc, "Куратор")
    signatures(doc)
    return doc


COPIES = {"client": client_copy, "centre": centre_copy}


def build(out: Path = OUT) -> list[Path]:
    """Write both templates into ``out``; their paths."""
    written = []
    for name, make in COPIES.items():
        path = out / f"{name}.docx"
        make().save(str(path))
        written.append(path)
    return written


def main() -> int:
    for path in build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
