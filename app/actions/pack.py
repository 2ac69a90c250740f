"""The working group's meeting pack: overdue actions by age, what falls due in the next 30 days, completed
actions awaiting sign-off and extensions awaiting a decision. On screen (printable) and as a marked Word file."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import Response, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app import audit, disclosure
from app.actions import bp, queries
from app.actions.forms import CommentForm, ExtensionDecisionForm
from app.debriefs.timeliness import today
from app.exports import docx_bytes, marked_document
from app.extensions import db
from app.learning.forms import RecipientForm
from app.learning.overdue import AGE_BANDS, age_band_clause, days_overdue
from app.models import Action, ActionStatus, Extension, ExtensionDecision, Role
from app.permissions import may_decide_extension, may_sign_off, policy, scoped

DUE_AHEAD = 30
SHOWN = 100  # per section: a meeting works through the first, the board link opens the rest


@dataclass
class Section:
    key: str
    title: str
    actions: list[Action]
    total: int
    board_args: dict  # the same list on the action board

    @property
    def more(self) -> int:
        return self.total - len(self.actions)


@dataclass
class Pack:
    on: date
    bands: list[Section]
    due_soon: Section
    awaiting: Section
    extensions: list[Extension]
    everything: list[Action] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(b.total for b in self.bands)

    def days_overdue(self, action: Action) -> int:
        return days_overdue(action, self.on)


def _section(key: str, title: str, stmt, board_args: dict) -> Section:
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    return Section(key, title, queries.rows(stmt, size=SHOWN), total, board_args)


def gather(user) -> Pack:
    """Each section in two queries (its first SHOWN actions and its total), whatever the number of actions."""
    on = today()
    base = queries.filtered(queries.ActionFilters(), user)
    bands = [_section(key, f"Overdue {label}", base.where(age_band_clause(key, on)), {"age": key})
             for key, label, _, _ in AGE_BANDS]
    due_soon = _section("due", f"Due in the next {DUE_AHEAD} days", base.where(
        Action.due_on >= on, Action.due_on <= on + timedelta(days=DUE_AHEAD),
        Action.status.in_((ActionStatus.OPEN.value, ActionStatus.IN_PROGRESS.value))), {"due_within": DUE_AHEAD})
    awaiting = _section("awaiting", "Completed, awaiting sign-off",
                        base.where(Action.status == ActionStatus.COMPLETED.value), {"status": "completed"})
    visible = scoped(select(Action.id), Action, user)
    extensions = list(db.session.scalars(
        select(Extension).where(Extension.decision == ExtensionDecision.PENDING.value, Extension.action_id.in_(visible))
        .options(joinedload(Extension.action).joinedload(Action.debrief_row)).order_by(Extension.requested_at)))
    everything = [a for s in (*bands, due_soon, awaiting) for a in s.actions] + [e.action for e in extensions]
    return Pack(on=on, bands=bands, due_soon=due_soon, awaiting=awaiting, extensions=extensions,
                everything=everything)


@bp.route("/actions/pack")
@policy(Role.REVIEWER, Role.WORKING_GROUP, Role.BOARD)
def pack():
    audit.log_consultation("action", None, action="actions.pack")
    p = gather(current_user)
    return render_template("actions/pack.html", p=p, may_sign_off=may_sign_off,
                           may_decide_extension=may_decide_extension,
                           comment_form=lambda a: CommentForm(formdata=None, version=a.version, prefix=f"c{a.id}"),
                           decision_form=lambda a: ExtensionDecisionForm(formdata=None, version=a.version,
                                                                         prefix=f"e{a.id}"),
                           export_form=RecipientForm(formdata=None))


@bp.route("/actions/pack.docx", methods=["POST"])
@policy(Role.REVIEWER, Role.WORKING_GROUP)
def pack_docx():
    form = RecipientForm()
    if not form.validate_on_submit():
        flash("Say who the meeting pack is for.", "error")
        return redirect(url_for("actions.pack")), 303
    p = gather(current_user)
    audit.disclosure("action", None, recipient=form.recipient.data, action="actions.pack_docx")
    disclosure.pseudonymise_response()  # the working group's pack: pseudonyms only, whoever downloads it
    data = docx_bytes(_document(p))
    db.session.commit()
    return Response(data, headers={
        "Content-Type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Content-Disposition": f'attachment; filename="action-pack-{p.on:%Y%m%d}.docx"'})


def _table(doc, headings: list[str], rows: list[list[str]]) -> None:
    if not rows:
        doc.add_paragraph("None.")
        return
    table = doc.add_table(rows=1, cols=len(headings))
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, headings, strict=True):
        cell.text = title
        cell.paragraphs[0].runs[0].bold = True
    for values in rows:
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = value


def _document(p: Pack):
    doc = marked_document(landscape=True, margin_mm=14)
    doc.add_heading(f"Action meeting pack, {p.on:%d %B %Y}", level=0)
    doc.add_paragraph(f"{p.overdue} overdue, {p.due_soon.total} due in the next {DUE_AHEAD} days, "
                      f"{p.awaiting.total} awaiting sign-off, {len(p.extensions)} extension requests.")

    def ref(a):
        return a.reference(a.debrief_row.reference)

    def heading(section: Section) -> None:
        doc.add_heading(f"{section.title} ({section.total})", level=1)
        if section.more:
            doc.add_paragraph(f"The first {len(section.actions)} are listed; {section.more} more are on the "
                              f"action board.")

    for band in p.bands:
        heading(band)
        _table(doc, ["Ref", "What", "Owner", "Due", "Days over", "Status"],
               [[ref(a), a.what, a.owner_label, f"{a.due_on:%d %b %Y}", str(p.days_overdue(a)),
                 ActionStatus(a.status).label] for a in band.actions])
    heading(p.due_soon)
    _table(doc, ["Ref", "What", "Owner", "Due", "Status"],
           [[ref(a), a.what, a.owner_label, f"{a.due_on:%d %b %Y}", ActionStatus(a.status).label]
            for a in p.due_soon.actions])
    heading(p.awaiting)
    _table(doc, ["Ref", "What", "Owner", "Completed", "Evidence", "Decision"],
           [[ref(a), a.what, a.owner_label, f"{a.completed_on:%d %b %Y}" if a.completed_on else "",
             (a.evidence or "") + (f"\n{a.evidence_link}" if a.evidence_link else ""), "Sign off / send back"]
            for a in p.awaiting.actions])
    doc.add_heading(f"Extension requests ({len(p.extensions)})", level=1)
    _table(doc, ["Ref", "Due now", "Asked for", "Reason", "Decision"],
           [[ref(e.action), f"{e.old_due:%d %b %Y}", f"{e.new_due:%d %b %Y}", (e.reason or ""),
             "Approve / refuse"] for e in p.extensions])
    return doc
