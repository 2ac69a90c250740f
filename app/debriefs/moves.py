"""Answers to a stage move, for the board (htmx) and for plain forms (keyboard, no JavaScript).

htmx answers carry only what changed: the moved card appended to its new column,
the two column counts, and a status line, all as out-of-band swaps; the card's
old element is replaced by nothing. A refused move answers 422 with the unchanged
card, the reason and, for reviewers, the override form; the browser puts the card
back where it was dragged from.
"""
from __future__ import annotations

import json

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from app.auth.safe_next import safe_next
from app.debriefs import queries, services
from app.extensions import db
from app.htmx import is_htmx
from app.models import Debrief, Stage


def _counts(filters: queries.BoardFilters, stages: list[Stage]) -> dict[Stage, int]:
    visible = queries.filtered(filters, current_user).subquery()
    rows = db.session.execute(select(visible.c.stage, func.count())
                              .where(visible.c.stage.in_([s.value for s in stages]))
                              .group_by(visible.c.stage)).all()
    found = dict(rows)
    return {s: found.get(s.value, 0) for s in stages}


def _htmx(template: str, status: int, triggers: dict | None = None, after_settle: dict | None = None, **context):
    response = make_response(render_template(template, **context), status)
    if triggers:
        response.headers["HX-Trigger"] = json.dumps(triggers)
    if after_settle:
        response.headers["HX-Trigger-After-Settle"] = json.dumps(after_settle)
    return response


def move_response(debrief: Debrief, form, filters: queries.BoardFilters):
    actor = current_user._get_current_object()
    next_url = safe_next(request.form.get("next"))
    if not form.validate_on_submit():
        return _refused(debrief, form, None, "Choose a stage to move it to.", next_url)
    to_stage = Stage(form.to_stage.data)
    from_stage = debrief.stage_enum
    try:
        services.move(debrief, to_stage, actor, expected_from=form.from_stage.data or None,
                      reason=form.reason.data, override=form.override.data)
    except services.StaleMove:
        db.session.rollback()
        current = db.session.get(Debrief, debrief.id)
        message = (f"{current.reference} was moved by someone else and is now in {current.stage_enum.label}. "
                   "Nothing was changed.")
        if is_htmx():
            return _htmx("debriefs/_move_done.html", 409, card=queries.card_for(current), message=message,
                         level="error", stages=list(Stage),
                         counts=_counts(filters, [current.stage_enum]), triggers={"moveStale": {}})
        flash(message, "error")
        return redirect(next_url or url_for("debriefs.board"))
    except services.MoveRefused as refused:
        db.session.rollback()
        return _refused(db.session.get(Debrief, debrief.id), form, refused, None, next_url)

    message = f"{debrief.reference} moved to {to_stage.label}."
    if is_htmx():
        return _htmx("debriefs/_move_done.html", 200, card=queries.card_for(debrief), message=message,
                     level="success", stages=list(Stage),
                     counts=_counts(filters, [from_stage, to_stage]),
                     after_settle={"focusCard": {"id": f"card-{debrief.id}"}})
    flash(message, "success")
    return redirect(next_url or url_for("debriefs.board"))


def _refused(debrief: Debrief, form, refused, message: str | None, next_url: str | None):
    context = {"debrief": debrief, "form": form, "refusal": refused, "message": message, "next": next_url}
    if is_htmx():
        return _htmx("debriefs/_move_refused.html", 422, card=queries.card_for(debrief), stages=list(Stage),
                     triggers={"moveRefused": {"id": f"card-{debrief.id}"}},
                     after_settle={"focusMessage": {}}, **context)
    return render_template("debriefs/move.html", **context), 422
