from flask import current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db

from app.auth import sessions
from app.main import bp
from app.models import Action, Role
from app.permissions import policy


def _owns_unfinished_actions(user) -> bool:
    from app.learning.overdue import DONE

    return db.session.scalar(select(Action.id).where(Action.owner_user_id == user.id,
                                                     Action.status.not_in(DONE)).limit(1)) is not None


@bp.route("/")
@policy()
def home():
    """Action owners land on My actions; everyone else on the overview of what their roles open."""
    user = current_user._get_current_object()
    if not user.has_role(Role.REVIEWER) and _owns_unfinished_actions(user):
        previous = sessions.previous_sign_in(user)
        if previous and not session.get("told_previous_sign_in"):  # the home page says it; so does this, once
            where = f" from {previous.client_addr}" if previous.client_addr else ""
            flash(f"Your previous sign-in was on {current_app.jinja_env.filters['when'](previous.created_at)}{where}. "
                  "If that was not you, change your password now and tell force IT.", "info")
            session["told_previous_sign_in"] = True
        return redirect(url_for("actions.board", owner="me"))
    return render_template("main/home.html", user=user, previous=sessions.previous_sign_in(user))


@bp.route("/healthz")
@policy(public=True)
def healthz():
    """For load balancers and monitoring: no data, no sign-in; 503 if the database is down."""
    headers = {"Content-Type": "text/plain; charset=utf-8"}
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except SQLAlchemyError:
        db.session.rollback()
        return "unavailable\n", 503, headers
    return "ok\n", 200, headers
