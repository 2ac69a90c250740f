"""The debrief meeting page: schedule, invite, calendar files and email, attendance."""
from __future__ import annotations

from flask import Response, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app import audit, mail
from app.extensions import db
from app.forms import submitted_version
from app.htmx import is_htmx, trigger
from app.meetings import bp, services
from app.meetings.calendar import LONDON, ics
from app.meetings.forms import (
    AcknowledgeForm,
    ConfirmForm,
    InviteExternalForm,
    InviteUserForm,
    MeetingForm,
    user_choices,
)
from app.models import Attendance, Debrief, Invitee, Role, User, utcnow
from app.permissions import CASE_READERS, get_or_404, may_run_debriefs, policy


def _candidates(debrief: Debrief) -> list[User]:
    invited = {i.user_id for i in (debrief.meeting.invitees if debrief.meeting else [])}
    return [u for u in db.session.scalars(select(User).where(User.active).order_by(User.full_name))
            if u.id not in invited and u.has_role(Role.REVIEWER, Role.MEMBER, Role.PARTNER)]


def _page(debrief: Debrief, status: int = 200, questions: dict | None = None, **forms):
    """The meeting page; `questions` carries the key questions' forms, conflicts and refusals back to it."""
    from app.meetings.contributions import questions_context

    meeting = debrief.meeting
    if "meeting_form" not in forms:
        if meeting:
            local = meeting.starts_at.astimezone(LONDON)
            forms["meeting_form"] = MeetingForm(formdata=None, obj=meeting, date=local.date(), start=local.time(),
                                                version=meeting.version)
        else:
            forms["meeting_form"] = MeetingForm(formdata=None, version=0)
    user_form = forms.setdefault("user_form", InviteUserForm(formdata=None))
    user_form.user_id.choices = user_choices(_candidates(debrief))
    forms.setdefault("external_form", InviteExternalForm(formdata=None))
    mine = next((i for i in (meeting.invitees if meeting else []) if i.user_id == current_user.id), None)
    return render_template("meetings/page.html", debrief=debrief, meeting=meeting, confirm=ConfirmForm(),
                           attendance=list(Attendance), smtp=mail.configured(), mine=mine,
                           missing=services.missing_for_gate(debrief), iopc_hold=services.iopc_hold(debrief),
                           iopc_text=services.IOPC_HOLD,
                           meeting_started=bool(meeting and meeting.starts_at <= utcnow()),
                           **questions_context(debrief, **(questions or {})), **forms), status


def _meeting(debrief: Debrief):
    if debrief.meeting is None:
        abort(404)
    return debrief.meeting


@bp.route("/debriefs/<int:debrief_id>/meeting", methods=["GET", "POST"])
@policy(*CASE_READERS)
def page(debrief_id: int):
    if request.method == "GET":
        audit.log_consultation("debrief", debrief_id, action="meeting.view")
        return _page(get_or_404(Debrief, debrief_id))
    if not may_run_debriefs():
        abort(403)
    debrief = get_or_404(Debrief, debrief_id)
    form = MeetingForm()
    if not form.validate_on_submit():
        return _page(debrief, 422, meeting_form=form)
    try:
        changed = services.schedule(debrief, form.data_for_service(), submitted_version(form))
    except services.IopcHold:
        return _page(get_or_404(Debrief, debrief_id), 409, meeting_form=form)
    except services.StaleEdit:
        db.session.rollback()
        debrief = get_or_404(Debrief, debrief_id)
        form.version.data = debrief.meeting.version if debrief.meeting else 0
        return _page(debrief, 409, meeting_form=form, conflict=True)
    flash("Meeting saved." + (" Send the updated invitations." if changed else ""), "success")
    return redirect(url_for("meetings.page", debrief_id=debrief_id))


@bp.route("/debriefs/<int:debrief_id>/meeting/cancel", methods=["POST"])
@policy(Role.REVIEWER)
def cancel(debrief_id: int):
    debrief = get_or_404(Debrief, debrief_id)
    meeting = _meeting(debrief)
    if ConfirmForm().validate_on_submit() and meeting.cancelled_at is None:
        services.cancel(meeting)
        flash("Meeting cancelled. Send the cancellation to the invitees.", "success")
    return redirect(url_for("meetings.page", debrief_id=debrief_id))


