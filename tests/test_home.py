"""The home page leads each role to its work: one section per role held, built from scoped, counted reads."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Action, AuditEvent, Debrief, Extension, User
from tests.conftest import login, team_id
from tests.test_scaling import _queries_for



def add_action(app, d, number, *, owner=None, due_days=10, status="open", what=None) -> int:
    team = None if owner else team_id(app, "Training unit")
    with app.app_context():
        a = Action(debrief_id=d, number=number, what=what or f"Action number {number}", owner_user_id=owner,
                   owner_team_id=team,
                   due_on=date.today() + timedelta(days=due_days), priority="medium", scope="force", status=status)
        db.session.add(a)
        db.session.commit()
        return a.id


def add_extension(app, action_id, decision="pending"):
    with app.app_context():
        a = db.session.get(Action, action_id)
        db.session.add(Extension(action_id=a.id, old_due=a.due_on, new_due=a.due_on + timedelta(days=30),
                                 reason="More time", decision=decision))
        db.session.commit()


def as_user(new_client, username):
    c = new_client()
    assert login(c, username).status_code == 302
    return c


def section(html: str, heading: str) -> str:
    """The HTML of the <section> whose h2 says `heading`."""
    m = re.search(r"<section[^>]*>\s*<h2[^>]*>" + re.escape(heading) + r"</h2>(.*?)</section>", html, re.S)
    assert m, f"no section {heading!r}"
    return m.group(1)


def words(html: str) -> str:
    """What a reader sees: tags dropped, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" ,", ",").replace(" .", ".")


def h2s(html: str) -> list[str]:
    return re.findall(r"<h2[^>]*>([^<]+)</h2>", html)


def stat(html: str, anchor: str) -> int:
    """The number shown on the link to the meeting pack's section `anchor`."""
    m = re.search(r'<a class="stat" href="/actions/pack#' + re.escape(anchor)
                  + r'"><span class="stat__number">(\d+)</span>', html)
    assert m, f"no link to /actions/pack#{anchor}"
    return int(m.group(1))


def add_entries(app, d, key: bool):
    from app.chronology import services
    from app.models import Agency

    with app.test_request_context():
        police = db.session.scalar(sa.select(Agency.id).where(Agency.name == "Police"))
        actor = db.session.scalar(sa.select(User).where(User.username == "builder"))
        services.create_entry(db.session.get(Debrief, d), {
            "entry_date": date(2025, 1, 1), "entry_time": None, "date_precision": "exact", "agency_id": police,
            "contact_type": "other", "summary": "x", "subject_ids": [], "key_issue": key}, actor)
        db.session.remove()


def schedule_meeting(app, d, days_ahead: int, invite: bool = True):
    from app.meetings import services

    with app.test_request_context():
        debrief = db.session.get(Debrief, d)
        day = date.today() + timedelta(days=days_ahead)
        services.schedule(debrief, {"starts_at": datetime.combine(day, time(12, 0), tzinfo=timezone.utc),
                                    "duration_minutes": 60, "venue": "Room 1", "online_link": None,
                                    "chair": "Chair", "note_taker": "Notes"}, version=0)
        if invite:
            services.invite_external(debrief.meeting, name="Housing Officer", agency="Housing", email=None)
        db.session.remove()


# ---- the working group ------------------------------------------------------------------

def test_working_group_sees_counts_linking_into_the_meeting_pack(app, new_client, make_user, make_debrief):
    make_user("wg", "working_group")
    d = make_debrief("monitoring")
    add_action(app, d, 1, status="completed")
    add_action(app, d, 2, status="completed", due_days=-40)  # completed: awaiting sign-off, not overdue
    add_extension(app, add_action(app, d, 3, due_days=5))  # pending
    add_extension(app, add_action(app, d, 4, due_days=5), decision="approved")  # decided: not counted
    add_action(app, d, 5, due_days=-3)  # overdue 0 to 30 days
    add_action(app, d, 6, due_days=-30, status="in_progress")  # overdue 0 to 30 days (the band's last day)
    add_action(app, d, 7, due_days=-31)  # overdue 31 to 90 days
    add_action(app, d, 8, due_days=-200, status="closed")  # finished: not overdue
    add_action(app, d, 9, due_days=0)  # due today: not yet overdue
    wg = as_user(new_client, "wg")
    r = wg.get("/")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    part = section(html, "Actions for the working group")
    assert stat(part, "signoff-h") == 2
    assert "2 completed actions awaiting sign-off, in the action meeting pack" in words(part)
    assert stat(part, "ext-h") == 1
    assert re.findall(r'href="/actions/pack#band-(\d)"><span class="stat__number">(\d+)</span>', part) == [
        ("1", "3"), ("1", "2"), ("2", "1"), ("3", "0")]  # all overdue (to the first band), then each band; 0 shown
    assert "1 extension request waiting for a decision" in words(part)
    assert "3 overdue actions" in words(part) and "0 overdue more than 90 days" in words(part)
    assert h2s(html)[0] == "Actions for the working group"
    # the anchors exist in the pack, with the same numbers in their headings
    pack = wg.get("/actions/pack").get_data(as_text=True)
    assert '<h2 id="signoff-h">Completed, awaiting sign-off (2)</h2>' in pack
    assert '<h2 id="ext-h">Extension requests (1)</h2>' in pack
    assert '<h2 id="band-1">Overdue 0 to 30 days (2)</h2>' in pack
    assert '<h2 id="band-2">Overdue 31 to 90 days (1)</h2>' in pack
    assert '<h2 id="band-3">Overdue more than 90 days (0)</h2>' in pack
    with app.app_context():  # counts only: no debrief or action listed, so nothing consulted
        assert not db.session.scalar(sa.select(AuditEvent.id).where(AuditEvent.action == "home.view"))


