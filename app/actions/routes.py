"""The action board: every action a user may see, filtered by what the URL says, as a list or by status."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

from app import audit, disclosure
from app.actions import bp, queries
from app.actions.forms import ActionFilterForm
from app.exports import csv_response
from app.extensions import db
from app.htmx import render
from app.learning.forms import RecipientForm
from app.learning.overdue import is_overdue
from app.learning.services import active_themes
from app.models import ActionStatus, Role, utcnow
from app.permissions import BOARD_ROLES, may_update_action, policy


def _filters(args) -> tuple[ActionFilterForm, queries.ActionFilters]:
    form = ActionFilterForm(args)
    form.set_choices(queries.owner_choices(current_user), active_themes(), queries.department_choices(current_user))
    if not form.validate():
        return form, queries.ActionFilters()
    owner = form.owner.data or None
    return form, queries.ActionFilters(owner=owner, status=form.status.data or None, overdue=bool(form.overdue.data),
                                       due_within=form.due_within.data, debrief=(form.debrief.data or "").strip() or None,
                                       theme=form.theme.data, department=form.department.data or None,
                                       age=form.age.data or None,
                                       view="columns" if form.view.data == "columns" else None,
                                       page=form.page.data or 1)


@bp.route("/actions")
@policy(*BOARD_ROLES)
def board():
    """My actions (owner=me) is the home of anyone who owns actions; everyone else starts with every action."""
    audit.log_consultation("action", None, action="actions.view")
    form, filters = _filters(request.args)
    stmt = queries.filtered(filters, current_user)
    counts = queries.counts(filters, current_user)
    total = counts.get(filters.status, 0) if filters.status else counts["all"]
    if filters.view == "columns":
        columns = queries.by_status(stmt)
        actions = [a for column in columns.values() for a in column]
    else:
        columns = None
        actions = queries.rows(stmt, filters.page)
    pages = max(1, -(-total // queries.PAGE_SIZE))
    audit.shown(a.id for a in actions)
    return render("actions/board.html", "actions/_list.html", form=form, filters=filters, actions=actions,
                  columns=columns, counts=counts, total=total, pages=pages, statuses=list(ActionStatus),
                  is_overdue=is_overdue, may_update_action=may_update_action,
                  export_form=RecipientForm(formdata=None))


@bp.route("/actions/export", methods=["POST"])
@policy(Role.REVIEWER, Role.WORKING_GROUP)
def export():
    form = RecipientForm()
    if not form.validate_on_submit():
        flash("Say who the export is for.", "error")
        return redirect(url_for("actions.board", **request.args)), 303
    _, filters = _filters(request.args)
    actions = queries.rows(queries.filtered(filters, current_user), size=None)
    audit.disclosure("action", None, recipient=form.recipient.data, action="actions.export")
    disclosure.pseudonymise_response()  # an action list travels beyond the review team: pseudonyms only
    rows = [[a.reference(a.debrief_row.reference), a.what, a.owner_label, a.accountable_lead or "",
             a.department or "", a.due_on.isoformat(), ActionStatus(a.status).label,
             "yes" if is_overdue(a) else "no", a.priority, a.scope,
             a.completed_on.isoformat() if a.completed_on else "", a.closed_on.isoformat() if a.closed_on else ""]
            for a in actions]
    response = csv_response(["reference", "what", "owner", "accountable lead", "department", "due", "status",
                             "overdue", "priority", "scope", "completed on", "closed on"], rows,
                            f"actions-{utcnow():%Y%m%d}.csv")
    db.session.commit()
    return response
