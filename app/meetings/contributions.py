"""The key questions on the meeting page: agencies' contributions before the meeting, and the review's findings.

Members and partners invited to the meeting send their agency's contribution to each key question and may edit
it until a reviewer folds it into the finding for that question. Reviewers write and edit the findings, which
the document of learning and actions reports against each question. Every text here is non-attributable: a
warning appears beside text that seems to name a member of staff (app.staff_names), as it is typed too.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.extensions import db
from app.forms import submitted_version
from app.meetings import bp, services
from app.meetings.forms import ContributionForm, FindingForm
from app.models import Contribution, Debrief, Role
from app.permissions import CASE_READERS, deny, get_or_404, may_run_debriefs, policy
from app.staff_names import named_staff


@bp.app_template_global()
def staff_named(*texts) -> list[str]:
    """For templates: the phrases in these texts that seem to name a member of staff."""
    found: list[str] = []
    for text in texts:
        found += [p for p in named_staff(text if isinstance(text, str) else None) if p not in found]
    return found


def questions_context(debrief: Debrief, finding_forms: dict | None = None, contribution_forms: dict | None = None,
                      conflicts: dict | None = None, refusals: dict | None = None) -> dict:
    """What the meeting page shows for each key question: the finding (a form for the review team), every
    agency's contribution (review team), and the reader's own contributions and form (an invited member or
    partner). Three queries however many questions and contributions."""
    meeting = debrief.meeting
    finding_forms, contribution_forms = finding_forms or {}, contribution_forms or {}
    conflicts, refusals = conflicts or {}, refusals or {}
    reviewer = may_run_debriefs()
    invitation = services.invitation_of(debrief, current_user) if meeting else None
    contributor = bool(invitation and not reviewer and current_user.has_role(Role.MEMBER, Role.PARTNER))
    found = services.findings(debrief.id)
    every = services.contributions(meeting) if meeting and reviewer else []
    mine = services.contributions(meeting, current_user.id) if contributor else []
    items = []
    for position, question in enumerate(services.key_questions(debrief), start=1):
        finding = found.get(position)
        item = {"position": position, "question": question, "finding": finding,
                "contributions": [c for c in every if c.position == position],
                "mine": [c for c in mine if c.position == position],
                "conflict": conflicts.get(position), "refusal": refusals.get(position)}
        if reviewer:
            item["finding_form"] = finding_forms.get(position) or FindingForm(
                formdata=None, prefix=f"f{position}", text=finding.text if finding else None,
                version=finding.version if finding else 0)
        if contributor:
            editable = next((c for c in reversed(item["mine"]) if c.folded_at is None), None)
            item["contribution_form"] = contribution_forms.get(position) or ContributionForm(
                formdata=None, prefix=f"c{position}", text=editable.text if editable else None,
                version=editable.version if editable else 0)
            item["editing"] = editable
        items.append(item)
    return {"questions": items, "contributor": contributor,
            "contributions_open": bool(meeting and services.contributions_open(meeting)),
            "contributions_closed_text": services.CONTRIBUTIONS_CLOSED}


def _debrief_with_meeting(debrief_id: int) -> Debrief:
    debrief = get_or_404(Debrief, debrief_id)
    if debrief.meeting is None:
        abort(404)
    return debrief


def _question(debrief: Debrief, position: int) -> str:
    questions = services.key_questions(debrief)
    if not 1 <= position <= len(questions):
        abort(404)
    return questions[position - 1]


def _back(debrief_id: int, position: int):
    return redirect(url_for("meetings.page", debrief_id=debrief_id) + f"#question-{position}")


def _page(debrief: Debrief, status: int, **questions):
    from app.meetings.routes import _page as meeting_page

    return meeting_page(debrief, status, questions=questions)


@bp.route("/debriefs/<int:debrief_id>/meeting/questions/<int:position>/contribution", methods=["POST"])
@policy(Role.MEMBER, Role.PARTNER)
def contribute(debrief_id: int, position: int):
    """An invited member or partner sends (or changes) their agency's contribution to one key question."""
    debrief = _debrief_with_meeting(debrief_id)
    question = _question(debrief, position)
    invitation = services.invitation_of(debrief, current_user)
    if invitation is None or current_user.has_role(Role.REVIEWER):
        deny("meeting", debrief.meeting.id)
    form = ContributionForm(prefix=f"c{position}")
    if not form.validate_on_submit():
        return _page(debrief, 422, contribution_forms={position: form})
    try:
        services.save_contribution(debrief.meeting, invitation, current_user._get_current_object(), position,
                                   question, form.text.data.strip(), submitted_version(form))
    except services.MeetingHeld as refused:
        return _page(debrief, 409, contribution_forms={position: form}, refusals={position: str(refused)})
    except services.StaleEdit as stale:
        db.session.rollback()
        debrief = _debrief_with_meeting(debrief_id)
        current = services.open_contribution(debrief.meeting, current_user.id, position)
        form.version.data = current.version if current else 0
        return _page(debrief, 409, contribution_forms={position: form},
                     conflicts={position: {"kind": "contribution", "current": current,
                                           "folded": current is None and stale.current is None}})
    flash("Your contribution is saved. You can change it until the review team folds it into the findings.",
          "success")
    return _back(debrief_id, position)


