"""One action: its page, the owner's inline update, and each step of its lifecycle.

Every step answers htmx with a fragment (the board row, or the meeting-pack item) and a plain
form post with a redirect, so each works without JavaScript too. A stale save answers 409
with the action as it is now and the user's text kept in the form.
"""
from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from app import audit, notices
from app.actions import bp, services
from app.actions.forms import (
    ActionDetailsForm,
    ActionForm,
    CommentForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    FollowUpForm,
    OwnerUpdateForm,
)
from app.extensions import db
from app.forms import submitted_version
from app.htmx import is_htmx, trigger
from app.learning.overdue import is_overdue
from app.learning.services import active_themes, add_action
from app.models import Action, Debrief, Extension, ExtensionDecision, Role
from app.permissions import (
    BOARD_ROLES,
    deny,
    get_or_404,
    may_decide_extension,
    may_edit_action,
    may_govern_action,
    may_sign_off,
    may_update_action,
    owns,
    policy,
)
from app.versioning import StaleEdit


def plan_form(cls=ActionForm, formdata=None, **kwargs):
    form = cls(formdata, **kwargs) if formdata is not None else cls(formdata=None, **kwargs)
    form.set_choices(services.possible_owners(), services.active_teams(), active_themes())
    return form


def _update_form(action: Action, formdata=None) -> OwnerUpdateForm:
    if formdata is not None:
        return OwnerUpdateForm(formdata, prefix=f"u{action.id}")
    return OwnerUpdateForm(formdata=None, prefix=f"u{action.id}", status=action.status if action.status in
                           services.OWNER_STATUSES else None, evidence=action.evidence,
                           evidence_link=action.evidence_link, version=action.version)


def _fresh(action_id: int) -> Action:
    db.session.rollback()
    return get_or_404(Action, action_id)


def _context(action: Action, **extra) -> dict:
    return {"a": action, "is_overdue": is_overdue,
            "may_update": may_update_action(action), "may_edit": may_edit_action(),
            "may_sign_off": may_sign_off(action), "may_govern": may_govern_action(), "owns": owns(action),
            "may_decide_extension": may_decide_extension, **extra}


def _detail(action: Action, status: int = 200, **forms):
    pending = next((e for e in action.extensions if e.decision == ExtensionDecision.PENDING.value), None)
    defaults = {
        "update_form": _update_form(action),
        "extension_form": ExtensionRequestForm(formdata=None, version=action.version),
        "decision_form": ExtensionDecisionForm(formdata=None, version=action.version),
        "comment_form": CommentForm(formdata=None, version=action.version),
        "fresh_comment": CommentForm(formdata=None, version=action.version),
        "step": None,
        "follow_form": FollowUpForm(formdata=None, obj=action, version=action.version),
    }
    context = defaults | forms
    govern = context["comment_form"] if context["step"] in ("not-doing", "reopen") else CommentForm(
        formdata=None, version=action.version)
    govern.comment.label.text = "Why it is being reopened" if action.status in services.FINISHED else \
        "Rationale for not doing it"
    return render_template("actions/detail.html", pending=pending, govern_form=govern,
                           **_context(action, **context)), status


def _row(action: Action, status: int = 200, message: str | None = None):
    """The row after an update or a cancel, with focus back on its Update button for keyboard users."""
    response = make_response(render_template("actions/_row.html", focus=True, **_context(action)), status)
    return trigger(response, "showMessage", {"level": "info", "message": message}) if message else response


@bp.route("/actions/<int:action_id>")
@policy(*BOARD_ROLES)
def detail(action_id: int):
    audit.log_consultation("action", action_id, action="action.view")
    return _detail(get_or_404(Action, action_id))


@bp.route("/actions/<int:action_id>/row")
@policy(*BOARD_ROLES)
def row(action_id: int):
    if not is_htmx():  # a row is a fragment: opened directly, it is the action's page
        return redirect(url_for("actions.detail", action_id=action_id))
    audit.log_consultation("action", action_id, action="action.view_row")
    return _row(get_or_404(Action, action_id))


@bp.route("/actions/<int:action_id>/update", methods=["GET", "POST"])
@policy(*BOARD_ROLES)
def update(action_id: int):
    """The owner's inline update: status, a dated progress note, evidence, mark complete."""
    if request.method == "GET":
        audit.log_consultation("action", action_id, action="action.update_form")
    action = get_or_404(Action, action_id)
    if not may_update_action(action):
        deny("action", action_id)
    if request.method == "GET":
        if not is_htmx():
            return redirect(url_for("actions.detail", action_id=action_id) + "#update")
        form = _update_form(action)
        form.note.render_kw = {"autofocus": True}  # htmx moves focus into the opened row
        return render_template("actions/_update_row.html", form=form, **_context(action))
    form = _update_form(action, request.form)
    if form.complete.data == "1":
        form.status.data = services.COMPLETED
    if not form.validate_on_submit():
        return _update_failed(action, form, 422)
    try:
        changed = services.owner_update(action, current_user, version=submitted_version(form),
                                        status=form.status.data, note=form.note.data, note_on=form.note_on.data,
                                        evidence=form.evidence.data, evidence_link=form.evidence_link.data)
    except StaleEdit:
        action = _fresh(action_id)
        form.version.data = action.version
        return _update_failed(action, form, 409, conflict=True)
    except services.Refused as refused:
        db.session.rollback()
        _field_error(form, refused)
        return _update_failed(get_or_404(Action, action_id), form, 422)
    message = f"{action.reference(action.debrief_row.reference)}: " + (
        "saved." if changed else "nothing had changed.")
    if is_htmx():
        return _row(action, message=message)
    flash(message, "success" if changed else "info")
    return redirect(url_for("actions.detail", action_id=action_id))


