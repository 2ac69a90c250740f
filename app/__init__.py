"""Homicide prevention debriefs: the application factory."""
from __future__ import annotations

import os

from flask import Flask, flash, g, request, url_for

from app.config import load_config
from app.extensions import csrf, db, login_manager, migrate

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(config: dict | None = None, env: dict | None = None) -> Flask:
    """Build the app. `env` replaces os.environ (tests); `config` overrides the result."""
    app = Flask(
        __name__,
        template_folder=os.path.join(ROOT, "templates"),
        static_folder=os.path.join(ROOT, "static"),
        instance_path=os.path.join(ROOT, "instance"),
    )
    app.config.update(load_config(_environment() if env is None else env, app.instance_path))
    if config:
        app.config.update(config)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        os.makedirs(app.instance_path, exist_ok=True)

    init_extensions(app)
    init_templates(app)
    _bounded_ids(app)
    register_blueprints(app)

    from app.audit import init_audit
    from app.cli import init_cli
    from app.delivery import init_delivery
    from app.disclosure import init_disclosure
    from app.errors import init_errors
    from app.security import init_security

    init_delivery(app)  # first registered, so it compresses last: after the disclosure gate has masked
    init_disclosure(app)
    init_security(app)
    init_audit(app)  # last registered, so it runs first: the consultation rows are written before anything else
    init_errors(app)
    init_cli(app)
    _declare_static_public(app)
    return app


def _environment() -> dict:
    """The process environment, with a `.env` file in the project folder underneath it in development and
    testing (python-dotenv; the environment wins). Production reads only its environment (the service's
    environment file): a stray .env in the app folder changes nothing there."""
    values = dict(os.environ)
    path = os.path.join(ROOT, ".env")
    if os.path.exists(path):
        from dotenv import dotenv_values

        merged = {**{k: v for k, v in dotenv_values(path).items() if v is not None}, **values}
        if (merged.get("APP_ENV") or "production").strip().lower() != "production":
            return merged
    return values


def _bounded_ids(app: Flask) -> None:
    """Ids in URLs are INTEGER columns (32-bit on PostgreSQL): a larger number names nothing and answers 404."""
    from werkzeug.routing import IntegerConverter

    class DatabaseId(IntegerConverter):
        def __init__(self, url_map, *args, **kwargs):
            kwargs.setdefault("max", 2**31 - 1)
            super().__init__(url_map, *args, **kwargs)

    app.url_map.converters["int"] = DatabaseId


def _declare_static_public(app: Flask) -> None:
    """Static files (CSS, JS) are public; say so like every other route."""
    from app.permissions import policy

    app.view_functions["static"] = policy(public=True)(app.view_functions["static"])


def init_extensions(app: Flask) -> None:
    from app import audit_chain
    from app.database import init_database

    init_database(app)
    audit_chain.install()
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(ROOT, "migrations"), render_as_batch=True,
                     compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"

    import app.auth.sessions  # noqa: F401  registers the user loader

    @login_manager.unauthorized_handler
    def _unauthorized():
        from flask import redirect

        from app.htmx import is_htmx, redirect_client

        ended = g.get("session_ended")
        if ended in ("idle_timeout", "absolute_timeout"):
            flash("Your session has ended. Sign in again to continue.", "info")
        elif request.method == "GET":
            flash(login_manager.login_message, login_manager.login_message_category)
        # A form sent after the session ended comes back to the page it was sent from (its text is kept by
        # static/js/session.js and put back there).
        next_path = request.full_path.rstrip("?") if request.method == "GET" else _path_of(request.referrer)
        if is_htmx():
            # Never swap a login form into a fragment: send the whole page there.
            page = request.headers.get("HX-Current-URL")
            return redirect_client(url_for("auth.login", next=_path_of(page) or None), 401)
        return redirect(url_for("auth.login", next=next_path))


