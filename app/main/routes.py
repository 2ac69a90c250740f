from flask import current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app import audit
from app.auth import sessions
from app.extensions import db
from app.learning.overdue import is_overdue
from app.main import bp
from app.main import home as queries  # the page's reads (the module shares the view's name)
from app.permissions import policy


def _tell_previous_sign_in_once(user) -> None:
    """Someone sent straight on from the home page still hears about their previous sign-in, once."""
    previous = sessions.previous_sign_in(user)
    if previous and not session.get("told_previous_sign_in"):
        where = f" from {previous.client_addr}" if previous.client_addr else ""
        flash(f"Your previous sign-in was on {current_app.jinja_env.filters['when'](previous.created_at)}{where}. "
              "If that was not you, change your password now and tell force IT.", "info")
        session["told_previous_sign_in"] = True


@bp.route("/")
@policy()
def home():
    """Each role's work, one section per role held; the board alone goes straight to its dashboard."""
    user = current_user._get_current_object()
    if queries.only_board(user):
        _tell_previous_sign_in_once(user)
        return redirect(url_for("governance.dashboard"))
    sections = queries.sections_for(user)
    if queries.LISTING_SECTIONS.intersection(sections):
        audit.log_consultation("debrief", None, action="home.view")
    context = {"quick_overdue": queries.quick_time_overdue(user)}
    if context["quick_overdue"] and not queries.LISTING_SECTIONS.intersection(sections):
        audit.log_consultation("debrief", None, action="home.view")
    if "working_group" in sections:
        context["wg"] = queries.working_group_counts(user)
    if "reviewer" in sections:
        context["review"] = queries.reviewer_home(user)
    if "taking_part" in sections:
        context["my_actions"] = queries.my_actions(user)
        context["taking_part"] = queries.debriefs_taking_part(user)
    return render_template("main/home.html", user=user, sections=sections, previous=sessions.previous_sign_in(user),
                           is_overdue=is_overdue, meeting_day=queries.meeting_day, **context)


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


def _css_string(text: str) -> str:
    """Text as a CSS string literal."""
    escaped = "".join(ch if ch.isalnum() or ch in " .,;:()/-'&" else f"\\{ord(ch):06x}" for ch in text)
    return f'"{escaped}"'


@bp.route("/print-marking.css")
@policy(public=True)
def print_marking():
    """The protective marking in the margins of every printed page (CSS page-margin boxes), with page numbers,
    so it never sits over the content the way a repeated fixed box does. It holds only the configured marking
    text, the same that the sign-in page shows."""
    from flask import current_app

    cfg = current_app.config
    marking, handling = _css_string(cfg["MARKING"]), _css_string(cfg["HANDLING_LINE"])
    css = (f"@page {{\n"
           f"  @top-center {{ content: {marking}; font: 700 9pt system-ui, sans-serif; letter-spacing: .06em; }}\n"
           f"  @bottom-left {{ content: {marking} \"  \" {handling}; font: 7.5pt system-ui, sans-serif; width: 80%; }}\n"
           f"  @bottom-right {{ content: \"Page \" counter(page) \" of \" counter(pages); font: 8pt system-ui, sans-serif; "
           f"width: 20%; white-space: nowrap; }}\n"
           f"}}\n")
    return css, 200, {"Content-Type": "text/css; charset=utf-8", "Cache-Control": "no-cache"}
