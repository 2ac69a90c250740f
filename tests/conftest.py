"""Shared fixtures.

Every test that takes `app` runs once on SQLite and once on PostgreSQL. PostgreSQL
comes from TEST_DATABASE_URL; without it those runs skip with the reason, except
under CI=true, where a missing or unreachable PostgreSQL fails the run.
"""
from __future__ import annotations

import os
import re
import secrets
import uuid
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from app import create_app
from app.extensions import db
from app.models import Agency, RetentionCategory, Theme
from app.reference import STARTING_AGENCIES, STARTING_POLICE, STARTING_RETENTION, STARTING_THEMES

IN_CI = os.environ.get("CI", "").lower() == "true"
PG_URL = os.environ.get("TEST_DATABASE_URL", "")
PASSWORD = "correct horse battery staple"
TEST_SECRET = secrets.token_urlsafe(40)


class DaysFromToday:
    """A date for a parametrized test, worked out when the test runs: a value computed at collection would be
    yesterday's for a run that crosses midnight."""

    def __init__(self, days: int):
        self.days = days

    def iso(self) -> str:
        from datetime import date, timedelta

        return (date.today() + timedelta(days=self.days)).isoformat()

    def __repr__(self) -> str:
        return f"today{self.days:+d}d"


def requirement_missing(reason: str):
    """Skip outside CI; fail under CI=true, where every dependency is required."""
    if IN_CI:
        pytest.fail(f"required under CI=true: {reason}", pytrace=False)
    pytest.skip(reason)


# ---- databases ------------------------------------------------------------------

@pytest.fixture(scope="session")
def pg_schema_url():
    """A private schema in the PostgreSQL test database, dropped at the end."""
    if not PG_URL:
        requirement_missing("PostgreSQL tests need TEST_DATABASE_URL "
                            "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    schema = f"t_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(PG_URL)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except sa.exc.OperationalError as exc:
        requirement_missing(f"PostgreSQL at TEST_DATABASE_URL is unreachable: {exc.orig}")
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}"
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


_pg_schema_ready = {}


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    return request.getfixturevalue("pg_schema_url")


def make_app(database_url: str, **env_overrides):
    env = {
        "APP_ENV": "testing",
        "SECRET_KEY": TEST_SECRET,
        "DATABASE_URL": database_url,
        "SESSION_COOKIE_SECURE": "true",
    }
    env.update({k: str(v) for k, v in env_overrides.items()})
    return create_app(env=env)


