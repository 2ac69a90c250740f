"""The meeting, complete: taking someone off it, the partners' confidentiality gate, agencies' contributions
folded into findings, good practice on the agenda, the warning beside text that names staff, and the Date and
Message-ID every email carries."""
from __future__ import annotations

import email
import re
from datetime import date, datetime, timedelta, timezone
from email import policy as email_policy
from email.utils import parsedate_to_datetime

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from app.extensions import db
from app.models import AuditEvent, Contribution, DebriefParticipant, Finding, Invitee, Meeting
from app.staff_names import named_staff
from tests.conftest import login
from tests.test_browser import chromium, live, page  # noqa: F401 - the browser fixtures
from tests.test_meetings import schedule

HX = {"HX-Request": "true"}


# ---- the detector ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("PC Smith said the door was open", ["PC Smith"]),
    ("DS Jones and Sgt Patel attended", ["DS Jones", "Sgt Patel"]),
    ("Officer Brown took the call", ["Officer Brown"]),
    ("Dr Khan saw her twice; Dr. Khan referred her", ["Dr Khan", "Dr. Khan"]),
    ("the social worker Mrs Ali rang back", ["Mrs Ali"]),
    ("PC 1234 Smith", ["PC 1234 Smith"]),
    ("DCI O'Neill set the strategy", ["DCI O'Neill"]),
    ("Inspector McDonald reviewed it", ["Inspector McDonald"]),
    ("Detective Chief Inspector Wright", ["Inspector Wright"]),
    ("PCSO Kaur; PC Smith; PC Smith again", ["PCSO Kaur", "PC Smith"]),
])
def test_ranks_and_titles_followed_by_a_name_are_found(text, expected):
    assert named_staff(text) == expected


@pytest.mark.parametrize("text", [
    "", None, "The attending officer did not complete a DASH form.", "A PC attended at 23:40.",
    "PC DASH form was not completed", "The officer In charge reviewed it", "Adult A said she felt unsafe",
    "Mr and Mrs", "officer brown", "NHS Jones", "the Police Constable on duty",
    "Referred to MARAC by the DS.",
])
def test_text_by_role_raises_no_warning(text):
    assert named_staff(text) == []


# ---- builders ----------------------------------------------------------------------------------

@pytest.fixture
def debrief(app, client, signed_in, make_debrief):
    d = make_debrief("chronology")
    signed_in("reviewer", username="rev")
    return d


def invite(client, d, user_id):
    r = client.post_form(f"/debriefs/{d}/meeting/invite", {"user_id": str(user_id)},
                         token_from=f"/debriefs/{d}/meeting")
    assert r.status_code == 302


def invitee_of(app, user_id=None, name=None) -> Invitee | None:
    with app.app_context():
        stmt = sa.select(Invitee)
        stmt = stmt.where(Invitee.user_id == user_id) if user_id else stmt.where(Invitee.name == name)
        found = db.session.scalar(stmt)
        db.session.expunge_all()
        return found


def as_user(new_client, username):
    c = new_client()
    assert login(c, username).status_code == 302
    return c


def acknowledge(new_client, d, username):
    c = as_user(new_client, username)
    r = c.post_form(f"/debriefs/{d}/meeting/acknowledge", token_from=f"/debriefs/{d}/confidentiality")
    assert r.status_code == 302
    return c


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def set_meeting_start(app, d, days: int):
    with app.app_context():
        m = db.session.scalar(sa.select(Meeting).where(Meeting.debrief_id == d))
        m.starts_at = m.starts_at + timedelta(days=days)
        db.session.commit()
        db.session.remove()


# ---- every email carries Date and Message-ID ------------------------------------------------------

