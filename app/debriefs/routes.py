"""The board, referral capture, the debrief page and stage moves."""
from urllib.parse import parse_qs, urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from app import audit
from app.auth.safe_next import safe_next
from app.debriefs import bp, dwell, queries, services
from app.debriefs.forms import (
    BoardFilterForm,
    DecisionForm,
    EditReferralForm,
    ListFilterForm,
    MoveForm,
    ParticipantForm,
    ReferralForm,
)
from app.debriefs.moves import move_response
from app.chronology.services import summary as chronology_summary
from app.extensions import db
from app.forms import submitted_version
from app.scoping.forms import ConfirmForm, SubjectForm
from app.htmx import render
from app.models import Debrief, Decision, Role, Stage, User
from app.permissions import BOARD_ROLES, get_or_404, may_run_debriefs, policy

LIST_PAGE_SIZE = 50


def _filter_form(form_cls, args):
    """The filter form, with the lead reviewers to choose from (staff are named to everyone)."""
    form = form_cls(args)
    form.set_reviewers(queries.reviewers())
    return form


def _filters(form) -> queries.BoardFilters:
    if not form.validate():
        return queries.BoardFilters()
    return queries.BoardFilters(category=form.category.data or None, context=form.context.data or None,
                                lead=form.lead.data or None,
                                q=(form.q.data or "").strip() or None)


def _board_context(args, room: bool) -> dict:
    audit.log_consultation("debrief", None, action="board.room" if room else "board.view")
    form = _filter_form(BoardFilterForm, args)
    filters = _filters(form)
    columns = queries.board(filters, current_user)
    audit.shown(card.debrief.id for column in columns for card in column.cards)
    return {"form": form, "filters": filters, "columns": columns, "room": room,
            "can_move": may_run_debriefs() and not room, "stages": list(Stage)}


@bp.route("/board")
@policy(*BOARD_ROLES)
def board():
    return render("debriefs/board.html", "debriefs/_board.html", **_board_context(request.args, room=False))


@bp.route("/board/room")
@policy(*BOARD_ROLES)
def room():
    return render("debriefs/room.html", "debriefs/_board.html", **_board_context(request.args, room=True))


@bp.route("/debriefs")
@policy(*BOARD_ROLES)
def list_debriefs():
    audit.log_consultation("debrief", None, action="debrief.list")
    form = _filter_form(ListFilterForm, request.args)
    filters = _filters(form)
    stmt = queries.filtered(filters, current_user)
    if form.stage.data and not form.errors:
        stmt = stmt.where(Debrief.stage == form.stage.data)
    stmt = stmt.order_by(Debrief.stage_changed_at.desc(), Debrief.id.desc())
    result = db.paginate(stmt, page=max(form.page.data or 1, 1), per_page=LIST_PAGE_SIZE, error_out=False)
    audit.shown(d.id for d in result.items)
    return render("debriefs/list.html", "debriefs/_list_table.html", form=form, result=result)


@bp.route("/debriefs/new", methods=["GET", "POST"])
@policy(Role.REVIEWER)
def new_referral():
    form = ReferralForm()
    form.set_reviewers(queries.reviewers())
    if request.method == "GET" and current_user.has_role(Role.REVIEWER):
        form.lead_reviewer_id.data = current_user.id
    if form.validate_on_submit():
        debrief = services.create_referral(form.data_for_service(), current_user._get_current_object())
        flash(f"Referral {debrief.reference} added to the board.", "success")
        return redirect(url_for("debriefs.board"))
    status = 422 if request.method == "POST" else 200
    return render_template("debriefs/new.html", form=form), status


@bp.route("/debriefs/<int:debrief_id>")
@policy(*BOARD_ROLES)
def detail(debrief_id: int):
    debrief = get_or_404(Debrief, debrief_id)
    audit.log_consultation("debrief", debrief.id)
    return _detail_page(debrief)


def _detail_page(debrief: Debrief, decision_form=None, participant_form=None, status: int = 200):
    card = queries.card_for(debrief)
    move_form = MoveForm(formdata=None, from_stage=debrief.stage)
    participant_form = participant_form or ParticipantForm(formdata=None)
    candidates = services.participant_candidates() if may_run_debriefs() else []
    taken = {p.user_id for p in debrief.participants}
    participant_form.user_id.choices = [SelectChoice(u.id, f"{u.full_name} ({u.agency.name if u.agency else 'force'})")
                                        for u in candidates if u.id not in taken]
    return render_template("debriefs/detail.html", debrief=debrief, card=card, move_form=move_form,
                           decision_form=decision_form or DecisionForm(formdata=None), stages=list(Stage),
                           participant_form=participant_form, params=debrief.parameters,
                           chronology=chronology_summary(debrief), reviews=_review_rows(debrief),
                           subject_form=SubjectForm(formdata=None), confirm=ConfirmForm(),
                           stage_times=dwell.time_in_stages(debrief.id)), status


