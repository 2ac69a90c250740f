"""Parameters (edited in place with htmx) and the people in the case."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from wtforms import SelectChoice

from app import audit, disclosure
from app.extensions import db
from app.forms import submitted_version
from app.htmx import is_htmx
from app.models import Agency, Debrief, Role, Subject
from app.permissions import BOARD_ROLES, get_or_404, policy
from app.scoping import bp, services
from app.scoping.forms import ConfirmForm, ParametersForm, SubjectForm


def _debrief_url(debrief: Debrief, anchor: str) -> str:
    """The debrief page at a section (still "viewed as" someone else, if the reviewer chose so)."""
    return url_for("debriefs.detail", debrief_id=debrief.id, view_as=disclosure.viewing_as()) + anchor


# ---- parameters -------------------------------------------------------------------

def _parameters_form(debrief: Debrief, formdata=None) -> ParametersForm:
    params = debrief.parameters or services.blank_parameters(debrief)
    if formdata is None:
        form = ParametersForm(formdata=None, obj=params, version=params.version)
        form.subject_ids.data = [s.id for s in params.subjects]
        form.agency_ids.data = [a.id for a in params.agencies]
    else:
        form = ParametersForm(formdata)
    form.subject_ids.choices = [SelectChoice(s.id, f"{s.pseudonym} ({s.real_name})") for s in debrief.subjects]
    agencies = db.session.scalars(select(Agency).where(Agency.active).order_by(Agency.name)).all()
    form.agency_ids.choices = [SelectChoice(a.id, a.name) for a in agencies]
    return form


def _parameters(debrief: Debrief, *, editing: bool = False, form=None, status: int = 200, conflict=None):
    """The parameters section: the same fragment on the page and in htmx answers."""
    template = "scoping/_parameters_form.html" if editing else "scoping/_parameters.html"
    html = render_template(template, debrief=debrief, params=debrief.parameters, form=form, conflict=conflict,
                           confirm=ConfirmForm())
    if is_htmx():
        return html, status
    if editing:
        # The fragment is this app's own rendered template: the page shows it as markup, not as text.
        return render_template("scoping/parameters_page.html", debrief=debrief, fragment=Markup(html)), status
    return redirect(_debrief_url(debrief, "#parameters"))


@bp.route("/debriefs/<int:debrief_id>/parameters")
@policy(*BOARD_ROLES)
def parameters(debrief_id: int):
    audit.log_consultation("debrief", debrief_id, action="parameters.view")
    return _parameters(get_or_404(Debrief, debrief_id))


@bp.route("/debriefs/<int:debrief_id>/parameters/edit")
@policy(Role.REVIEWER)
def edit_parameters(debrief_id: int):
    audit.log_consultation("debrief", debrief_id, action="parameters.edit_view")
    debrief = get_or_404(Debrief, debrief_id)
    return _parameters(debrief, editing=True, form=_parameters_form(debrief))


@bp.route("/debriefs/<int:debrief_id>/parameters", methods=["POST"])
@policy(Role.REVIEWER)
def save_parameters(debrief_id: int):
    debrief = get_or_404(Debrief, debrief_id)
    form = _parameters_form(debrief, request.form)
    if not form.validate_on_submit():
        return _parameters(debrief, editing=True, form=form, status=422)
    version = submitted_version(form)
    try:
        services.save_parameters(debrief, form.data_for_service(), version=version,
                                 subject_ids=form.subject_ids.data or [], agency_ids=form.agency_ids.data or [],
                                 reason=form.reason.data, actor=current_user._get_current_object())
    except services.StaleEdit:
        db.session.rollback()
        debrief = get_or_404(Debrief, debrief_id)
        form.version.data = debrief.parameters.version if debrief.parameters else 0
        return _parameters(debrief, editing=True, form=form, status=409, conflict=debrief.parameters)
    except services.ReasonNeeded:
        db.session.rollback()
        form.reason.errors = ["Say why the signed-off parameters are changing."]
        return _parameters(get_or_404(Debrief, debrief_id), editing=True, form=form, status=422)
    if not is_htmx():
        flash("Parameters saved.", "success")
    return _parameters(get_or_404(Debrief, debrief_id))


@bp.route("/debriefs/<int:debrief_id>/parameters/sign-off", methods=["POST"])
@policy(Role.REVIEWER)
def sign_off_parameters(debrief_id: int):
    debrief = get_or_404(Debrief, debrief_id)
    if debrief.parameters is None:
        abort(404)
    services.sign_off(debrief.parameters, current_user._get_current_object())
    if not is_htmx():
        flash("Parameters signed off.", "success")
    return _parameters(get_or_404(Debrief, debrief_id))


# ---- subjects ---------------------------------------------------------------------

@bp.route("/debriefs/<int:debrief_id>/names-check", methods=["POST"])
@policy(Role.REVIEWER)
def check_names(debrief_id: int):
    """As a reviewer types: which names in this field others will see replaced (htmx, beside the field)."""
    debrief = get_or_404(Debrief, debrief_id)
    text = request.form.get(request.args.get("field", ""), "")
    return render_template("scoping/_names_found.html", found=disclosure.names_found(text, debrief.id))


@bp.route("/debriefs/<int:debrief_id>/subjects", methods=["POST"])
@policy(Role.REVIEWER)
def add_subject(debrief_id: int):
    debrief = get_or_404(Debrief, debrief_id)
    form = SubjectForm()
    if not form.validate_on_submit():
        return render_template("scoping/subject_page.html", debrief=debrief, form=form, subject=None), 422
    subject = services.add_subject(debrief, **form.details())
    flash(f"Added as {subject.pseudonym}.", "success")
    return redirect(_debrief_url(debrief, "#subjects"))


def _subject(debrief: Debrief, subject_id: int) -> Subject:
    subject = db.session.get(Subject, subject_id)
    if subject is None or subject.debrief_id != debrief.id:
        abort(404)
    return subject


@bp.route("/debriefs/<int:debrief_id>/subjects/<int:subject_id>", methods=["GET", "POST"])
@policy(Role.REVIEWER)
def edit_subject(debrief_id: int, subject_id: int):
    debrief = get_or_404(Debrief, debrief_id)
    subject = _subject(debrief, subject_id)
    if request.method == "GET":
        audit.log_consultation("subject", subject.id)
        subject = _subject(get_or_404(Debrief, debrief_id), subject_id)
        form = SubjectForm(formdata=None, obj=subject, version=subject.version)
        return render_template("scoping/subject_page.html", debrief=debrief, form=form, subject=subject)
    form = SubjectForm()
    if not form.validate_on_submit():
        return render_template("scoping/subject_page.html", debrief=debrief, form=form, subject=subject), 422
    version = submitted_version(form)
    try:
        services.update_subject(subject, version=version, **form.details())
    except services.StaleEdit:
        db.session.rollback()
        current = _subject(get_or_404(Debrief, debrief_id), subject_id)
        form.version.data = current.version
        return render_template("scoping/subject_page.html", debrief=debrief, form=form, subject=current,
                               conflict=True), 409
    flash("Saved.", "success")
    return redirect(_debrief_url(debrief, "#subjects"))


@bp.route("/debriefs/<int:debrief_id>/subjects/<int:subject_id>/delete", methods=["POST"])
@policy(Role.REVIEWER)
def delete_subject(debrief_id: int, subject_id: int):
    debrief = get_or_404(Debrief, debrief_id)
    subject = _subject(debrief, subject_id)
    pseudonym = subject.pseudonym
    services.remove_subject(subject)
    flash(f"{pseudonym} removed. The letter is not given to anyone else.", "success")
    return redirect(_debrief_url(debrief, "#subjects"))


# ---- parallel reviews ------------------------------------------------------------

@bp.route("/debriefs/<int:debrief_id>/reviews/<review_type>", methods=["GET", "POST"])
@policy(Role.REVIEWER)
def edit_review(debrief_id: int, review_type: str):
    from app.models import ReviewType
    from app.scoping.forms import ParallelReviewForm

    try:
        kind = ReviewType(review_type)
    except ValueError:
        abort(404)
    audit.log_consultation("debrief", debrief_id, action=f"review.{kind.value}.edit_view")
    debrief = get_or_404(Debrief, debrief_id)
    review = next((r for r in debrief.parallel_reviews if r.review_type == kind.value), None)
    if request.method == "GET":
        form = ParallelReviewForm(formdata=None, obj=review, version=review.version if review else 0)
        return render_template("scoping/review_page.html", debrief=debrief, kind=kind, form=form, review=review)
    form = ParallelReviewForm()
    if not form.validate_on_submit():
        return render_template("scoping/review_page.html", debrief=debrief, kind=kind, form=form, review=review), 422
    version = submitted_version(form)
    try:
        services.save_review(debrief, kind, form.data_for_service(), version)
    except services.StaleEdit:
        db.session.rollback()
        debrief = get_or_404(Debrief, debrief_id)
        current = next((r for r in debrief.parallel_reviews if r.review_type == kind.value), None)
        form.version.data = current.version if current else 0
        return render_template("scoping/review_page.html", debrief=debrief, kind=kind, form=form, review=current,
                               conflict=True), 409
    flash(f"{kind.label}: saved.", "success")
    return redirect(_debrief_url(debrief, "#reviews"))
