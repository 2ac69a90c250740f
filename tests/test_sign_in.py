"""Signing in as a force deploys it: two-factor codes for local accounts, single sign-on through a trusted
proxy, and the commands force IT uses when someone is locked out."""
from __future__ import annotations

import re
import time

import pyotp
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, RecoveryCode, User, UserSession
from tests.conftest import PASSWORD, BrowserLikeClient, login, make_app, reset_database


def _actions(app, prefix: str) -> list[str]:
    with app.app_context():
        rows = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action.like(f"{prefix}%"))
                                  .order_by(AuditEvent.id)).all()
        db.session.remove()
        return list(rows)


def _enrol(client) -> tuple[str, list[str]]:
    """Set up two-factor sign-in as a person would: read the key off the page, type the app's code."""
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "<svg" in page and 'aria-label="QR code for your authenticator app"' in page
    key = re.search(r'id="totp-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    r = client.post_form("/account/two-factor", {"code": pyotp.TOTP(key).now()})
    assert r.status_code == 200, r.get_data(as_text=True)[:400]
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", r.get_data(as_text=True))
    assert len(codes) == 10
    return key, codes


@pytest.fixture
def alice_enrolled(client, make_user) -> tuple[str, list[str]]:
    """Alice, a reviewer, signed in on `client` with two-factor sign-in set up: (key, recovery codes)."""
    make_user("alice", "reviewer")
    login(client, "alice")
    return _enrol(client)


def _wait_for_next_step(key: str, after: str) -> str:
    """The next 30-second code (a code is never accepted twice)."""
    while (code := pyotp.TOTP(key).now()) == after:
        time.sleep(0.5)
    return code


def test_enrol_then_sign_in_with_a_code_that_cannot_be_replayed(app, new_client, alice_enrolled):
    key, codes = alice_enrolled
    with app.app_context():
        alice = db.session.scalar(sa.select(User).where(User.username == "alice"))
        assert alice.totp_enabled_at is not None
        hashes = db.session.scalars(sa.select(RecoveryCode.code_hash)).all()
        assert len(hashes) == 10 and not set(codes) & set(hashes)  # only hashes are kept
        db.session.remove()

    browser = new_client()
    r = login(browser, "alice")
    assert r.status_code == 302 and r.headers["Location"] == "/login/code"
    assert browser.get("/").status_code == 302  # the password alone signs nobody in
    r = browser.post_form("/login/code", {"code": "000000"})
    assert r.status_code == 401 and "That code is not right" in r.get_data(as_text=True)
    code = _wait_for_next_step(key, pyotp.TOTP(key).now())
    r = browser.post_form("/login/code", {"code": code})
    assert r.status_code == 302 and browser.get("/").status_code == 200

    # Someone who watched the code typed tries it at once, with the password: refused.
    thief = new_client()
    assert login(thief, "alice").headers["Location"] == "/login/code"
    assert thief.post_form("/login/code", {"code": code}).status_code == 401
    assert thief.get("/").status_code == 302
    assert "two_factor.replay_refused" in _actions(app, "two_factor.")
    with app.app_context():
        methods = db.session.scalars(sa.select(UserSession.method).order_by(UserSession.id)).all()
        db.session.remove()
    assert methods[-1] == "password+totp"


def test_a_recovery_code_works_once(new_client, alice_enrolled):
    _, codes = alice_enrolled
    first = new_client()
    login(first, "alice")
    r = first.post_form("/login/code", {"code": codes[3].upper()}, follow_redirects=True)
    assert r.status_code == 200 and "9 left" in r.get_data(as_text=True)
    again = new_client()
    login(again, "alice")
    assert again.post_form("/login/code", {"code": codes[3]}).status_code == 401
    assert again.get("/").status_code == 302


def test_wrong_codes_lock_the_account_like_wrong_passwords(app, new_client, alice_enrolled):
    browser = new_client()
    login(browser, "alice")
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        assert browser.post_form("/login/code", {"code": "123456"}).status_code == 401
    r = browser.post_form("/login/code", {"code": "123456"})
    assert r.status_code == 303 and r.headers["Location"] == "/login"
    # Locked: the password and a right code are both refused until the lock ends.
    late = new_client()
    assert login(late, "alice").status_code == 401
    assert "login.lockout" in _actions(app, "login.")


def test_a_role_that_requires_two_factor_sends_its_people_to_set_it_up(app, client, new_client, make_user):
    from app import process_settings

    make_user("alice", "reviewer")
    make_user("bob", "member")
    with app.test_request_context():
        admin = db.session.scalar(sa.select(User).where(User.username == "alice"))
        process_settings.save({"require_2fa.reviewer": True}, admin)
        db.session.remove()
    r = login(client, "alice")
    assert r.status_code == 302 and r.headers["Location"] == "/account/two-factor"
    assert client.get("/board").headers["Location"] == "/account/two-factor"
    assert client.get("/board", headers={"HX-Request": "true"}).headers["HX-Redirect"] == "/account/two-factor"
    _enrol(client)
    assert client.get("/board").status_code == 200
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "Your role needs two-factor sign-in, so it stays on" in page
    other = new_client()
    assert login(other, "bob").headers["Location"] == "/"  # members are not asked


def test_an_administrator_or_force_it_resets_two_factor_for_a_lost_phone(app, client, new_client, make_user):
    make_user("alice", "reviewer")
    make_user("boss", "admin")
    login(client, "alice")
    _enrol(client)
    with app.app_context():
        alice_id = db.session.scalar(sa.select(User.id).where(User.username == "alice"))
        db.session.remove()
    admin = new_client()
    login(admin, "boss")
    assert "Reset two-factor sign-in" in admin.get(f"/admin/users/{alice_id}").get_data(as_text=True)
    r = admin.post_form(f"/admin/users/{alice_id}/two-factor/reset", token_from=f"/admin/users/{alice_id}")
    assert r.status_code == 302
    assert client.get("/").status_code == 302  # her sessions ended
    assert login(new_client(), "alice").headers["Location"] == "/"  # password alone again
    assert "two_factor.reset" in _actions(app, "two_factor.")

    login(client, "alice")
    _enrol(client)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reset-2fa", "alice"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["reset-2fa", "alice"]).exit_code != 0  # nothing left to reset


def test_force_it_unlocks_an_account_and_sets_a_password(app, client, new_client, make_user):
    make_user("boss", "admin")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        login(new_client(), "boss", "wrong wrong wrong")
    assert login(new_client(), "boss").status_code == 401
    runner = app.test_cli_runner()
    result = runner.invoke(args=["unlock-user", "boss"])
    assert result.exit_code == 0 and "sign-in lock lifted" in result.output
    assert login(new_client(), "boss").status_code == 302

    result = runner.invoke(args=["set-password", "boss"], input="weak\n")
    assert result.exit_code != 0
    result = runner.invoke(args=["set-password", "boss"], input="amber quarry lantern violet\n")
    assert result.exit_code == 0 and "amber quarry" not in result.output
    r = login(new_client(), "boss", "amber quarry lantern violet")
    assert r.status_code == 302 and r.headers["Location"] == "/account/password"  # temporary by default
    assert runner.invoke(args=["unlock-user", "nobody"]).exit_code != 0


def test_check_config_names_what_is_wrong(app, make_user):
    from app.demo import seed

    runner = app.test_cli_runner()
    result = runner.invoke(args=["check-config"])
    assert "schema" in result.output and "DATABASE_URL" in result.output and "SMTP_HOST" in result.output
    with app.app_context():
        seed()
        db.session.remove()
    result = runner.invoke(args=["check-config"])
    assert result.exit_code == 1 and "demo accounts" in result.output and "reviewer" in result.output


# ---- single sign-on through the proxy ------------------------------------------------------------------

SECRET = "proxy-shared-secret-9f8e7d6c5b4a39281706"


@pytest.fixture
def sso_app(database_url):
    application = make_app(database_url, SSO_HEADER="X-Remote-User", SSO_TRUSTED_PROXIES="127.0.0.1",
                           SSO_SHARED_SECRET=SECRET, PROXY_COUNT="1")
    reset_database(application)
    application.test_client_class = BrowserLikeClient
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _via_proxy(client, path: str, user: str, secret: str = SECRET, peer: str = "127.0.0.1"):
    return client.get(path, headers={"X-Remote-User": user, "X-HPD-Proxy-Secret": secret,
                                     "X-Forwarded-For": "10.20.30.40"},
                      environ_base={"REMOTE_ADDR": peer})


def _user(app, username, *roles, active=True):
    from app.admin.services import create_user

    with app.app_context():
        user = create_user(username=username, full_name=username.title(), email=None, roles=list(roles),
                           password=PASSWORD, must_change_password=True)
        user.active = active
        db.session.commit()
        db.session.remove()


def test_the_proxy_signs_in_an_existing_account_and_nothing_else(sso_app):
    _user(sso_app, "rita", "reviewer")
    browser = sso_app.test_client()
    r = _via_proxy(browser, "/board", "EXAMPLESHIRE\\Rita")
    assert r.status_code == 200  # domain stripped, case ignored; no temporary-password detour for SSO
    assert browser.get("/board").status_code == 200  # the session carries on
    with sso_app.app_context():
        row = db.session.scalar(sa.select(UserSession).order_by(UserSession.id.desc()))
        assert row.method == "sso" and row.client_addr == "10.20.30.40"
        db.session.remove()
    assert "login.sso" in _actions(sso_app, "login.sso")

    # No account is made for a stranger, and a disabled account stays out.
    _user(sso_app, "dora", "reviewer", active=False)
    for name in ("newcomer@EXAMPLESHIRE.POLICE.UK", "dora"):
        r = _via_proxy(sso_app.test_client(), "/board", name)
        assert r.status_code == 403 and "no active account" in r.get_data(as_text=True)
    with sso_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2
        db.session.remove()
    assert _actions(sso_app, "login.sso_refused").count("login.sso_refused") == 2


@pytest.mark.parametrize("secret, peer", [("", "127.0.0.1"), ("wrong-secret-wrong-secret-wrong-secret", "127.0.0.1"),
                                          (SECRET, "10.0.0.9")])
def test_the_username_header_is_believed_only_from_the_proxy_with_its_secret(sso_app, secret, peer):
    _user(sso_app, "rita", "reviewer")
    r = _via_proxy(sso_app.test_client(), "/board", "rita", secret=secret, peer=peer)
    assert r.status_code == 403 and "Rita" not in r.get_data(as_text=True)
    assert _actions(sso_app, "login.sso") == ["login.sso_untrusted"]


def test_another_person_at_the_same_browser_gets_their_own_session(sso_app):
    _user(sso_app, "rita", "reviewer")
    _user(sso_app, "walt", "working_group")
    browser = sso_app.test_client()
    assert _via_proxy(browser, "/board", "rita").status_code == 200
    page = _via_proxy(browser, "/account", "walt").get_data(as_text=True)
    assert "<dd>walt</dd>" in page and "<dd>rita</dd>" not in page
    with sso_app.app_context():
        reasons = db.session.scalars(sa.select(UserSession.revoked_reason).order_by(UserSession.id)).all()
        db.session.remove()
    assert reasons == ["sso_user_changed", None]


def test_password_sign_in_can_be_switched_off(database_url):
    app = make_app(database_url, SSO_HEADER="X-Remote-User", SSO_TRUSTED_PROXIES="127.0.0.1",
                   SSO_SHARED_SECRET=SECRET, PASSWORD_SIGNIN="false")
    reset_database(app)
    app.test_client_class = BrowserLikeClient
    _user(app, "rita", "reviewer")
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    assert "there is no separate password" in page and 'name="password"' not in page
    r = client.post("/login", data={"username": "rita", "password": PASSWORD})
    assert r.status_code in (400, 403) and client.get("/board").status_code == 302
