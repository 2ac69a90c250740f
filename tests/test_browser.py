"""Real-browser checks in Debian's Chromium, driven by Playwright, against gunicorn."""
from __future__ import annotations

import os
import re
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
    pg.on("console", lambda m: pg.console_messages.append(f"{m.text} @ {m.location}"))
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


def wait_until(page, expression: str, timeout_s: float = 10):
    """Poll a JavaScript expression from outside the page (the app's CSP forbids eval inside it)."""
    import time

    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {expression}")
        page.wait_for_timeout(50)


def drag(page, source, target):
    """Drag with the mouse the way a person does: press, move in small steps, release."""
    src = source.bounding_box()
    dst = target.bounding_box()
    x0, y0 = src["x"] + src["width"] / 2, src["y"] + src["height"] / 2
    x1, y1 = dst["x"] + dst["width"] / 2, dst["y"] + min(dst["height"] / 2, 60)
    page.mouse.move(x0, y0)
    page.mouse.down()
    for i in range(1, 16):
        page.mouse.move(x0 + (x1 - x0) * i / 15, y0 + (y1 - y0) * i / 15)
        page.wait_for_timeout(15)
    page.mouse.up()


def _card_column(page, debrief_id):
    return page.evaluate(f"document.getElementById('card-{debrief_id}')?.closest('.kcol__cards')?.dataset.stage")


def test_drag_a_card_from_referred_to_scoping_and_it_stays_after_reload(app, live, page, make_user, make_debrief):
    make_user("rev", "reviewer")
    make_debrief("scoping", title="Already in scoping")  # drop among other cards, not into an empty column
    d = make_debrief(decision="accepted", title="Drag me")
    sign_in(page, live, "rev")
    page.goto(live + "/board")
    assert _card_column(page, d) == "referred"
    drag(page, page.locator(f"#card-{d} .kcard__title"), page.locator("#cards-scoping"))
    page.locator("#board-message", has_text="moved to Scoping").wait_for()
    assert _card_column(page, d) == "scoping"
    assert page.locator("#count-scoping").inner_text() == "2"
    assert page.locator("#count-referred").inner_text() == "0"
    page.reload()
    assert _card_column(page, d) == "scoping"
    assert not [m for m in page.console_messages if "Content Security Policy" in m]


def test_a_refused_drag_puts_the_card_back_and_says_why(app, live, page, make_user, make_debrief):
    make_user("rev", "reviewer")
    d = make_debrief(title="No decision yet")
    sign_in(page, live, "rev")
    page.goto(live + "/board")
    drag(page, page.locator(f"#card-{d} .kcard__title"), page.locator("#cards-scoping"))
    page.locator("#board-message", has_text="cannot move to Scoping yet").wait_for()
    assert _card_column(page, d) == "referred"
    assert "Eligibility decision recorded" in page.locator("#board-message").inner_text()
    page.get_by_role("link", name="Leave it where it is").click()
    assert page.locator("#board-message").inner_text() == ""
    drag(page, page.locator(f"#card-{d} .kcard__title"), page.locator("#cards-scoping"))
    page.locator("#board-message", has_text="cannot move to Scoping yet").wait_for()
    # Override from the message, with a reason.
    page.get_by_label("Override the gate and move anyway").check()
    page.locator("#board-message textarea").fill("Decided by phone with the Head of PP")
    page.get_by_role("button", name="Move anyway").click()
    page.locator("#board-message", has_text="moved to Scoping").wait_for()
    assert _card_column(page, d) == "scoping"
    page.reload()
    assert _card_column(page, d) == "scoping"


def test_the_same_move_by_keyboard_only(app, live, page, make_user, make_debrief):
    make_user("rev", "reviewer")
    d = make_debrief(decision="accepted", title="Keyboard only")
    sign_in(page, live, "rev")
    page.goto(live + "/board")
    for _ in range(60):  # Tab through the page until the card's "Move to…" list has focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == f"move-{d}":
            break
    else:
        raise AssertionError("the Move to… list was not reachable with Tab")
    page.keyboard.type("Scop")  # choose by typing, as a keyboard user does in a closed list
    assert page.evaluate(f"document.getElementById('move-{d}').value") == "scoping"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.locator("#board-message", has_text="moved to Scoping").wait_for()
    assert _card_column(page, d) == "scoping"
    wait_until(page, f"document.activeElement && document.activeElement.id === 'card-{d}-ref'")
    page.reload()
    assert _card_column(page, d) == "scoping"


