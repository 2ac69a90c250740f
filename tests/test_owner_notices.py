"""Owners told: when the working group sends an action back or decides an extension, its owner gets one email
(no personal data: the reference, what happened, the due date now, a link), a user at their account's address
and a team at its contact address, sent after the decision is committed; a mail server that is down leaves the
decision as it is. A team with no contact address is warned about on the teams page and beside the owner field."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Action, AuditEvent, Debrief
from tests.test_action_lifecycle import as_user, post
from tests.conftest import MAIL_BASE, team_id, received
from tests.live import free_port

BASE = MAIL_BASE
NO_ADDRESS = "This team has no contact address: it will get no reminders or notices."


@pytest.fixture
def setup(app, make_user, make_debrief):
    ids = {
        "owner": make_user("owner", "member", full_name="Olive Owner", email="olive@force.example"),
        "wg": make_user("wg", "working_group", full_name="Wanda Group"),
        "rev": make_user("rev", "reviewer", full_name="Rita Reviewer"),
        "adm": make_user("adm", "admin"),
        "ppu": team_id(app, "Public Protection Unit", "ppu@force.example"),
        "silent": team_id(app, "Learning and Development", None),
    }
    d = make_debrief("monitoring", title="Secret title of the case")
    due = date.today() + timedelta(days=20)
    with app.app_context():
        for number, user, team in ((1, ids["owner"], None), (2, None, ids["ppu"]), (3, None, ids["silent"])):
            db.session.add(Action(debrief_id=d, number=number, what=f"Secret what number {number}",
                                  owner_user_id=user, owner_team_id=team, due_on=due, priority="high",
                                  scope="force", status="completed", evidence="Done", completed_on=date.today()))
        db.session.commit()
        ids["a1"], ids["a2"], ids["a3"] = db.session.scalars(sa.select(Action.id).order_by(Action.number)).all()
        ids["ref"] = db.session.get(Debrief, d).reference
    ids["due"], ids["d"] = due, d
    return ids


def stored(app, action_id) -> Action:
    with app.app_context():
        a = db.session.get(Action, action_id)
        a.extensions, a.notes
        db.session.expunge(a)
        return a


def private_text_absent(subject: str, body: str) -> None:
    for private in ("Olive", "Wanda", "Secret", "Attach the register", "Public Protection Unit", "Training slots"):
        assert private not in subject + body, private


def test_a_user_owner_is_told_when_their_action_is_sent_back(app, new_client, setup, inbox):
    wg = as_user(new_client, "wg")
    r = post(wg, f"/actions/{setup['a1']}/send-back", {"version": "1", "comment": "Attach the register."},
             follow_redirects=True)
    assert r.status_code == 200 and "sent back to its owner. The owner has been told by email." in r.get_data(
        as_text=True)
    assert stored(app, setup["a1"]).status == "in_progress"
    ((to, subject, body),) = received(inbox)
    ref = f"{setup['ref']}-A01"
    assert to == "olive@force.example"
    assert subject == f"OFFICIAL-SENSITIVE: Action {ref}: sent back"
    assert f"sent action {ref} back" in body and "in progress again" in body
    assert f"due on {setup['due']:%d %B %Y}" in body and f"{BASE}/actions/{setup['a1']}" in body
    private_text_absent(subject, body)
    with app.app_context():
        event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "action.notice.sent_back")).one()
        assert (event.operation, event.object_id, event.recipient) == ("disclosure", str(setup["a1"]),
                                                                      "olive@force.example")


def test_a_team_owner_is_told_at_its_contact_address(app, new_client, setup, inbox):
    wg = as_user(new_client, "wg")
    assert post(wg, f"/actions/{setup['a2']}/send-back", {"version": "1", "comment": "Attach the register."}
                ).status_code == 302
    ((to, subject, body),) = received(inbox)
    assert to == "ppu@force.example" and f"{setup['ref']}-A02" in subject
    private_text_absent(subject, body)


def _ask_for_more_time(app, new_client, setup, days=30):
    owner = as_user(new_client, "owner")
    with app.app_context():  # back to in progress, so more time may be asked for
        a = db.session.get(Action, setup["a1"])
        a.status, a.version = "in_progress", a.version + 1
        db.session.commit()
    new_due = setup["due"] + timedelta(days=days)
    assert post(owner, f"/actions/{setup['a1']}/extension", {"version": "2", "new_due": new_due.isoformat(),
                                                              "reason": "Training slots"}).status_code == 302
    a = stored(app, setup["a1"])
    return a, a.extensions[0], new_due


def test_the_owner_is_told_an_extension_was_approved_with_the_new_due_date(app, new_client, setup, inbox):
    a, ext, new_due = _ask_for_more_time(app, new_client, setup)
    wg = as_user(new_client, "wg")
    r = post(wg, f"/actions/{a.id}/extensions/{ext.id}/approve", {"version": str(a.version), "note": ""},
             follow_redirects=True)
    assert "approved. The owner has been told by email." in r.get_data(as_text=True)
    assert stored(app, a.id).due_on == new_due
    ((to, subject, body),) = received(inbox)
    assert to == "olive@force.example" and subject.endswith("extension approved")
    assert f"The new due date is {new_due:%d %B %Y} (it was {setup['due']:%d %B %Y})" in body
    private_text_absent(subject, body)


def test_the_owner_is_told_an_extension_was_refused_and_the_due_date_stays(app, new_client, setup, inbox):
    a, ext, new_due = _ask_for_more_time(app, new_client, setup)
    wg = as_user(new_client, "wg")
    assert post(wg, f"/actions/{a.id}/extensions/{ext.id}/refuse",
                {"version": str(a.version), "note": "Ask Olive's manager first."}).status_code == 302
    ((to, subject, body),) = received(inbox)
    assert subject.endswith("extension refused")
    assert f"refused the extension to {new_due:%d %B %Y}" in body
    assert f"The due date stays {setup['due']:%d %B %Y}" in body
    private_text_absent(subject, body)  # the working group's note ("Olive's manager") stays on the page
    assert "manager" not in body


def test_a_mail_server_that_is_down_does_not_undo_the_decision(app, new_client, setup):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), BASE_URL=BASE)  # nothing listens there
    wg = as_user(new_client, "wg")
    r = post(wg, f"/actions/{setup['a1']}/send-back", {"version": "1", "comment": "Attach the register."},
             follow_redirects=True)
    assert r.status_code == 200
    assert "The email to the owner could not be sent: tell them another way." in r.get_data(as_text=True)
    a = stored(app, setup["a1"])
    assert a.status == "in_progress" and a.notes[-1].kind == "sent_back"
    with app.app_context():
        assert not db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                                     .where(AuditEvent.action.like("action.notice.%")))


def test_over_htmx_the_pack_says_whether_the_owner_was_told(app, new_client, setup, inbox):
    wg = as_user(new_client, "wg")
    r = post(wg, f"/actions/{setup['a3']}/send-back", {"version": "1", "comment": "Attach the register."},
             headers={"HX-Request": "true"})
    assert r.status_code == 200
    assert "has no email address on record: tell them another way." in r.headers["HX-Trigger"]
    assert stored(app, setup["a3"]).status == "in_progress" and inbox == []


def test_a_team_without_a_contact_address_is_warned_about(app, new_client, setup):
    admin = as_user(new_client, "adm")
    html = admin.get("/admin/teams").get_data(as_text=True)
    assert html.count(NO_ADDRESS) == 1
    warning = html.index(NO_ADDRESS)
    assert html.rfind("Learning and Development", 0, warning) > html.rfind("Public Protection Unit", 0, warning)
    assert f'aria-describedby="agency-noemail-{setup["silent"]}"' in html
    # once it has an address the warning goes
    token = admin.csrf_token("/admin/teams")
    assert admin.post(f"/admin/teams/{setup['silent']}", data={"csrf_token": token, "name": "Learning and Development",
                                                              "email": "ld@force.example", "active": "1"}
                      ).status_code == 302
    assert NO_ADDRESS not in admin.get("/admin/teams").get_data(as_text=True)


def test_the_action_form_warns_beside_the_owner_field(app, new_client, setup):
    rev = as_user(new_client, "rev")
    new = rev.get(f"/debriefs/{setup['d']}/actions/new").get_data(as_text=True)
    assert "Learning and Development (no contact address)</option>" in new
    assert "Public Protection Unit</option>" in new
    assert "will get no reminders or notices" in new
    edit = rev.get(f"/actions/{setup['a3']}/edit").get_data(as_text=True)
    assert NO_ADDRESS in edit
    edit = rev.get(f"/actions/{setup['a2']}/edit").get_data(as_text=True)
    assert NO_ADDRESS not in edit
