"""Learning points (with the lookup of earlier learning) and the actions raised from them."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import audit
from app.chronology.services import entries
from app.extensions import db
from app.forms import submitted_version
from app.htmx import is_htmx
from app.learning import bp, repeats, services
from app.actions.forms import ActionForm
from app.actions.routes_item import plan_form
from app.learning.forms import LearningForm
from app.models import Debrief, LearningPoint, Role
from app.permissions import BOARD_ROLES, get_or_404, may_run_debriefs, policy


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


def _earlier(form, debrief: Debrief, point: LearningPoint | None = None) -> dict:
    """What the form's earlier-learning panel shows: ranked possible repeats once there is a statement, else the
    learning sharing a chosen theme."""
    theme_ids = [t for t in (form.theme_ids.data or []) if isinstance(t, int)]
    statement = form.statement.data or ""
    if statement.strip() and form.kind.data != "good_practice":
        return {"suggestions": repeats.suggest(statement, theme_ids, debrief.id, current_user,
                                               before=point.created_at if point else None,
                                               exclude_point_id=point.id if point else None),
                "earlier": [], "chosen": True}
    return {"earlier": services.earlier_learning(theme_ids, current_user, debrief.id), "suggestions": None,
            "chosen": bool(theme_ids)}


def _page(debrief: Debrief, status: int = 200, form=None, action_forms=None):
    form = form or _learning_form(debrief)
    forms = {p.id: _action_form(f"a{p.id}") for p in debrief.learning_points} | (action_forms or {})
    points = list(debrief.learning_points)
    linked, repeated_in = repeats.links_for(points, current_user)
    possible = {}
    if may_run_debriefs():  # the review team is offered possible repeats of the points not yet linked
        possible = repeats.suggest_many([(p.id, p.statement, [t.id for t in p.themes], p.created_at) for p in points
                                         if p.kind == "improvement"
                                         and not (p.repeats_point_id or p.repeats_exchange_id)], debrief.id,
                                        current_user, limit=3)
    return render_template("learning/page.html", debrief=debrief, form=form, action_forms=forms,
                           linked=linked, repeated_in=repeated_in, possible=possible,
                           **_earlier(form, debrief)), status


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
    theme_ids = [int(t) for t in request.args.getlist("theme_ids") if t.isdigit() and len(t) < 10]
    statement = (request.args.get("statement") or "")[:3000]
    point_arg = request.args.get("point", "")
    point = _point(debrief, int(point_arg)) if point_arg.isdigit() and len(point_arg) < 10 else None
    audit.log_consultation("learning_point", None, action="learning.earlier")
    if statement.strip() and request.args.get("kind") != "good_practice":
        html = render_template("learning/_earlier.html", chosen=True, suggestions=repeats.suggest(
            statement, theme_ids, debrief.id, current_user, before=point.created_at if point else None,
            exclude_point_id=point.id if point else None))
    else:
        html = render_template("learning/_earlier.html", chosen=bool(theme_ids), suggestions=None,
                               points=services.earlier_learning(theme_ids, current_user, debrief.id))
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
                               **_earlier(form, debrief, point))
    form = _learning_form(debrief, request.form)
    if not form.validate_on_submit():
        return render_template("learning/edit.html", debrief=debrief, point=point, form=form,
                               **_earlier(form, debrief, point)), 422
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