def test_meeting_room_view_refreshes_without_losing_the_scroll_position(app, live, chromium, make_user,
                                                                        make_debrief):
    make_user("rev", "reviewer")
    for n in range(14):
        make_debrief(title=f"Room case {n}")
    context = chromium.new_context(viewport={"width": 1280, "height": 500})
    page = context.new_page()
    sign_in(page, live, "rev")
    page.goto(live + "/board/room")
    assert page.get_attribute("#board", "hx-trigger") == "every 60s"
    assert page.locator(".kcard__move").count() == 0
    # The screen never scrolls; a column with more cards than fit scrolls inside itself.
    assert page.evaluate("document.documentElement.scrollHeight") <= 500
    column = page.locator("#cards-referred")
    column.hover()
    page.mouse.wheel(0, 900)
    wait_until(page, "document.getElementById('cards-referred').scrollTop > 300")
    before = column.evaluate("e => e.scrollTop")
    page.evaluate("document.getElementById('board').dataset.old = 'yes'")
    # The poll's request and swap, run now instead of waiting a minute.
    page.evaluate("htmx.ajax('GET', '/board/room', {source: '#board', target: '#board', swap: 'outerHTML'})")
    wait_until(page, "document.querySelector('#board') && !document.querySelector('#board').dataset.old")
    page.wait_for_timeout(300)
    assert page.locator(".kcard").count() == 14
    assert abs(page.locator("#cards-referred").evaluate("e => e.scrollTop") - before) <= 2
    context.close()


def _chronology_with_entry(app, make_debrief, summary="Original words"):
    from datetime import date

    import sqlalchemy as sa

    from app.chronology import services
    from app.extensions import db
    from app.models import Agency, Debrief, User

    d = make_debrief("chronology")
    with app.test_request_context():
        police = db.session.scalar(sa.select(Agency.id).where(Agency.name == "Police"))
        actor = db.session.scalar(sa.select(User).where(User.username == "builder"))
        e = services.create_entry(db.session.get(Debrief, d), {
            "entry_date": date(2025, 2, 3), "entry_time": None, "date_precision": "exact", "agency_id": police,
            "contact_type": "call", "summary": summary, "subject_ids": []}, actor)
        entry_id = e.id
        db.session.remove()
    return d, entry_id


def test_two_editors_the_second_sees_the_conflict_and_keeps_their_text(app, live, chromium, make_user,
                                                                         make_debrief):
    make_user("ann", "reviewer")
    make_user("bob", "reviewer")
    d, eid = _chronology_with_entry(app, make_debrief)
    pages = []
    for who in ("ann", "bob"):
        ctx = chromium.new_context(viewport={"width": 1366, "height": 900})
        pg = ctx.new_page()
        pg.console_messages = []
        pg.on("console", lambda m, pg=pg: pg.console_messages.append(m.text))
        sign_in(pg, live, who)
        pg.goto(f"{live}/debriefs/{d}/chronology")
        pg.locator(f"#entry-{eid}").click()
        pg.locator(f"#entry-{eid}.crow--editing").wait_for()
        pages.append((ctx, pg))
    (_, ann), (_, bob) = pages
    ann.locator("#summary").fill("Ann's corrected words")
    ann.get_by_role("button", name="Save").click()
    ann.locator(f"#entry-{eid}[data-edit-url]", has_text="Ann's corrected words").wait_for()
    bob.locator("#summary").fill("Bob's different words")
    bob.get_by_role("button", name="Save").click()
    bob.locator(f"#entry-{eid} .conflict").wait_for()
    assert "Someone else saved this entry" in bob.locator(f"#entry-{eid}").inner_text()
    assert "Ann's corrected words" in bob.locator(f"#entry-{eid} .conflict").inner_text()
    assert bob.locator("#summary").input_value() == "Bob's different words"  # nothing Bob typed is lost
    with app.app_context():
        from app.extensions import db
        from app.models import ChronologyEntry

        assert db.session.get(ChronologyEntry, eid).summary == "Ann's corrected words"
    assert not [m for m in ann.console_messages + bob.console_messages if "Content Security Policy" in m]
    for ctx, _ in pages:
        ctx.close()


