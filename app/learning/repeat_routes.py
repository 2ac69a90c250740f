"""Linking a learning point to the exact earlier learning it repeats, and untying it."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import audit
from app.extensions import db
from app.forms import submitted_version
from app.learning import bp, repeats
from app.learning.forms import RepeatLinkForm, VersionForm
from app.models import Debrief, LearningPoint, Role
from app.permissions import get_or_404, policy
from app.versioning import StaleEdit


def _point(debrief: Debrief, point_id: int) -> LearningPoint:
    point = db.session.get(LearningPoint, point_id)
    if point is None or point.debrief_id != debrief.id:
        abort(404)
    return point


def _prefix(key: str) -> str:
    return "s-" + key.replace(":", "-")


def _forms(point: LearningPoint, suggestions, posted: RepeatLinkForm | None = None) -> dict:
    forms = {}
    for s in suggestions:
        if posted is not None and posted.target.data == s.key:
            forms[s.key] = posted
            continue
        form = RepeatLinkForm(formdata=None, prefix=_prefix(s.key), version=point.version, target=s.key)
        form.repeat.data = (point.repeat if point.repeat != "new" and point.repeats_point_id is None
                            and point.repeats_exchange_id is None else s.default_repeat)
        forms[s.key] = form
    return forms


def _page(debrief: Debrief, point: LearningPoint, status: int = 200, posted: RepeatLinkForm | None = None,
          error: str | None = None, conflict: bool = False):
    suggestions = [] if point.kind != "improvement" else repeats.suggest(
        point.statement, [t.id for t in point.themes], debrief.id, current_user, before=point.created_at,
        exclude_point_id=point.id)
    forward, backward = repeats.links_for([point], current_user)
    # The current link always shows, even when it no longer ranks among the suggestions.
    return render_template("learning/repeat.html", debrief=debrief, point=point, suggestions=suggestions,
                           forms=_forms(point, suggestions, posted), linked=forward.get(point.id),
                           repeated_in=backward.get(point.id, []), unlink_form=VersionForm(formdata=None,
                                                                                           version=point.version),
                           error=error, conflict=conflict), status


@bp.route("/debriefs/<int:debrief_id>/learning/<int:point_id>/repeat", methods=["GET", "POST"])
@policy(Role.REVIEWER)
def repeat(debrief_id: int, point_id: int):
    """Earlier learning this point may repeat, best first, each with a form that links it."""
    audit.log_consultation("learning_point", point_id, action="learning_point.repeat_view")
    debrief = get_or_404(Debrief, debrief_id)
    point = _point(debrief, point_id)
    if request.method == "GET":
        return _page(debrief, point)
    target = request.form.get("target_key", "")
    form = RepeatLinkForm(request.form, prefix=_prefix(target))
    if not form.validate_on_submit():
        return _page(debrief, point, 422, posted=form)
    try:
        earlier = repeats.resolve(form.target.data, point, current_user)
        repeats.link(point, earlier, form.repeat.data, submitted_version(form))
    except repeats.NotLinkable as exc:
        db.session.rollback()
        form.repeat.errors = [*form.repeat.errors, str(exc)]
        return _page(debrief, point, 422, posted=form, error=str(exc))
    except StaleEdit:
        db.session.rollback()
        point = _point(get_or_404(Debrief, debrief_id), point_id)
        return _page(debrief, point, 409, conflict=True)
    flash(f"{point.label} linked to the earlier learning it repeats.", "success")
    return redirect(url_for("learning.page", debrief_id=debrief_id) + f"#lp-{point_id}")


@bp.route("/debriefs/<int:debrief_id>/learning/<int:point_id>/repeat/unlink", methods=["POST"])
@policy(Role.REVIEWER)
def unlink_repeat(debrief_id: int, point_id: int):
    debrief = get_or_404(Debrief, debrief_id)
    point = _point(debrief, point_id)
    form = VersionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        repeats.unlink(point, submitted_version(form))
    except StaleEdit:
        db.session.rollback()
        point = _point(get_or_404(Debrief, debrief_id), point_id)
        return _page(debrief, point, 409, conflict=True)
    flash(f"{point.label} is no longer linked to earlier learning; it is recorded as new.", "success")
    return redirect(url_for("learning.repeat", debrief_id=debrief_id, point_id=point_id))