def test_every_email_carries_a_date_and_a_unique_message_id(app, client, debrief, make_user, smtp_server):
    controller, inbox = smtp_server
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, MAIL_FROM="debriefs@force.example")
    schedule(client, debrief, date.today() + timedelta(days=7))
    for n in range(3):
        client.post_form(f"/debriefs/{debrief}/meeting/invite-external", {"name": f"Person {n}", "agency": "Housing",
                                                                          "email": f"p{n}@housing.example"},
                         token_from=f"/debriefs/{debrief}/meeting")
    assert client.post_form(f"/debriefs/{debrief}/meeting/send", token_from=f"/debriefs/{debrief}/meeting").status_code == 302
    # and a reminder digest, built elsewhere
    with app.test_request_context():
        from app import mail

        mail.send([mail.build("owner@force.example", "Reminder", "A link")])
    assert len(inbox.messages) == 4
    ids = set()
    for _, raw in inbox.messages:
        msg = email.message_from_bytes(raw, policy=email_policy.default)
        assert re.search(r"[-+]0000$", msg["Date"]), msg["Date"]  # UTC
        sent = parsedate_to_datetime(msg["Date"]).replace(tzinfo=timezone.utc)
        assert abs((sent - datetime.now(timezone.utc)).total_seconds()) < 600
        assert re.fullmatch(r"<[^<>@\s]+@force\.example>", msg["Message-ID"]), msg["Message-ID"]
        ids.add(msg["Message-ID"])
    assert len(ids) == 4


def test_the_message_id_falls_back_to_the_server_name(app):
    app.config.update(MAIL_FROM="hpd-debriefs@localhost", BASE_URL="https://debriefs.force.example")
    with app.test_request_context():
        from app import mail

        msg = mail.build("x@example.org", "Subject", "Body")
    assert msg["Message-ID"].endswith("@debriefs.force.example>") and msg["Date"]


# ---- taking someone off the meeting --------------------------------------------------------------

def test_removing_an_invitee_confirms_then_cancels_for_them_alone_and_ends_their_access(
        app, client, new_client, debrief, make_user, smtp_server):
    controller, inbox = smtp_server
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, MAIL_FROM="debriefs@force.example")
    partner = make_user("pat", "partner", email="pat@probation.example", full_name="Pat Partner")
    shared = make_user("sam", "partner", email="sam@probation.example", full_name="Sam Shared")
    with app.test_request_context():
        from app.debriefs import services as debriefs
        from app.models import Debrief, User

        debriefs.add_participant(db.session.get(Debrief, debrief), db.session.get(User, shared),
                                 db.session.scalar(sa.select(User).where(User.username == "rev")))
        db.session.remove()
    schedule(client, debrief, date.today() + timedelta(days=7))
    invite(client, debrief, partner)
    invite(client, debrief, shared)
    client.post_form(f"/debriefs/{debrief}/meeting/invite-external", {"name": "Olive Outsider", "agency": "Housing",
                                                                      "email": "olive@housing.example"},
                     token_from=f"/debriefs/{debrief}/meeting")
    client.post_form(f"/debriefs/{debrief}/meeting/send", token_from=f"/debriefs/{debrief}/meeting")
    assert len(inbox.messages) == 3
    acknowledge(new_client, debrief, "pat")
    pat = as_user(new_client, "pat")
    assert pat.get(f"/debriefs/{debrief}").status_code == 200
    uid = str(Calendar.from_ical([p for p in email.message_from_bytes(
        inbox.messages[0][1], policy=email_policy.default).iter_attachments()][0].get_content()).walk("VEVENT")[0]["UID"])

    target = invitee_of(app, user_id=partner)
    url = f"/debriefs/{debrief}/meeting/invitees/{target.id}/remove"
    shown = client.get(f"/debriefs/{debrief}/meeting").get_data(as_text=True)
    assert f'href="{url}"' in shown  # a plain link: works without JavaScript
    confirm = client.get(url)
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Remove Pat Partner from the meeting?" in html
    assert "emailed a cancellation" in html and "no longer be able to" in html
    assert invitee_of(app, user_id=partner) is not None  # asking is not removing
    r = client.post_form(url, token_from=url)
    assert r.status_code == 302 and r.headers["Location"].endswith("#invitees")
    after = client.get(f"/debriefs/{debrief}/meeting").get_data(as_text=True)
    assert "Pat Partner is no longer invited. A cancellation was emailed to them. They can no longer see this " \
           "debrief." in after
    assert invitee_of(app, user_id=partner) is None

    assert len(inbox.messages) == 4
    recipients, raw = inbox.messages[-1]
    assert recipients == ["pat@probation.example"]
    msg = email.message_from_bytes(raw, policy=email_policy.default)
    assert msg["Subject"].strip().startswith(app.config["MARKING"]) and "Pat" not in msg.get_body(("plain",)).get_content()
    (att,) = list(msg.iter_attachments())
    assert att.get_param("method") == "CANCEL"
    cal = Calendar.from_ical(att.get_content())
    (event,) = cal.walk("VEVENT")
    assert str(cal["METHOD"]) == "CANCEL" and str(event["UID"]) == uid and int(event["SEQUENCE"]) == 1
    attendees = event.get("ATTENDEE")
    assert str(attendees).lower() == "mailto:pat@probation.example"  # that person alone
    # The others' invitations are unchanged: nothing is re-sent to them.
    client.post_form(f"/debriefs/{debrief}/meeting/send", token_from=f"/debriefs/{debrief}/meeting")
    assert len(inbox.messages) == 4
    # Access given by the invitation is gone; access given by sharing the debrief is not.
    assert pat.get(f"/debriefs/{debrief}").status_code == 404
    with app.app_context():
        assert db.session.get(DebriefParticipant, (debrief, partner)) is None
    sam = invitee_of(app, user_id=shared)
    assert client.post_form(f"/debriefs/{debrief}/meeting/invitees/{sam.id}/remove",
                            token_from=f"/debriefs/{debrief}/meeting").status_code == 302
    with app.app_context():
        assert db.session.get(DebriefParticipant, (debrief, shared)) is not None
    actions = audit_actions(app)
    assert actions.count("meeting.remove_invitee") == 2 and "meeting.uninvite_access" in actions
    assert "meeting.email_cancel" in actions