def test_chronology_row_edited_by_keyboard_only(app, live, page, make_user, make_debrief):
    make_user("rev", "reviewer")
    d, eid = _chronology_with_entry(app, make_debrief, summary="Typed by keyboard")
    sign_in(page, live, "rev")
    page.goto(f"{live}/debriefs/{d}/chronology")
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == f"entry-{eid}":
            break
    else:
        raise AssertionError("the chronology row was not reachable with Tab")
    page.keyboard.press("Enter")
    page.locator(f"#entry-{eid}.crow--editing").wait_for()
    wait_until(page, "document.activeElement && document.activeElement.id === 'entry_date'")
    page.keyboard.press("Escape")  # cancel: the row comes back unchanged
    page.locator(f"#entry-{eid}[data-edit-url]").wait_for()
    wait_until(page, f"document.activeElement && document.activeElement.id === 'entry-{eid}'")
    page.keyboard.press("Enter")
    page.locator(f"#entry-{eid}.crow--editing").wait_for()
    wait_until(page, "document.activeElement && document.activeElement.id === 'entry_date'")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "source_ref":
            break
    page.keyboard.type("LOG-77")
    page.keyboard.press("Enter")  # Enter in a field saves
    page.locator(f"#entry-{eid}[data-edit-url]", has_text="LOG-77").wait_for()
    page.reload()
    assert "LOG-77" in page.locator(f"#entry-{eid}").inner_text()


def test_meeting_attendance_learning_and_shared_document_in_the_browser(app, live, page, make_user, make_debrief):
    """Schedule a meeting, record attendance, add a learning point linked to two chronology rows,
    and issue the shared document."""
    from datetime import date, timedelta

    make_user("rev", "reviewer")
    make_user("mem", "member", full_name="Mia Member")
    d, e1 = _chronology_with_entry(app, make_debrief, summary="First contact")
    with app.test_request_context():
        import sqlalchemy as sa

        from app.chronology import services
        from app.extensions import db
        from app.models import Agency, ChronologyEntry, Debrief, User

        entry = db.session.get(ChronologyEntry, e1)
        entry.key_issue = True
        db.session.commit()
        e2 = services.create_entry(db.session.get(Debrief, d), {
            "entry_date": date(2025, 3, 3), "entry_time": None, "date_precision": "exact",
            "agency_id": db.session.scalar(sa.select(Agency.id).where(Agency.name == "GP")),
            "contact_type": "health", "summary": "Second contact", "key_issue": True, "subject_ids": []},
            db.session.scalar(sa.select(User).where(User.username == "builder"))).id
        db.session.remove()
    sign_in(page, live, "rev")

    page.goto(f"{live}/debriefs/{d}/meeting")
    page.get_by_label("Date").fill((date.today() - timedelta(days=1)).isoformat())
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("Venue").fill("Room 2")
    page.get_by_role("button", name="Schedule the meeting").click()
    page.locator(".flash--success", has_text="Meeting saved").wait_for()
    page.get_by_label("Person").select_option(label="Mia Member (force)")
    page.get_by_role("button", name="Invite").first.click()
    page.get_by_role("cell", name="Mia Member", exact=True).wait_for()
    page.locator("#invitees select").first.select_option("attended")
    page.get_by_role("button", name="Save attendance").click()
    page.locator(".flash--success", has_text="Attendance saved").wait_for()
    assert "Meeting held and attendance recorded" in page.content()

    page.goto(f"{live}/debriefs/{d}/learning")
    page.get_by_role("textbox", name="Learning point").fill("Contacts across agencies were not connected")
    page.get_by_label("Area for improvement").check()
    page.get_by_label("Information sharing").check()
    page.locator("#earlier").wait_for(state="attached")
    page.locator(f"input[name=entry_ids][value='{e1}']").check()
    page.locator(f"input[name=entry_ids][value='{e2}']").check()
    page.get_by_role("button", name="Add learning point").click()
    page.locator(".flash--success", has_text="Learning point L1 added").wait_for()

    page.goto(f"{live}/debriefs/{d}/chronology")
    assert page.locator('[title="Learning point L1"]').count() == 2

    page.goto(f"{live}/debriefs/{d}/document")
    page.get_by_label("Summary", exact=True).fill("Contacts across agencies were not connected.")
    page.get_by_label("Approved by", exact=True).fill("Head of Public Protection")
    page.get_by_label("Distribution", exact=True).fill("Working group; partners")
    page.get_by_label("Dissemination plan", exact=True).fill("7-minute briefing to response teams")
    page.get_by_role("button", name="Issue version 1").click()
    page.locator("h2", has_text="Version 1, issued").wait_for()
    text = page.locator("article.document").inner_text()
    assert "Shared version" in text and "Contacts across agencies were not connected" in text
    assert not [m for m in page.console_messages if "Content Security Policy" in m]


