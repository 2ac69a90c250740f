"""Real-browser checks in Debian's Chromium, driven by Playwright, against gunicorn."""
from __future__ import annotations

import os
import shutil

import pytest

from tests.conftest import PASSWORD, TEST_SECRET, requirement_missing
from tests.live import gunicorn

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="module")
def chromium():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        requirement_missing(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        requirement_missing("browser tests need the playwright package (pip install -r requirements-dev.txt)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live(app, tmp_path):
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], TEST_SECRET, workers=2, log_dir=tmp_path) as (base, _):
        yield base


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1366, "height": 900})
    pg = context.new_page()
    pg.console_messages = []
    pg.on("console", lambda m: pg.console_messages.append(m.text))
    yield pg
    context.close()


def sign_in(page, base, username):
    page.goto(base + "/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_shows_the_marking_at_top_and_bottom(app, live, page, make_user):
    make_user("alice", "reviewer", full_name="Alice Example")
    page.goto(live + "/login")
    markings = page.locator(".marking__label")
    assert markings.count() == 2
    sign_in(page, live, "alice")
    page.wait_for_url(live + "/")
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Alice Example"
    markings = page.locator(".marking")
    assert markings.count() == 2
    assert [markings.nth(i).locator(".marking__label").inner_text() for i in range(2)] == [app.config["MARKING"]] * 2
    top = markings.nth(0).bounding_box()
    bottom = markings.nth(1).bounding_box()
    doc_height = page.evaluate("document.documentElement.scrollHeight")
    assert top["y"] == 0
    assert abs((bottom["y"] + bottom["height"]) - doc_height) <= 1
    assert not [m for m in page.console_messages if "Content Security Policy" in m]


def test_htmx_runs_under_the_csp_with_eval_off(app, live, page, make_user):
    make_user("boss", "admin")
    make_user("zed", "board", full_name="Zed Boardmember")
    sign_in(page, live, "boss")
    page.goto(live + "/admin/users")
    assert page.evaluate("htmx.config.allowEval") is False
    assert page.evaluate("htmx.config.historyCacheSize") == 0
    page.get_by_label("Search").fill("zed")
    page.wait_for_url("**/admin/users?q=zed**")
    page.locator("#user-table", has_text="1 user").wait_for()
    assert page.locator("#user-table tbody tr").count() == 1
    assert "Zed Boardmember" in page.locator("#user-table").inner_text()
    assert not [m for m in page.console_messages if "Content Security Policy" in m or "Refused" in m]
    # No copy of the page (with its personal data) is kept in browser storage for history.
    stored = page.evaluate("JSON.stringify([Object.entries(sessionStorage), Object.entries(localStorage)])")
    assert "htmx-history-cache" not in stored and "Zed" not in stored


def test_signing_out_returns_to_the_login_page_and_back_shows_no_data(app, live, page, make_user):
    make_user("boss", "admin")
    sign_in(page, live, "boss")
    page.goto(live + "/admin/users")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    page.go_back()
    page.wait_for_load_state()
    assert "/login" in page.url
    assert "Demo" not in page.content() and "Test Boss" not in page.content()