def test_removing_with_htmx_swaps_the_row_and_announces_it(app, client, debrief):
    schedule(client, debrief, date.today() + timedelta(days=3))
    client.post_form(f"/debriefs/{debrief}/meeting/invite-external", {"name": "Olive Outsider", "agency": "Housing",
                                                                      "email": ""},
                     token_from=f"/debriefs/{debrief}/meeting")
    olive = invitee_of(app, name="Olive Outsider")
    url = f"/debriefs/{debrief}/meeting/invitees/{olive.id}/remove"
    r = client.get(url, headers=HX)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith(f'<tr id="invitee-{olive.id}"') and 'role="alert"' in html
    assert "Keep them" in html
    keep = client.get(f"/debriefs/{debrief}/meeting/invitees/{olive.id}", headers=HX).get_data(as_text=True)
    assert keep.lstrip().startswith(f'<tr id="invitee-{olive.id}"') and "Remove" in keep
    token = client.csrf_token(f"/debriefs/{debrief}/meeting")
    r = client.post(url, headers={**HX, "X-CSRFToken": token})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and f'<tr id="invitee-{olive.id}"' in html and "no longer invited" in html
    assert "showMessage" in r.headers["HX-Trigger"]
    assert invitee_of(app, name="Olive Outsider") is None
    assert client.get(url).status_code == 404


def test_only_reviewers_remove_invitees(app, client, new_client, debrief, make_user):
    member = make_user("mem", "member")
    schedule(client, debrief, date.today() + timedelta(days=3))
    invite(client, debrief, member)
    target = invitee_of(app, user_id=member)
    m = as_user(new_client, "mem")
    url = f"/debriefs/{debrief}/meeting/invitees/{target.id}/remove"
    assert m.get(url).status_code == 403
    assert m.post_form(url, token_from=f"/debriefs/{debrief}/meeting").status_code == 403
    assert invitee_of(app, user_id=member) is not None