def test_owner_completes_an_action_with_evidence_and_the_working_group_signs_it_off(app, live, chromium, make_user,
                                                                                  make_debrief):
    from datetime import date, timedelta

    import sqlalchemy as sa

    from app.extensions import db
    from app.models import Action

    owner = make_user("olive", "member", full_name="Olive Owner")
    make_user("wanda", "working_group", full_name="Wanda Group")
    d = make_debrief("monitoring")
    with app.app_context():
        db.session.add(Action(debrief_id=d, number=1, what="Refresh DASH training for call handlers",
                              owner_user_id=owner, due_on=date.today() + timedelta(days=5), priority="high",
                              scope="force", status="open"))
        db.session.commit()
        action_id = db.session.scalar(sa.select(Action.id))

    context = chromium.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.console_messages = []
    page.on("console", lambda m: page.console_messages.append(m.text))
    sign_in(page, live, "olive")
    page.wait_for_url(live + "/")
    page.get_by_role("link", name="All your actions on My actions").click()  # from the home page
    page.wait_for_url(live + "/actions?owner=me")
    assert page.get_by_role("heading", level=1).inner_text() == "My actions"
    row = page.locator(f"#action-{action_id}")
    row.get_by_role("link", name="Update").click()
    form = page.locator(f"#action-{action_id} form.row-form")
    form.wait_for()
    # focus moves into the row (htmx applies autofocus as the swap settles)
    wait_until(page, f"document.activeElement && document.activeElement.name === 'u{action_id}-note'")
    form.get_by_label("Progress update").fill("Ran the course for both shifts.")
    form.get_by_label("Evidence of completion").fill("Attendance register: 38 of 40 call handlers trained.")
    form.get_by_label("Link to the evidence").fill("https://intranet.example/training/register")
    form.get_by_role("button", name="Mark complete").click()
    done_row = page.locator(f"#action-{action_id}")
    done_row.locator(".status--completed").wait_for()
    assert "Completed, awaiting sign-off" in done_row.inner_text()
    # and back on the row's Update button once it is saved
    wait_until(page, "document.activeElement && document.activeElement.textContent.trim().startsWith('Update')")
    assert page.url == live + "/actions?owner=me"  # the owner never left the board
    page.reload()
    assert "Completed, awaiting sign-off" in page.locator(f"#action-{action_id}").inner_text()
    context.close()

    context = chromium.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.console_messages = []
    page.on("console", lambda m: page.console_messages.append(m.text))
    sign_in(page, live, "wanda")
    page.wait_for_url(live + "/")
    page.goto(live + "/actions/pack")
    item = page.locator(f"#pack-{action_id}")
    assert "38 of 40 call handlers trained" in item.inner_text() and "Olive Owner" in item.inner_text()
    item.get_by_label("Comment").fill("Register seen; well done.")
    item.get_by_role("button", name="Sign off").click()
    page.locator(f"#pack-{action_id}.pack-item--done").wait_for()
    assert "signed off" in page.locator(f"#pack-{action_id}").inner_text()
    assert not [m for m in page.console_messages if "Content Security Policy" in m]
    context.close()
    with app.app_context():
        stored = db.session.get(Action, action_id)
        assert stored.status == "closed" and stored.evidence_link == "https://intranet.example/training/register"


def test_a_reviewer_typing_a_real_name_is_told_what_others_will_see(app, live, page, make_user, make_debrief):
    from app.extensions import db
    from app.models import Debrief, SubjectRole
    from app.scoping.services import add_subject

    make_user("rev", "reviewer")
    d = make_debrief("scoping")
    with app.test_request_context():
        add_subject(db.session.get(Debrief, d), role=SubjectRole.SUSPECT, real_name="Liam Barrett",
                    date_of_birth=None)
    sign_in(page, live, "rev")
    page.goto(f"{live}/debriefs/{d}")
    page.locator("#parameters a.button").first.click()
    box = page.get_by_label("Key questions")
    box.wait_for()
    box.fill("")
    box.press_sequentially("Was the risk posed by Liam Barrett known?", delay=15)  # typed, as a person would
    hint = page.locator("#key_questions-names")
    hint.filter(has_text="will show as Adult A").wait_for(timeout=10_000)
    assert "“Liam Barrett” will show as Adult A" in hint.inner_text()
    assert hint.get_attribute("aria-live") == "polite"
    box.fill("Was the risk posed by Adult A known?")
    wait_until(page, "document.getElementById('key_questions-names').textContent.trim() === ''")


