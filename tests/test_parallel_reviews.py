"""Parallel reviews register: recording, statutory clocks with RAG, and the IOPC gate."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Debrief, ParallelReview


def record(client, d, kind, **over):
    data = {"applies": "yes", "why": "Child in the household", "lead_body": "Safeguarding partnership",
            "notified_on": "", "reference": "", "status": "", "completed_on": "", "output_shared_on": "",
            "agreed_on": "", "version": "0"}
    data.update(over)
    return client.post_form(f"/debriefs/{d}/reviews/{kind}", data)


def test_recording_a_review_shows_it_with_its_clocks(app, client, signed_in, make_debrief):
    d = make_debrief("scoping", incident_days_ago=3)
    signed_in("reviewer")
    r = record(client, d, "cspr")
    assert r.status_code == 302
    html = client.get(f"/debriefs/{d}").get_data(as_text=True)
    assert "Child Safeguarding Practice Review" in html and "Safeguarding partnership" in html
    assert "Notification to the national panel (5 working days)" in html
    assert "Rapid review (15 working days from notification)" in html
    assert "1 applying or considered" in html


def test_clock_rag_and_working_days():
    from app.models import ParallelReview as PR
    from app.scoping.clocks import add_working_days, clocks

    assert add_working_days(date(2026, 11, 27), 5) == date(2026, 12, 4)  # Friday + 5 working days
    today = date.today()
    late = PR(review_type="cspr", applies="yes", notified_on=None)
    notify, rapid = clocks(late, today - timedelta(days=30))
    assert notify.status == "red" and notify.text.startswith("overdue by")
    on_time = PR(review_type="cspr", applies="yes", notified_on=today - timedelta(days=1))
    notify, rapid = clocks(on_time, today - timedelta(days=2))
    assert notify.status == "green" and notify.text.startswith("done")
    assert rapid.due == add_working_days(today - timedelta(days=1), 15) and rapid.status == "green"
    pfd = PR(review_type="coroner", applies="yes", notified_on=today - timedelta(days=55))
    (response,) = clocks(pfd, today - timedelta(days=200))
    assert response.due == today + timedelta(days=1) and response.status == "amber"
    assert clocks(PR(review_type="cspr", applies="no"), today) == []


@pytest.mark.parametrize("nation, start, days, due", [
    # Christmas 2026: Friday 25th, and Boxing Day falls on a Saturday, so Monday 28th is its substitute.
    ("england-and-wales", date(2026, 12, 21), 5, date(2026, 12, 30)),
    # The rapid review from a notification on Christmas Eve: 15 working days skip 25, 28 Dec and 1 Jan.
    ("england-and-wales", date(2026, 12, 24), 15, date(2027, 1, 19)),
    # Easter 2027: Good Friday 26 March and Easter Monday 29 March in England and Wales ...
    ("england-and-wales", date(2027, 3, 25), 1, date(2027, 3, 30)),
    # ... while Scotland works on Easter Monday, and Northern Ireland keeps it.
    ("scotland", date(2027, 3, 25), 1, date(2027, 3, 29)),
    ("northern-ireland", date(2027, 3, 25), 1, date(2027, 3, 30)),
    # Scotland's 2 January (a Saturday in 2027, so Monday 4th) is not a holiday in England.
    ("scotland", date(2026, 12, 31), 1, date(2027, 1, 5)),
    ("england-and-wales", date(2026, 12, 31), 1, date(2027, 1, 4)),
    # St Patrick's Day (Wednesday 17 March 2027) only in Northern Ireland.
    ("northern-ireland", date(2027, 3, 16), 1, date(2027, 3, 18)),
])
def test_working_day_clocks_skip_the_forces_bank_holidays(nation, start, days, due):
    from app.scoping.clocks import add_working_days

    assert add_working_days(start, days, nation) == due


def test_a_child_safeguarding_clock_never_falls_on_christmas_day(database_url):
    from app.models import ParallelReview as PR
    from app.scoping.clocks import clocks
    from tests.conftest import make_app

    app = make_app(database_url, BANK_HOLIDAYS="england-and-wales")
    with app.app_context():
        notify, rapid = clocks(PR(review_type="cspr", applies="yes", notified_on=None), date(2026, 12, 18))
    assert notify.due == date(2026, 12, 29)  # 21, 22, 23, 24 and 29 December
    assert rapid.due == date(2027, 1, 20)
    assert make_app(database_url, BANK_HOLIDAYS="scotland").config["BANK_HOLIDAYS"] == "scotland"
    with pytest.raises(Exception, match="BANK_HOLIDAYS"):
        make_app(database_url, BANK_HOLIDAYS="wales-only")


def test_a_review_that_applies_needs_a_reason_and_bad_dates_are_refused(app, client, signed_in, make_debrief):
    d = make_debrief("scoping")
    signed_in("reviewer")
    r = record(client, d, "sar", why="", notified_on="31/31/2025")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="why-error"' in html and 'id="notified_on-error"' in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ParallelReview)) == 0
    assert client.get(f"/debriefs/{d}/reviews/made-up").status_code == 404


def test_stale_review_edit_gets_409(app, client, signed_in, make_debrief):
    d = make_debrief("scoping")
    signed_in("reviewer")
    assert record(client, d, "owhr", status="First").status_code == 302
    r = record(client, d, "owhr", status="Second")  # still claims version 0
    assert r.status_code == 409 and "Someone else saved this" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(ParallelReview.status)) == "First"


def test_iopc_referral_stops_the_debrief_meeting_until_agreed(app, client, signed_in, make_debrief):
    from tests.test_chronology import make_entries
    from tests.test_debriefs import move

    d = make_debrief("chronology")
    make_entries(app, d, [{"summary": "key", "key_issue": True}])
    signed_in("reviewer")
    record(client, d, "iopc", why="Police contact before the death", lead_body="IOPC")
    r = move(client, d, "debrief", from_stage="chronology")
    assert r.status_code == 422 and "agreed with the IOPC" in r.get_data(as_text=True)
    with app.app_context():
        version = db.session.scalar(sa.select(ParallelReview.version))
    record(client, d, "iopc", why="Police contact before the death", lead_body="IOPC",
           agreed_on=date.today().isoformat(), version=str(version))
    assert move(client, d, "debrief", from_stage="chronology").status_code == 200


def test_the_iopc_stop_cannot_be_overridden_or_switched_off(app, client, signed_in, make_debrief):
    from app import process_settings
    from app.models import User
    from tests.test_chronology import make_entries
    from tests.test_debriefs import move

    d = make_debrief("chronology")
    make_entries(app, d, [{"summary": "key", "key_issue": True}])
    signed_in("reviewer")
    record(client, d, "iopc", why="Police contact before the death", lead_body="IOPC")
    r = move(client, d, "debrief", from_stage="chronology", override="y", reason="The meeting is urgent")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "This cannot be overridden" in html and 'name="override"' not in html
    # No process setting switches it off: it is not even offered.
    with app.test_request_context():
        assert not [x for x in process_settings.definitions() if "iopc" in x.key]
        admin = db.session.scalar(sa.select(User).where(User.username == "u_reviewer"))
        process_settings.save({"gate.iopc_agreed": False} if "gate.iopc_agreed" in process_settings.current()
                              else {}, admin)
        db.session.remove()
    assert move(client, d, "debrief", from_stage="chronology", override="y", reason="x").status_code == 422
    with app.app_context():
        assert db.session.get(Debrief, d).stage == "chronology"


def test_an_iopc_referral_flagged_after_chronology_stops_the_meeting_itself(app, client, signed_in, make_debrief,
                                                                           smtp_server):
    from tests.test_debriefs import move

    controller, handler = smtp_server
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port)
    d = make_debrief("debrief")
    signed_in("reviewer")
    meeting = {"date": (date.today() + timedelta(days=7)).isoformat(), "start": "10:00", "duration_minutes": "90",
               "venue": "Room 4", "online_link": "", "chair": "DCI Chair", "note_taker": "Analyst", "version": "0"}
    assert client.post_form(f"/debriefs/{d}/meeting", meeting).status_code == 302
    client.post_form(f"/debriefs/{d}/meeting/invite-external", {"name": "Pat Partner", "agency": "Housing",
                                                                 "email": "pat@housing.example"},
                     token_from=f"/debriefs/{d}/meeting")
    # The referral is flagged now, after the card left Chronology.
    record(client, d, "iopc", why="Police contact before the death", lead_body="IOPC")
    page = client.get(f"/debriefs/{d}/meeting").get_data(as_text=True)
    assert "The meeting waits for the IOPC" in page and "cannot be overridden" in page
    r = client.post_form(f"/debriefs/{d}/meeting", {**meeting, "venue": "Room 5", "version": "1"})
    assert r.status_code == 409 and "cannot be scheduled" in r.get_data(as_text=True)
    r = client.post_form(f"/debriefs/{d}/meeting/send", token_from=f"/debriefs/{d}/meeting")
    assert r.status_code == 409 and handler.messages == []
    r = client.post_form(f"/debriefs/{d}/meeting/attendance", token_from=f"/debriefs/{d}/meeting")
    assert r.status_code == 409
    r = move(client, d, "learning", from_stage="debrief", override="y", reason="Held anyway")
    assert r.status_code == 422 and "This cannot be overridden" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Debrief, d).meeting.venue == "Room 4"
        refused = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action == "meeting.iopc_refused"))
        assert len(refused.all()) == 3


def test_only_reviewers_record_reviews_and_others_see_no_reasons(app, client, new_client, signed_in, make_user,
                                                                 make_debrief):
    d = make_debrief("scoping")
    signed_in("reviewer")
    record(client, d, "sar", why="Zeta Secretperson had care and support needs")
    make_user("b", "board")
    b = new_client()
    from tests.conftest import login

    login(b, "b")
    html = b.get(f"/debriefs/{d}").get_data(as_text=True)
    assert "Safeguarding Adults Review" in html and "Secretperson" not in html
    assert b.get(f"/debriefs/{d}/reviews/sar").status_code == 403


def test_cards_show_the_next_statutory_clock_and_the_iopc_flag(app, client, signed_in, make_debrief):
    d = make_debrief("chronology", incident_days_ago=2, title="Clocked case")
    other = make_debrief("chronology", title="Referred to the IOPC")
    signed_in("reviewer")
    record(client, d, "cspr")
    record(client, other, "iopc", why="Police contact before the death", lead_body="IOPC")
    html = client.get("/board").get_data(as_text=True)
    card = html[html.index(f'id="card-{d}"'):html.index("</article>", html.index(f'id="card-{d}"'))]
    assert "Panel notification due" in card and "kcard__clock--" in card
    flagged = html[html.index(f'id="card-{other}"'):html.index("</article>", html.index(f'id="card-{other}"'))]
    assert "IOPC hold" in flagged and "IOPC hold" not in card
    room = client.get("/board/room").get_data(as_text=True)
    assert "Panel notification due" in room and "IOPC hold" in room