# ---- the board --------------------------------------------------------------------------

def test_a_board_only_user_goes_to_the_dashboard_and_hears_of_the_previous_sign_in(app, new_client, make_user):
    make_user("bob", "board")
    as_user(new_client, "bob")  # a first sign-in, so the second has a previous one
    c = as_user(new_client, "bob")
    r = c.get("/")
    assert r.status_code == 302 and r.headers["Location"] == "/dashboard"
    # the notice travels as a flash message to the next page shown (the account page here, so this test does
    # not depend on what the dashboard shows)
    assert "Your previous sign-in was on" in c.get("/account").get_data(as_text=True)
    assert c.get("/").headers["Location"] == "/dashboard"
    assert "Your previous sign-in was on" not in c.get("/account").get_data(as_text=True)  # once


def test_board_with_another_role_gets_a_dashboard_section_first(app, new_client, make_user):
    make_user("bw", "board", "working_group")
    html = as_user(new_client, "bw").get("/").get_data(as_text=True)
    assert h2s(html)[:2] == ["Dashboard", "Actions for the working group"]
    assert '<a class="button button--secondary" href="/dashboard">Open the dashboard</a>' in section(html, "Dashboard")


# ---- the review team ----------------------------------------------------------------------

def test_reviewer_sees_own_debriefs_first_with_what_the_gate_misses(app, new_client, make_user, make_debrief):
    from app import process_settings
    from app.debriefs import gates
    from app.models import ReviewType, Stage
    from app.scoping import services as scoping

    make_user("rev", "reviewer")
    make_user("other", "reviewer", full_name="Olga Other")
    referred = make_debrief("referred", title="Mine referred", lead="rev")
    scoping_id = make_debrief("scoping", title="Mine scoping", lead="rev")
    empty = make_debrief("chronology", title="Mine chronology empty", lead="rev")
    unmarked = make_debrief("chronology", title="Mine chronology unmarked", lead="rev")
    add_entries(app, unmarked, key=False)
    ready = make_debrief("chronology", title="Mine chronology ready", lead="rev")
    add_entries(app, ready, key=True)
    meeting_soon = make_debrief("debrief", title="Mine meeting soon", lead="rev")
    schedule_meeting(app, meeting_soon, days_ahead=3)
    make_debrief("closed", title="Mine closed", lead="rev")
    theirs = make_debrief("scoping", title="Olga's case", lead="other")
    with app.test_request_context():  # a child safeguarding review: its notification clock runs from the incident
        scoping.save_review(db.session.get(Debrief, scoping_id), ReviewType.CSPR,
                            {"applies": "yes", "why": None, "lead_body": None, "notified_on": None, "reference": None,
                             "status": None, "completed_on": None, "output_shared_on": None, "agreed_on": None}, 0)
        db.session.remove()

    html = as_user(new_client, "rev").get("/").get_data(as_text=True)
    assert h2s(html)[:2] == ["Your debriefs", "The rest of the team's debriefs"]
    mine = section(html, "Your debriefs")
    rest = section(html, "The rest of the team's debriefs")
    assert "You lead 6 active debriefs" in mine and "Mine closed" not in html
    for title in ("Mine referred", "Mine scoping", "Mine chronology empty", "Mine meeting soon"):
        assert title in mine and title not in rest
    assert "Olga&#39;s case" in rest and "Olga Other" in rest and "Olga&#39;s case" not in mine
    assert f'href="/debriefs/{theirs}"' in rest

    def row(d):
        m = re.search(rf'<tr id="mine-{d}">(.*?)</tr>', mine, re.S)
        assert m, d
        return re.sub(r"\s+", " ", m.group(1))

    assert "an eligibility decision to accept, with rationale, decision-maker and date" in row(referred)
    assert "To move to Scoping" in row(referred)
    assert "the review period" in row(scoping_id) and "the SIO consultation (who and when)" in row(scoping_id)
    assert "Notification to the national panel (5 working days)" in row(scoping_id)  # the statutory clock
    assert "Debrief meeting" in row(meeting_soon) and "in 3 days" in row(meeting_soon)
    assert (date.today() + timedelta(days=3)).strftime("%d %b %Y") in row(meeting_soon)
    assert "the meeting to have taken place" in row(meeting_soon)
    assert "Ready to move to Debrief" in row(ready)
    # The chronology gate is answered in bulk on this page: it says what the gate itself says.
    with app.test_request_context():
        for d in (empty, unmarked, ready):
            debrief = db.session.get(Debrief, d)
            failing = gates.failures(debrief, Stage.CHRONOLOGY, Stage.DEBRIEF, process_settings.gate_enabled)
            said = [m for f in failing for m in f.missing]
            for words in said:
                assert words in row(d), (d, words)
            for words in ("at least one chronology entry", "key issues marked in the chronology"):
                assert (words in row(d)) == (words in said), (d, words)
    assert "at least one chronology entry" in row(empty) and "at least one chronology entry" not in row(unmarked)
    # soonest date first: the statutory clock (5 working days from a 5-day-old incident) before the meeting
    order = re.findall(r'<tr id="mine-(\d+)">', mine)
    assert order.index(str(scoping_id)) < order.index(str(meeting_soon)) < order.index(str(referred))