def test_dashboard_figures_lead_to_their_lists_and_data_downloads_by_keyboard(app, live, chromium, make_user,
                                                                               make_debrief):
    make_user("bella", "board", full_name="Bella Board")
    for _ in range(3):
        make_debrief("chronology", decision="accepted")
    make_debrief("referred")
    context = chromium.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    page = context.new_page()
    csp = []
    page.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)
    sign_in(page, live, "bella")
    page.goto(live + "/dashboard")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Dashboard: 12 months to")
    # The page itself never scrolls sideways, on a laptop or at 320 CSS px (charts scroll inside their frame).
    for width in (1366, 320):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), width
    page.set_viewport_size({"width": 1366, "height": 900})
    # Every chart is an image with a title and a description for screen readers.
    charts = page.locator("svg.chart__svg[role=img]")
    assert charts.count() == 8
    labelled = charts.first.get_attribute("aria-labelledby").split()
    assert [page.locator(f"#{i}").text_content().split(",")[0] for i in labelled] == ["Debriefs referred"] * 2
    # "Which ones?": the headline figure opens the list behind it.
    page.locator(".tile").first.get_by_role("link").click()
    page.wait_for_url("**/dashboard/which**")
    assert page.locator("tbody tr").count() == 4
    page.go_back()
    # Download a chart's data by keyboard: open the disclosure, type who it is for, press Enter.
    summary = page.locator("details.download summary").first
    summary.focus()
    page.keyboard.press("Enter")
    recipient = page.locator("#recipient-volumes")
    recipient.focus()
    page.keyboard.type("Board meeting, March")
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    download = info.value
    assert download.suggested_filename.startswith("dashboard-volumes-")
    text = open(download.path(), encoding="utf-8-sig").read()
    assert text.splitlines()[0].startswith(app.config["MARKING"])
    assert not csp
    context.close()


def test_two_factor_enrolment_and_sign_in_in_the_browser(app, live, page, make_user):
    """The QR code is drawn by the page itself (no picture fetched, nothing blocked by the CSP); the key typed
    into an authenticator gives codes the sign-in accepts, once."""
    import pyotp

    make_user("alice", "reviewer")
    sign_in(page, live, "alice")
    page.wait_for_url(live + "/")
    page.goto(live + "/account")
    page.get_by_role("link", name="Set up two-factor sign-in").click()
    qr = page.get_by_role("img", name="QR code for your authenticator app")
    box = qr.bounding_box()
    assert box["width"] >= 150 and box["height"] >= 150
    key = page.locator("#totp-key").inner_text().replace(" ", "")
    page.get_by_label("The 6-digit code your app now shows").fill(pyotp.TOTP(key).now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Two-factor sign-in is on"
    recovery = page.locator(".recovery-codes code").all_inner_texts()
    assert len(recovery) == 10
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live, "alice")
    page.wait_for_url(live + "/login/code")
    field = page.get_by_label("Code from your authenticator app, or a recovery code")
    assert field.get_attribute("autocomplete") == "one-time-code"
    field.fill("000000")
    page.get_by_role("button", name="Sign in").click()
    assert "That code is not right" in page.locator(".field__error").inner_text()
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(recovery[0])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live + "/")
    assert "9 left" in page.locator(".flash-area").inner_text()
    assert not [m for m in page.console_messages if "Content Security Policy" in m]


def _end_sessions_of(app, username):
    """The session runs out while the person is typing (as if idle past the limit)."""
    from datetime import timedelta

    import sqlalchemy as sa

    from app.extensions import db
    from app.models import User, UserSession, utcnow

    with app.app_context():
        uid = db.session.scalar(sa.select(User.id).where(User.username == username))
        db.session.execute(sa.update(UserSession).where(UserSession.user_id == uid)
                           .values(last_seen_at=utcnow() - timedelta(hours=2)))
        db.session.commit()
        db.session.remove()


def _on_the_sign_in_page(page) -> None:
    """Wait for the sign-in page a refused request leads to. Two requests may be refused at once (a save and
    the name check its field ran on leaving it), each sending the browser there, the second cutting the first
    navigation short; so wait for the page itself rather than for one navigation."""
    page.locator("form[action='/login'] #username").wait_for()
    assert re.search(r"/login\?next=", page.url), page.url


def _sign_in_again_and_read_kept_text(page, live, d) -> list[str]:
    """On the sign-in page a refused save led to: sign in, come back to the chronology, read what was kept."""
    _on_the_sign_in_page(page)
    page.get_by_label("Username").fill("rev")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live}/debriefs/{d}/chronology")
    kept = page.locator(".kept-text")
    kept.wait_for()
    return [kept.locator("textarea").nth(i).input_value() for i in range(kept.locator("textarea").count())]


