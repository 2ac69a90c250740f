"""The document of learning and actions as a Word file a force would circulate: A4, marked on every page,
a cover, contents, numbered sections, tables with fixed widths whose header repeats on every page, page
numbers, and file properties naming the document, the unit and the author."""
from __future__ import annotations

from docx.enum.text import WD_BREAK
from docx.shared import Pt, RGBColor

from app import disclosure
from app.exports import column_widths, docx_bytes, issuer, keep_rows_whole, marked_document, properties, \
    repeat_header
from app.learning.content import Document, Fields, Heading, Items, Para, Table


def render(document: Document, debrief_id: int) -> bytes:
    doc = marked_document()
    properties(doc, title=document.file_title, author=document.author,
               subject=f"{issuer()}: rapid debrief {document.reference}".lstrip(": "),
               revision=document.number, when=document.issued_at)
    _cover(doc, document)
    for number, section in enumerate(document.sections, start=1):
        doc.add_heading(f"{number}. {section.title}", level=1)
        for block in section.blocks:
            _block(doc, block)
    data = docx_bytes(doc)
    return data if document.internal else disclosure.mask_docx(data, debrief_id)


def _cover(doc, document: Document) -> None:
    for line in document.cover_lines[:1]:
        p = doc.add_paragraph()
        run = p.add_run(line)
        run.bold = True
        run.font.size = Pt(12)
    doc.add_heading(document.cover_title, level=0)
    for line in document.cover_lines[1:]:
        p = doc.add_paragraph()
        p.add_run(line).font.size = Pt(12)
    p = doc.add_paragraph()
    run = p.add_run(document.audience)
    run.bold = True
    run.font.color.rgb = RGBColor(0x8B, 0x00, 0x00) if document.internal else RGBColor(0, 0, 0)
    _fields(doc, document.cover_fields)
    doc.add_heading("Contents", level=1)
    for number, section in enumerate(document.sections, start=1):
        doc.add_paragraph(f"{number}. {section.title}", style="List Paragraph")
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _block(doc, block) -> None:
    if isinstance(block, Heading):
        doc.add_heading(block.text, level=2)
    elif isinstance(block, Para):
        p = doc.add_paragraph()
        if block.strong:
            p.add_run(block.strong).bold = True
        p.add_run(block.text)
    elif isinstance(block, Items):
        for item in block.items:
            doc.add_paragraph(item, style="List Number" if block.numbered else "List Bullet")
    elif isinstance(block, Fields):
        _fields(doc, block.rows)
    elif isinstance(block, Table):
        _table(doc, block)


def _fields(doc, rows) -> None:
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
        cells[0].paragraphs[0].runs[0].bold = True
    column_widths(table, [45, 129])
    doc.add_paragraph()


def _table(doc, block: Table) -> None:
    if not block.rows:
        doc.add_paragraph(block.empty)
        return
    table = doc.add_table(rows=1, cols=len(block.columns))
    table.style = "Table Grid"
    for cell, (title, _) in zip(table.rows[0].cells, block.columns, strict=True):
        cell.text = title
        cell.paragraphs[0].runs[0].bold = True
    repeat_header(table.rows[0])
    for row in block.rows:
        for cell, value in zip(table.add_row().cells, row, strict=True):
            cell.text = value
    keep_rows_whole(table)
    column_widths(table, [w for _, w in block.columns])
    for row in table.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(9)
    doc.add_paragraph()
