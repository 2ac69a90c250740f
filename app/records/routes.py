"""Retention review, legal holds and disposal: a debrief's records page, and the retention queue."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import audit
from app.debriefs.timeliness import today
from app.extensions import db
from app.models import Debrief, Disposal, LegalHold, Role
from app.permissions import BOARD_ROLES, get_or_404, policy
from app.records import bp, services
from app.records.forms import (
    AccessReasonForm,
    ActionForm,
    CategoryForm,
    ConfirmDisposalForm,
    HoldForm,
    PersonSearchForm,
    QueueForm,
    ReleaseForm,
    ReviewForm,
)
from app.versioning import StaleEdit


def _actor():
    return current_user._get_current_object()


def _page(debrief: Debrief, status: int = 200, error: str | None = None, **forms):
    retention = debrief.retention
    category = forms.get("category_form") or CategoryForm(
        formdata=None, category=retention.category_id if retention else None,
        version=retention.version if retention else 0)
    category.category.choices = [(c.id, f"{c.name} (review every {c.review_years} years)")
                                 for c in services.categories()]
    review = forms.get("review_form") or ReviewForm(formdata=None, version=retention.version if retention else 0)
    pending = services.pending_disposals(debrief.id)
    return render_template(
        "records/debrief.html", debrief=debrief, retention=retention, reviews=services.reviews(debrief.id),
        holds=services.holds(debrief.id), in_force=services.holds_in_force(debrief.id),
        disposals=services.disposals(debrief.id), pending=pending[0] if pending else None,
        may_confirm=bool(pending) and services.may_confirm(pending[0], current_user), today=today(),
        category_form=category, review_form=review, hold_form=forms.get("hold_form") or HoldForm(formdata=None),
        release_form=forms.get("release_form") or ReleaseForm(formdata=None),
        confirm_form=forms.get("confirm_form") or ConfirmDisposalForm(formdata=None), action_form=ActionForm(),
        unfinished=services.unfinished_actions(debrief.id), error=error), status


def _done(debrief_id: int, message: str):
    flash(message, "success")
    return redirect(url_for("records.debrief", debrief_id=debrief_id))


@bp.route("/debriefs/<int:debrief_id>/retention")
@policy(Role.REVIEWER)
def debrief(debrief_id: int):
    audit.log_consultation("retention", debrief_id)
    return _page(get_or_404(Debrief, debrief_id))


@bp.route("/debriefs/<int:debrief_id>/retention/category", methods=["POST"])
@policy(Role.REVIEWER)
def categorise(debrief_id: int):
    item = get_or_404(Debrief, debrief_id)
    form = CategoryForm()
    form.category.choices = [(c.id, c.name) for c in services.categories()]
    if not form.validate_on_submit():
        return _page(item, 422, category_form=form)
    try:
        services.set_category(item, form.category.data, int(form.version.data or 0), _actor())
    except StaleEdit:
        db.session.rollback()
        return _page(get_or_404(Debrief, debrief_id), 409, error="Someone else changed this debrief's retention "
                     "since you opened the page. The page now shows their change; choose again if you still need to.")
    except services.Refused as exc:
        db.session.rollback()
        return _page(get_or_404(Debrief, debrief_id), 422, error=str(exc))
    return _done(debrief_id, "Retention category saved; the next review date follows from it.")


@bp.route("/debriefs/<int:debrief_id>/retention/review", methods=["POST"])
@policy(Role.REVIEWER)
def review(debrief_id: int):
    item = get_or_404(Debrief, debrief_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        return _page(item, 422, review_form=form)
    try:
        disposal = services.record_review(item, form.decision.data, form.rationale.data.strip(),
                                          form.next_review_on.data, int(form.version.data or 0), _actor(), today())
    except StaleEdit:
        db.session.rollback()
        form.version.data = get_or_404(Debrief, debrief_id).retention.version
        return _page(get_or_404(Debrief, debrief_id), 409, review_form=form,
                     error="Someone else recorded a review or changed the category since you opened the page. "
                           "Your rationale is kept below; check their change, then record yours again.")
    except services.Refused as exc:
        db.session.rollback()
        return _page(get_or_404(Debrief, debrief_id), 422, review_form=form, error=str(exc))
    if disposal:
        return _done(debrief_id, "Review recorded: disposal proposed. A second person must confirm it.")
    return _done(debrief_id, f"Review recorded: retained until the next review on {form.next_review_on.data:%d %b %Y}.")


@bp.route("/debriefs/<int:debrief_id>/retention/holds", methods=["POST"])
@policy(Role.REVIEWER)
def place_hold(debrief_id: int):
    item = get_or_404(Debrief, debrief_id)
    form = HoldForm()
    if not form.validate_on_submit():
        return _page(item, 422, hold_form=form)
    try:
        services.place_hold(item, form.reason.data, (form.detail.data or "").strip(), form.until.data, _actor())
    except services.Refused as exc:
        db.session.rollback()
        return _page(get_or_404(Debrief, debrief_id), 422, hold_form=form, error=str(exc))
    return _done(debrief_id, "Legal hold placed: this debrief cannot be disposed of while it is in force.")


@bp.route("/debriefs/<int:debrief_id>/retention/holds/<int:hold_id>/release", methods=["POST"])
@policy(Role.REVIEWER)
def release_hold(debrief_id: int, hold_id: int):
    item = get_or_404(Debrief, debrief_id)
    hold = db.session.get(LegalHold, hold_id)
    if hold is None or hold.debrief_id != item.id:
        abort(404)
    form = ReleaseForm()
    if not form.validate_on_submit():
        return _page(item, 422, release_form=form)
    try:
        services.release_hold(hold, form.note.data.strip(), _actor())
    except services.Refused as exc:
        db.session.rollback()
        return _page(get_or_404(Debrief, debrief_id), 422, error=str(exc))
    return _done(debrief_id, "Legal hold released.")


def _disposal(disposal_id: int) -> tuple[Disposal, Debrief]:
    disposal = db.session.get(Disposal, disposal_id)
    if disposal is None:
        abort(404)
    return disposal, db.session.get(Debrief, disposal.debrief_id)


@bp.route("/retention/disposals/<int:disposal_id>/withdraw", methods=["POST"])
@policy(Role.REVIEWER)
def withdraw(disposal_id: int):
    disposal, item = _disposal(disposal_id)
    get_or_404(Debrief, item.id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.withdraw(disposal, _actor())
    except services.Refused as exc:
        db.session.rollback()
        return _page(get_or_404(Debrief, item.id), 422, error=str(exc))
    return _done(item.id, "Disposal proposal withdrawn.")


@bp.route("/retention/disposals/<int:disposal_id>/confirm", methods=["POST"])
@policy(Role.REVIEWER, Role.ADMIN)
def confirm(disposal_id: int):
    disposal, item = _disposal(disposal_id)
    form = ConfirmDisposalForm()
    back_to_queue = request.form.get("from") == "queue" or not current_user.has_role(Role.REVIEWER)
    if form.validate_on_submit():
        try:
            services.confirm(disposal, form.reference.data, _actor())
        except services.Refused as exc:
            db.session.rollback()
            form.reference.errors = [str(exc)]
        else:
            flash(f"{item.reference}: personal data disposed of. The anonymised learning, actions and dates "
                  "are kept.", "success")
            return redirect(url_for("records.queue", show="disposed") if back_to_queue
                            else url_for("records.debrief", debrief_id=item.id))
    if back_to_queue:
        return _queue_page(QueueForm(formdata=None, show="disposal"), 422, confirm_form=form, failed=disposal.id)
    return _page(get_or_404(Debrief, item.id), 422, confirm_form=form)


@bp.route("/retention")
@policy(Role.REVIEWER, Role.ADMIN, Role.AUDITOR)
def queue():
    form = QueueForm(request.args)
    if not form.validate() or form.show.data not in dict(services.SHOW):
        form.show.data = "due"
    return _queue_page(form)


def _queue_page(form: QueueForm, status: int = 200, confirm_form=None, failed: int | None = None):
    on = today()
    rows = services.queue(form.show.data, on)
    audit.log_consultation("retention", None, action="retention.queue",
                           reason=f"{form.show.data}: {len(rows)} debrief{'s' if len(rows) != 1 else ''}")
    audit.shown(r.debrief_id for r in rows)
    return render_template("records/queue.html", form=form, rows=rows, counts=services.counts(on),
                           shows=services.SHOW, today=on, confirm_form=confirm_form or ConfirmDisposalForm(
                               formdata=None), failed=failed,
                           may_confirm=lambda d: services.may_confirm(d, current_user)), status


@bp.route("/people")
@policy(Role.REVIEWER)
def people():
    """Cross-case person search. The search is logged as a consultation: which fields were searched on and
    which people were shown, never what was typed."""
    from app.records.people import search

    form = PersonSearchForm(request.args)
    if not request.args:
        return render_template("records/people.html", form=form, found=None, total=0)
    if not form.validate():
        return render_template("records/people.html", form=form, found=None, total=0), 422
    criteria = [f for f in ("name", "date_of_birth") if getattr(form, f).data]
    audit.log_consultation("subject", None, action="people.search", fields=criteria)
    found, total = search((form.name.data or "").strip(), form.date_of_birth.data)
    audit.shown(f.subject.id for f in found)
    return render_template("records/people.html", form=form, found=found, total=total)


@bp.route("/debriefs/<int:debrief_id>/access-reason", methods=["GET", "POST"])
@policy(*BOARD_ROLES)
def access_reason(debrief_id: int):
    from app.auth.safe_next import safe_next
    from app.records import access

    item = get_or_404(Debrief, debrief_id)
    form = AccessReasonForm(next=request.args.get("next"))
    if form.validate_on_submit():
        access.remember(item.id, form.reason.data)
        return redirect(safe_next(form.next.data) or url_for("debriefs.detail", debrief_id=item.id))
    return render_template("records/access_reason.html", debrief=item, form=form), 422 if form.errors else 200