def test_a_save_after_the_session_ended_keeps_the_text(app, live, page, make_user, make_debrief):
    make_user("rev", "reviewer")
    d, eid = _chronology_with_entry(app, make_debrief)
    sign_in(page, live, "rev")
    page.wait_for_url(live + "/")

    # A full-page form: sent after the session ended, it comes back filled in after signing in again.
    page.goto(f"{live}/debriefs/{d}/edit")
    page.get_by_label("Short summary").fill("Words typed before the session ran out")
    _end_sessions_of(app, "rev")
    page.get_by_role("button", name="Save").click()
    _on_the_sign_in_page(page)
    sign_in_here = page.get_by_label("Username")
    sign_in_here.fill("rev")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live}/debriefs/{d}/edit")
    assert page.get_by_label("Short summary").input_value() == "Words typed before the session ran out"
    assert page.evaluate("document.activeElement.name") == "summary"
    assert "put back" in page.locator(".flash-area").inner_text()

    # An inline edit (htmx): the editor is gone after signing in, so the text is shown to copy back.
    page.goto(f"{live}/debriefs/{d}/chronology")
    page.locator(f"#entry-{eid}").click()
    page.locator(f"#entry-{eid}.crow--editing").wait_for()
    page.locator("#summary").fill("Neighbour heard shouting at 23:10")
    _end_sessions_of(app, "rev")
    page.locator(f"#entry-{eid} [data-save]").click()
    values = _sign_in_again_and_read_kept_text(page, live, d)
    assert "Neighbour heard shouting at 23:10" in values
    assert page.evaluate("document.activeElement.id") == "kept-text-h"

    # Leaving the field is already a request (the name check): refused, it keeps the text the same way.
    page.locator(f"#entry-{eid}").click()
    page.locator(f"#entry-{eid}.crow--editing").wait_for()
    page.locator("#summary").fill("Second attempt, typed after lunch")
    _end_sessions_of(app, "rev")
    page.keyboard.press("Tab")
    values = _sign_in_again_and_read_kept_text(page, live, d)
    assert values == ["Second attempt, typed after lunch"]


def test_a_warning_comes_before_an_idle_session_ends_and_keeps_it(app, tmp_path, page, make_user):
    from tests.live import gunicorn

    make_user("rev", "reviewer")
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], TEST_SECRET, workers=1, log_dir=tmp_path,
                  SESSION_IDLE_MINUTES=1) as (base, _):
        sign_in(page, base, "rev")
        page.wait_for_url(base + "/")
        warning = page.get_by_role("alertdialog")
        warning.wait_for(timeout=20_000)
        assert "you will be signed out in" in warning.inner_text()
        assert page.evaluate("document.activeElement.textContent") == "Stay signed in"
        page.keyboard.press("Enter")
        warning.wait_for(state="hidden")
        assert "You are still signed in." in page.locator(".flash-area").inner_text()
        assert page.evaluate("fetch('/session/status').then(r => r.json()).then(d => d.remaining)") > 50


def test_undo_puts_the_row_back_in_its_place_with_the_count_right(app, live, page, make_user, make_debrief):
    make_user("rev", "reviewer")
    d, eid = _chronology_with_entry(app, make_debrief, summary="Kept after all")
    sign_in(page, live, "rev")
    page.goto(f"{live}/debriefs/{d}/chronology")
    assert page.locator("#chronology-total").inner_text().startswith("1 entry")
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator(f"#entry-{eid}").click()
    page.locator(f"#entry-{eid}.crow--editing").wait_for()
    page.locator(f"#entry-{eid} .row-form__delete").click()
    page.locator(f"#entry-{eid}.crow--deleted").wait_for()
    assert page.locator("#chronology-total").inner_text().startswith("0 entries")
    page.get_by_role("button", name="Undo").click()
    page.locator(f"#entry-{eid}[data-edit-url]").wait_for()
    page.locator(".crow--deleted").wait_for(state="detached")  # the swap has finished
    assert page.locator(f"#entry-{eid}").count() == 1 and page.locator(".crow--deleted").count() == 0
    assert page.locator(f"#chronology-rows > tr#entry-{eid}").count() == 1  # a row of the table, not nested
    assert "Kept after all" in page.locator(f"#entry-{eid}").inner_text()
    assert page.locator("#chronology-total").inner_text().startswith("1 entry")
    wait_until(page, f"document.activeElement && document.activeElement.id === 'entry-{eid}'")
    assert "Entry restored." in page.locator("#flash").inner_text()