def test_a_switched_off_gate_is_not_asked_for(app, new_client, make_user, make_debrief):
    from app import process_settings

    make_user("rev", "reviewer")
    d = make_debrief("chronology", title="Mine chronology", lead="rev")
    with app.test_request_context():
        process_settings.save({"gate.chronology_ready": False}, db.session.scalar(sa.select(User).where(
            User.username == "rev")))
        db.session.remove()
    html = as_user(new_client, "rev").get("/").get_data(as_text=True)
    row = re.search(rf'<tr id="mine-{d}">(.*?)</tr>', html, re.S).group(1)
    assert "chronology entry" not in row and "Ready to move to Debrief" in row


# The shapes of debrief the query-count test builds: the first three bring in everything the page loads in bulk
# (chronology counts, meeting and invitees, actions and a statutory clock); the rest put a debrief in every other
# active stage, so a gate that queried once per debrief would show up as a difference in the count.
SHAPES = ("chronology", "debrief", "monitoring", "referred", "scoping", "learning")


def _debriefs_of_every_shape(app, make_debrief, lead: str, shapes) -> None:
    from app.models import ReviewType
    from app.scoping import services as scoping

    for i, stage in enumerate(shapes):
        d = make_debrief(stage, lead=lead)
        if stage == "chronology":
            add_entries(app, d, key=False)
        elif stage == "debrief":
            schedule_meeting(app, d, days_ahead=2 + i)
        elif stage == "monitoring":
            add_action(app, d, 1, due_days=-2)
            with app.test_request_context():
                scoping.save_review(db.session.get(Debrief, d), ReviewType.CSPR, {
                    "applies": "yes", "why": None, "lead_body": None, "notified_on": date.today(), "reference": None,
                    "status": None, "completed_on": None, "output_shared_on": None, "agreed_on": None}, 0)
                db.session.remove()
        make_debrief("scoping", lead="other")  # the rest of the team's


def test_reviewer_home_queries_do_not_grow_with_the_number_of_debriefs(app, new_client, make_user, make_debrief):
    make_user("rev", "reviewer", "member")
    make_user("other", "reviewer")
    _debriefs_of_every_shape(app, make_debrief, "rev", SHAPES[:3])
    c = as_user(new_client, "rev")
    c.get("/")  # warm up: session touch, the masker's list of names
    small = _queries_for(app, c, "/")
    more = [SHAPES[i % len(SHAPES)] for i in range(27)]
    _debriefs_of_every_shape(app, make_debrief, "rev", more)
    c.get("/")
    large = _queries_for(app, c, "/")
    html = c.get("/").get_data(as_text=True)
    assert "You lead 30 active debriefs" in html and "30 other active debriefs" in html
    assert html.count("key issues marked in the chronology") == 1 + more.count("chronology")
    assert html.count("Debrief meeting</span>") == 1 + more.count("debrief")
    assert html.count("an issued version of the document of learning and actions") == more.count("learning")
    assert large == small, (small, large)


# ---- members and partners ------------------------------------------------------------------

