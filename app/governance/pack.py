"""The quarterly board pack: the quarter's headline measures against the quarter before and the targets,
the dashboard's charts with their tables, themes, overdue actions by department, the learning issued in the
quarter as 7-minute briefings, and the questions put to the board.

One content object feeds the print page and the Word file. Both leave pseudonymised for every reader (the
board never sees a name), and issuing freezes both as a numbered version of the quarter's pack.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from flask import current_app, render_template
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer, selectinload

from app import audit, disclosure
from app.exports import marked_document, repeat_header
from app.extensions import db
from app.governance import action_measures, dashboard
from app.governance.cohorts import MILESTONES, Scope
from app.governance.dashboard import Figures
from app.governance.periods import Period, quarter
from app.learning import services as learning_services
from app.models import BoardPack, Debrief, LearningDocument
from app.sqltime import uk_date


@dataclass
class Pack:
    quarter: Period
    now: Figures
    before: Figures
    settings: dict
    issued: list  # the 7-minute briefings (app.learning.briefing.Briefing) of the versions issued in the quarter
    questions: str
    number: int | None = None
    issued_on: date | None = None

    def headlines(self) -> list[tuple[str, str, str, str]]:
        """(measure, this quarter, the quarter before, target)."""
        def pct(f) -> str:
            return "–" if f.percent is None else f"{f.percent:.0f}% ({f.value} of {f.of})"

        def days(v) -> str:
            return "–" if v is None else f"{v:.1f}"

        rows = [("Debriefs referred", str(self.now.volumes["total"].value),
                 str(self.before.volumes["total"].value), ""),
                ("Referrals accepted", pct(self.now.decisions["accepted"]), pct(self.before.decisions["accepted"]), "")]
        for key, (label, target_key) in MILESTONES.items():
            a, b = self.now.timeliness[key]["spreads"][-1], self.before.timeliness[key]["spreads"][-1]
            target = self.settings[target_key]
            rows.append((f"{label}: median days", days(a.median), days(b.median), f"{target} days"))
            rows.append((f"{label}: 90th percentile days", days(a.p90), days(b.p90), ""))
            rows.append((f"{label}: within the target", pct(a.within), pct(b.within), ""))
        for label, get in (("A partner attended the debrief meeting", lambda f: f.people["partner"]),
                           ("Police contact before the incident", lambda f: f.people["police"]),
                           ("Learning repeating earlier learning", lambda f: f.themes["repeat"]),
                           ("Dissemination recorded for documents issued", lambda f: f.dissemination["done"])):
            rows.append((label, pct(get(self.now)), pct(get(self.before)), ""))
        for key, label in (("on_time", "Actions closed on time"), ("late", "Actions closed late"),
                           ("not_doing", "Actions not done (with rationale)")):
            rows.append((label, str(self.now.actions["totals"][key].value),
                         str(self.before.actions["totals"][key].value), ""))
        rows.append(("Actions overdue at issue", str(self.now.overdue_now.value), "–", "0"))
        return rows

    def overdue_by_department(self) -> list[tuple[str, list[int]]]:
        keys = [k for k, _ in action_measures.COLUMNS if k.startswith("overdue:")]
        rows = [(r["label"], [r["cells"][k].value for k in keys]) for r in self.now.actions["departments"]]
        return [r for r in rows if sum(r[1])]

    @staticmethod
    def overdue_labels() -> list[str]:
        return [label for k, label in action_measures.COLUMNS if k.startswith("overdue:")]


def build(start: date, settings: dict, on: date, questions: str = "") -> Pack:
    q = quarter(start)
    before = q.previous()
    now_figures = dashboard.compute(Scope(q), settings, on)
    before_figures = dashboard.compute(Scope(before), settings, on)
    issued_day = uk_date(LearningDocument.issued_at)
    latest: dict[int, LearningDocument] = {}  # each debrief's last version issued in the quarter
    for doc in db.session.scalars(select(LearningDocument).join(Debrief)
                                  .where(issued_day >= q.start, issued_day <= q.end)
                                  .options(*[defer(getattr(LearningDocument, c)) for c in (
                                      "internal_docx", "shared_docx", "internal_html", "shared_html",
                                      "briefing_docx", "briefing_html")])
                                  .order_by(Debrief.reference, LearningDocument.number)):
        latest[doc.debrief_id] = doc
    briefings = [learning_services.issued_briefing(doc) for doc in latest.values()]
    return Pack(q, now_figures, before_figures, settings, briefings, questions)


# ---- the two renderings ---------------------------------------------------------------------------------

def html(pack: Pack) -> str:
    """The pack's body as HTML, pseudonymised whoever asks."""
    body = render_template("governance/_pack.html", pack=pack, tables=dashboard.TABLES,
                           milestones=list(MILESTONES))
    return disclosure.mask_html(body)


