"""A debrief's quick-time learning: the list (everyone who may read its learning), recording and editing (the
review team), and recording that it was shared (the review team, or the owner of that piece)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import audit, notices
from app.extensions import db
from app.forms import submitted_version
from app.models import Debrief, QuickLearning, Role, Urgency
from app.permissions import BOARD_ROLES, deny, get_or_404, may_run_debriefs, policy
from app.quicktime import bp, services
from app.quicktime.forms import QuickLearningForm, ShareForm
from app.versioning import StaleEdit


def _form(debrief: Debrief, formdata=None, **kwargs) -> QuickLearningForm:
    form = QuickLearningForm(formdata, **kwargs) if formdata is not None else QuickLearningForm(formdata=None,
                                                                                                **kwargs)
    form.set_choices(services.possible_owners(debrief))
    form.now = services.now()
    return form


def _new_form(debrief: Debrief) -> QuickLearningForm:
    form = _form(debrief)
    form.set_deadline(services.default_share_by())
    return form


def _item(debrief: Debrief, number: int) -> QuickLearning:
    item = services.get(debrief, number)
    if item is None:
        abort(404)
    return item


def _disposed(debrief: Debrief) -> bool:
    return bool(debrief.retention and debrief.retention.disposed_at)


def may_share(item: QuickLearning) -> bool:
    """The review team, or the owner of this piece of learning (whose job it is to share it)."""
    return may_run_debriefs() or item.owner_user_id == current_user.id


def _share_form(item: QuickLearning) -> ShareForm:
    return ShareForm(formdata=None, prefix=f"s{item.number}", version=item.version)


def _page(debrief: Debrief, status: int = 200, form=None, share_forms=None, conflict: int | None = None):
    items = services.for_debrief(debrief)
    disposed = _disposed(debrief)
    audit.shown([q.id for q in items])
    forms = {} if disposed else {q.number: _share_form(q) for q in items if may_share(q) and not q.shared}
    forms |= share_forms or {}
    if form is None and may_run_debriefs() and not disposed:
        form = _new_form(debrief)
    now = services.now()
    return render_template("quicktime/page.html", debrief=debrief, items=items, form=form, share_forms=forms,
                           conflict=conflict, disposed=disposed, hours=services.hours_to_share(),
                           is_overdue=lambda q: services.is_overdue(q, now), urgency=_urgency), status


def _urgency(value: str) -> str:
    return Urgency(value).label


@bp.route("/debriefs/<int:debrief_id>/quick-time", methods=["GET", "POST"])
@policy(*BOARD_ROLES)
def page(debrief_id: int):
    if request.method == "GET":
        audit.log_consultation("debrief", debrief_id, action="quick_learning.view")
        return _page(get_or_404(Debrief, debrief_id))
    if not current_user.has_role(Role.REVIEWER):
        deny("debrief", debrief_id)
    debrief = get_or_404(Debrief, debrief_id)
    form = _form(debrief, request.form)
    if not form.validate_on_submit():
        return _page(debrief, 422, form=form)
    item, told = services.record(debrief, form.data_for_service(), current_user._get_current_object())
    flash(f"Quick-time learning {item.label} recorded." + notices.told(told), "success")
    return redirect(url_for("quicktime.page", debrief_id=debrief_id) + f"#q-{item.number}")


@bp.route("/debriefs/<int:debrief_id>/quick-time/<int:number>", methods=["GET", "POST"])
@policy(Role.REVIEWER)
def edit(debrief_id: int, number: int):
    audit.log_consultation("debrief", debrief_id, action="quick_learning.edit_view")
    debrief = get_or_404(Debrief, debrief_id)
    item = _item(debrief, number)
    if request.method == "GET":
        form = _form(debrief, obj=item, version=item.version)
        form.set_deadline(item.share_by)
        return render_template("quicktime/edit.html", debrief=debrief, item=item, form=form, urgency=_urgency)
    form = _form(debrief, request.form)
    form.current_share_by = item.share_by
    if not form.validate_on_submit():
        return render_template("quicktime/edit.html", debrief=debrief, item=item, form=form, urgency=_urgency), 422
    try:
        changed, told = services.update(item, form.data_for_service(), submitted_version(form),
                                        current_user._get_current_object())
    except StaleEdit:
        db.session.rollback()
        debrief = get_or_404(Debrief, debrief_id)
        item = _item(debrief, number)
        form.version.data = item.version
        return render_template("quicktime/edit.html", debrief=debrief, item=item, form=form, urgency=_urgency,
                               conflict=True), 409
    flash((f"{item.label} saved." + notices.told(told, "The new owner")) if changed
          else f"{item.label}: nothing had changed.", "success" if changed else "info")
    return redirect(url_for("quicktime.page", debrief_id=debrief_id) + f"#q-{number}")


@bp.route("/debriefs/<int:debrief_id>/quick-time/<int:number>/shared", methods=["POST"])
@policy(*BOARD_ROLES)
def share(debrief_id: int, number: int):
    """Record how it was shared: method, audience, date and by whom, like a dissemination of the document."""
    debrief = get_or_404(Debrief, debrief_id)
    item = _item(debrief, number)
    if not may_share(item):
        deny("quick_learning", item.id)
    form = ShareForm(request.form, prefix=f"s{number}")
    if not form.validate_on_submit():
        return _page(debrief, 422, share_forms={number: form})
    try:
        services.record_sharing(item, form.data_for_service(), submitted_version(form),
                                current_user._get_current_object())
    except StaleEdit:
        db.session.rollback()
        debrief = get_or_404(Debrief, debrief_id)
        form.version.data = _item(debrief, number).version
        return _page(debrief, 409, share_forms={number: form}, conflict=number)
    flash(f"Sharing of {item.label} recorded.", "success")
    return redirect(url_for("quicktime.page", debrief_id=debrief_id) + f"#q-{number}")
