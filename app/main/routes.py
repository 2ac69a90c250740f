from flask import render_template
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db

from app.auth import sessions
from app.main import bp
from app.permissions import policy


@bp.route("/")
@policy()
def home():
    user = current_user._get_current_object()
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
