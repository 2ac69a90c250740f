"""Sign-in, sign-out, throttling, session lifetime and password rules."""
from __future__ import annotations

import base64
import json
import zlib
from datetime import timedelta

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from app.auth.passwords import policy_problems
from app.extensions import db
from app.models import AuditEvent, User, UserSession
from tests.conftest import PASSWORD, login


def test_login_success_lands_on_home_with_a_new_session(client, make_user):
    make_user("alice", "reviewer")
    before = client.get("/login")
    cookie_before = client.get_cookie("__Host-session").value
    r = login(client, "alice")
    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert client.get_cookie("__Host-session").value != cookie_before
    page = client.get("/")
    assert page.status_code == 200
    assert "Welcome, Test Alice" in page.get_data(as_text=True)
    assert before.status_code == 200


def test_failure_message_is_the_same_for_unknown_user_and_wrong_password(client, make_user):
    make_user("alice", "reviewer")
    wrong = login(client, "alice", "not the password at all")
    unknown = login(client, "nobody-here", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    msg = "Sign-in failed. Check your username and password"
    assert msg in wrong.get_data(as_text=True) and msg in unknown.get_data(as_text=True)
    assert "nobody-here" in unknown.get_data(as_text=True)  # the typed name is kept in the field
    assert "not the password" not in wrong.get_data(as_text=True)  # the password never comes back


def test_empty_form_gets_422_with_messages_beside_the_fields(client):
    r = client.post_form("/login", {"username": "", "password": ""})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'id="username-error"' in html and "Enter your username." in html
    assert 'id="password-error"' in html and "Enter your password." in html


def test_account_lockout_after_repeated_failures_refuses_even_the_right_password(app, client, make_user):
    make_user("alice", "reviewer")
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        assert login(client, "alice", "wrong password here").status_code == 401
    r = login(client, "alice")
    assert r.status_code == 401
    assert "Sign-in failed" in r.get_data(as_text=True)
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions.count("login.failure") == limit
    assert actions.count("login.lockout") == 1
    assert actions[-1] == "login.refused_locked"


def test_lock_expires_by_itself(app, client, make_user):
    from app.models import LoginThrottle

    make_user("alice", "reviewer")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        login(client, "alice", "wrong password here")
    with app.app_context():
        for row in db.session.scalars(sa.select(LoginThrottle)):
            if row.locked_until:
                row.locked_until = row.locked_until - timedelta(minutes=app.config["LOGIN_LOCK_MINUTES"] + 1)
        db.session.commit()
    assert login(client, "alice").status_code == 302


def test_address_throttle_stops_spraying_many_accounts(database_url):
    from tests.conftest import BrowserLikeClient, make_app, reset_database

    app = make_app(database_url, LOGIN_IP_MAX_FAILURES=4, LOGIN_MAX_FAILURES=50)
    reset_database(app)
    app.test_client_class = BrowserLikeClient
    c = app.test_client()
    with app.app_context():
        from app.admin.services import create_user
        create_user(username="victim", full_name="V", email=None, roles=["member"], password=PASSWORD,
                    must_change_password=False)
    for i in range(4):
        login(c, f"guess{i}", "wrong password here")
    assert login(c, "victim").status_code == 401
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


BAD_NEXT = [
    "//evil.example", "/\\evil.example", "https://evil.example/", "javascript:alert(1)", "%2F%2Fevil.example",
    "/%2F%2Fevil.example", "/\t/evil.example", "////evil.example", "http:/evil.example", "/%5Cevil.example",
]


@pytest.mark.parametrize("target", BAD_NEXT)
def test_next_only_goes_to_same_site_paths(client, make_user, target):
    make_user("alice", "reviewer")
    client.get("/login", query_string={"next": target})
    r = client.post_form("/login", {"username": "alice", "password": PASSWORD, "next": target})
    assert r.status_code == 302
    assert r.headers["Location"] == "/"


def test_next_to_a_same_site_path_is_followed(client, make_user):
    make_user("alice", "admin")
    r = client.post_form("/login", {"username": "alice", "password": PASSWORD, "next": "/admin/users?q=a"})
    assert r.headers["Location"] == "/admin/users?q=a"


def test_anonymous_page_request_redirects_to_login_with_next(client):
    r = client.get("/admin/users?q=x")
    assert r.status_code == 302
    assert r.headers["Location"].startswith("/login?next=")
    assert "admin/users" in r.headers["Location"]


def test_cookie_copied_before_logout_no_longer_works(app, client, new_client, make_user):
    make_user("alice", "reviewer")
    login(client, "alice")
    stolen = client.get_cookie("__Host-session").value
    token = client.csrf_token("/")
    r = client.post("/logout", data={"csrf_token": token})
    assert r.status_code == 302 and r.headers["Location"] == "/login"
    assert "cache" in r.headers["Clear-Site-Data"]
    thief = new_client()
    thief.set_cookie("__Host-session", stolen, domain="localhost", secure=True)
    assert thief.get("/").status_code == 302
    assert thief.get("/account").headers["Location"].startswith("/login")


def test_password_change_ends_other_sessions_and_the_old_cookie(client, new_client, make_user):
    make_user("alice", "reviewer")
    other = new_client()
    login(other, "alice")
    login(client, "alice")
    old_cookie = client.get_cookie("__Host-session").value
    new_password = "a completely different passphrase"
    r = client.post_form("/account/password", {"current_password": PASSWORD, "new_password": new_password,
                                               "confirm": new_password, "sign_out_others": "y"})
    assert r.status_code == 302, r.get_data(as_text=True)
    assert client.get("/account").status_code == 200  # this browser carries on with a new session
    assert other.get("/account").status_code == 302  # the other browser is signed out
    replay = new_client()
    replay.set_cookie("__Host-session", old_cookie, domain="localhost", secure=True)
    assert replay.get("/account").status_code == 302
    assert login(new_client(), "alice", PASSWORD).status_code == 401
    assert login(new_client(), "alice", new_password).status_code == 302


def test_wrong_current_password_is_refused_beside_the_field(client, make_user):
    make_user("alice", "reviewer")
    login(client, "alice")
    r = client.post_form("/account/password", {"current_password": "wrong wrong wrong",
                                               "new_password": "a completely different passphrase",
                                               "confirm": "a completely different passphrase"})
    assert r.status_code == 422
    assert "Your current password is not right." in r.get_data(as_text=True)


def test_wrong_current_passwords_are_throttled_like_sign_in(app, client, make_user):
    make_user("alice", "reviewer")
    login(client, "alice")
    new = "a completely different passphrase"
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        r = client.post_form("/account/password", {"current_password": "wrong wrong wrong", "new_password": new,
                                                   "confirm": new})
        assert r.status_code == 422
    r = client.post_form("/account/password", {"current_password": "wrong wrong wrong", "new_password": new,
                                               "confirm": new})
    assert r.status_code == 429 and "Too many wrong current passwords" in r.get_data(as_text=True)
    # Now even the right current password is refused until the lock ends, and nothing changed.
    r = client.post_form("/account/password", {"current_password": PASSWORD, "new_password": new, "confirm": new})
    assert r.status_code == 429
    with app.app_context():
        events = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action.like("password.%"))).all()
        db.session.remove()
    assert events.count("password.change_refused") == app.config["LOGIN_MAX_FAILURES"]
    assert "password.change" not in events and "password.change_refused_locked" in events