# ---- the confidentiality gate -------------------------------------------------------------------

def _debrief_routes(app, d, extra: dict) -> list[str]:
    """Every GET route under a debrief, with its arguments filled in."""
    urls = []
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or "debrief_id" not in rule.arguments:
                continue
            if rule.endpoint in ("meetings.confidentiality", "records.access_reason"):
                continue
            values = {"debrief_id": d}
            for arg in rule.arguments - {"debrief_id"}:
                values[arg] = extra.get(arg, 1)
            urls.append(url_for(rule.endpoint, **values))
    return urls


def test_a_partner_sees_nothing_of_the_debrief_until_they_acknowledge(app, client, new_client, debrief, make_user,
                                                                      make_debrief):
    from tests.test_chronology import make_entries

    make_entries(app, debrief, [{"summary": "Secret key call", "key_issue": True}])
    partner = make_user("pat", "partner", full_name="Pat Partner")
    schedule(client, debrief, date.today() + timedelta(days=3))
    invite(client, debrief, partner)
    pat = as_user(new_client, "pat")
    urls = _debrief_routes(app, debrief, {})
    assert len(urls) > 10
    for url in urls:
        r = pat.get(url)
        assert r.status_code == 303 and "/confidentiality" in r.headers["Location"], (url, r.status_code)
        h = pat.get(url, headers=HX)
        assert "/confidentiality" in h.headers.get("HX-Redirect", ""), url
        assert "Secret key call" not in r.get_data(as_text=True) + h.get_data(as_text=True)
    # Not only pages: a form posted before acknowledging stores nothing.
    token = pat.csrf_token(f"/debriefs/{debrief}/confidentiality")
    r = pat.post(f"/debriefs/{debrief}/meeting/questions/1/contribution", data={"csrf_token": token,
                                                                                  "c1-text": "x", "c1-version": "0"})
    assert r.status_code == 303 and "/confidentiality" in r.headers["Location"]
    terms = pat.get(f"/debriefs/{debrief}/meeting/agenda", follow_redirects=True).get_data(as_text=True)
    assert "Before you see this debrief" in terms and "I acknowledge these terms" in terms
    assert "Secret key call" not in terms
    # A debrief that is not theirs is not found, not offered for acknowledgement.
    other = make_debrief("chronology")
    assert pat.get(f"/debriefs/{other}/chronology").status_code == 404
    assert pat.get(f"/debriefs/{other}/confidentiality").status_code == 404

    r = pat.post_form(f"/debriefs/{debrief}/meeting/acknowledge",
                      {"next": f"/debriefs/{debrief}/meeting/agenda"}, token_from=f"/debriefs/{debrief}/confidentiality")
    assert r.headers["Location"].endswith(f"/debriefs/{debrief}/meeting/agenda")
    assert "Secret key call" in pat.get(f"/debriefs/{debrief}/meeting/agenda").get_data(as_text=True)
    assert pat.get(f"/debriefs/{debrief}/chronology").status_code == 200
    ack = invitee_of(app, user_id=partner)
    assert ack.confidentiality_ack_at is not None and ack.confidentiality_ack_by_id == partner
    assert "meeting.acknowledge" in audit_actions(app)
    shown = client.get(f"/debriefs/{debrief}/meeting").get_data(as_text=True)
    assert "Acknowledged by them," in shown


def test_a_partner_shared_without_an_invitation_is_asked_to_be_invited(app, client, new_client, make_user,
                                                                       make_debrief):
    make_user("pat", "partner")
    d = make_debrief("chronology", participants=("pat",))
    pat = as_user(new_client, "pat")
    r = pat.get(f"/debriefs/{d}", follow_redirects=True)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Ask the review team to invite you" in html
    assert "I acknowledge these terms" not in html
    # Members are not partners: no gate for them.
    make_user("mem", "member")
    d2 = make_debrief("chronology", participants=("mem",))
    assert as_user(new_client, "mem").get(f"/debriefs/{d2}").status_code == 200


