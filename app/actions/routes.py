"""The action board: every action a user may see, filtered by what the URL says."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app import audit
from app.actions import bp, queries
from app.actions.forms import ActionFilterForm
from app.exports import csv_response
from app.extensions import db
from app.htmx import render
from app.learning.forms import RecipientForm
from app.learning.overdue import is_overdue
from app.learning.services import active_themes
from app.models import ActionStatus, Role, Subject, utcnow
from app.names import masker
from app.permissions import BOARD_ROLES, policy, sees_case_text, sees_staff_names


def _filters(args) -> tuple[ActionFilterForm, queries.ActionFilters]:
    form = ActionFilterForm(args)
    form.set_choices(queries.owner_choices(current_user) if sees_staff_names() else [],
                     queries.debrief_choices(current_user), active_themes())
    if not form.validate():
        return form, queries.ActionFilters()
    owner = form.owner.data or None
    if owner and owner != "me" and not sees_staff_names() and owner.startswith("user:"):
        owner = None  # the board and working group filter by team, never by a named person
    return form, queries.ActionFilters(owner=owner, status=form.status.data or None, overdue=bool(form.overdue.data),
                                       due_within=form.due_within.data, debrief=form.debrief.data,
                                       theme=form.theme.data)


def _presenters(actions):
    """What each row may show: text with names replaced for all but the review team, owners by name only
    where staff names may be seen."""
    if sees_case_text():
        masks = {}
    else:
        debrief_ids = {a.debrief_id for a in actions}
        subjects = db.session.scalars(select(Subject).where(Subject.debrief_id.in_(debrief_ids or [-1]))).all()
        masks = {d: masker([s for s in subjects if s.debrief_id == d]) for d in debrief_ids}

    def text(action, value):
        return masks[action.debrief_id](value) if action.debrief_id in masks else (value or "")

    def owner(action):
        if action.owner_team or sees_staff_names():
            return action.owner_label
        return action.owner_user.agency.name if action.owner_user and action.owner_user.agency else "Force staff"

    return text, owner


@bp.route("/actions")
@policy(*BOARD_ROLES)
def board():
    audit.log_consultation("action", None, action="actions.view")
    form, filters = _filters(request.args)
    actions = queries.rows(queries.filtered(filters, current_user))
    text, owner = _presenters(actions)
    return render("actions/board.html", "actions/_list.html", form=form, filters=filters, actions=actions,
                  counts=queries.counts(filters, current_user), statuses=list(ActionStatus), text=text,
                  owner=owner, is_overdue=is_overdue, export_form=RecipientForm(formdata=None))


@bp.route("/actions/export", methods=["POST"])
@policy(Role.REVIEWER, Role.WORKING_GROUP)
def export():
    form = RecipientForm()
    if not form.validate_on_submit():
        flash("Say who the export is for.", "error")
        return redirect(url_for("actions.board", **request.args)), 303
    _, filters = _filters(request.args)
    actions = queries.rows(queries.filtered(filters, current_user))
    text, owner = _presenters(actions)
    audit.disclosure("action", None, recipient=form.recipient.data, action="actions.export")
    rows = [[a.reference(a.debrief_row.reference), text(a, a.what), owner(a), a.due_on.isoformat(),
             ActionStatus(a.status).label, "yes" if is_overdue(a) else "no", a.priority, a.scope] for a in actions]
    response = csv_response(["reference", "what", "owner", "due", "status", "overdue", "priority", "scope"], rows,
                            f"actions-{utcnow():%Y%m%d}.csv")
    db.session.commit()
    return response