@pytest.mark.parametrize("sign_out_others", [True, False])
def test_the_sign_out_my_other_sessions_choice_is_honoured(client, new_client, make_user, sign_out_others):
    make_user("alice", "reviewer")
    other = new_client()
    login(other, "alice")
    login(client, "alice")
    new = "a completely different passphrase"
    data = {"current_password": PASSWORD, "new_password": new, "confirm": new}
    if sign_out_others:
        data["sign_out_others"] = "y"
    assert client.post_form("/account/password", data).status_code == 302
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == (302 if sign_out_others else 200)


def test_disabling_an_account_ends_its_sessions_at_once(app, client, new_client, make_user):
    alice = make_user("alice", "reviewer")
    login(client, "alice")
    assert client.get("/account").status_code == 200
    admin = new_client()
    make_user("boss", "admin")
    login(admin, "boss")
    r = admin.post_form(f"/admin/users/{alice}/disable", token_from=f"/admin/users/{alice}")
    assert r.status_code == 302
    assert client.get("/account").status_code == 302
    assert login(new_client(), "alice").status_code == 401


def _age_session(app, field: str, by: timedelta):
    with app.app_context():
        for row in db.session.scalars(sa.select(UserSession)):
            setattr(row, field, getattr(row, field) - by)
        db.session.commit()


def test_idle_timeout_ends_the_session(app, client, make_user):
    make_user("alice", "reviewer")
    login(client, "alice")
    _age_session(app, "last_seen_at", timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1))
    r = client.get("/account")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")
    assert "Your session has ended" in client.get(r.headers["Location"]).get_data(as_text=True)


def test_activity_keeps_the_session_alive(app, client, make_user):
    make_user("alice", "reviewer")
    login(client, "alice")
    _age_session(app, "last_seen_at", timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] - 1))
    assert client.get("/account").status_code == 200
    _age_session(app, "last_seen_at", timedelta(minutes=2))
    assert client.get("/account").status_code == 200


def test_absolute_lifetime_ends_even_an_active_session(app, client, make_user):
    make_user("alice", "reviewer")
    login(client, "alice")
    _age_session(app, "created_at", timedelta(hours=app.config["SESSION_MAX_HOURS"], minutes=1))
    assert client.get("/account").status_code == 302


