"""The debrief meeting: scheduling, calendar files, email on a real SMTP server, attendance and its gate."""
from __future__ import annotations

import email
from datetime import date, timedelta
from email import policy as email_policy

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from app.extensions import db
from app.models import Invitee, Meeting
from tests.conftest import login


def schedule(client, d, when: date, version="0", **over):
    data = {"date": when.isoformat(), "start": "10:30", "duration_minutes": "90", "venue": "Room 2, HQ",
            "online_link": "", "chair": "Head of Public Protection", "note_taker": "Assistant", "version": version}
    data.update(over)
    return client.post_form(f"/debriefs/{d}/meeting", data)


def meeting(app, d) -> Meeting:
    with app.app_context():
        m = db.session.scalar(sa.select(Meeting).where(Meeting.debrief_id == d))
        db.session.expunge_all()
        return m


def get_ics(client, d) -> Calendar:
    r = client.get(f"/debriefs/{d}/meeting/invitation.ics")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(r.data)


def event_of(cal: Calendar):
    (event,) = [c for c in cal.walk("VEVENT")]
    return event


@pytest.fixture
def debrief(app, client, signed_in, make_debrief):
    d = make_debrief("chronology")
    signed_in("reviewer")
    return d


def test_invitation_parses_in_europe_london(app, client, debrief):
    when = date.today() + timedelta(days=10)
    assert schedule(client, debrief, when).status_code == 302
    cal = get_ics(client, debrief)
    assert str(cal["METHOD"]) == "REQUEST"
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/London"]
    event = event_of(cal)
    start = event.decoded("DTSTART")
    assert str(start.tzinfo) == "Europe/London" and (start.date(), start.hour, start.minute) == (when, 10, 30)
    assert event.decoded("DTEND") - start == timedelta(minutes=90)
    assert int(event["SEQUENCE"]) == 0 and str(event["STATUS"]) == "CONFIRMED"
    assert str(event["SUMMARY"]).startswith(app.config["MARKING"])
    assert "Room 2, HQ" == str(event["LOCATION"])


def test_moving_the_meeting_keeps_the_uid_and_raises_the_sequence(app, client, debrief):
    when = date.today() + timedelta(days=10)
    schedule(client, debrief, when)
    uid = str(event_of(get_ics(client, debrief))["UID"])
    schedule(client, debrief, when, version="1", chair="Someone else")  # not a calendar change
    assert int(event_of(get_ics(client, debrief))["SEQUENCE"]) == 0
    schedule(client, debrief, when + timedelta(days=1), version="2")
    event = event_of(get_ics(client, debrief))
    assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART").date() == when + timedelta(days=1)


