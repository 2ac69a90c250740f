"""The chronology as a spreadsheet (CSV) and as a Word table (DOCX), marked on every page."""
from __future__ import annotations

import io

from docx.shared import Mm, Pt

from app.chronology.columns import NAMES
from app.exports import marked_document
from app.models import FLAGS, ContactType, DatePrecision, RiskLevel


def _date(e) -> str:
    return e.entry_date.strftime("%m/%Y") if e.date_precision == DatePrecision.MONTH.value else \
        e.entry_date.strftime("%d/%m/%Y")


def csv_rows(entries, *, names: bool):
    """Rows in template order. `names`: real names (review team's own copy) or pseudonyms only; the shared
    version's text is masked by the disclosure gate as it leaves."""
    for e in entries:
        people = "; ".join(f"{s.pseudonym} ({s.real_name})" if names else s.pseudonym for s in e.subjects)
        yield [_date(e), e.entry_time.strftime("%H:%M") if e.entry_time else "", e.date_precision, e.agency.name,
               e.source_system or "", e.source_ref or "", people, e.contact_type, e.summary or "",
               e.action_taken or "", e.risk_assessment or "", e.outcome or "", e.significance or "",
               *["yes" if getattr(e, f) else "no" for f in FLAGS], "yes" if e.verified else "no"]


HEADER = NAMES


def docx_bytes(debrief, entries, *, names: bool) -> bytes:
    doc = marked_document(landscape=True, margin_mm=14)
    styles = doc.styles["Normal"]
    styles.font.name = "Arial"
    styles.font.size = Pt(8.5)

    doc.add_heading(f"Chronology: {debrief.reference} {debrief.title}", level=1)
    version = "Internal version with real names (review team only)" if names else \
        "Shared version: people are named only by pseudonym"
    doc.add_paragraph(f"{version}. {len(entries)} entries, earliest first.")

    headers = ["Date", "Agency / source", "People", "Contact", "Event, action and outcome", "Risk",
               "Significance", "Flags"]
    widths = [Mm(20), Mm(30), Mm(26), Mm(24), Mm(90), Mm(16), Mm(40), Mm(23)]
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text, width in zip(table.rows[0].cells, headers, widths, strict=True):
        cell.text = text
        cell.width = width
        cell.paragraphs[0].runs[0].bold = True
    for e in entries:
        people = ", ".join(f"{s.pseudonym} ({s.real_name})" if names else s.pseudonym for s in e.subjects)
        event = e.summary or ""
        if e.action_taken:
            event += f"\nAction: {e.action_taken}"
        if e.outcome:
            event += f"\nOutcome: {e.outcome}"
        flags = ", ".join(label for key, label in FLAGS.items() if getattr(e, key))
        if e.verified:
            flags = ", ".join(filter(None, [flags, "Verified"]))
        when = _date(e) + (f" {e.entry_time.strftime('%H:%M')}" if e.entry_time else "")
        if e.date_precision == DatePrecision.APPROXIMATE.value:
            when += " (approx.)"
        values = [when, " ".join(filter(None, [e.agency.name, e.source_system, e.source_ref])), people,
                  ContactType(e.contact_type).label, event,
                  RiskLevel(e.risk_assessment).label if e.risk_assessment else "", e.significance or "", flags]
        cells = table.add_row().cells
        for cell, value, width in zip(cells, values, widths, strict=True):
            cell.text = value
            cell.width = width
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
