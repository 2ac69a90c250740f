"""The document of learning and actions: preview, issue (frozen versions), downloads, the 7-minute
briefing and the dissemination log. Every generation and download is audited as a disclosure."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app import audit, disclosure
from app.extensions import db
from app.forms import BaseForm
from app.learning import bp, content, services
from app.learning.forms import DisseminationForm, RecipientForm
from app.models import Debrief, LearningDocument, LearningKind, Role
from app.permissions import BOARD_ROLES, get_or_404, policy, sees_case_text
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length


class IssueForm(BaseForm):
    plan = TextAreaField("Dissemination plan", validators=[DataRequired("Say how the learning will reach people."),
                                                           Length(max=3000)],
                         description="e.g. 7-minute briefing to response teams; partner board; training input.")


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
    return _draft_page(get_or_404(Debrief, debrief_id), internal, IssueForm(formdata=None))


def _draft_page(debrief: Debrief, internal: bool, issue_form: IssueForm, status: int = 200):
    body = content.html(content.Content(debrief, internal, plan=""), None)
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
    number = services.issue_document(debrief, form.plan.data.strip(), current_user._get_current_object()).number
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


@bp.route("/debriefs/<int:debrief_id>/briefing")
@policy(*BOARD_ROLES)
def briefing(debrief_id: int):
    """The one-page 7-minute briefing for front-line staff: always the shared (pseudonymised) content."""
    debrief = get_or_404(Debrief, debrief_id)
    audit.log_shown("debrief", debrief.id, "briefing.view")
    disclosure.pseudonymise_response()
    debrief = get_or_404(Debrief, debrief_id)
    c = content.Content(debrief, False, plan="")
    return render_template("learning/briefing.html", debrief=debrief, c=c, LearningKind=LearningKind)