@bp.route("/debriefs/<int:debrief_id>/meeting/invite", methods=["POST"])
@policy(Role.REVIEWER)
def invite_user(debrief_id: int):
    debrief = get_or_404(Debrief, debrief_id)
    meeting = _meeting(debrief)
    form = InviteUserForm()
    form.user_id.choices = user_choices(_candidates(debrief))
    if not form.validate_on_submit():
        return _page(debrief, 422, user_form=form)
    services.invite_user(meeting, db.session.get(User, form.user_id.data))
    flash("Invited.", "success")
    return redirect(url_for("meetings.page", debrief_id=debrief_id) + "#invitees")


@bp.route("/debriefs/<int:debrief_id>/meeting/invite-external", methods=["POST"])
@policy(Role.REVIEWER)
def invite_external(debrief_id: int):
    debrief = get_or_404(Debrief, debrief_id)
    meeting = _meeting(debrief)
    form = InviteExternalForm()
    if not form.validate_on_submit():
        return _page(debrief, 422, external_form=form)
    services.invite_external(meeting, name=form.name.data, agency=form.agency.data, email=form.email.data)
    flash("Invited.", "success")
    return redirect(url_for("meetings.page", debrief_id=debrief_id) + "#invitees")


@bp.route("/debriefs/<int:debrief_id>/meeting/attendance", methods=["POST"])
@policy(Role.REVIEWER)
def attendance(debrief_id: int):
    debrief = get_or_404(Debrief, debrief_id)
    meeting = _meeting(debrief)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    allowed = {a.value for a in Attendance}
    values = {i.id: request.form.get(f"attendance-{i.id}") for i in meeting.invitees}
    if any(v not in allowed for v in values.values() if v):
        abort(400)
    acks = {i.id for i in meeting.invitees if request.form.get(f"ack-{i.id}") == "1"}
    try:
        services.record_attendance(meeting, values, acks, current_user._get_current_object())
    except services.IopcHold:
        return _page(get_or_404(Debrief, debrief_id), 409)
    flash("Attendance saved.", "success")
    return redirect(url_for("meetings.page", debrief_id=debrief_id) + "#invitees")


@bp.route("/debriefs/<int:debrief_id>/confidentiality")
@policy(Role.PARTNER)
def confidentiality(debrief_id: int):
    """The terms a partner acknowledges before seeing anything of the debrief (app.meetings.confidentiality)."""
    from app.meetings.confidentiality import terms_page

    debrief = get_or_404(Debrief, debrief_id)
    return terms_page(debrief, services.invitation_of(debrief, current_user), AcknowledgeForm(
        formdata=None, next=request.args.get("next")))


@bp.route("/debriefs/<int:debrief_id>/meeting/acknowledge", methods=["POST"])
@policy(Role.PARTNER)
def acknowledge(debrief_id: int):
    from app.auth.safe_next import safe_next

    debrief = get_or_404(Debrief, debrief_id)
    meeting = _meeting(debrief)
    mine = next((i for i in meeting.invitees if i.user_id == current_user.id), None)
    form = AcknowledgeForm()
    if mine is None or not form.validate_on_submit():
        abort(404)
    services.acknowledge(mine, current_user._get_current_object())
    flash("Thank you: your acknowledgement is recorded.", "success")
    return redirect(safe_next(form.next.data) or url_for("meetings.page", debrief_id=debrief_id))


# ---- taking someone off the meeting: confirm, then remove (a row of the table with htmx, a page without) ----

def _invitee(meeting, invitee_id: int) -> Invitee:
    invitee = db.session.get(Invitee, invitee_id)
    if invitee is None or invitee.meeting_id != meeting.id:
        abort(404)
    return invitee


