"""The 7-minute briefing: one A4 page for front-line staff in the usual seven parts, frozen with the issued
version of the document it belongs to (page and Word file), always the shared content: the case by its
kind and month, people by pseudonym only, no place and no reference to the people in it."""
from __future__ import annotations

import json
from dataclasses import dataclass

from docx.shared import Mm, Pt
from flask import render_template
from sqlalchemy import select

from app import disclosure
from app.dates import long_date, month_year
from app.exports import docx_bytes, marked_document, properties
from app.extensions import db
from app.learning.content import IssueDetails, describe_case
from app.models import ChronologyEntry, Debrief, LearningKind

TITLE = "7-minute briefing"
# What fits one A4 page: the first lines of so many points, each cut at a sentence-sized length.
MAX_POINTS, MAX_GOOD, MAX_ACTIONS, MAX_CHARS = 4, 3, 4, 230

DEFAULT_TO_DO = [
    "Talk this briefing through at your next team meeting or shift briefing.",
    "Check whether the learning applies to anyone you are working with now.",
    "If you see the same risk today, act on it and tell your supervisor or the review team.",
]
DEFAULT_QUESTIONS = [
    "Which of these could have happened on your shift or in your team?",
    "What would help you act differently next time?",
    "Who would you tell, and how quickly?",
]


@dataclass
class Briefing:
    reference: str
    headline: str
    status: str
    parts: list[tuple[str, list[str]]]
    number: int | None


def _cut(text: str, limit: int = MAX_CHARS) -> str:
    first = " ".join(text.split())
    return first if len(first) <= limit else first[:limit - 1].rsplit(" ", 1)[0] + "…"


def _more(items: list[str], total: int, shown: int, what: str) -> list[str]:
    if total > shown:
        items.append(f"And {total - shown} more {what} in the full document.")
    return items


def build(debrief: Debrief, details: IssueDetails, what_to_do: list[str] | None = None,
          questions: list[str] | None = None) -> Briefing:
    d = debrief
    p = d.parameters
    m = disclosure.fresh_masker()

    def _clip(text: str | None, limit: int = MAX_CHARS) -> str:
        """Masked before it is cut, so a name or address cut in half is still found whole."""
        return _cut(m.mask(text or "", d.id), limit)

    points = [lp for lp in d.learning_points if lp.kind == LearningKind.IMPROVEMENT.value]
    good = [lp for lp in d.learning_points if lp.kind == LearningKind.GOOD_PRACTICE.value]
    themes = sorted({t.name for lp in d.learning_points for t in lp.themes})
    agencies = db.session.scalar(select(db.func.count(db.distinct(ChronologyEntry.agency_id)))
                                 .where(ChronologyEntry.debrief_id == d.id, ChronologyEntry.deleted_at.is_(None)))
    period = (f" between {month_year(p.review_from)} and {month_year(p.review_to)}"
              if p and p.review_from and p.review_to else "")
    happened = [describe_case(d) + ".",
                f"The rapid debrief looked at contact with {agencies} agenc{'y' if agencies == 1 else 'ies'}{period}, "
                f"and brought those agencies together to learn from it."]
    why = ["Every homicide and near miss is reviewed quickly to find what could prevent the next one. "
           "This is learning, not blame."]
    if themes:
        why.append("Themes: " + ", ".join(themes) + ".")
    learned = _more([_clip(lp.statement) for lp in points[:MAX_POINTS]], len(points), MAX_POINTS, "points")
    good_parts = _more([_clip(lp.statement) for lp in good[:MAX_GOOD]], len(good), MAX_GOOD, "examples")
    actions = list(d.actions)
    changing = _more([f"{_clip(a.what, 160)} (by {month_year(a.due_on)})" for a in actions[:MAX_ACTIONS]],
                     len(actions), MAX_ACTIONS, "actions")
    status = (f"From version {details.number} of the document of learning and actions, issued "
              f"{long_date(details.issued_at)}." if details.number else
              "Draft: it is fixed when the document of learning and actions is issued.")
    return Briefing(reference=d.reference, headline=describe_case(d), status=status, number=details.number, parts=[
        ("Why it matters", why),
        ("What happened, in brief", happened),
        ("What we learned", learned or ["No areas for improvement were found."]),
        ("What good looked like", good_parts or ["No good practice was recorded."]),
        ("What is changing", changing or ["No actions were needed."]),
        ("What to do", [_clip(x, 200) for x in (what_to_do or DEFAULT_TO_DO)][:4]),
        ("Questions to discuss", [_clip(x, 200) for x in (questions or DEFAULT_QUESTIONS)][:4]),
    ])


def frozen(briefing: Briefing, debrief_id: int) -> str:
    """The briefing as JSON, masked like the page, kept with the version for the board pack."""
    m = disclosure.fresh_masker()

    def mask(text: str) -> str:
        return m.mask(text, debrief_id)

    return json.dumps({"reference": briefing.reference, "headline": mask(briefing.headline),
                       "status": briefing.status, "number": briefing.number,
                       "parts": [[title, [mask(line) for line in lines]] for title, lines in briefing.parts]})


def thawed(text: str) -> Briefing | None:
    """The kept briefing, or None when what is kept is not one (the caller draws it afresh)."""
    try:
        data = json.loads(text)
        return Briefing(reference=data["reference"], headline=data["headline"], status=data["status"],
                        number=data["number"], parts=[(title, list(lines)) for title, lines in data["parts"]])
    except (ValueError, KeyError, TypeError):
        return None


def html(briefing: Briefing, debrief_id: int) -> str:
    return disclosure.mask_html(render_template("learning/_briefing.html", b=briefing), debrief_id)


def docx(briefing: Briefing, debrief_id: int) -> bytes:
    """An editable Word file in the same seven parts, on one A4 page at 9.5 pt."""
    doc = marked_document(margin_mm=14)
    section = doc.sections[0]
    section.top_margin = section.bottom_margin = Mm(14)
    properties(doc, title=f"{TITLE}: {briefing.reference}", author=doc.core_properties.author,
               subject=briefing.headline, revision=briefing.number)
    doc.styles["Normal"].font.size = Pt(9.5)
    doc.add_heading(f"{TITLE}: {briefing.reference}", level=0)
    p = doc.add_paragraph()
    p.add_run(briefing.headline + ". ").bold = True
    p.add_run(briefing.status)
    for number, (title, lines) in enumerate(briefing.parts, start=1):
        heading = doc.add_heading(f"{number}. {title}", level=2)
        heading.paragraph_format.space_before = Pt(6)
        for line in lines:
            item = doc.add_paragraph(line, style="List Bullet" if len(lines) > 1 else None)
            item.paragraph_format.space_after = Pt(1)
    return disclosure.mask_docx(docx_bytes(doc), debrief_id)