def reset_database(app) -> None:
    """Empty schema with reference data: create on SQLite, truncate on PostgreSQL."""
    with app.app_context():
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        if url.startswith("postgresql") and _pg_schema_ready.get(url):
            names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            # The audit log refuses TRUNCATE; the test harness, like a DBA, lifts that for a moment.
            db.session.execute(sa.text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_truncate"))
            db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            db.session.execute(sa.text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_truncate"))
        else:
            db.create_all()
            _pg_schema_ready[url] = True
        if not db.session.scalar(sa.select(sa.func.count()).select_from(Agency)):
            db.session.add_all(Agency(name=n, is_police=n in STARTING_POLICE) for n in STARTING_AGENCIES)
            db.session.add_all(Theme(name=n) for n in STARTING_THEMES)
            db.session.add_all(RetentionCategory(name=n, review_years=y, default_for=k, description=d)
                               for n, y, k, d in STARTING_RETENTION)
        db.session.commit()
        db.session.remove()


@pytest.fixture
def app(database_url):
    application = make_app(database_url)
    reset_database(application)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield


# ---- clients --------------------------------------------------------------------

class BrowserLikeClient(FlaskClient):
    """A test client that behaves like a browser on the HTTPS intranet site.

    Requests go to https://localhost (so Secure cookies are kept), and unsafe
    requests carry a same-origin Referer as Referrer-Policy: same-origin sends.
    """

    def open(self, *args, **kwargs):
        kwargs.setdefault("base_url", "https://localhost")
        method = (kwargs.get("method") or "GET").upper()
        headers = dict(kwargs.pop("headers", None) or {})
        if method not in ("GET", "HEAD", "OPTIONS"):
            headers.setdefault("Referer", "https://localhost/")
        kwargs["headers"] = headers
        return super().open(*args, **kwargs)

    def csrf_token(self, path: str = "/login") -> str:
        html = self.get(path).get_data(as_text=True)
        m = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
            r'"X-CSRFToken": "([^"]+)"', html)
        assert m, f"no CSRF token on {path}"
        return m.group(1)

    def post_form(self, path: str, data: dict | None = None, token_from: str | None = None, **kwargs):
        token = self.csrf_token(token_from or path)
        payload = {"csrf_token": token, **(data or {})}
        return self.post(path, data=payload, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = BrowserLikeClient
    return app.test_client()


@pytest.fixture
def new_client(app):
    """A factory for more independent browsers."""
    def make():
        app.test_client_class = BrowserLikeClient
        return app.test_client()
    return make


def login(client, username: str, password: str = PASSWORD, follow: bool = False):
    return client.post_form("/login", {"username": username, "password": password}, follow_redirects=follow)


# ---- mail -----------------------------------------------------------------------

@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback (aiosmtpd): yields its controller and a handler whose `messages`
    list holds (recipients, raw bytes) for each message received."""
    import threading

    from aiosmtpd.controller import Controller

    from tests.live import free_port

    class Collector:
        def __init__(self):
            self.messages = []
            self.lock = threading.Lock()

        async def handle_DATA(self, server, session, envelope):
            with self.lock:
                self.messages.append((envelope.rcpt_tos, envelope.content))
            return "250 OK"

    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


# Random hex that a page may show (a request's reference on an error page, a hash in the audit log) can hold a
# planted number such as 48213 or 1980 by chance (about one page in 5,000 for a four-digit one in a 16-digit
# reference): it is never case data, so tests that look for planted data blank it first.
RANDOM_HEX = re.compile(r"\b[0-9a-f]{16,}\b")


MAIL_BASE = "https://hpd.example.police.uk"  # the BASE_URL links in mail point to while `inbox` is in use


@pytest.fixture
def inbox(app, smtp_server):
    """Mail configured to go to the loopback server; the list of what it received."""
    controller, handler = smtp_server
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, MAIL_FROM="debriefs@force.example",
                      BASE_URL=MAIL_BASE)
    return handler.messages


def received(messages) -> list[tuple[str, str, str]]:
    """(recipient, subject, plain body) of each message, in arrival order."""
    import email
    from email import policy as email_policy

    out = []
    for rcpts, raw in messages:
        msg = email.message_from_bytes(raw, policy=email_policy.default)
        (rcpt,) = rcpts
        assert msg["To"] == rcpt
        # As a mail client shows them: a subject that fits on one line may be folded straight after
        # "Subject:", and unfolding leaves the space that any client drops; SMTP carries CRLF line ends.
        subject = str(msg["Subject"]).lstrip()
        body = msg.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
        out.append((rcpt, subject, body))
    return out


# ---- builders -------------------------------------------------------------------

@pytest.fixture
def make_user(app):
    from app.admin.services import create_user

    def build(username: str, *roles: str, password: str = PASSWORD, agency: str | None = None,
              must_change_password: bool = False, full_name: str | None = None, email: str | None = None):
        with app.app_context():
            agency_id = None
            if "partner" in roles and agency is None:
                agency = "Probation"
            if agency:
                agency_id = db.session.scalars(sa.select(Agency.id).where(Agency.name == agency)).one()
            user = create_user(username=username, full_name=full_name or f"Test {username.title()}",
                               email=email, roles=roles or ("member",), password=password, agency_id=agency_id,
                               must_change_password=must_change_password)
            user_id = user.id
            db.session.remove()
            return user_id

    return build


@pytest.fixture
def signed_in(client, make_user):
    """Sign a fresh user with the given roles in on `client`; returns the client."""
    def sign_in(*roles: str, username: str | None = None):
        name = username or "u_" + "_".join(roles or ("member",))
        make_user(name, *roles)
        response = login(client, name)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client
    return sign_in


@pytest.fixture
def make_debrief(app):
    """Build a debrief through the services, as a reviewer would, optionally moved along the flow."""
    from datetime import date, timedelta

    from app.debriefs import services
    from app.models import Decision, Stage, User

    counter = {"n": 0}

    def build(stage: str = "referred", *, title: str | None = None, decision: str | None = None,
              incident_days_ago: int = 5, category: str = "homicide", context: str = "domestic",
              subtype: str = "intimate_partner", lead: str | None = None, summary: str = "Summary for test",
              participants: tuple[str, ...] = ()) -> int:
        counter["n"] += 1
        with app.test_request_context():
            actor = db.session.scalar(sa.select(User).where(User.username == "builder"))
            if actor is None:
                from app.admin.services import create_user
                actor = create_user(username="builder", full_name="Builder Reviewer", email=None,
                                    roles=["reviewer"], password=PASSWORD, must_change_password=False)
            lead_user = db.session.scalar(sa.select(User).where(User.username == lead)) if lead else actor
            incident = date.today() - timedelta(days=incident_days_ago)
            d = services.create_referral({
                "title": title or f"Test case {counter['n']}", "dmm_date": incident, "incident_date": incident,
                "incident_time": None, "occurrence_ref": None, "category": category, "context": context,
                "subtype": subtype, "offence": "murder", "weapon": None, "policing_area": "Northgate",
                "summary": summary, "referred_by": "Duty Inspector", "lead_reviewer_id": lead_user.id}, actor)
            if decision or stage != "referred":
                services.record_decision(d, decision=Decision(decision or "accepted"), rationale="Meets criteria",
                                         decided_by="Head of PP", decided_on=incident, actor=actor, move=False)
            path = ["scoping", "chronology", "debrief", "learning", "monitoring", "closed"]
            if stage == "not_progressed":
                services.move(d, Stage.NOT_PROGRESSED, actor, expected_from=None, reason="Declined")
            elif stage != "referred":
                for s in path[: path.index(stage) + 1]:
                    services.move(d, Stage(s), actor, expected_from=None, override=True, reason="setup")
            for username in participants:
                user = db.session.scalar(sa.select(User).where(User.username == username))
                services.add_participant(d, user, actor)
            debrief_id = d.id
            db.session.remove()
            return debrief_id

    return build


def acknowledged_partner(app, debrief_id: int, username: str) -> None:
    """Invite a partner to the debrief's meeting (scheduled a week ahead if there is none) with the confidentiality
    terms acknowledged: a partner reads a debrief's case material only then (app.meetings.confidentiality)."""
    from datetime import datetime, timedelta, timezone

    from app.meetings import services as meetings
    from app.models import Debrief, User

    with app.test_request_context():
        debrief = db.session.get(Debrief, debrief_id)
        if debrief.meeting is None:
            meetings.schedule(debrief, {"starts_at": datetime.now(timezone.utc) + timedelta(days=7),
                                        "duration_minutes": 60, "venue": "Room 1", "online_link": None,
                                        "chair": None, "note_taker": None}, version=0)
        user = db.session.scalar(sa.select(User).where(User.username == username))
        meetings.acknowledge(meetings.invite_user(debrief.meeting, user), user)
        db.session.remove()


def run_in_threads(count: int, work) -> list[BaseException]:
    """Run `work(n)` in `count` threads at once; return what any of them raised."""
    import threading

    errors: list[BaseException] = []

    def guarded(n: int):
        try:
            work(n)
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def team_id(app, name: str, email: str | None = None) -> int:
    """The id of the owner team `name`, created (with `email`) if it is not there yet."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.models import Team

    with app.app_context():
        found = db.session.scalar(sa.select(Team.id).where(Team.name == name))
        if found is None:
            team = Team(name=name, email=email, active=True)
            db.session.add(team)
            db.session.commit()
            found = team.id
        db.session.remove()
        return found


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Say, after the run, what was skipped and how to run it."""
    skipped = terminalreporter.stats.get("skipped", [])
    if not skipped:
        return
    reasons: dict[str, int] = {}
    for report in skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        reasons[reason] = reasons.get(reason, 0) + 1
    terminalreporter.section("what was skipped, and how to run it")
    for reason, n in sorted(reasons.items(), key=lambda kv: -kv[1]):
        terminalreporter.write_line(f"{n:5d}  {reason}")
    if any("PostgreSQL" in r for r in reasons):
        terminalreporter.write_line("       PostgreSQL: start it on 127.0.0.1:5432 with a database `test` that the user "
                                    "`postgres` reaches without a password (scripts/test finds it), or set "
                                    "TEST_DATABASE_URL.")
    if any("chromium" in r.lower() for r in reasons):
        terminalreporter.write_line("       Browser tests: apt-get install -y chromium (or set CHROMIUM to its path).")