def test_member_sees_own_unfinished_actions_and_debriefs_taken_part_in(app, new_client, make_user, make_debrief):
    mem = make_user("mem", "member")
    other = make_user("someone", "member")
    d = make_debrief("monitoring", title="Shared with the member", participants=("mem",))
    hidden = make_debrief("monitoring", title="Not shared with anyone")
    late = add_action(app, d, 1, owner=mem, due_days=-4, what="Late thing")
    soon = add_action(app, hidden, 1, owner=mem, due_days=6, status="in_progress", what="Soon thing")
    add_action(app, d, 2, owner=mem, status="closed", what="Finished thing")
    add_action(app, d, 3, owner=mem, status="completed", what="Awaiting thing")
    add_action(app, d, 4, owner=other, what="Someone else's thing")
    c = as_user(new_client, "mem")
    r = c.get("/")
    assert r.status_code == 200  # no longer sent to My actions
    html = r.get_data(as_text=True)
    assert h2s(html)[:2] == ["My actions", "Debriefs you take part in"]
    acts = section(html, "My actions")
    assert "You have 2 unfinished actions" in acts
    assert "Late thing" in acts and "Soon thing" in acts
    assert "Finished thing" not in acts and "Awaiting thing" not in acts and "Someone else" not in acts
    assert acts.index("Late thing") < acts.index("Soon thing")  # soonest due first
    assert f'href="/actions/{late}"' in acts and f'href="/actions/{soon}"' in acts
    assert '<a href="/actions?owner=me">All your actions on My actions</a>' in acts
    late_row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*Late thing.*?</tr>", acts, re.S).group(0)
    assert "arow--overdue" in late_row and "Overdue" in late_row
    assert "Overdue" not in re.search(r"<tr[^>]*>(?:(?!</tr>).)*Soon thing.*?</tr>", acts, re.S).group(0)
    part = section(html, "Debriefs you take part in")
    assert "You take part in 1 active debrief." in part and "Shared with the member" in part
    assert f'href="/debriefs/{d}"' in part
    assert "Not shared with anyone" not in html and f'href="/debriefs/{hidden}"' not in html


def test_partner_sees_only_the_debriefs_they_take_part_in_pseudonymised(app, new_client, make_user, make_debrief):
    from app.models import SubjectRole
    from app.scoping.services import add_subject

    make_user("pat", "partner")
    make_user("mem", "member")
    mine = make_debrief("scoping", title="Assault on Vita Hiddenname", participants=("pat",))
    schedule_meeting(app, mine, days_ahead=10, invite=False)
    not_mine = make_debrief("scoping", title="Case the partner is not in", participants=("mem",))
    with app.test_request_context():
        add_subject(db.session.get(Debrief, mine), role=SubjectRole.VICTIM, real_name="Vita Hiddenname",
                    date_of_birth=None)
        db.session.remove()
    html = as_user(new_client, "pat").get("/").get_data(as_text=True)
    part = section(html, "Debriefs you take part in")
    assert "You take part in 1 active debrief." in part
    assert f'href="/debriefs/{mine}"' in part and "Assault on Adult A" in part
    assert (date.today() + timedelta(days=10)).strftime("%d %b %Y") in part
    assert "Hiddenname" not in html
    assert "Case the partner is not in" not in html and f"/debriefs/{not_mine}" not in html
    assert "You have 0 unfinished actions" in section(html, "My actions")


def test_nobody_taking_part_sees_zero_with_words(app, new_client, make_user):
    make_user("mem", "member")
    html = as_user(new_client, "mem").get("/").get_data(as_text=True)
    assert "You have 0 unfinished actions" in html and "You take part in 0 active debriefs." in html
    assert "<table" not in html


# ---- the audit log ----------------------------------------------------------------------

@pytest.mark.parametrize("role", ["reviewer", "member", "partner"])
def test_a_home_page_listing_debriefs_or_actions_is_a_logged_consultation(app, new_client, make_user, role):
    uid = make_user("someone", role)
    as_user(new_client, "someone").get("/")
    with app.app_context():
        rows = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "home.view")).all()
        assert [(r.operation, r.object_type, r.object_id, r.user_id) for r in rows] == [
            ("consultation", "debrief", None, uid)]


def test_admin_and_auditor_keep_their_tiles_and_the_previous_sign_in_notice(app, new_client, make_user):
    make_user("boss", "admin", "auditor")
    as_user(new_client, "boss")
    html = as_user(new_client, "boss").get("/").get_data(as_text=True)
    assert html.count("<h1>") == 1 and "Welcome, Test Boss" in html
    assert h2s(html) == ["Your pages"]
    for href in ('href="/admin/users"', 'href="/audit/"', 'href="/account"'):
        assert f'class="card" {href}' in html
    assert "Your previous sign-in was on" in html
    with app.app_context():
        assert not db.session.scalar(sa.select(AuditEvent.id).where(AuditEvent.action == "home.view"))