def test_expired_session_during_htmx_request_redirects_the_whole_page(app, client, make_user):
    make_user("alice", "admin")
    login(client, "alice")
    _age_session(app, "last_seen_at", timedelta(hours=1))
    r = client.get("/admin/users?q=a", headers={"HX-Request": "true",
                                                "HX-Current-URL": "https://localhost/admin/users?q=a"})
    assert r.status_code == 401
    assert r.headers["HX-Redirect"].startswith("/login?next=")
    assert "<form" not in r.get_data(as_text=True)


def test_session_cookie_holds_no_role_name_or_personal_data(client, make_user):
    make_user("alice", "reviewer", full_name="Alice Example")
    login(client, "alice")
    value = client.get_cookie("__Host-session").value
    compressed = value.startswith(".")
    payload = value.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    data = json.loads(zlib.decompress(raw) if compressed else raw)
    assert set(data) <= {"_user_id", "_fresh", "_id", "csrf_token", "_flashes"}
    blob = json.dumps(data)
    assert "reviewer" not in blob and "Alice" not in blob and "alice" not in blob


def test_temporary_password_must_be_changed_before_anything_else(client, make_user):
    make_user("newbie", "reviewer", must_change_password=True)
    r = login(client, "newbie")
    assert r.headers["Location"] == "/account/password"
    assert client.get("/").headers["Location"] == "/account/password"
    assert client.get("/admin/users").headers["Location"] == "/account/password"
    new = "my own memorable phrase here"
    r = client.post_form("/account/password", {"current_password": PASSWORD, "new_password": new, "confirm": new})
    assert r.status_code == 302
    assert client.get("/").status_code == 200


def test_sign_out_everywhere_else(client, new_client, make_user):
    make_user("alice", "reviewer")
    other = new_client()
    login(other, "alice")
    login(client, "alice")
    r = client.post_form("/account/sessions/revoke-others", token_from="/account")
    assert r.status_code == 302
    assert other.get("/").status_code == 302
    assert client.get("/").status_code == 200


# ---- password policy ------------------------------------------------------------

@pytest.mark.parametrize("password, expected", [
    ("short pass", "at least 12"),
    ("password1234", "too common"),
    ("Password123!", "too common"),
    ("qwertyuiopasdfgh", "keyboard pattern"),
    ("aaaaaaaaaaaaaaaa", "repeats too few"),
    ("abcdefghijklmnop", "sequence"),
    ("homicide2026!!", "too common"),
    ("alice-rocks-the-house", "username"),
    # Guessable although long and not on the list: digits, a keyboard walk down the columns, a doubled word.
    ("123456789012", "too easy to guess"),
    ("zaq12wsxcde3", "too easy to guess"),
    ("passwordpassword", "too common"),
])
def test_weak_passwords_are_refused_with_a_reason(password, expected):
    problems = " ".join(policy_problems(password, "alice", "Alice Example"))
    assert expected in problems


def test_the_forces_own_name_counts_against_a_password(app, monkeypatch):
    password = "northmoorconstabulary7"
    with app.app_context():
        assert policy_problems(password, "alice", "Alice Example") == []
        monkeypatch.setitem(app.config, "ORGANISATION_NAME", "Northmoor Constabulary")
        assert "too common" in " ".join(policy_problems(password, "alice", "Alice Example"))
        assert "too common" in " ".join(policy_problems("Northmoor Constabulary 2026!", "alice", "Alice Example"))
        monkeypatch.setitem(app.config, "ORGANISATION_NAME", "Exampleshire Police")
        assert "too common" in " ".join(policy_problems("Exampleshire2026", "rita", "Rita Reviewer"))


@pytest.mark.parametrize("password", [
    "correct horse battery staple", "Ünïcödé pässphrase ok", "x" * 3 + "7fQ!zr%Lp0" + "y" * 100,
])
def test_good_passphrases_are_accepted(password):
    assert policy_problems(password, "alice", "Alice Example") == []


@settings(max_examples=300)
@given(st.text(max_size=140))
def test_policy_never_crashes_and_always_refuses_short_ones(password):
    problems = policy_problems(password, "alice", "Alice Example")
    if len(password) < 12 or len(password) > 128:
        assert problems


def test_stored_hashes_are_argon2id(app, make_user):
    uid = make_user("alice", "reviewer")
    with app.app_context():
        assert db.session.get(User, uid).password_hash.startswith("$argon2id$")


def test_production_hash_cost_meets_owasp_minimum():
    from app.config import load_config

    cfg = load_config({"APP_ENV": "production", "SECRET_KEY": "k9#Vq2!xZ7@pL4$wR8^tY1&uI6*oP3(aS5)dF0",
                       "AUDIT_KEY": "Zq8!mN3@vB6#cX1$zL5%kJ9^hG2&fD7*sA4(p",
                       "DATABASE_URL": "postgresql://hpd_app@127.0.0.1/hpd"})
    assert cfg["ARGON2_MEMORY_KIB"] >= 19456 and cfg["ARGON2_TIME_COST"] >= 2
