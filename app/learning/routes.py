"""Learning points (with the lookup of earlier learning) and the actions raised from them."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import audit
from app.chronology.services import entries
from app.extensions import db
from app.forms import submitted_version
from app.htmx import is_htmx
from app.learning import bp, services
from app.actions.forms import ActionForm
from app.actions.routes_item import plan_form
from app.learning.forms import LearningForm
from app.models import Debrief, LearningPoint, Role
from app.permissions import BOARD_ROLES, get_or_404, policy


def _learning_form(debrief: Debrief, formdata=None, **kwargs) -> LearningForm:
    form = LearningForm(formdata, **kwargs) if formdata is not None else LearningForm(formdata=None, **kwargs)
    form.set_choices(services.active_themes(), entries(debrief))
    return form


def _action_form(prefix: str, formdata=None) -> ActionForm:
    """One form per learning point on the page, told apart by its prefix."""
    return plan_form(ActionForm, formdata, prefix=prefix)


def _point(debrief: Debrief, point_id: int) -> LearningPoint:
    point = db.session.get(LearningPoint, point_id)
    if point is None or point.debrief_id != debrief.id:
        abort(404)
    return point


def _page(debrief: Debrief, status: int = 200, form=None, action_forms=None):
    form = form or _learning_form(debrief)
    earlier = services.earlier_learning(form.theme_ids.data or [], current_user, debrief.id)
    forms = {p.id: _action_form(f"a{p.id}") for p in debrief.learning_points} | (action_forms or {})
    return render_template("learning/page.html", debrief=debrief, form=form, action_forms=forms,
                           earlier=earlier), status


@bp.route("/debriefs/<int:debrief_id>/learning", methods=["GET", "POST"])
@policy(*BOARD_ROLES)
def page(debrief_id: int):
    if request.method == "GET":
        audit.log_consultation("debrief", debrief_id, action="learning.view")
        return _page(get_or_404(Debrief, debrief_id))
    if not current_user.has_role(Role.REVIEWER):
        abort(403)
    debrief = get_or_404(Debrief, debrief_id)
    form = _learning_form(debrief, request.form)
    if not form.validate_on_submit():
        return _page(debrief, 422, form=form)
    point = services.add_learning(debrief, form.data_for_service())
    flash(f"Learning point {point.label} added.", "success")
    return redirect(url_for("learning.page", debrief_id=debrief_id) + f"#lp-{point.id}")


@bp.route("/debriefs/<int:debrief_id>/learning/earlier")
@policy(Role.REVIEWER)
def earlier(debrief_id: int):
    """Earlier learning sharing a theme: a fragment that follows the themes chosen in the form."""
    debrief = get_or_404(Debrief, debrief_id)
    theme_ids = [int(t) for t in request.args.getlist("theme_ids") if t.isdigit()]
    points = services.earlier_learning(theme_ids, current_user, debrief.id)
    audit.log_consultation("learning_point", None, action="learning.earlier")
    html = render_template("learning/_earlier.html", points=points, chosen=bool(theme_ids))
    if is_htmx():
        return html
    return redirect(url_for("learning.page", debrief_id=debrief_id))


@bp.route("/debriefs/<int:debrief_id>/learning/<int:point_id>", methods=["GET", "POST"])
@policy(Role.REVIEWER)
def edit(debrief_id: int, point_id: int):
    audit.log_consultation("learning_point", point_id, action="learning_point.edit_view")
    debrief = get_or_404(Debrief, debrief_id)
    point = _point(debrief, point_id)
    if request.method == "GET":
        form = _learning_form(debrief, obj=point, version=point.version)
        form.theme_ids.data = [t.id for t in point.themes]
        form.entry_ids.data = [e.id for e in point.evidence]
        return render_template("learning/edit.html", debrief=debrief, point=point, form=form,
                               earlier=services.earlier_learning(form.theme_ids.data, current_user, debrief.id))
    form = _learning_form(debrief, request.form)
    if not form.validate_on_submit():
        return render_template("learning/edit.html", debrief=debrief, point=point, form=form, earlier=[]), 422
    try:
        services.update_learning(point, form.data_for_service(), submitted_version(form))
    except services.StaleEdit:
        db.session.rollback()
        debrief = get_or_404(Debrief, debrief_id)
        point = _point(debrief, point_id)
        form.version.data = point.version
        return render_template("learning/edit.html", debrief=debrief, point=point, form=form, earlier=[],
                               conflict=True), 409
    flash(f"{point.label} saved.", "success")
    return redirect(url_for("learning.page", debrief_id=debrief_id) + f"#lp-{point_id}")


@bp.route("/debriefs/<int:debrief_id>/learning/<int:point_id>/actions", methods=["POST"])
@policy(Role.REVIEWER)
def add_action(debrief_id: int, point_id: int):
    debrief = get_or_404(Debrief, debrief_id)
    point = _point(debrief, point_id)
    form = _action_form(f"a{point.id}", request.form)
    if not form.validate_on_submit():
        return _page(debrief, 422, action_forms={point.id: form})
    action = services.add_action(debrief, point, form.data_for_service())
    flash(f"Action {action.reference(debrief.reference)} raised.", "success")
    return redirect(url_for("learning.page", debrief_id=debrief_id) + f"#lp-{point_id}")
