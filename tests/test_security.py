"""Headers, CSRF, cookies, configuration and the route inventory."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.config import ConfigError, load_config
from app.extensions import db
from app.models import AuditEvent, Role
from app.permissions import policy_of
from tests.conftest import login

REQUIRED_CSP = {"default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"}


def assert_security_headers(response, authenticated: bool = True):
    csp = {d.strip() for d in response.headers["Content-Security-Policy"].split(";")}
    assert REQUIRED_CSP <= csp
    assert not any("unsafe" in d or "*" in d or "http" in d for d in csp)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "HX-Request" in response.headers.get("Vary", "")
    if authenticated:
        assert response.headers["Cache-Control"] == "no-store"


def test_headers_on_pages_fragments_errors_and_static(app, client, make_user):
    make_user("boss", "admin")
    assert_security_headers(client.get("/login"), authenticated=False)
    assert_security_headers(client.get("/healthz"), authenticated=False)
    assert_security_headers(client.get("/no-such-page"), authenticated=False)
    static = client.get("/static/js/app.js")
    assert_security_headers(static, authenticated=False)
    login(client, "boss")
    for path in ("/", "/account", "/admin/users", "/admin/users/1", "/no-such-page", "/audit/"):
        assert_security_headers(client.get(path))
    fragment = client.get("/admin/users?q=boss", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.get_data(as_text=True)
    assert_security_headers(fragment)
    assert_security_headers(client.get("/admin/users/999", headers={"HX-Request": "true"}))


def test_500_page_is_generic_marked_and_rolled_back(app, client, make_user):
    @app.route("/boom")
    def boom():  # test-only route: not registered in the product
        raise RuntimeError("secret internals")

    app.view_functions["boom"]._policy = object()
    r = client.get("/boom")
    html = r.get_data(as_text=True)
    assert r.status_code == 500
    assert "secret internals" not in html and "Traceback" not in html
    assert html.count(app.config["MARKING"]) >= 2
    assert r.headers["X-Request-Id"] in html
    assert_security_headers(r, authenticated=False)


def test_one_url_serves_page_and_fragment_and_history_restore_gets_the_page(client, signed_in):
    signed_in("admin")
    page = client.get("/admin/users")
    fragment = client.get("/admin/users", headers={"HX-Request": "true"})
    restore = client.get("/admin/users", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in page.get_data(as_text=True)
    assert "<html" not in fragment.get_data(as_text=True)
    assert 'id="user-table"' in fragment.get_data(as_text=True)
    assert "<html" in restore.get_data(as_text=True)


def test_session_cookie_flags(client, make_user):
    make_user("alice", "reviewer")
    r = login(client, "alice")
    cookie = next(v for k, v in r.headers.items() if k == "Set-Cookie" and v.startswith("__Host-session="))
    attrs = {a.strip().split("=")[0].lower() for a in cookie.split(";")[1:]}
    assert {"secure", "httponly", "path"} <= attrs
    assert "samesite=lax" in cookie.lower()
    assert "domain" not in attrs
    assert not any(k == "Set-Cookie" and v.startswith("remember_token") for k, v in r.headers.items())


def test_csrf_refused_without_token_and_logged(app, client, make_user):
    make_user("alice", "reviewer")
    r = client.post("/login", data={"username": "alice", "password": "x" * 20})
    assert r.status_code == 400
    assert "expired or did not come from this system" in r.get_data(as_text=True)
    login(client, "alice")
    r = client.post("/logout")
    assert r.status_code == 400
    assert client.get("/account").status_code == 200  # still signed in: the forged logout did nothing
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert actions.count("csrf.failure") == 2


def test_csrf_token_accepted_in_the_htmx_header(client, make_user):
    make_user("alice", "reviewer")
    login(client, "alice")
    token = client.csrf_token("/")
    r = client.post("/logout", headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert r.status_code == 302
    assert client.get("/account").status_code == 302


def test_csrf_with_wrong_token_refused(client, make_user):
    make_user("alice", "reviewer")
    login(client, "alice")
    r = client.post("/logout", headers={"X-CSRFToken": "not-the-token"})
    assert r.status_code == 400


def test_htmx_config_and_csrf_header_are_on_every_page(client, signed_in):
    signed_in("admin")
    html = client.get("/").get_data(as_text=True)
    for setting in ('"allowEval":false', '"allowScriptTags":false', '"includeIndicatorStyles":false',
                    '"selfRequestsOnly":true', '"historyCacheSize":0'):
        assert setting in html
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert "<script>" not in html and " on" + "click=" not in html


def test_nothing_loads_from_outside_the_app(client, signed_in):
    import re

    signed_in("admin", "auditor")
    for path in ("/login", "/", "/admin/users", "/audit/", "/account"):
        html = client.get(path).get_data(as_text=True)
        for url in re.findall(r'(?:src|href)="([^"]+)"', html):
            assert url.startswith(("/", "#")) and not url.startswith("//"), f"{path} loads {url}"


def test_healthz_needs_no_login_and_shows_no_data(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.get_data(as_text=True) == "ok\n"
    assert "Set-Cookie" not in r.headers


# ---- route inventory ------------------------------------------------------------

def test_every_route_declares_who_may_use_it(app):
    missing = [rule.rule for rule in app.url_map.iter_rules()
               if policy_of(app.view_functions[rule.endpoint]) is None]
    assert not missing, f"routes without @policy: {missing}"


def test_public_routes_are_only_the_expected_ones(app):
    public = sorted(rule.endpoint for rule in app.url_map.iter_rules()
                    if policy_of(app.view_functions[rule.endpoint]).public)
    assert public == ["auth.login", "auth.login_code", "main.healthz", "main.print_marking", "static"]


def _simple_get_routes(app):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments:
            yield rule


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_each_role_gets_exactly_the_pages_its_policy_allows(app, client, signed_in, role):
    signed_in(role)
    for rule in _simple_get_routes(app):
        pol = policy_of(app.view_functions[rule.endpoint])
        r = client.get(rule.rule)
        allowed = pol.public or not pol.roles or Role(role) in pol.roles
        if allowed:
            assert r.status_code in (200, 302), (rule.rule, r.status_code)
        else:
            assert r.status_code == 403, (rule.rule, r.status_code)


def test_anonymous_users_reach_only_public_routes(app, client):
    for rule in _simple_get_routes(app):
        pol = policy_of(app.view_functions[rule.endpoint])
        r = client.get(rule.rule)
        if rule.endpoint == "auth.login_code":  # the code step with no password step before it: start there
            assert r.status_code == 302 and r.headers["Location"] == "/login", rule.rule
        elif pol.public:
            assert r.status_code == 200, rule.rule
        else:
            assert r.status_code == 302 and r.headers["Location"].startswith("/login"), rule.rule


def test_unsafe_methods_refused_for_roles_without_the_policy(app, client, signed_in):
    signed_in("board")
    token = client.csrf_token("/account")
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        pol = policy_of(app.view_functions[rule.endpoint])
        if pol.public or not pol.roles or Role.BOARD in pol.roles:
            continue  # the board may POST only to download (a disclosure it must name), never to change data
        path = re.sub(r"<int:\w+>", "1", rule.rule)
        r = client.post(path, headers={"X-CSRFToken": token})
        assert r.status_code == 403, (path, r.status_code)


# ---- configuration --------------------------------------------------------------

@pytest.mark.parametrize("key", ["", "short", "changeme" * 5 + "x" * 0, "a" * 64])
def test_production_refuses_to_start_without_a_strong_secret_key(key):
    with pytest.raises(ConfigError):
        load_config({"APP_ENV": "production", "SECRET_KEY": key})


STRONG = "k9#Vq2!xZ7@pL4$wR8^tY1&uI6*oP3(aS5)dF0"
AUDIT_KEY = "Zq8!mN3@vB6#cX1$zL5%kJ9^hG2&fD7*sA4(p"


def test_production_refuses_insecure_cookies():
    with pytest.raises(ConfigError, match="SESSION_COOKIE_SECURE"):
        load_config({"APP_ENV": "production", "SECRET_KEY": STRONG, "AUDIT_KEY": AUDIT_KEY,
                     "SESSION_COOKIE_SECURE": "false"})


@pytest.mark.parametrize("key", [None, "", "short", "a" * 64, STRONG])
def test_production_needs_its_own_audit_key(key):
    env = {"APP_ENV": "production", "SECRET_KEY": STRONG}
    if key is not None:
        env["AUDIT_KEY"] = key
    with pytest.raises(ConfigError, match="AUDIT_KEY"):
        load_config(env)
    assert load_config({**env, "AUDIT_KEY": AUDIT_KEY, "DATABASE_URL": "postgresql://hpd_app@127.0.0.1/hpd"}
                       )["AUDIT_KEY"] == AUDIT_KEY


def test_outside_production_the_audit_key_comes_from_the_secret_key():
    one = load_config({"APP_ENV": "development", "SECRET_KEY": "x" * 40})["AUDIT_KEY"]
    assert one == load_config({"APP_ENV": "development", "SECRET_KEY": "x" * 40})["AUDIT_KEY"]
    assert one != load_config({"APP_ENV": "development", "SECRET_KEY": "y" * 40})["AUDIT_KEY"]
    assert one != "x" * 40


def test_default_environment_is_production():
    with pytest.raises(ConfigError):
        load_config({})


def test_production_app_has_no_debug_and_no_demo_seed(tmp_path):
    from app import create_app

    app = create_app(env={"SECRET_KEY": STRONG, "AUDIT_KEY": AUDIT_KEY,
                          "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}"})
    assert app.debug is False and app.testing is False
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0 and "refuses to run under the production configuration" in result.output


def test_marking_is_configurable(database_url):
    from tests.conftest import make_app, reset_database

    app = make_app(database_url, MARKING="SECRET-TEST-MARK", HANDLING_LINE="Handle with test care")
    reset_database(app)
    app.test_client_class = __import__("tests.conftest", fromlist=["BrowserLikeClient"]).BrowserLikeClient
    html = app.test_client().get("/login").get_data(as_text=True)
    assert html.count("SECRET-TEST-MARK") == 2 and html.count("Handle with test care") == 2
    with app.app_context():
        db.engine.dispose()
