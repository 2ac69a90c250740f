"""What goes into the document of learning and actions, for one audience.

`internal`: the review team's copy, with real names. `shared`: for partners, the
working group and the board, where people appear only by pseudonym, in every part.
Both the print page and the Word file are made from the same content.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from flask import render_template

from app.chronology.services import Filters, entries
from app.models import Debrief, LearningKind, Priority, Scope
from app import disclosure
from app.exports import marked_document


@dataclass
class Content:
    debrief: Debrief
    internal: bool
    plan: str

    @property
    def people(self) -> list[str]:
        return [f"{s.pseudonym} ({s.real_name})" if self.internal else s.pseudonym for s in self.debrief.subjects]

    @property
    def key_issues(self):
        return entries(self.debrief, Filters(flag="key_issue"))

    def owner(self, action) -> str:
        """Owners are staff, not case subjects: named in every version."""
        return action.owner_label

    def points(self, kind: LearningKind):
        return [p for p in self.debrief.learning_points if p.kind == kind.value]

    @property
    def actions(self):
        return [{"ref": a.reference(self.debrief.reference), "what": a.what or "",
                 "owner": self.owner(a), "due": a.due_on, "priority": Priority(a.priority).label,
                 "scope": Scope(a.scope).label, "from": a.learning_point.label if a.learning_point else ""}
                for a in self.debrief.actions]


def html(content: Content, number: int | None) -> str:
    """The document as HTML; the shared version through the disclosure gate's masker."""
    body = render_template("learning/_document.html", c=content, number=number, LearningKind=LearningKind)
    return body if content.internal else disclosure.mask_html(body, content.debrief.id)


def docx(content: Content, number: int | None) -> bytes:
    d = content.debrief
    doc = marked_document()
    doc.add_heading(f"Learning and actions: {d.reference}", level=0)
    audience = "Internal version (review team only): contains real names." if content.internal else \
        "Shared version: people are named only by pseudonym."
    doc.add_paragraph(f"{audience} " + (f"Version {number}." if number else "Draft, not issued."))
    doc.add_paragraph(f"{d.title}. Incident {d.incident_date:%d %B %Y}.")
    if content.people:
        doc.add_paragraph("People: " + ", ".join(content.people))

    doc.add_heading("Terms of reference", level=1)
    p = d.parameters
    if p:
        if p.review_from and p.review_to:
            doc.add_paragraph(f"Review period: {p.review_from:%d %B %Y} to {p.review_to:%d %B %Y}.")
        for q in p.questions:
            doc.add_paragraph(q, style="List Number")
        for x in p.exclusion_list:
            doc.add_paragraph(f"Not in scope: {x}", style="List Bullet")
    doc.add_heading("Key issues from the chronology", level=1)
    for e in content.key_issues:
        doc.add_paragraph(f"{e.entry_date:%d %b %Y} · {e.agency.name}: {e.summary or ''}", style="List Bullet")
    for kind, heading in ((LearningKind.GOOD_PRACTICE, "Good practice"),
                          (LearningKind.IMPROVEMENT, "Areas for improvement")):
        doc.add_heading(heading, level=1)
        points = content.points(kind)
        if not points:
            doc.add_paragraph("None recorded.")
        for lp in points:
            themes = ", ".join(t.name for t in lp.themes)
            doc.add_paragraph(f"{lp.label}. {lp.statement or ''} (Themes: {themes})", style="List Bullet")
    doc.add_heading("Actions", level=1)
    table = doc.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, ["Ref", "What", "Owner", "Due", "Priority", "Scope"], strict=True):
        cell.text = title
    for a in content.actions:
        for cell, value in zip(table.add_row().cells, [a["ref"], a["what"], a["owner"], f"{a['due']:%d %b %Y}",
                                                       a["priority"], a["scope"]], strict=True):
            cell.text = value
    doc.add_heading("Dissemination plan", level=1)
    doc.add_paragraph(content.plan or "To be agreed.")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue() if content.internal else disclosure.mask_docx(buf.getvalue(), d.id)