def _field_error(form, refused: services.Refused) -> None:
    target = getattr(form, refused.field, None) if refused.field else None
    if target is not None:
        target.errors = [*target.errors, refused.message]
    else:
        form.form_errors.append(refused.message)


def _update_failed(action: Action, form, status: int, conflict: bool = False):
    if is_htmx():
        return render_template("actions/_update_row.html", form=form, conflict=conflict,
                               **_context(action)), status
    return _detail(action, status, update_form=form, update_conflict=conflict)


# ---- the working group's and review team's steps --------------------------------------------

STEPS = {
    # step: (service, who may take it, the service's name for the comment, what the message says was done)
    "sign-off": (services.sign_off, may_sign_off, "comment", "signed off"),
    "send-back": (services.send_back, may_sign_off, "comment", "sent back to its owner"),
    "not-doing": (services.not_doing, lambda action: may_govern_action(), "rationale", "marked not doing"),
    "reopen": (services.reopen, lambda action: may_govern_action(), "reason", "reopened"),
}


def _pack_prefix(letter: str, action_id: int) -> str:
    """The meeting pack has one form per action, its fields prefixed so their ids are unique on the page."""
    return f"{letter}{action_id}" if request.form.get("prefix") == f"{letter}{action_id}" else ""


@bp.route("/actions/<int:action_id>/sign-off", methods=["POST"], defaults={"step": "sign-off"}, endpoint="sign_off")
@bp.route("/actions/<int:action_id>/send-back", methods=["POST"], defaults={"step": "send-back"}, endpoint="send_back")
@bp.route("/actions/<int:action_id>/not-doing", methods=["POST"], defaults={"step": "not-doing"}, endpoint="not_doing")
@bp.route("/actions/<int:action_id>/reopen", methods=["POST"], defaults={"step": "reopen"}, endpoint="reopen")
@policy(Role.REVIEWER, Role.WORKING_GROUP)
def lifecycle(action_id: int, step: str):
    service, allowed, keyword, done = STEPS[step]
    action = get_or_404(Action, action_id)
    if not allowed(action):
        deny("action", action_id)
    form = CommentForm(request.form, prefix=_pack_prefix("c", action_id))
    if not form.validate_on_submit():
        return _step_failed(action, form, 422, step)
    try:
        told = service(action, current_user, version=submitted_version(form), **{keyword: form.comment.data or ""})
    except StaleEdit:
        action = _fresh(action_id)
        form.version.data = action.version
        return _step_failed(action, form, 409, step, conflict=True)
    except services.Refused as refused:
        db.session.rollback()
        form.comment.errors = [*form.comment.errors, refused.message]
        return _step_failed(get_or_404(Action, action_id), form, 422, step)
    message = f"{action.reference(action.debrief_row.reference)} {done}." + notices.told(told)
    return _step_done(action, message)


def _step_done(action: Action, message: str):
    if is_htmx():
        html = render_template("actions/_pack_done.html", message=message, **_context(action))
        return trigger(make_response(html), "showMessage", {"level": "info", "message": message})
    flash(message, "success")
    return redirect(request.form.get("next") if request.form.get("next") == url_for("actions.pack")
                    else url_for("actions.detail", action_id=action.id))


def _step_failed(action: Action, form, status: int, step: str, conflict: bool = False):
    if is_htmx():
        return render_template("actions/_pack_item.html", step_form=form, step=step, conflict=conflict,
                               **_context(action)), status
    return _detail(action, status, comment_form=form, step=step, step_conflict=conflict)


@bp.route("/actions/<int:action_id>/extension", methods=["POST"])
@policy(*BOARD_ROLES)
def request_extension(action_id: int):
    action = get_or_404(Action, action_id)
    if not may_update_action(action):
        deny("action", action_id)
    form = ExtensionRequestForm(request.form)
    if form.validate_on_submit():
        try:
            services.request_extension(action, current_user, version=submitted_version(form),
                                       new_due=form.new_due.data, reason=form.reason.data or "")
        except StaleEdit:
            action = _fresh(action_id)
            form.version.data = action.version
            return _detail(action, 409, extension_form=form, extension_conflict=True)
        except services.Refused as refused:
            db.session.rollback()
            _field_error(form, refused)
        else:
            flash("Extension requested: the working group will decide.", "success")
            return redirect(url_for("actions.detail", action_id=action_id))
    return _detail(get_or_404(Action, action_id), 422, extension_form=form)


