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
    doc.styles["Normal"].font.name = "Arial"
    doc.styles["Normal"].font.size = Pt(10)
    return doc


def docx_bytes(doc) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