@bp.route("/debriefs/<int:debrief_id>/meeting/invitees/<int:invitee_id>")
@policy(Role.REVIEWER)
def invitee_row(debrief_id: int, invitee_id: int):
    """One invitee's row of the table (htmx "Keep them"); a browser is sent to the meeting page."""
    debrief = get_or_404(Debrief, debrief_id)
    invitee = _invitee(_meeting(debrief), invitee_id)
    if not is_htmx():
        return redirect(url_for("meetings.page", debrief_id=debrief_id) + f"#invitee-{invitee.id}")
    audit.log_consultation("invitee", invitee.id, action="meeting.invitee")
    return render_template("meetings/_invitee_row.html", i=invitee, debrief=debrief, meeting=debrief.meeting,
                           attendance=list(Attendance))


@bp.route("/debriefs/<int:debrief_id>/meeting/invitees/<int:invitee_id>/remove", methods=["GET", "POST"])
@policy(Role.REVIEWER)
def remove_invitee(debrief_id: int, invitee_id: int):
    debrief = get_or_404(Debrief, debrief_id)
    meeting = _meeting(debrief)
    invitee = _invitee(meeting, invitee_id)
    context = dict(i=invitee, debrief=debrief, meeting=meeting, confirm=ConfirmForm(), smtp=mail.configured(),
                   started=meeting.starts_at <= utcnow())
    if request.method == "GET":
        audit.log_consultation("invitee", invitee.id, action="meeting.invitee_remove")
        return render_template("meetings/_invitee_remove.html" if is_htmx() else "meetings/remove.html", **context)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    removed = services.remove_invitee(invitee, debrief.reference)
    message = f"{removed.name} is no longer invited."
    if removed.emailed:
        message += " A cancellation was emailed to them."
    elif removed.emailed is False:
        message += " The email server could not be reached, so no cancellation was sent: let them know yourself."
    if removed.access_removed:
        message += " They can no longer see this debrief."
    if not is_htmx():
        flash(message, "success" if removed.emailed is not False else "warning")
        return redirect(url_for("meetings.page", debrief_id=debrief_id) + "#invitees")
    response = make_response(render_template("meetings/_invitee_removed.html", invitee_id=invitee_id,
                                             message=message))
    return trigger(response, "showMessage", {"level": "info", "message": message})


@bp.route("/debriefs/<int:debrief_id>/meeting/invitation.ics")
@policy(*CASE_READERS)
def invitation(debrief_id: int):
    debrief = get_or_404(Debrief, debrief_id)
    meeting = _meeting(debrief)
    invitee = None
    if request.args.get("invitee"):
        invitee = db.session.get(Invitee, request.args.get("invitee", type=int) or 0)
        if invitee is None or invitee.meeting_id != meeting.id or not (may_run_debriefs()
                                                                      or invitee.user_id == current_user.id):
            abort(404)
    audit.disclosure("debrief", debrief.id, recipient=f"invitee {invitee.id}" if invitee else "downloading user",
                     action="meeting.ics")
    body = ics(meeting, debrief.reference, invitee)
    db.session.commit()
    method = "CANCEL" if meeting.cancelled_at else "REQUEST"
    return Response(body, mimetype="text/calendar", headers={
        "Content-Type": f"text/calendar; method={method}; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{debrief.reference}-debrief-meeting.ics"'})


@bp.route("/debriefs/<int:debrief_id>/meeting/send", methods=["POST"])
@policy(Role.REVIEWER)
def send(debrief_id: int):
    debrief = get_or_404(Debrief, debrief_id)
    meeting = _meeting(debrief)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not mail.configured():
        flash("Email is not set up on this server: download each invitation and send it yourself.", "error")
        return redirect(url_for("meetings.page", debrief_id=debrief_id))
    try:
        count = services.send_invitations(meeting, debrief.reference)
    except services.IopcHold:
        return _page(get_or_404(Debrief, debrief_id), 409)
    except OSError:
        db.session.rollback()
        flash("The email server could not be reached. Nothing was sent; try again later.", "error")
        return redirect(url_for("meetings.page", debrief_id=debrief_id))
    flash(f"Sent {count} email{'s' if count != 1 else ''}." if count else "Everyone with an email address already "
          "has the current invitation.", "success")
    return redirect(url_for("meetings.page", debrief_id=debrief_id))