def _path_of(url: str | None) -> str | None:
    from urllib.parse import urlsplit

    if not url:
        return None
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def init_templates(app: Flask) -> None:
    from app.models import ROLE_LABELS, Role
    from app.permissions import BOARD_ROLES

    @app.context_processor
    def _globals():
        return {
            "marking": app.config["MARKING"],
            "handling_line": app.config["HANDLING_LINE"],
            "organisation_name": app.config["ORGANISATION_NAME"],
            "Role": Role,
            "BOARD_ROLES": BOARD_ROLES,
            "ROLE_LABELS": ROLE_LABELS,
        }

    from app.models import (
        ActionStatus,
        Category,
        ContactType,
        Context,
        DatePrecision,
        DisseminationMethod,
        ExtensionDecision,
        NoteKind,
        Offence,
        Priority,
        Scope,
        Repeat,
        RiskLevel,
        Stage,
        SubjectRole,
        SubType,
    )

    enums = {"Category": Category, "Context": Context, "Offence": Offence, "Stage": Stage, "SubType": SubType,
             "SubjectRole": SubjectRole, "ContactType": ContactType, "RiskLevel": RiskLevel,
             "DatePrecision": DatePrecision, "Repeat": Repeat, "DisseminationMethod": DisseminationMethod,
             "ActionStatus": ActionStatus, "NoteKind": NoteKind, "ExtensionDecision": ExtensionDecision,
             "Priority": Priority, "Scope": Scope}

    @app.template_global()
    def id_url_parts(endpoint: str, arg: str = "debrief_id") -> tuple[str, str]:
        """An endpoint's address before and after the id: url_for once for a list that links every row alike
        (the template writes parts[0] ~ id ~ parts[1])."""
        from flask import url_for

        sentinel = str(2**31 - 1)
        before, _, after = url_for(endpoint, **{arg: int(sentinel)}).partition(sentinel)
        return before, after

    @app.template_filter("combine_args")
    def _combine_args(args: dict, **more):
        return {**args, **more}

    @app.template_filter("subject_label")
    def _subject_label(subject):
        """A person as the viewer may see them: the pseudonym, with the real name for the review team."""
        from app.permissions import sees_case_text

        if sees_case_text():
            return f"{subject.pseudonym} ({subject.real_name})"
        return subject.pseudonym

    labels = {name: {member.value: member.label for member in enum} for name, enum in enums.items()}

    @app.template_filter("enum_label")
    def _enum_label(value, enum_name: str):
        if value in (None, ""):
            return "—"
        try:
            return labels[enum_name][value]
        except KeyError:
            return enums[enum_name](value).label  # an unknown value fails loudly, as before

    @app.context_processor
    def _permissions():
        from flask_login import current_user

        from app import permissions

        from flask import has_request_context

        if not has_request_context() or not current_user.is_authenticated:  # e.g. seed-demo renders documents
            return {"sees_case_text": False, "may_run_debriefs": False}
        return {"sees_case_text": permissions.sees_case_text(),
                "may_run_debriefs": permissions.may_run_debriefs()}

    @app.template_filter("day")
    def _day(value):
        return value.strftime("%d %b %Y") if value else "—"

    @app.template_filter("when")
    def _when(value):
        """UTC datetime to UK local time for display."""
        from zoneinfo import ZoneInfo

        if value is None:
            return "—"
        return value.astimezone(ZoneInfo("Europe/London")).strftime("%d %b %Y %H:%M")


def register_blueprints(app: Flask) -> None:
    from app.actions import bp as actions_bp
    from app.admin import bp as admin_bp
    from app.auditlog import bp as auditlog_bp
    from app.auth import bp as auth_bp
    from app.chronology import bp as chronology_bp
    from app.debriefs import bp as debriefs_bp
    from app.exchange import bp as exchange_bp
    from app.governance import bp as governance_bp
    from app.learning import bp as learning_bp
    from app.scoping import bp as scoping_bp
    from app.main import bp as main_bp
    from app.meetings import bp as meetings_bp
    from app.records import bp as records_bp
    from app.quicktime import bp as quicktime_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(debriefs_bp)
    app.register_blueprint(scoping_bp)
    app.register_blueprint(chronology_bp)
    app.register_blueprint(meetings_bp)
    app.register_blueprint(learning_bp)
    app.register_blueprint(actions_bp)
    app.register_blueprint(governance_bp)
    app.register_blueprint(records_bp)
    app.register_blueprint(exchange_bp)
    app.register_blueprint(quicktime_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(auditlog_bp, url_prefix="/audit")
