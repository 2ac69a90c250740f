"""The README's production walk-through, followed on PostgreSQL in a database of its own: the two roles,
the schema, the first administrator, gunicorn under the production configuration, single sign-on through a
simulated proxy, and every way production refuses to start or to believe a request."""
from __future__ import annotations

import http.client
import os
import secrets
import subprocess
import sys
import uuid

import pytest
import sqlalchemy as sa

from tests.conftest import PG_URL
from tests.live import ROOT, free_port

STRONG_SECRET = secrets.token_urlsafe(48)
STRONG_AUDIT = secrets.token_urlsafe(48)
PROXY_SECRET = secrets.token_urlsafe(40)
ADMIN_PASSWORD = "copper meadow lantern ninety"


@pytest.fixture
def walk(pg_schema_url):
    """A new database with the README's two roles: the owner runs migrations, the app only reads and writes."""
    suffix = f"{os.getpid()}_{uuid.uuid4().hex[:6]}"
    owner, app_role, database = f"walk_owner_{suffix}", f"walk_app_{suffix}", f"walk_{suffix}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    url = sa.engine.make_url(PG_URL)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE ROLE "{owner}" LOGIN PASSWORD \'owner-pw\''))
        conn.execute(sa.text(f'CREATE ROLE "{app_role}" LOGIN PASSWORD \'app-pw\''))
        conn.execute(sa.text(f'CREATE DATABASE "{database}" OWNER "{owner}"'))
    in_db = sa.create_engine(url.set(database=database), isolation_level="AUTOCOMMIT")
    with in_db.connect() as conn:
        for stmt in ("REVOKE ALL ON SCHEMA public FROM PUBLIC",
                     f'GRANT USAGE ON SCHEMA public TO "{app_role}"',
                     f'ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA public '
                     f'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "{app_role}"',
                     f'ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA public '
                     f'GRANT USAGE, SELECT ON SEQUENCES TO "{app_role}"'):
            conn.execute(sa.text(stmt))
    in_db.dispose()
    base = f"postgresql://{{}}@{url.host}:{url.port or 5432}/{database}"
    yield {"owner": base.format(f"{owner}:owner-pw"), "app": base.format(f"{app_role}:app-pw")}
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        conn.execute(sa.text(f'DROP ROLE IF EXISTS "{app_role}"'))
        conn.execute(sa.text(f'DROP ROLE IF EXISTS "{owner}"'))
    admin.dispose()


def _env(database_url: str | None, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("APP_", "SSO_", "DATABASE_", "SECRET_", "AUDIT_"))}
    env.update({"APP_ENV": "production", "SECRET_KEY": STRONG_SECRET, "AUDIT_KEY": STRONG_AUDIT,
                "ORGANISATION_NAME": "Exampleshire Police", "BASE_URL": "https://hpd.intranet.example",
                "PROXY_COUNT": "1"})
    if database_url:
        env["DATABASE_URL"] = database_url
    env.update(extra)
    return env


def _flask(env: dict, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                          input=stdin, capture_output=True, text=True, timeout=120)


def _gunicorn(env: dict, port: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}",
                             "wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _refused(env: dict) -> str:
    """Start gunicorn as the service would; it must stop by itself. Returns what it said."""
    proc = _gunicorn(env, free_port())
    try:
        out, _ = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError("gunicorn started although it should have refused") from None
    assert proc.returncode != 0
    return out


def _get(port: int, path: str, headers: dict, source: str = "127.0.0.1"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20, source_address=(source, 0))
    conn.request("GET", path, headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.1.2.3", **headers})
    response = conn.getresponse()
    body = response.read().decode("utf-8", "replace")
    conn.close()
    return response.status, dict(response.getheaders()), body


def _serving(proc: subprocess.Popen, port: int) -> None:
    import time

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError("gunicorn stopped: " + proc.stdout.read())
        try:
            if _get(port, "/healthz", {})[0] == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("gunicorn did not answer")


def test_the_production_walk_through_from_an_empty_database_to_the_first_sign_in(walk):
    sso = {"SSO_HEADER": "X-Remote-User", "SSO_TRUSTED_PROXIES": "127.0.0.1", "SSO_SHARED_SECRET": PROXY_SECRET}

    # Before the schema exists, and with settings production will not take, the service does not start.
    assert "the schema is not at the code's revision" in _refused(_env(walk["app"]))
    assert "DATABASE_URL is not set" in _refused(_env(None))
    assert "SECRET_KEY must be set" in _refused(_env(walk["app"], SECRET_KEY="changeme"))
    assert "SSO_SHARED_SECRET" in _refused(_env(walk["app"], SSO_HEADER="X-Remote-User",
                                                 SSO_TRUSTED_PROXIES="127.0.0.1"))

    # Schema as the owner; the first administrator as the app; check-config finds nothing wrong.
    upgrade = _flask(_env(walk["owner"]), "db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    created = _flask(_env(walk["app"]), "create-user", "chief", "--role", "admin", "--full-name", "Chief Admin",
                     stdin=ADMIN_PASSWORD + "\n")
    assert created.returncode == 0, created.stderr
    check = _flask(_env(walk["app"], **sso), "check-config")
    assert check.returncode == 0 and "No problems found." in check.stdout, check.stdout + check.stderr

    port = free_port()
    server = _gunicorn(_env(walk["app"], **sso), port)
    try:
        _serving(server, port)
        trusted = {"X-Remote-User": "EXAMPLESHIRE\\chief", "X-HPD-Proxy-Secret": PROXY_SECRET}
        status, headers, body = _get(port, "/", trusted)
        assert status == 200 and "Welcome, Chief Admin" in body
        assert "Server" not in headers and "includeSubDomains" in headers["Strict-Transport-Security"]
        assert headers["Set-Cookie"].startswith("__Host-session=") and "Secure" in headers["Set-Cookie"]
        # The header from anywhere but the proxy, or without its secret, signs nobody in.
        assert _get(port, "/", trusted, source="127.0.0.2")[0] == 403
        assert _get(port, "/", {"X-Remote-User": "chief"})[0] == 403
        assert _get(port, "/", {**trusted, "X-HPD-Proxy-Secret": "guess"})[0] == 403
        # Someone the force knows but this system does not: refused, and no account appears.
        status, _, body = _get(port, "/", {**trusted, "X-Remote-User": "EXAMPLESHIRE\\stranger"})
        assert status == 403 and "no active account" in body
    finally:
        server.terminate()
        server.wait(timeout=20)

    # A demo account in a production database stops the service.
    demo = _flask(_env(walk["app"]), "create-user", "reviewer", "--role", "reviewer", "--email",
                  "reviewer@example.org", stdin="orchard lantern kettle\n")
    assert demo.returncode == 0, demo.stderr
    out = _refused(_env(walk["app"]))
    assert "demo accounts" in out and "reviewer" in out

    # Every step above is in the audit log, and the log is intact.
    verify = _flask(_env(walk["app"]), "audit-verify")
    assert verify.returncode == 0 and "Intact" in verify.stdout, verify.stdout + verify.stderr
