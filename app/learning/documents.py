"""The document of learning and actions: preview, issue (frozen versions), downloads, the 7-minute
briefing and the dissemination log. Every generation and download is audited as a disclosure."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app import audit, disclosure
from app.extensions import db
from app.forms import BaseForm
from app.learning import bp, briefing, content, services
from app.learning.forms import DisseminationForm, RecipientForm
from app.models import Debrief, LearningDocument, Role
from app.permissions import BOARD_ROLES, get_or_404, may_run_debriefs, policy, sees_case_text
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class IssueForm(BaseForm):
    summary = TextAreaField("Summary", validators=[DataRequired("Write the summary the document opens with."),
                                                   Length(max=4000)],
                            description="What the debrief found and what will change, in a short paragraph or two. "
                                        "Use pseudonyms; name no place.")
    approved_by = StringField("Approved by", validators=[DataRequired("Say who approved this version."),
                                                         Length(max=200)],
                              description="Name or role of the approver, e.g. Head of Public Protection.")
    distribution = TextAreaField("Distribution", validators=[DataRequired("Say who the document goes to."),
                                                             Length(max=2000)],
                                 description="Who receives it, e.g. chief officer group; working group; partners.")
    plan = TextAreaField("Dissemination plan", validators=[DataRequired("Say how the learning will reach people."),
                                                           Length(max=3000)],
                         description="e.g. 7-minute briefing to response teams; partner board; training input.")
    what_to_do = TextAreaField("What to do", validators=[Length(max=1000)],
                               description="One instruction per line for front-line staff, up to four. "
                                           "Left empty, the briefing uses three standard ones.")
    questions = TextAreaField("Questions to discuss", validators=[Length(max=1000)],
                              description="One question per line, up to four. Left empty, three standard ones.")

    def details(self) -> dict:
        def lines(text):
            return [x.strip() for x in (text or "").splitlines() if x.strip()][:4] or None

        return {"plan": self.plan.data.strip(), "summary": self.summary.data.strip(),
                "approved_by": self.approved_by.data.strip(), "distribution": self.distribution.data.strip(),
                "what_to_do": lines(self.what_to_do.data), "questions": lines(self.questions.data)}


def _internal_requested() -> bool:
    """The internal version only for the review team, when asked for; the shared version goes through the
    disclosure gate for everyone, reviewers included."""
    internal = request.values.get("version") == "internal" and sees_case_text()
    if not internal:
        disclosure.pseudonymise_response()
    return internal


def _document(debrief: Debrief, number: int) -> LearningDocument:
    doc = db.session.scalar(select(LearningDocument).where(LearningDocument.debrief_id == debrief.id,
                                                           LearningDocument.number == number))
    if doc is None:
        abort(404)
    return doc


@bp.route("/debriefs/<int:debrief_id>/document")
@policy(Role.REVIEWER)
def preview(debrief_id: int):
    debrief = get_or_404(Debrief, debrief_id)
    internal = _internal_requested()
    audit.log_shown("debrief", debrief.id, "document.preview", internal)
    return _draft_page(debrief, internal, _issue_form_from_last(debrief))


def _issue_form_from_last(debrief: Debrief) -> IssueForm:
    """The next version usually goes to the same people with the same approver: start from the last one's."""
    last = debrief.documents[-1] if debrief.documents else None
    if last is None:
        return IssueForm(formdata=None)
    return IssueForm(formdata=None, data={"summary": last.summary or "", "approved_by": last.approved_by or "",
                                          "distribution": last.distribution or "", "plan": last.dissemination_plan})


def _draft_page(debrief: Debrief, internal: bool, issue_form: IssueForm, status: int = 200):
    details = content.details_of(None, debrief, author=current_user.full_name)
    body = content.html(content.build(debrief, internal, details), debrief.id)
    return render_template("learning/document_page.html", debrief=debrief, body=body, issued=None,
                           internal=internal, issue_form=issue_form, recipient_form=None,
                           dissemination_form=None), status


@bp.route("/debriefs/<int:debrief_id>/document/issue", methods=["POST"])
@policy(Role.REVIEWER)
def issue(debrief_id: int):
    debrief = get_or_404(Debrief, debrief_id)
    form = IssueForm()
    if not form.validate_on_submit():
        return _draft_page(debrief, False, form, 422)
    number = services.issue_document(debrief, form.details(), current_user._get_current_object()).number
    flash(f"Version {number} issued. It will not change, whatever is edited later.", "success")
    return redirect(url_for("learning.issued", debrief_id=debrief_id, number=number))