def docx(pack: Pack) -> bytes:
    """The pack as a Word file: A4, marked on every page, pictures drawn from the page's figures,
    pseudonymised whoever asks."""
    from docx.shared import Mm, Pt

    from app.governance import pictures

    doc = marked_document()
    doc.core_properties.title = f"Board pack {pack.quarter.label}"
    doc.core_properties.author = current_app.config.get("ORGANISATION_NAME") or "Homicide prevention review team"
    doc.add_heading("Homicide prevention board pack", level=0)
    version = f"Version {pack.number}, issued {pack.issued_on.strftime('%d %B %Y')}" if pack.number else "Draft"
    doc.add_paragraph(f"{pack.quarter.label}. {version}. Case subjects appear only by pseudonym.")

    def table(header: list[str], rows: list[list]) -> None:
        t = doc.add_table(rows=1, cols=len(header))
        t.style = "Table Grid"
        for cell, text in zip(t.rows[0].cells, header, strict=True):
            cell.text = str(text)
            cell.paragraphs[0].runs[0].bold = True
        repeat_header(t.rows[0])
        for row in rows:
            for cell, value in zip(t.add_row().cells, row, strict=True):
                cell.text = "" if value is None else str(value)
        for r in t.rows:
            for cell in r.cells:
                for p in cell.paragraphs:
                    for run in p.runs:
                        run.font.size = Pt(8.5)

    def picture(chart) -> None:
        doc.add_picture(io.BytesIO(pictures.png(chart)), width=Mm(165))
        doc.add_paragraph(chart.description()).runs[0].font.size = Pt(8)

    doc.add_heading("1. Headline measures", level=1)
    doc.add_paragraph(f"This quarter against {pack.quarter.previous().label} and the targets.")
    table(["Measure", "This quarter", "Quarter before", "Target"], [list(r) for r in pack.headlines()])

    doc.add_heading("2. Referrals", level=1)
    picture(pack.now.chart_volumes())
    table(*dashboard.TABLES["volumes"](pack.now))
    doc.add_heading("3. Timeliness", level=1)
    for key in MILESTONES:
        picture(pack.now.chart_timeliness(key))
    table(*dashboard.TABLES["timeliness"](pack.now))
    doc.add_heading("4. Time in each stage", level=1)
    picture(pack.now.chart_dwell())
    table(*dashboard.TABLES["dwell"](pack.now))
    doc.add_heading("5. Partners, prior contact and agencies", level=1)
    table(*dashboard.TABLES["people"](pack.now))
    picture(pack.now.chart_agencies())
    table(*dashboard.TABLES["agencies"](pack.now))
    doc.add_heading("6. Themes and trends", level=1)
    picture(pack.now.chart_themes())
    table(*dashboard.TABLES["themes"](pack.now))
    doc.add_heading("7. Actions", level=1)
    picture(pack.now.chart_actions())
    doc.add_heading("Overdue actions by department", level=2)
    overdue = pack.overdue_by_department()
    if overdue:
        table(["Department", *pack.overdue_labels()], [[name, *values] for name, values in overdue])
    else:
        doc.add_paragraph("No action is overdue.")
    doc.add_heading("8. Learning issued this quarter", level=1)
    if not pack.issued:
        doc.add_paragraph("No learning document was issued this quarter.")
    for b in pack.issued:
        doc.add_heading(f"{b.reference}: 7-minute briefing", level=2)
        doc.add_paragraph(f"{b.headline}. {b.status}")
        for title, items in b.parts:
            doc.add_paragraph(title).runs[0].bold = True
            for item in items:
                doc.add_paragraph(item, style="List Bullet")
    doc.add_heading("9. Questions for the board", level=1)
    for line in [q for q in pack.questions.splitlines() if q.strip()] or ["None raised."]:
        doc.add_paragraph(line.strip(), style="List Number")
    buf = io.BytesIO()
    doc.save(buf)
    return disclosure.mask_docx(buf.getvalue())


# ---- issuing -----------------------------------------------------------------------------------------------

def issue(start: date, questions: str, settings: dict, on: date, actor) -> BoardPack:
    """Freeze the quarter's pack as its next version."""
    q = quarter(start)
    pack = build(q.start, settings, on, questions)
    for _ in range(3):  # two people issuing at once: the loser takes the next number
        number = (db.session.scalar(select(func.max(BoardPack.number)).where(BoardPack.quarter_start == q.start))
                  or 0) + 1
        pack.number, pack.issued_on = number, on
        row = BoardPack(quarter_start=q.start, number=number, issued_by_id=actor.id, questions=questions,
                        docx=docx(pack), html=html(pack))
        db.session.add(row)
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            continue
        audit.collection("board_pack", row.id, ["questions", "docx", "html"], action="board_pack.issue")
        db.session.commit()
        return row
    raise RuntimeError("could not number the board pack")


def issued_packs() -> list[BoardPack]:
    return list(db.session.scalars(select(BoardPack).options(selectinload(BoardPack.issued_by),
                                                             defer(BoardPack.docx), defer(BoardPack.html))
                                   .order_by(BoardPack.quarter_start.desc(), BoardPack.number.desc())))
