"""Is this installation fit to serve? Every setting that matters, and what is wrong with it.

`flask check-config` prints the whole list; under the production configuration gunicorn refuses to start
(`gunicorn.conf.py`) while any problem marked `stops` remains: a schema behind the code, demo accounts.
Problems the configuration itself cannot allow (a weak key, production without DATABASE_URL, single sign-on
without trusted proxies or a shared secret) already stop `create_app` (`app.config`).
"""
from __future__ import annotations

import os
import smtplib
import socket
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask

from app.extensions import db


@dataclass
class Check:
    name: str
    shown: str  # what is set, never a secret's value
    problem: str | None = None
    stops: bool = False  # production refuses to start while this problem remains

    @property
    def ok(self) -> bool:
        return self.problem is None


def schema_revisions(app: Flask) -> tuple[str | None, set[str]]:
    """(the database's revision, the code's heads)."""
    from alembic.config import Config
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from app import ROOT

    config = Config()
    config.set_main_option("script_location", os.path.join(ROOT, "migrations"))
    heads = set(ScriptDirectory.from_config(config).get_heads())
    with db.engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    return current, heads


def demo_accounts() -> list[str]:
    """Usernames of the fictional demo accounts found in this database (by name and demo address, or by the
    demo passphrase still working)."""
    from app.auth.passwords import verify_password
    from app.demo import DEMO_PASSWORD, DEMO_USERS
    from app.models import User

    names = [u[0] for u in DEMO_USERS]
    found = []
    for user in db.session.scalars(sa.select(User).where(sa.func.lower(User.username).in_(names))):
        if (user.email or "").lower() == f"{user.username.lower()}@example.org" \
                or verify_password(user.password_hash, DEMO_PASSWORD):
            found.append(user.username)
    return sorted(found)


def _secret(name: str, value: str) -> Check:
    return Check(name, f"set ({len(value)} characters)" if value else "not set")


def _database(app: Flask) -> list[Check]:
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    production = app.config["APP_ENV"] == "production"
    shown = (f"SQLite at {url.database}" if url.get_backend_name() == "sqlite"
             else f"PostgreSQL {url.username or ''}@{url.host or 'local socket'}/{url.database}")
    check = Check("DATABASE_URL", shown)
    if url.get_backend_name() == "sqlite" and production and url.database \
            and os.path.abspath(url.database) == os.path.abspath(os.path.join(app.instance_path, "hpd.sqlite3")):
        check.problem = ("this is the development database that scripts/run makes; production keeps its data "
                         "elsewhere (PostgreSQL, or a SQLite file under /var/lib/hpd)")
    checks = [check]
    try:
        current, heads = schema_revisions(app)
    except Exception as exc:  # noqa: BLE001 - any failure to reach the database is the finding
        checks.append(Check("database", "not reachable", f"cannot connect: {exc.__class__.__name__}: "
                            f"{str(exc).splitlines()[0][:200]}", stops=True))
        return checks
    has_accounts = sa.inspect(db.engine).has_table("user_account")
    where = current or ("no recorded revision (tables made without migrations)" if has_accounts
                        else "nothing (empty database)")
    schema = Check("schema", f"at {where}; the code needs {', '.join(sorted(heads))}")
    if current not in heads:
        schema.problem = "the schema is not at the code's revision: run `flask --app wsgi db upgrade` (after a backup)"
        schema.stops = True
    checks.append(schema)
    if has_accounts:
        demo = demo_accounts()
        db.session.remove()
        checks.append(Check("demo accounts", ", ".join(demo) if demo else "none",
                            f"fictional demo accounts with a published passphrase exist: {', '.join(demo)}; "
                            "disable or delete them (`flask --app wsgi set-password` gives one a new password)"
                            if demo else None, stops=bool(demo) and production))
    return checks


def _smtp(app: Flask) -> Check:
    host, port = app.config["SMTP_HOST"], app.config["SMTP_PORT"]
    if not host:
        return Check("SMTP_HOST", "not set: no email is sent (invitations can still be downloaded)")
    check = Check("SMTP_HOST", f"{host}:{port}{' with STARTTLS' if app.config['SMTP_STARTTLS'] else ''}")
    try:
        with smtplib.SMTP(host, port, timeout=5) as smtp:
            smtp.noop()
            if app.config["SMTP_STARTTLS"]:
                smtp.starttls()
    except (OSError, smtplib.SMTPException, socket.timeout) as exc:
        check.problem = f"cannot reach the mail server: {exc.__class__.__name__}: {exc}"[:240]
    return check


def _sign_in(app: Flask) -> list[Check]:
    cfg = app.config
    checks = [Check("PASSWORD_SIGNIN", "on" if cfg["PASSWORD_SIGNIN"] else "off (single sign-on only)")]
    if cfg["SSO_HEADER"]:
        checks.append(Check("SSO_HEADER", f"{cfg['SSO_HEADER']} from {', '.join(map(str, cfg['SSO_TRUSTED_PROXIES']))}"
                            f", with the shared secret in {cfg['SSO_SECRET_HEADER']}"))
    else:
        checks.append(Check("SSO_HEADER", "not set: no single sign-on"))
    checks.append(Check("PROXY_COUNT", str(cfg["PROXY_COUNT"]),
                        "single sign-on comes through a proxy: set PROXY_COUNT to the number of proxies in front"
                        if cfg["SSO_HEADER"] and not cfg["PROXY_COUNT"] else None))
    return checks


def checks(app: Flask) -> list[Check]:
    cfg = app.config
    production = cfg["APP_ENV"] == "production"
    out = [Check("APP_ENV", cfg["APP_ENV"]), _secret("SECRET_KEY", cfg["SECRET_KEY"]),
           _secret("AUDIT_KEY", cfg["AUDIT_KEY"] if os.environ.get("AUDIT_KEY") or production else "")]
    if not production:
        out[-1].shown = "derived from SECRET_KEY (set AUDIT_KEY in production)"
    base = Check("BASE_URL", cfg["BASE_URL"])
    if production and not cfg["BASE_URL"].startswith("https://"):
        base.problem = "links in emails should use the https address people open"
    out.append(base)
    out.append(Check("SESSION_COOKIE_SECURE", "on" if cfg["SESSION_COOKIE_SECURE"] else "off"))
    from app import ROOT

    dotenv = os.path.join(ROOT, ".env")
    if os.path.exists(dotenv):
        out.append(Check(".env", dotenv, "a development settings file sits in the app folder: production reads "
                         "/etc/hpd/hpd.env, and `flask` commands would read this one too; delete it"
                         if production else None))
    out += _database(app)
    out += _sign_in(app)
    out.append(_smtp(app))
    out.append(Check("ORGANISATION_NAME", cfg["ORGANISATION_NAME"] or "not set",
                     "set the force's name: documents carry it and passwords may not be made of it"
                     if production and not cfg["ORGANISATION_NAME"] else None))
    return out


def refusals(app: Flask) -> list[Check]:
    """What stops production from starting (empty outside production)."""
    if app.config["APP_ENV"] != "production":
        return []
    with app.app_context():
        return [c for c in _database(app) if c.stops and not c.ok]