@pytest.mark.parametrize("width, height", [(1920, 1080), (1366, 768)])
def test_the_wall_board_fits_the_screen_and_the_board_never_scrolls_the_page(app, live, chromium, width, height):
    from app import demo
    from app.extensions import db

    with app.test_request_context():
        demo.seed()
        demo.seed_debriefs()
        db.session.remove()
    context = chromium.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(live + "/login")
    page.get_by_label("Username").fill("reviewer")
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live + "/")

    page.goto(live + "/board/room")
    columns = page.locator(".kcol")
    assert columns.count() == 8
    for i in range(8):
        box = columns.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width and box["y"] + box["height"] <= height, \
            (columns.nth(i).get_attribute("id"), box)
    assert page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]") \
        == [width, height]
    # Status is the largest text on a card.
    status = page.locator(".kcol .rag").first
    ref = page.locator(".kcol .kcard__ref").first
    assert float(status.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= \
        float(ref.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))

    page.goto(live + "/board")
    assert page.evaluate("document.documentElement.scrollWidth") == width  # the columns scroll, not the page
    for marking in range(2):
        assert page.locator(".marking").nth(marking).bounding_box()["width"] == width
    board = page.locator("#board")
    assert board.evaluate("e => e.scrollWidth >= e.clientWidth")
    context.close()


def _long_chronology(app, make_debrief, n=2000):
    """A chronology of `n` entries over two years, one every few hours, with no two at the same moment."""
    from datetime import date, datetime, timedelta

    import sqlalchemy as sa

    from app.extensions import db
    from app.models import Agency, ChronologyEntry, User

    d = make_debrief("chronology")
    with app.app_context():
        police = db.session.scalar(sa.select(Agency.id).where(Agency.name == "Police"))
        actor = db.session.scalar(sa.select(User.id).where(User.username == "builder"))
        start = datetime(2023, 1, 1, 8, 0)
        db.session.add_all(ChronologyEntry(
            debrief_id=d, entered_by_id=actor, agency_id=police, contact_type="other", date_precision="exact",
            entry_date=(start + timedelta(hours=8 * i)).date(), entry_time=(start + timedelta(hours=8 * i)).time(),
            summary=f"Contact number {i + 1}") for i in range(n))
        db.session.commit()
        db.session.remove()
    return d, date(2023, 1, 1)


def test_a_2000_entry_chronology_keeps_its_header_jumps_by_month_and_places_new_entries(app, live, page, make_user,
                                                                                       make_debrief):
    make_user("rev", "reviewer")
    d, _ = _long_chronology(app, make_debrief)
    sign_in(page, live, "rev")
    page.goto(f"{live}/debriefs/{d}/chronology")
    box = page.locator(".table-scroll--chronology")
    assert page.locator("#chronology-rows tr[data-sort]").count() == 2000
    # The page itself stays one screen high; the entries scroll in their box under a header that stays.
    assert page.evaluate("document.documentElement.scrollHeight") < 3 * page.viewport_size["height"]
    box.evaluate("e => e.scrollTop = 40000")
    header = page.locator(".table--chronology thead th").nth(1)
    assert abs(header.bounding_box()["y"] - box.bounding_box()["y"]) < 3
    # Jump to a month: its heading comes into view in the box.
    page.locator(".chron-nav a[href='#m-2024-03']").click()
    heading = page.locator("#m-2024-03")
    top = heading.bounding_box()["y"] - box.bounding_box()["y"]
    assert 0 <= top < box.bounding_box()["height"] / 2, top
    order = page.eval_on_selector_all("#chronology-rows tr[data-sort]", "rows => rows.map(r => r.dataset.sort)")
    assert order == sorted(order)

    # A new entry dated in the middle goes straight to its place; "Save and add another" opens the next one.
    page.get_by_role("link", name="New entry").click()
    form = page.locator("#entry-new")
    form.wait_for()
    form.locator("#entry_date").fill("2024-03-10")
    form.locator("#entry_time").fill("09:30")
    form.locator("#agency_id").select_option(label="Police")
    form.locator("#contact_type").select_option(index=1)
    form.locator("#summary").fill("Placed in date order")
    form.get_by_role("button", name="Save and add another").click()
    row = page.locator("#chronology-rows tr[data-sort]", has_text="Placed in date order")
    row.wait_for()
    order = page.eval_on_selector_all("#chronology-rows tr[data-sort]", "rows => rows.map(r => r.dataset.sort)")
    assert order == sorted(order) and len(order) == 2001
    nxt = page.locator("#entry-new")
    nxt.wait_for()
    assert nxt.locator("#entry_date").input_value() == "2024-03-10"
    wait_until(page, "document.activeElement && document.activeElement.closest('#entry-new') !== null")
    assert "Entry added in date order." in page.locator("#flash").inner_text()
    nxt.get_by_role("button", name="Cancel").click()
    nxt.wait_for(state="detached")

    # Duplicate an entry: a new row opens with its fields.
    first = page.locator("#chronology-rows tr[data-sort]").first
    first_id = first.get_attribute("id")
    first.click()
    page.locator(f"#{first_id}.crow--editing").wait_for()
    page.locator(f"#{first_id}").get_by_role("button", name="Duplicate").click()
    page.locator("#entry-new").wait_for()
    assert page.locator("#entry-new #summary").input_value() == "Contact number 1"
    assert page.locator(f"#{first_id}[data-sort]").count() == 1  # the original is back as it was
    page.locator("#entry-new").get_by_role("button", name="Cancel").click()

    # Flag several at once.
    ticks = page.locator("#chronology-rows input[name=entry]")
    ticks.nth(1).check()
    ticks.nth(2).check()
    page.get_by_label("Flag the ticked entries as").select_option(label="Key issue")
    page.get_by_role("button", name="Flag ticked entries").click()
    wait_until(page, "document.querySelectorAll('#chronology-rows tr.crow--key').length === 2")
    assert "2 entries flagged as key issue." in page.locator("#flash").inner_text()


