"""What goes into the document of learning and actions, for one audience, as a list of sections.

`internal`: the review team's copy, with real names and the case's title. `shared`: for partners, the
working group, the board and anyone the force sends it to; the case is described only by its kind and
month, people appear only by pseudonym (the disclosure gate masks the finished file, whatever a field
says), and nothing that places the case (title, policing area, referral narrative) is written into it.

Both the page (learning/_document.html) and the Word file (app/learning/word.py) are drawn from the
same `Document`, so they cannot say different things.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar
from datetime import datetime

from flask import current_app, render_template

from app import disclosure
from app.dates import long_date, month_year
from app.exports import issuer
from app.models import (
    Attendance,
    Debrief,
    LearningDocument,
    LearningKind,
    LearningPoint,
    Repeat,
    Urgency,
)

TITLE = "Document of learning and actions"


@dataclass
class IssueDetails:
    """What the cover says about this version: typed when issuing, or blank in a draft."""
    number: int | None = None
    issued_at: datetime | None = None
    author: str = ""
    approved_by: str = ""
    distribution: str = ""
    summary: str = ""
    plan: str = ""


# The blocks a section is made of; both renderers know each kind.
@dataclass
class Para:
    kind: ClassVar[str] = "para"
    text: str
    strong: str = ""  # a bold lead-in


@dataclass
class Items:
    kind: ClassVar[str] = "items"
    items: list[str]
    numbered: bool = False


@dataclass
class Fields:
    kind: ClassVar[str] = "fields"
    rows: list[tuple[str, str]]


@dataclass
class Table:
    kind: ClassVar[str] = "table"
    columns: list[tuple[str, float]]  # title, width in mm on an A4 portrait page (174 mm between margins)
    rows: list[list[str]]
    empty: str = "None."
    caption: str = ""
    name: str = ""  # the page's column widths: .doc-table--<name>


@dataclass
class Heading:
    kind: ClassVar[str] = "heading"
    text: str
    anchor: str = ""


@dataclass
class Section:
    anchor: str
    title: str
    blocks: list = field(default_factory=list)


@dataclass
class Document:
    internal: bool
    reference: str
    cover_title: str
    cover_lines: list[str]
    cover_fields: list[tuple[str, str]]
    sections: list[Section]
    file_title: str
    author: str
    issued_at: datetime | None
    number: int | None

    @property
    def audience(self) -> str:
        return ("Internal version for the review team: contains real names." if self.internal else
                "Shared version: no person is named; people in the case appear only by pseudonym.")


def describe_case(debrief: Debrief) -> str:
    """The case as the shared version may describe it: its kind and the month, never where or who."""
    from app.models import Category, Context, SubType

    return (f"A {Category(debrief.category).label.lower()} in a {Context(debrief.context).label.lower()} "
            f"setting ({SubType(debrief.subtype).label.lower()}), {month_year(debrief.incident_date)}")


def build(debrief: Debrief, internal: bool, details: IssueDetails) -> Document:
    d = debrief
    p = d.parameters
    number = details.number
    status = f"Version {number}, issued {long_date(details.issued_at)}" if number else "Draft, not issued"
    cfg = current_app.config
    cover_fields = [
        ("Reference", d.reference),
        ("Version", status),
        ("Issue date", long_date(details.issued_at) if number else "Not issued"),
        ("Author", details.author or "—"),
        ("Approved by", details.approved_by or ("To be approved" if not number else "—")),
        ("Distribution", details.distribution or "To be agreed"),
        ("Protective marking", cfg["MARKING"]),
        ("Version for", "Review team only (internal)" if internal else "Sharing (pseudonyms only)"),
    ]
    cover_lines = [issuer()] if issuer() else []
    cover_lines.append(f"Rapid debrief {d.reference}: {d.title}" if internal else
                       f"Rapid debrief {d.reference}")
    cover_lines.append(describe_case(d) + ".")

    sections = [
        Section("summary", "Summary", _summary(details)),
        Section("terms", "Terms of reference in brief", _terms(d, p)),
        Section("debrief", "The debrief: background, agencies and meeting", _meeting(d, internal)),
        Section("findings", "Findings against the key questions", _findings(d, p)),
        Section("improvement", "Learning: areas for improvement", _points(d, LearningKind.IMPROVEMENT)),
        Section("good-practice", "Good practice", _points(d, LearningKind.GOOD_PRACTICE)),
        Section("quick-time", "Quick-time learning shared before this document", _quick(d)),
        Section("actions", "Actions", _actions(d)),
        Section("dissemination", "Dissemination plan", [Para(details.plan or "To be agreed when the document is "
                                                                              "issued.")]),
        Section("history", "Version history", _history(d, details)),
    ]
    return Document(internal=internal, reference=d.reference, cover_title=TITLE, cover_lines=cover_lines,
                    cover_fields=cover_fields, sections=sections,
                    file_title=f"{TITLE}: {d.reference}" + (f", version {number}" if number else ", draft"),
                    author=details.author or issuer(), issued_at=details.issued_at, number=number)


def _summary(details: IssueDetails) -> list:
    if details.summary:
        return [Para(line) for line in details.summary.splitlines() if line.strip()]
    return [Para("The summary is written when the version is issued.")]


def _terms(d: Debrief, p) -> list:
    if p is None:
        return [Para("Not recorded.")]
    blocks = []
    if p.review_from and p.review_to:
        blocks.append(Para(f"{long_date(p.review_from)} to {long_date(p.review_to)}.", strong="Review period: "))
    if p.questions:
        blocks += [Para("Key questions:"), Items(p.questions, numbered=True)]
    if p.exclusion_list:
        blocks.append(Para("; ".join(p.exclusion_list) + ".", strong="Not in scope: "))
    if p.signed_off_at:
        blocks.append(Para(f"Signed off {long_date(p.signed_off_at)}.", strong="Terms of reference: "))
    return blocks or [Para("Not recorded.")]


def _meeting(d: Debrief, internal: bool) -> list:
    from app.models import SubjectRole

    blocks = [Para(describe_case(d) + ".", strong="The case: ")]
    if internal and d.summary:
        blocks.append(Para(d.summary, strong="Referral: "))
    if d.subjects:
        blocks.append(Para("The people in the case" + (" (the review team's key to the pseudonyms):" if internal
                                                        else ", by the pseudonyms used throughout:")))
        blocks.append(Fields([(s.pseudonym, SubjectRole(s.role).label + (f": {s.real_name}" if internal else ""))
                              for s in d.subjects]))
    m = d.meeting
    if m is None or m.cancelled_at:
        return blocks + [Para("No debrief meeting has been held.")]
    came = [i for i in m.invitees if i.attendance == Attendance.ATTENDED.value]
    recorded = any(i.attendance != Attendance.INVITED.value for i in m.invitees)
    present = sorted({i.agency for i in came if i.agency})
    blocks.append(Fields([
        ("Meeting", long_date(m.starts_at)),
        ("Chair", m.chair or "—"),
        ("Notes taken by", m.note_taker or "—"),
        ("Attended", f"{len(came)} of {len(m.invitees)} invited" if m.invitees else "—"),
        ("Agencies present", ", ".join(present) or ("—" if recorded else "Attendance not yet recorded")),
        ("Apologies", ", ".join(sorted({i.agency or "Unaffiliated" for i in m.invitees
                                         if i.attendance == Attendance.APOLOGIES.value})) or "None"),
    ]))
    blocks.append(Para("The meeting followed the After Action Review shape (what was expected, what happened, "
                       "why it differed, what we learned) under the ground rules: learning, not blame; what is "
                       "said is not attributed to anyone."))
    return blocks


def _findings(d: Debrief, p) -> list:
    questions = p.questions if p else []
    if not questions:
        return [Para("No key questions were set.")]
    from app.meetings.services import findings

    found = findings(d.id)
    blocks = []
    for i, q in enumerate(questions, start=1):
        blocks.append(Heading(f"Question {i}. {q}"))
        text = (found[i].text or "").strip() if i in found else ""
        blocks += [Para(line) for line in text.splitlines() if line.strip()] or [Para("No finding recorded.")]
    return blocks


def _points(d: Debrief, kind: LearningKind) -> list:
    points = [lp for lp in d.learning_points if lp.kind == kind.value]
    if not points:
        return [Para("None recorded.")]
    blocks = []
    ref = d.reference
    for lp in points:
        blocks.append(Heading(f"{lp.label}. {_first_line(lp.statement)}", anchor=f"learning-{lp.label}"))
        rest = (lp.statement or "").strip().splitlines()[1:]
        blocks += [Para(line) for line in rest if line.strip()]
        facts = [("Themes", ", ".join(t.name for t in lp.themes) or "—")]
        if lp.repeat != Repeat.NEW.value:
            facts.append(("Repeat", Repeat(lp.repeat).label + _repeat_of(lp)))
        answered = [a.reference(ref) for a in lp.actions]
        if kind == LearningKind.IMPROVEMENT:
            facts.append(("Actions", ", ".join(answered) or "None raised"))
        blocks.append(Fields(facts))
        evidence = [e for e in lp.evidence if e.deleted_at is None]
        blocks.append(Table([("Date", 32), ("Agency", 30), ("Chronology evidence", 112)],
                            [[long_date(e.entry_date), e.agency.name, e.summary or ""] for e in evidence],
                            empty="No chronology entry linked.", caption=f"Evidence for {lp.label}",
                            name="evidence"))
    return blocks


def _repeat_of(lp: LearningPoint) -> str:
    earlier = getattr(lp, "repeats_point", None)
    if earlier is not None:
        return f" (repeats {earlier.debrief.reference} {earlier.label})"
    exchanged = getattr(lp, "repeats_exchange", None)
    if exchanged is not None:
        return f" (seen in another force, {exchanged.month})"
    return ""


def _first_line(text: str | None) -> str:
    lines = (text or "").strip().splitlines()
    return lines[0] if lines else ""


def _quick(d: Debrief) -> list:
    from app.quicktime.services import for_debrief

    rows = for_debrief(d)
    if not rows:
        return [Para("None: nothing needed sharing before this document.")]
    return [Table([("Ref", 12), ("Urgent learning", 76), ("Shared with", 44), ("Shared", 42)],
                  [[q.label, f"{Urgency(q.urgency).label}: {q.statement}", q.shared_audience or q.audience,
                    (f"{long_date(q.shared_on)} by {q.shared_by}" if q.shared_on else
                     f"Not yet shared (due {long_date(q.share_by)})")] for q in rows], name="quick")]


def _actions(d: Debrief) -> list:
    rows = [[a.reference(d.reference), a.learning_point.label if a.learning_point else "—", a.what or "",
             a.owner_label, a.accountable_lead or "—", long_date(a.due_on)] for a in d.actions]
    return [Table([("Reference", 33), ("Answers", 18), ("What is to be done", 57), ("Owner", 23),
                   ("Lead", 23), ("Due", 20)], rows, empty="No actions were raised.", name="actions")]


def _history(d: Debrief, details: IssueDetails) -> list:
    rows = [[str(doc.number), long_date(doc.issued_at), doc.issued_by.full_name if doc.issued_by else "—",
             doc.approved_by or "—"] for doc in d.documents if details.number is None or doc.number < details.number]
    rows.append([str(details.number) if details.number else "Draft",
                 long_date(details.issued_at) if details.number else "Not issued", details.author or "—",
                 details.approved_by or "—"])
    return [Table([("Version", 20), ("Issued", 40), ("Issued by", 57), ("Approved by", 57)], rows, name="history")]


def html(document: Document, debrief_id: int) -> str:
    """The document as HTML; the shared version through the disclosure gate's masker."""
    body = render_template("learning/_document.html", doc=document)
    return body if document.internal else disclosure.mask_html(body, debrief_id)


def details_of(doc: LearningDocument | None, debrief: Debrief, *, author: str = "", plan: str = "",
               summary: str = "", approved_by: str = "", distribution: str = "",
               issued_at: datetime | None = None) -> IssueDetails:
    if doc is not None:
        return IssueDetails(number=doc.number, issued_at=doc.issued_at,
                            author=doc.issued_by.full_name if doc.issued_by else "",
                            approved_by=doc.approved_by or "", distribution=doc.distribution or "",
                            summary=doc.summary or "", plan=doc.dissemination_plan)
    return IssueDetails(author=author, plan=plan, summary=summary, approved_by=approved_by,
                        distribution=distribution, issued_at=issued_at)