def test_a_reviewer_records_the_acknowledgement_on_a_partners_behalf(app, client, new_client, debrief, make_user):
    partner = make_user("pat", "partner", full_name="Pat Partner")
    schedule(client, debrief, date.today() + timedelta(days=3))
    invite(client, debrief, partner)
    target = invitee_of(app, user_id=partner)
    r = client.post_form(f"/debriefs/{debrief}/meeting/attendance", {f"ack-{target.id}": "1"},
                         token_from=f"/debriefs/{debrief}/meeting")
    assert r.status_code == 302
    with app.app_context():
        from app.models import User

        rev = db.session.scalar(sa.select(User.id).where(User.username == "rev"))
    done = invitee_of(app, user_id=partner)
    assert done.confidentiality_ack_at is not None and done.confidentiality_ack_by_id == rev
    shown = client.get(f"/debriefs/{debrief}/meeting").get_data(as_text=True)
    assert "Acknowledged by Test Rev on their behalf," in shown
    assert "meeting.acknowledge_on_behalf" in audit_actions(app)
    assert as_user(new_client, "pat").get(f"/debriefs/{debrief}").status_code == 200


# ---- contributions and findings ---------------------------------------------------------------

def test_contributions_are_sent_edited_folded_into_findings_and_closed_after_the_meeting(
        app, client, new_client, debrief, make_user):
    from tests.test_scoping import params_form, save_params

    save_params(client, debrief, params_form(key_questions="Was the risk shared?\nWas MARAC used?"))
    member = make_user("mem", "member", full_name="Mona Member")
    partner = make_user("pat", "partner", full_name="Pat Partner")
    make_user("outsider", "member")
    schedule(client, debrief, date.today() + timedelta(days=3))
    invite(client, debrief, member)
    invite(client, debrief, partner)
    mem = as_user(new_client, "mem")
    pat = acknowledge(new_client, debrief, "pat")
    page_url = f"/debriefs/{debrief}/meeting"
    url1 = f"/debriefs/{debrief}/meeting/questions/1/contribution"

    shown = mem.get(page_url).get_data(as_text=True)
    assert "Your agency&#39;s contribution" in shown and 'id="c1-text"' in shown and 'id="c2-text"' in shown
    r = mem.post_form(url1, {"c1-text": "", "c1-version": "0"}, token_from=page_url)
    assert r.status_code == 422 and 'id="c1-text-error"' in r.get_data(as_text=True)
    assert mem.post_form(url1, {"c1-text": "Force held two prior reports.", "c1-version": "0"},
                         token_from=page_url).status_code == 302
    shown = mem.get(page_url).get_data(as_text=True)
    assert "Force held two prior reports." in shown and "Save changes" in shown
    assert mem.post_form(url1, {"c1-text": "Force held three prior reports; PC Smith attended one.",
                                "c1-version": "1"}, token_from=page_url).status_code == 302
    assert "“PC Smith”" in mem.get(page_url).get_data(as_text=True)  # warned, not refused
    assert pat.post_form(url1, {"c1-text": "Probation supervised Adult B.", "c1-version": "0"},
                         token_from=page_url).status_code == 302
    # Not invited, a question that does not exist, a reviewer: refused.
    out = as_user(new_client, "outsider")
    assert out.post_form(url1, {"c1-text": "x", "c1-version": "0"}, token_from="/account").status_code == 404
    assert mem.post_form(f"/debriefs/{debrief}/meeting/questions/9/contribution", {"c9-text": "x", "c9-version": "0"},
                         token_from=page_url).status_code == 404
    assert client.post_form(url1, {"c1-text": "x", "c1-version": "0"}, token_from=page_url).status_code == 403
    # Each sees only their own; the review team sees every agency's, per question.
    assert "Probation supervised" not in mem.get(page_url).get_data(as_text=True)
    review = client.get(page_url).get_data(as_text=True)
    assert "three prior reports" in review and "Probation supervised Adult B." in review
    assert review.count("Fold into the finding") == 2

    with app.app_context():
        mine, theirs = db.session.scalars(sa.select(Contribution).order_by(Contribution.id)).all()
        mine_id, mine_version, theirs_id = mine.id, mine.version, theirs.id
        agency = mine.agency
    fold = lambda cid, version: client.post_form(  # noqa: E731
        f"/debriefs/{debrief}/meeting/contributions/{cid}/fold", {"version": str(version)}, token_from=page_url)
    assert fold(mine_id, mine_version).status_code == 302
    assert fold(mine_id, mine_version).status_code == 409  # already folded: nothing added twice
    assert fold(theirs_id, 1).status_code == 302
    with app.app_context():
        (finding,) = db.session.scalars(sa.select(Finding)).all()
        assert finding.position == 1 and finding.question == "Was the risk shared?"
        assert finding.text == (f"{agency}: Force held three prior reports; PC Smith attended one.\n\n"
                                "Probation: Probation supervised Adult B.")
        folded = db.session.get(Contribution, mine_id)
        assert folded.folded_at is not None and folded.folded_by_id is not None
        finding_version = finding.version
    review = client.get(page_url).get_data(as_text=True)
    assert "Folded</span> into the finding" in review and "by Test Rev" in review
    # Folded: the member's form is empty again, and a stale edit of the folded one keeps their text.
    r = mem.post_form(url1, {"c1-text": "A late correction", "c1-version": str(mine_version)}, token_from=page_url)
    html = r.get_data(as_text=True)
    assert r.status_code == 409 and "folded your contribution" in html and "A late correction" in html
    with app.app_context():
        assert db.session.get(Contribution, mine_id).text.startswith("Force held three")

    # The review team edits the finding; a stale save shows both and overwrites nothing.
    furl = f"/debriefs/{debrief}/meeting/questions/1/finding"
    assert client.post_form(furl, {"f1-text": "Risk was not shared between agencies.",
                                   "f1-version": str(finding_version)}, token_from=page_url).status_code == 302
    r = client.post_form(furl, {"f1-text": "My stale version", "f1-version": str(finding_version)},
                         token_from=page_url)
    html = r.get_data(as_text=True)
    assert r.status_code == 409 and "My stale version" in html and "Risk was not shared between agencies." in html
    assert client.post_form(f"/debriefs/{debrief}/meeting/questions/2/finding",
                            {"f2-text": "DS Jones referred to MARAC.", "f2-version": "0"},
                            token_from=page_url).status_code == 302
    with app.app_context():
        texts = dict(db.session.execute(sa.select(Finding.position, Finding.text)).all())
        assert texts == {1: "Risk was not shared between agencies.", 2: "DS Jones referred to MARAC."}
        assert db.session.scalar(sa.select(Finding.question).where(Finding.position == 2)) == "Was MARAC used?"
    assert "“DS Jones”" in client.get(page_url).get_data(as_text=True)
    # Contributors read the findings.
    assert "Risk was not shared between agencies." in mem.get(page_url).get_data(as_text=True)

    # Once the meeting has been held, contributions are closed, with the reason, and the text is kept.
    set_meeting_start(app, debrief, -10)
    r = mem.post_form(url1, {"c1-text": "After the event", "c1-version": "0"}, token_from=page_url)
    html = r.get_data(as_text=True)
    assert r.status_code == 409 and "contributions are closed" in html
    assert "c1-text" not in html or "After the event" in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Contribution)) == 2
    actions = audit_actions(app)
    assert "meeting.contribute" in actions and "meeting.fold" in actions and "meeting.finding" in actions