@bp.route("/actions/<int:action_id>/extensions/<int:extension_id>/approve", methods=["POST"],
          defaults={"decision": "approve"}, endpoint="approve_extension")
@bp.route("/actions/<int:action_id>/extensions/<int:extension_id>/refuse", methods=["POST"],
          defaults={"decision": "refuse"}, endpoint="refuse_extension")
@policy(Role.WORKING_GROUP)
def decide_extension(action_id: int, extension_id: int, decision: str):
    action = get_or_404(Action, action_id)
    ext = db.session.get(Extension, extension_id)
    if ext is None or ext.action_id != action.id:
        abort(404)
    if not may_decide_extension(action, ext):
        deny("action", action_id)
    form = ExtensionDecisionForm(request.form, prefix=_pack_prefix("e", action_id))
    if not form.validate_on_submit():
        return _extension_failed(action, ext, form, 422)
    try:
        told = services.decide_extension(action, ext, current_user, version=submitted_version(form),
                                         approve=decision == "approve", note=form.note.data or "")
    except StaleEdit:
        action = _fresh(action_id)
        form.version.data = action.version
        return _extension_failed(action, db.session.get(Extension, extension_id), form, 409, conflict=True)
    except services.Refused as refused:
        db.session.rollback()
        form.note.errors = [*form.note.errors, refused.message]
        return _extension_failed(get_or_404(Action, action_id), db.session.get(Extension, extension_id), form, 422)
    return _step_done(action, f"Extension for {action.reference(action.debrief_row.reference)} "
                              f"{'approved' if decision == 'approve' else 'refused'}." + notices.told(told))


def _extension_failed(action, ext, form, status, conflict=False):
    if is_htmx():
        return render_template("actions/_pack_extension.html", e=ext, decision_form=form, conflict=conflict,
                               **_context(action)), status
    return _detail(action, status, decision_form=form, decision_conflict=conflict)


@bp.route("/actions/<int:action_id>/follow-up", methods=["POST"])
@policy(Role.REVIEWER, Role.WORKING_GROUP)
def follow_up(action_id: int):
    action = get_or_404(Action, action_id)
    form = FollowUpForm(request.form)
    if form.validate_on_submit():
        try:
            changed = services.follow_up(action, current_user, version=submitted_version(form),
                                         data=form.data_for_service())
        except StaleEdit:
            action = _fresh(action_id)
            form.version.data = action.version
            return _detail(action, 409, follow_form=form, follow_conflict=True)
        flash("Follow-up saved." if changed else "No changes to save.", "success" if changed else "info")
        return redirect(url_for("actions.detail", action_id=action_id))
    return _detail(action, 422, follow_form=form)


@bp.route("/actions/<int:action_id>/edit", methods=["GET", "POST"])
@policy(Role.REVIEWER)
def edit(action_id: int):
    """The review team's fields: what, how, owner, accountable lead, due date (with a reason), and the rest."""
    if request.method == "GET":
        audit.log_consultation("action", action_id, action="action.edit_view")
    action = get_or_404(Action, action_id)
    if request.method == "GET":
        form = plan_form(ActionDetailsForm, obj=action, version=action.version)
        form.theme_ids.data = [t.id for t in action.themes]
        return render_template("actions/edit.html", form=form, **_context(action))
    form = plan_form(ActionDetailsForm, request.form)
    form.current_due = action.due_on
    if form.validate_on_submit():
        try:
            changed = services.edit_details(action, current_user, version=submitted_version(form),
                                            data=form.data_for_service())
        except StaleEdit:
            action = _fresh(action_id)
            form.version.data = action.version
            return render_template("actions/edit.html", form=form, conflict=True, **_context(action)), 409
        except services.Refused as refused:
            db.session.rollback()
            _field_error(form, refused)
            action = get_or_404(Action, action_id)
        else:
            flash("Action saved." if changed else "No changes to save.", "success" if changed else "info")
            return redirect(url_for("actions.detail", action_id=action_id))
    return render_template("actions/edit.html", form=form, **_context(action)), 422


@bp.route("/debriefs/<int:debrief_id>/actions/new", methods=["GET", "POST"])
@policy(Role.REVIEWER)
def new(debrief_id: int):
    """An action raised on the debrief itself, not from a learning point."""
    debrief = get_or_404(Debrief, debrief_id)
    if request.method == "GET":
        audit.log_consultation("debrief", debrief_id, action="action.new_view")
        return render_template("actions/new.html", debrief=debrief, form=plan_form())
    form = plan_form(ActionForm, request.form)
    if not form.validate_on_submit():
        return render_template("actions/new.html", debrief=debrief, form=form), 422
    action = add_action(debrief, None, form.data_for_service())
    flash(f"Action {action.reference(debrief.reference)} raised.", "success")
    return redirect(url_for("actions.detail", action_id=action.id))