@bp.route("/debriefs/<int:debrief_id>/meeting/questions/<int:position>/finding", methods=["POST"])
@policy(Role.REVIEWER)
def save_finding(debrief_id: int, position: int):
    debrief = _debrief_with_meeting(debrief_id)
    question = _question(debrief, position)
    form = FindingForm(prefix=f"f{position}")
    if not form.validate_on_submit():
        return _page(debrief, 422, finding_forms={position: form})
    try:
        services.save_finding(debrief, position, question, (form.text.data or "").strip() or None,
                              submitted_version(form))
    except services.StaleEdit:
        db.session.rollback()
        debrief = _debrief_with_meeting(debrief_id)
        current = services.findings(debrief.id).get(position)
        form.version.data = current.version if current else 0
        return _page(debrief, 409, finding_forms={position: form},
                     conflicts={position: {"kind": "finding", "current": current}})
    flash("Finding saved.", "success")
    return _back(debrief_id, position)


@bp.route("/debriefs/<int:debrief_id>/meeting/contributions/<int:contribution_id>/fold", methods=["POST"])
@policy(Role.REVIEWER)
def fold(debrief_id: int, contribution_id: int):
    """Add one agency's contribution to the finding for its question."""
    from app.meetings.forms import FoldForm

    debrief = _debrief_with_meeting(debrief_id)
    contribution = db.session.get(Contribution, contribution_id)
    if contribution is None or contribution.meeting_id != debrief.meeting.id:
        abort(404)
    questions = services.key_questions(debrief)
    position = contribution.position
    question = questions[position - 1] if 1 <= position <= len(questions) else contribution.question
    form = FoldForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.fold(contribution, current_user._get_current_object(), question, submitted_version(form))
    except services.StaleEdit:
        db.session.rollback()
        return _page(_debrief_with_meeting(debrief_id), 409, refusals={position: (
            "That contribution was changed or folded after you opened this page: read it again below, then fold "
            "it if it still belongs in the finding.")})
    flash(f"{contribution.agency}'s contribution is folded into the finding.", "success")
    return _back(debrief_id, position)


@bp.route("/debriefs/<int:debrief_id>/meeting/staff-check", methods=["POST"])
@policy(*CASE_READERS)
def staff_check(debrief_id: int):
    """As notes, findings or a contribution are typed: the warning beside them when they seem to name staff
    (htmx; the form's own fields are sent, nothing is stored)."""
    get_or_404(Debrief, debrief_id)
    texts = [v for k, v in request.form.items() if k != "csrf_token" and not k.endswith("version")]
    return render_template("meetings/_staff_named.html", named=staff_named(*texts))