def test_a_printed_chronology_keeps_rows_whole_and_the_marking_off_the_content(app, live, page, make_user,
                                                                               make_debrief, tmp_path):
    """Printed to PDF by Chromium: A4 landscape, the marking and page number in the margins of every page,
    the header on every page, and no entry split across two pages."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.models import ChronologyEntry

    make_user("rev", "reviewer")
    d, _ = _long_chronology(app, make_debrief, n=2000)
    with app.app_context():  # every tenth entry long enough to run over several lines
        for e in db.session.scalars(sa.select(ChronologyEntry).where(ChronologyEntry.id % 10 == 0)):
            e.summary = f"start-{e.id} " + "Detailed account of the contact and what followed. " * 6 + f"end-{e.id}"
        db.session.commit()
        db.session.remove()
    sign_in(page, live, "rev")
    page.goto(f"{live}/debriefs/{d}/chronology/print")
    pdf = tmp_path / "chronology.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4 landscape, in points
    pages = [p.extract_text() for p in reader.pages]
    marking = app.config["MARKING"]
    for number, text in enumerate(pages, 1):
        assert text.count(marking) >= 2, number  # top and bottom margins
        assert f"Page {number} of {len(pages)}" in text
        assert "Event, action and outcome" in text  # the header, repeated
    for entry_id in range(10, 2001, 10):
        mark = re.compile(rf"\b(?:start|end)-{entry_id}\b")
        on = [i for i, text in enumerate(pages) if mark.search(text)]
        assert len(set(on)) == 1, (entry_id, on)  # the whole entry on one page
    assert sum(text.count("Contact number") for text in pages) == 1800  # and the 200 long ones, each whole


def test_focus_stays_on_what_changed_after_sign_off_and_a_refused_send_back(app, live, page, make_user,
                                                                            make_debrief):
    """Keyboard users are not thrown back to the top of the page when a swap replaces what they were on."""
    from datetime import date, timedelta

    from app.extensions import db
    from app.models import Action

    owner = make_user("olive", "member")
    make_user("wanda", "working_group")
    d = make_debrief("monitoring")
    with app.app_context():
        for number in (1, 2):
            db.session.add(Action(debrief_id=d, number=number, what=f"Action {number}", owner_user_id=owner,
                                  due_on=date.today() + timedelta(days=5), priority="high", scope="force",
                                  status="completed", completed_on=date.today(), evidence="Done"))
        db.session.commit()
        first, second = [a.id for a in db.session.query(Action).order_by(Action.number)]
        db.session.remove()
    sign_in(page, live, "wanda")
    page.goto(live + "/actions/pack")
    # Send back without the comment it needs: refused, and focus lands on the message in the same item.
    page.locator(f"#pack-{second} button", has_text="Send back").focus()
    page.keyboard.press("Enter")
    wait_until(page, f"document.activeElement && document.activeElement.closest('#pack-{second}') !== null"
                     " && document.activeElement !== document.body")
    # Sign off: the item is replaced by its result, and focus is on it, not on the page's top.
    page.locator(f"#pack-{first} button", has_text="Sign off").focus()
    page.keyboard.press("Enter")
    wait_until(page, f"document.activeElement && document.activeElement.closest('#pack-{first}') !== null")
    assert page.evaluate("document.activeElement.tagName") != "BODY"
