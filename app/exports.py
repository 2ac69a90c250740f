"""Exports that leave the system: marked, and safe to open in a spreadsheet."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from flask import Response, current_app

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """Stop a spreadsheet from reading a cell as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def csv_response(header: Sequence[str], rows: Iterable[Sequence], filename: str) -> Response:
    """A CSV download with the protective marking on its first and last lines."""
    marking = current_app.config["MARKING"]
    handling = current_app.config["HANDLING_LINE"]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([neutralise(marking), neutralise(handling)])
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    writer.writerow([neutralise(marking)])
    body = "\ufeff" + buf.getvalue()  # BOM so Excel reads UTF-8
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def marked_document(landscape: bool = False, margin_mm: int = 18):
    """A Word document with the protective marking and handling line in the header and footer of every page."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    cfg = current_app.config
    doc = Document()
    section = doc.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    else:  # A4: python-docx's template is US Letter
        section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin") + (("top_margin", "bottom_margin") if landscape else ()):
        setattr(section, side, Mm(margin_mm))
    for part in (section.header, section.footer):
        p = part.paragraphs[0]
        p.text = ""
        run = p.add_run(cfg["MARKING"])
        run.bold = True
        run.font.size = Pt(10)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        h = part.add_paragraph(cfg["HANDLING_LINE"])
        h.alignment = WD_ALIGN_PARAGRAPH.CENTER
        h.runs[0].font.size = Pt(7.5)
    page_numbers(section.footer.add_paragraph())
    properties(doc, title="", author=issuer(), subject=issuer())
    doc.styles["Normal"].font.name = "Arial"
    doc.styles["Normal"].font.size = Pt(10)
    return doc


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word fills in when it lays the pages out."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"), ("end", None)):
        run = paragraph.add_run()
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == instruction:
            code = OxmlElement("w:instrText")
            code.set(qn("xml:space"), "preserve")
            code.text = f" {instruction} "
            run._r.append(code)
        else:
            run.text = text


def page_numbers(paragraph) -> None:
    """'Page n of m' in a header or footer paragraph."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    paragraph.add_run("Page ")
    _field(paragraph, "PAGE")
    paragraph.add_run(" of ")
    _field(paragraph, "NUMPAGES")
    for run in paragraph.runs:
        run.font.size = Pt(8)


def repeat_header(row) -> None:
    """Mark a table's first row as a header that Word repeats at the top of every page, and keep it whole."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    props = row._tr.get_or_add_trPr()
    for tag in ("w:tblHeader", "w:cantSplit"):
        flag = OxmlElement(tag)
        flag.set(qn("w:val"), "true")
        props.append(flag)


def keep_rows_whole(table) -> None:
    """No row of the table is split across two pages."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for row in table.rows[1:]:
        flag = OxmlElement("w:cantSplit")
        flag.set(qn("w:val"), "true")
        row._tr.get_or_add_trPr().append(flag)


def column_widths(table, widths_mm) -> None:
    """Fixed column widths (Word honours the cell widths; LibreOffice the grid), so text columns get the room."""
    from docx.shared import Mm

    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)


def properties(doc, *, title: str, author: str, subject: str, revision: int | None = None, when=None) -> None:
    """The file's properties as Word shows them (File > Info): never python-docx's defaults."""
    cp = doc.core_properties
    cfg = current_app.config
    cp.title = title
    cp.author = author
    cp.last_modified_by = author
    cp.subject = subject
    cp.category = cfg["MARKING"]
    cp.keywords = f"{cfg['MARKING']}; learning; homicide prevention"
    cp.comments = cfg["HANDLING_LINE"]
    if revision:
        cp.revision = revision
    if when is not None:
        cp.created = cp.modified = when.replace(tzinfo=None) if getattr(when, "tzinfo", None) else when


def issuer() -> str:
    """Who a document comes from: the unit and the force, as configured."""
    cfg = current_app.config
    return ", ".join(x for x in (cfg["UNIT_NAME"], cfg["ORGANISATION_NAME"]) if x)


def docx_bytes(doc) -> bytes:
    """The Word file, with the force as its company in the extended properties (python-docx leaves it empty)."""
    from xml.sax.saxutils import escape

    for part in doc.part.package.iter_parts():
        if str(part.partname) == "/docProps/app.xml":
            blob = part.blob.decode("utf-8")
            company = escape(current_app.config["ORGANISATION_NAME"] or current_app.config["UNIT_NAME"])
            part._blob = blob.replace("<Company/>", f"<Company>{company}</Company>").encode("utf-8")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
