"""A report as an editable Word document (python-docx): the document's own styles for every part (Title,
Heading 1/2, Caption, a table style), captions numbered by SEQ fields as Word numbers them, so that a
municipality can rewrite the text, restyle it and insert a list of figures, and keep the facts."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from data.report.document import Figure, Heading, Paragraph, Report, Table, label

TABLE_STYLE = "Light List Accent 1"
FONT = "Arial"
ACCENT = RGBColor(0x1D, 0x4E, 0x89)
FIGURE_WIDTH = Cm(16)


def render_docx(report: Report) -> bytes:
    document = Document()
    _styles(document)
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin = section.bottom_margin = Cm(2)
    document.core_properties.title = report.title
    document.core_properties.language = report.lang
    document.add_paragraph(report.title, style="Title")
    document.add_paragraph(report.subtitle, style="Subtitle")
    for line in report.colophon:
        run = document.add_paragraph().add_run(line)
        run.font.size, run.font.color.rgb = Pt(8.5), RGBColor(0x55, 0x55, 0x55)
    counts = {"table": 0, "figure": 0}
    for block in report.blocks:
        if isinstance(block, Heading):
            document.add_heading(block.text, level=block.level)
        elif isinstance(block, Paragraph):
            paragraph = document.add_paragraph()
            run = paragraph.add_run(block.text)
            run.italic = block.note
        elif isinstance(block, Table):
            counts["table"] += 1
            _caption(document, label(report.lang, "table"), counts["table"], block.caption)
            _table(document, block)
        elif isinstance(block, Figure):
            counts["figure"] += 1
            document.add_picture(io.BytesIO(block.png), width=FIGURE_WIDTH)
            document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            _caption(document, label(report.lang, "figure"), counts["figure"], block.caption)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _styles(document) -> None:
    styles = document.styles
    normal = styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(10)
    for name, size in (
        ("Title", 24),
        ("Subtitle", 13),
        ("Heading 1", 15),
        ("Heading 2", 12),
        ("Caption", 8.5),
    ):
        style = styles[name]
        style.font.name, style.font.size = FONT, Pt(size)
        if name != "Subtitle":
            style.font.color.rgb = ACCENT if name != "Caption" else RGBColor(0x33, 0x33, 0x33)


def _caption(document, word: str, number: int, text: str) -> None:
    """``Tabell 3. text`` in the Caption style, the number a SEQ field (Word's own caption numbering)."""
    paragraph = document.add_paragraph(style="Caption")
    paragraph.add_run(f"{word} ").bold = True
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" SEQ {word} \\* ARABIC ")
    run = OxmlElement("w:r")
    bold = OxmlElement("w:rPr")
    bold.append(OxmlElement("w:b"))
    run.append(bold)
    cached = OxmlElement("w:t")
    cached.text = str(number)
    run.append(cached)
    field.append(run)
    paragraph._p.append(field)
    paragraph.add_run(".").bold = True
    paragraph.add_run(f" {text}")
    paragraph.paragraph_format.keep_with_next = True


def _table(document, table: Table) -> None:
    grid = document.add_table(rows=1 + len(table.rows), cols=len(table.header), style=TABLE_STYLE)
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = grid.rows[0]
    repeat = OxmlElement("w:tblHeader")  # the header row repeats on every page
    repeat.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(repeat)
    for row, texts in zip(grid.rows, (table.header, *table.rows), strict=True):
        for column, (cell, text) in enumerate(zip(row.cells, texts, strict=True)):
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(text)
            run.font.size = Pt(8.5)
            if table.is_numeric(column):
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.add_paragraph()