# ---- the agenda and the notes --------------------------------------------------------------------

def test_the_agenda_recognises_the_good_practice_in_the_chronology(app, client, debrief):
    from tests.test_chronology import make_entries

    make_entries(app, debrief, [{"summary": "GP made a prompt safeguarding referral", "good_practice": True},
                                {"summary": "Routine contact"}])
    schedule(client, debrief, date.today() + timedelta(days=2))
    html = client.get(f"/debriefs/{debrief}/meeting/agenda").get_data(as_text=True)
    item = html[html.index("Good practice to recognise"):html.index("Learning and recommendations")]
    assert "GP made a prompt safeguarding referral" in item and "Routine contact" not in item


def test_notes_that_name_staff_are_saved_with_a_warning_beside_them(app, client, debrief):
    from tests.test_chronology import make_entries

    (eid,) = make_entries(app, debrief, [{"summary": "Key call", "key_issue": True}])
    schedule(client, debrief, date.today() - timedelta(days=1))
    notes = f"/debriefs/{debrief}/meeting/notes"
    p = f"n{eid}-"
    r = client.post_form(f"{notes}/{eid}", {p + "expected": "A DASH form", p + "happened": "PC Smith said none was due",
                                            p + "why_different": "", p + "learned": "Training", p + "version": "0"},
                         token_from=notes)
    assert r.status_code == 302
    html = client.get(notes).get_data(as_text=True)
    warning = re.search(rf'<p class="field__warning staff-warning" id="issue-{eid}-staff"[^>]*>(.*?)</p>', html, re.S)
    assert warning and "“PC Smith”" in warning.group(1)
    assert 'hx-post="/debriefs/%d/meeting/staff-check"' % debrief in html
    # As it is typed: the form's fields go to the check, which answers the warning alone.
    token = client.csrf_token(notes)
    r = client.post(f"/debriefs/{debrief}/meeting/staff-check", headers={**HX, "X-CSRFToken": token},
                    data={p + "expected": "Sgt Patel and Officer Brown", p + "version": "1"})
    assert r.status_code == 200 and "“Sgt Patel”, “Officer Brown”" in r.get_data(as_text=True)
    r = client.post(f"/debriefs/{debrief}/meeting/staff-check", headers={**HX, "X-CSRFToken": token},
                    data={p + "expected": "The attending officer"})
    assert r.get_data(as_text=True).strip() == ""