def _review_rows(debrief: Debrief):
    from app.models import ReviewType
    from app.scoping.clocks import clocks

    recorded = {r.review_type: r for r in debrief.parallel_reviews}
    return [(kind, recorded.get(kind.value), clocks(recorded[kind.value], debrief.incident_date)
             if kind.value in recorded else []) for kind in ReviewType]


@bp.route("/debriefs/<int:debrief_id>/edit", methods=["GET", "POST"])
@policy(Role.REVIEWER)
def edit_referral(debrief_id: int):
    debrief = get_or_404(Debrief, debrief_id)
    if request.method == "GET":
        form = EditReferralForm(obj=debrief, version=debrief.version)
        form.lead_reviewer_id.data = debrief.lead_reviewer_id or 0
        audit.log_consultation("debrief", debrief.id, action="debrief.edit_view")
    else:
        form = EditReferralForm()
    form.set_reviewers(queries.reviewers())
    conflict = None
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            version = submitted_version(form)
            try:
                services.update_referral(debrief, form.data_for_service(), version)
            except services.StaleEdit:
                db.session.rollback()
                conflict = get_or_404(Debrief, debrief_id)
                form.version.data = conflict.version
                status = 409
            else:
                flash("Referral details saved.", "success")
                return redirect(url_for("debriefs.detail", debrief_id=debrief.id))
    return render_template("debriefs/edit.html", debrief=conflict or debrief, form=form, conflict=conflict), status


@bp.route("/debriefs/<int:debrief_id>/decision", methods=["POST"])
@policy(Role.REVIEWER)
def decide(debrief_id: int):
    debrief = get_or_404(Debrief, debrief_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _detail_page(debrief, decision_form=form, status=422)
    decision = Decision(form.decision.data)
    change = services.record_decision(debrief, decision=decision, rationale=form.rationale.data,
                                      decided_by=form.decided_by.data, decided_on=form.decided_on.data,
                                      actor=current_user._get_current_object(), move=form.move.data)
    where = f" and moved to {Stage(change.to_stage).label}" if change else ""
    flash(f"Decision recorded: {decision.label.lower()}{where}.", "success")
    return redirect(safe_next(request.form.get("next")) or url_for("debriefs.detail", debrief_id=debrief.id))


@bp.route("/debriefs/<int:debrief_id>/move", methods=["GET", "POST"])
@policy(Role.REVIEWER)
def move(debrief_id: int):
    debrief = get_or_404(Debrief, debrief_id)
    if request.method == "GET":
        audit.log_consultation("debrief", debrief_id, action="debrief.move_view")
        form = MoveForm(formdata=None, from_stage=debrief.stage, to_stage=request.args.get("to_stage"))
        return render_template("debriefs/move.html", debrief=debrief, form=form, refusal=None,
                               next=safe_next(request.args.get("next")))
    form = MoveForm()
    return move_response(debrief, form, _current_board_filters())


def _current_board_filters() -> queries.BoardFilters:
    """The filters of the board page the htmx request came from, so column counts match it."""
    url = request.headers.get("HX-Current-URL")
    if not url:
        return queries.BoardFilters()
    args = {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}
    try:
        lead = int(args["lead"]) if args.get("lead") else None
    except ValueError:
        lead = None
    return queries.BoardFilters(category=args.get("category") or None, context=args.get("context") or None,
                                lead=lead, q=args.get("q") or None)


@bp.route("/debriefs/<int:debrief_id>/participants", methods=["POST"])
@policy(Role.REVIEWER)
def add_participant(debrief_id: int):
    debrief = get_or_404(Debrief, debrief_id)
    form = ParticipantForm()
    form.user_id.choices = [SelectChoice(u.id, u.full_name) for u in services.participant_candidates()]
    if not form.validate_on_submit():
        return _detail_page(debrief, participant_form=form, status=422)
    user = db.session.get(User, form.user_id.data)
    services.add_participant(debrief, user, current_user._get_current_object())
    flash(f"{user.full_name} can now see {debrief.reference}.", "success")
    return redirect(url_for("debriefs.detail", debrief_id=debrief.id) + "#people")


@bp.route("/debriefs/<int:debrief_id>/participants/<int:user_id>/remove", methods=["POST"])
@policy(Role.REVIEWER)
def remove_participant(debrief_id: int, user_id: int):
    debrief = get_or_404(Debrief, debrief_id)
    if services.remove_participant(debrief, user_id):
        flash("Removed. They can no longer see this debrief.", "success")
    return redirect(url_for("debriefs.detail", debrief_id=debrief.id) + "#people")