def test_a_cancellation_is_a_valid_cancel(app, client, debrief):
    schedule(client, debrief, date.today() + timedelta(days=3))
    uid = str(event_of(get_ics(client, debrief))["UID"])
    assert client.post_form(f"/debriefs/{debrief}/meeting/cancel", token_from=f"/debriefs/{debrief}/meeting").status_code == 302
    cal = get_ics(client, debrief)
    event = event_of(cal)
    assert str(cal["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == 1


def test_bad_meeting_input_gets_422_and_stale_gets_409(app, client, new_client, debrief, make_user):
    r = schedule(client, debrief, date.today(), venue="", online_link="", duration_minutes="5")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Give a venue, an online link, or both." in html
    for fid in ("venue", "duration_minutes"):
        assert f'id="{fid}-error"' in html
    r = schedule(client, debrief, date.today(), online_link="javascript:alert(1)")
    assert r.status_code == 422 and 'id="online_link-error"' in r.get_data(as_text=True)
    assert meeting(app, debrief) is None
    schedule(client, debrief, date.today() + timedelta(days=4))
    make_user("other", "reviewer")
    other = new_client()
    login(other, "other")
    schedule(other, debrief, date.today() + timedelta(days=5), version="1")
    r = schedule(client, debrief, date.today() + timedelta(days=6), version="1")
    assert r.status_code == 409 and "Someone else changed the meeting" in r.get_data(as_text=True)
    assert meeting(app, debrief).starts_at.date() == date.today() + timedelta(days=5)


def test_invitations_go_by_email_once_per_version(app, client, debrief, make_user, smtp_server):
    controller, inbox = smtp_server
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, MAIL_FROM="debriefs@force.example")
    member = make_user("mem", "member", full_name="Mona Membername", email="mona@force.example")
    schedule(client, debrief, date.today() + timedelta(days=7))
    client.post_form(f"/debriefs/{debrief}/meeting/invite", {"user_id": str(member)},
                     token_from=f"/debriefs/{debrief}/meeting")
    client.post_form(f"/debriefs/{debrief}/meeting/invite-external", {"name": "Olive Outsider", "agency": "Housing",
                                                                      "email": "olive@housing.example"},
                     token_from=f"/debriefs/{debrief}/meeting")
    send = lambda: client.post_form(f"/debriefs/{debrief}/meeting/send", token_from=f"/debriefs/{debrief}/meeting")  # noqa: E731
    assert send().status_code == 302
    assert sorted(r[0] for r, _ in inbox.messages) == ["mona@force.example", "olive@housing.example"]
    for _, raw in inbox.messages:
        msg = email.message_from_bytes(raw, policy=email_policy.default)
        assert msg["Subject"].startswith(app.config["MARKING"] + ":")
        body = msg.get_body(preferencelist=("plain",)).get_content()
        assert "Mona" not in body and "Olive" not in body and "Membername" not in body
        (att,) = [p for p in msg.iter_attachments()]
        assert att.get_content_type() == "text/calendar" and att.get_param("method") == "REQUEST"
        Calendar.from_ical(att.get_content())
    send()
    assert len(inbox.messages) == 2  # nothing new: everyone has the current version
    schedule(client, debrief, date.today() + timedelta(days=8), version="1")
    send()
    assert len(inbox.messages) == 4
    updated = email.message_from_bytes(inbox.messages[-1][1], policy=email_policy.default)
    assert "updated" in updated["Subject"]
    cal = Calendar.from_ical([p for p in updated.iter_attachments()][0].get_content())
    assert int(event_of(cal)["SEQUENCE"]) == 1


def test_the_debrief_gate_needs_the_meeting_held_and_attendance(app, client, debrief, make_user):
    from tests.test_chronology import make_entries
    from tests.test_debriefs import move

    make_entries(app, debrief, [{"summary": "key", "key_issue": True}])
    assert move(client, debrief, "debrief", from_stage="chronology").status_code == 200
    r = move(client, debrief, "learning", from_stage="debrief")
    assert r.status_code == 422 and "a debrief meeting" in r.get_data(as_text=True)
    schedule(client, debrief, date.today() - timedelta(days=1))
    client.post_form(f"/debriefs/{debrief}/meeting/invite-external", {"name": "Pat Partner", "agency": "Probation",
                                                                      "email": ""},
                     token_from=f"/debriefs/{debrief}/meeting")
    r = move(client, debrief, "learning", from_stage="debrief")
    assert "attendance recorded for every invitee" in r.get_data(as_text=True)
    with app.app_context():
        iid = db.session.scalar(sa.select(Invitee.id))
    client.post_form(f"/debriefs/{debrief}/meeting/attendance", {f"attendance-{iid}": "attended"},
                     token_from=f"/debriefs/{debrief}/meeting")
    r = move(client, debrief, "learning", from_stage="debrief")
    assert "confidentiality acknowledged by every partner who attended" in r.get_data(as_text=True)
    client.post_form(f"/debriefs/{debrief}/meeting/attendance", {f"attendance-{iid}": "attended", f"ack-{iid}": "1"},
                     token_from=f"/debriefs/{debrief}/meeting")
    assert move(client, debrief, "learning", from_stage="debrief").status_code == 200
    html = client.get(f"/debriefs/{debrief}").get_data(as_text=True)
    assert "Met" in html or "Missed" in html  # the RAG now measures to the meeting's date


def test_invited_partner_sees_the_debrief_and_acknowledges_for_themselves(app, client, new_client, debrief,
                                                                          make_user):
    partner = make_user("pat", "partner")
    schedule(client, debrief, date.today() + timedelta(days=2))
    client.post_form(f"/debriefs/{debrief}/meeting/invite", {"user_id": str(partner)},
                     token_from=f"/debriefs/{debrief}/meeting")
    p = new_client()
    login(p, "pat")
    page = p.get(f"/debriefs/{debrief}/meeting", follow_redirects=True)
    assert page.status_code == 200 and "I acknowledge these terms" in page.get_data(as_text=True)
    r = p.post_form(f"/debriefs/{debrief}/meeting/acknowledge",
                    {"next": f"/debriefs/{debrief}/meeting"}, token_from=f"/debriefs/{debrief}/confidentiality")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/debriefs/{debrief}/meeting")
    with app.app_context():
        assert db.session.scalar(sa.select(Invitee.confidentiality_ack_at)) is not None
    assert p.get(f"/debriefs/{debrief}/meeting").status_code == 200
    assert p.post_form(f"/debriefs/{debrief}/meeting", {"date": "2030-01-01"},
                       token_from=f"/debriefs/{debrief}/meeting").status_code == 403
    assert p.get(f"/debriefs/{debrief}/meeting/invitation.ics").status_code == 200


def test_agenda_is_built_from_key_questions_and_key_issues(app, client, debrief):
    from tests.test_chronology import make_entries
    from tests.test_scoping import params_form, save_params

    save_params(client, debrief, params_form(key_questions="Was the risk shared?\nWas MARAC used?"))
    make_entries(app, debrief, [{"summary": "Key call to police", "key_issue": True},
                                {"summary": "Routine contact"}])
    schedule(client, debrief, date.today() + timedelta(days=2))
    html = client.get(f"/debriefs/{debrief}/meeting/agenda").get_data(as_text=True)
    assert "Was the risk shared?" in html and "Was MARAC used?" in html
    assert "Key call to police" in html and "Routine contact" not in html
    assert "learning, not blame" in html and "not attributed to anyone" in html
    assert html.count(app.config["MARKING"]) >= 2


def test_notes_per_key_issue_are_non_attributable_and_conflict_safe(app, client, new_client, debrief, make_user):
    from tests.test_chronology import make_entries

    (eid,) = make_entries(app, debrief, [{"summary": "Key call", "key_issue": True}])
    schedule(client, debrief, date.today() - timedelta(days=1))
    url = f"/debriefs/{debrief}/meeting/notes/{eid}"
    p = f"n{eid}-"
    data = {p + "expected": "A DASH form", p + "happened": "None completed", p + "why_different": "Training",
            p + "learned": "Refresh training", p + "version": "0"}
    assert client.post_form(url, data, token_from=f"/debriefs/{debrief}/meeting/notes").status_code == 302
    make_user("other", "reviewer", full_name="Oscar Othername")
    other = new_client()
    login(other, "other")
    r = other.post_form(url, {**data, p + "learned": "Something else"}, token_from=f"/debriefs/{debrief}/meeting/notes")
    html = r.get_data(as_text=True)
    assert r.status_code == 409 and "Refresh training" in html and "Something else" in html
    page = client.get(f"/debriefs/{debrief}/meeting/notes").get_data(as_text=True)
    assert "Refresh training" in page
    assert "Oscar" not in page and "Builder Reviewer" not in page  # nobody is named as a note's author
    with app.app_context():
        from app.models import MeetingNote

        assert "author" not in {c.key for c in MeetingNote.__table__.columns} and \
            not any("user" in c.key for c in MeetingNote.__table__.columns)
    assert client.post_form(f"/debriefs/{debrief}/meeting/notes/999999", data,
                            token_from=f"/debriefs/{debrief}/meeting/notes").status_code == 404