@bp.route("/debriefs/<int:debrief_id>/document/<int:number>")
@policy(*BOARD_ROLES)
def issued(debrief_id: int, number: int):
    debrief = get_or_404(Debrief, debrief_id)
    doc = _document(debrief, number)
    internal = _internal_requested()
    audit.log_shown("learning_document", doc.id, "document.view", internal)
    debrief = get_or_404(Debrief, debrief_id)
    doc = _document(debrief, number)
    return render_template("learning/document_page.html", debrief=debrief, issued=doc, internal=internal,
                           body=doc.internal_html if internal else doc.shared_html, issue_form=None,
                           recipient_form=RecipientForm(formdata=None), dissemination_form=DisseminationForm(
                               formdata=None))


@bp.route("/debriefs/<int:debrief_id>/document/<int:number>/download", methods=["POST"])
@policy(*BOARD_ROLES)
def download(debrief_id: int, number: int):
    debrief = get_or_404(Debrief, debrief_id)
    doc = _document(debrief, number)
    form = RecipientForm()
    if not form.validate_on_submit():
        flash("Say who the document is for before downloading it.", "error")
        return redirect(url_for("learning.issued", debrief_id=debrief_id, number=number)), 303
    internal = _internal_requested()
    audit.disclosure("learning_document", doc.id, recipient=form.recipient.data, action="document.download",
                     reason=audit.version_reason(internal))
    data = doc.internal_docx if internal else doc.shared_docx
    db.session.commit()
    name = f"{debrief.reference}-learning-v{number}-{'internal' if internal else 'shared'}.docx"
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/debriefs/<int:debrief_id>/document/<int:number>/dissemination", methods=["POST"])
@policy(Role.REVIEWER)
def disseminate(debrief_id: int, number: int):
    debrief = get_or_404(Debrief, debrief_id)
    doc = _document(debrief, number)
    form = DisseminationForm()
    if not form.validate_on_submit():
        flash("Give how, the audience, the date and who delivered it.", "error")
        return redirect(url_for("learning.issued", debrief_id=debrief_id, number=number) + "#dissemination"), 303
    services.record_dissemination(doc, method=form.method.data, audience=form.audience.data, on=form.on.data,
                                  by=form.by.data)
    flash("Dissemination recorded.", "success")
    return redirect(url_for("learning.issued", debrief_id=debrief_id, number=number) + "#dissemination")


@bp.route("/debriefs/<int:debrief_id>/briefing", endpoint="briefing")
@policy(*BOARD_ROLES)
def briefing_latest(debrief_id: int):
    """The briefing of the latest issued version; before any is issued, the review team sees the draft."""
    debrief = get_or_404(Debrief, debrief_id)
    if debrief.documents:
        return redirect(url_for("learning.issued_briefing", debrief_id=debrief_id,
                                number=debrief.documents[-1].number))
    audit.log_shown("debrief", debrief.id, "briefing.view")
    drafts = may_run_debriefs()
    disclosure.pseudonymise_response()
    body = None
    if drafts:
        details = content.details_of(None, debrief)
        body = briefing.html(briefing.build(debrief, details), debrief.id)
    return render_template("learning/briefing.html", debrief=debrief, body=body, issued=None, recipient_form=None)


@bp.route("/debriefs/<int:debrief_id>/document/<int:number>/briefing")
@policy(*BOARD_ROLES)
def issued_briefing(debrief_id: int, number: int):
    """The briefing frozen with an issued version: it never changes, whatever is edited later."""
    debrief = get_or_404(Debrief, debrief_id)
    doc = _document(debrief, number)
    audit.log_shown("learning_document", doc.id, "briefing.view")
    disclosure.pseudonymise_response()
    return render_template("learning/briefing.html", debrief=debrief, body=doc.briefing_html, issued=doc,
                           recipient_form=RecipientForm(formdata=None))


@bp.route("/debriefs/<int:debrief_id>/document/<int:number>/briefing.docx", methods=["POST"])
@policy(*BOARD_ROLES)
def briefing_download(debrief_id: int, number: int):
    debrief = get_or_404(Debrief, debrief_id)
    doc = _document(debrief, number)
    form = RecipientForm()
    if not form.validate_on_submit() or not doc.briefing_docx:
        flash("Say who the briefing is for before downloading it.", "error")
        return redirect(url_for("learning.issued_briefing", debrief_id=debrief_id, number=number)), 303
    audit.disclosure("learning_document", doc.id, recipient=form.recipient.data, action="briefing.download",
                     reason="7-minute briefing (shared version)")
    db.session.commit()
    name = f"{debrief.reference}-7-minute-briefing-v{number}.docx"
    return Response(doc.briefing_docx,
                    mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