# ---- in the browser ----------------------------------------------------------------------------------

@pytest.mark.browser
def test_remove_an_invitee_and_see_a_staff_name_warning_as_you_type_in_the_browser(app, client, debrief, live, page):  # noqa: F811
    from tests.test_browser import sign_in, wait_until
    from tests.test_scoping import params_form, save_params

    save_params(client, debrief, params_form(key_questions="Was the risk shared?"))
    schedule(client, debrief, date.today() + timedelta(days=3))
    client.post_form(f"/debriefs/{debrief}/meeting/invite-external", {"name": "Olive Outsider", "agency": "Housing",
                                                                      "email": ""},
                     token_from=f"/debriefs/{debrief}/meeting")
    olive = invitee_of(app, name="Olive Outsider")
    sign_in(page, live, "rev")
    page.wait_for_url(live + "/")
    page.goto(f"{live}/debriefs/{debrief}/meeting")
    page.get_by_role("link", name="Remove Olive Outsider").focus()
    page.keyboard.press("Enter")
    page.get_by_text("Remove Olive Outsider from the meeting?").wait_for()
    wait_until(page, f"document.activeElement.closest('#invitee-{olive.id}') !== null")  # focus stays in the row
    page.get_by_role("button", name="Remove Olive Outsider").click()
    page.locator(f"#invitee-{olive.id}").get_by_text("Olive Outsider is no longer invited.").wait_for()
    assert "no longer invited" in page.locator("#flash").inner_text()  # announced in the live region
    assert invitee_of(app, name="Olive Outsider") is None

    page.get_by_label("The review's finding").fill("PC Smith said the referral was sent")
    page.locator("#f1-text-staff").get_by_text("“PC Smith”").wait_for()
    assert not [m for m in page.console_messages if "Content Security Policy" in m]
