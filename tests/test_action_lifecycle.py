"""The action lifecycle and who may do what: owner, reviewer, working group, board, partner, and everyone else.

Each test signs real users in and posts the forms a browser would; what is checked is what a user
(or an attacker) would see: the status code, the page, and what is stored afterwards.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Action, ActionNote, AuditEvent, Extension
from tests.conftest import login, team_id



@pytest.fixture
def people(app, make_user, make_debrief):
    """A debrief in Monitoring with an action owned by a member and one by a partner, and one of each role."""
    ids = {
        "owner": make_user("owner", "member", full_name="Olive Owner"),
        "other": make_user("other", "member", full_name="Oscar Other"),
        "partner": make_user("partner", "partner", full_name="Petra Partner"),
        "rev": make_user("rev", "reviewer", full_name="Rita Reviewer"),
        "wg": make_user("wg", "working_group", full_name="Wanda Group"),
        "wg2": make_user("wg2", "working_group", "member", full_name="Walter Both"),
        "brd": make_user("brd", "board", full_name="Bart Board"),
    }
    d = make_debrief("monitoring")
    with app.app_context():
        for number, owner in ((1, ids["owner"]), (2, ids["partner"]), (3, ids["wg2"])):
            db.session.add(Action(debrief_id=d, number=number, what=f"Action number {number}",
                                  owner_user_id=owner, due_on=date.today() + timedelta(days=20), priority="high",
                                  scope="force", status="open"))
        db.session.commit()
        ids["a1"], ids["a2"], ids["a3"] = db.session.scalars(sa.select(Action.id).order_by(Action.number)).all()
    ids["debrief"] = d
    return ids


def action(app, action_id) -> Action:
    with app.app_context():
        a = db.session.get(Action, action_id)
        a.notes, a.extensions  # load while the session is open
        db.session.expunge(a)
        return a


def as_user(new_client, username):
    c = new_client()
    assert login(c, username).status_code == 302
    return c


def post(c, path, data, **kw):
    return c.post_form(path, data, token_from="/actions", **kw)


def update(c, a, version, headers=None, **fields):
    data = {f"u{a}-version": str(version), f"u{a}-status": fields.pop("status", "open")}
    data.update({f"u{a}-{k}": v for k, v in fields.items()})
    return post(c, f"/actions/{a}/update", data, headers=headers or {})


# ---- the owner -----------------------------------------------------------------------------

def test_owner_moves_an_action_along_and_cannot_complete_it_without_evidence(app, new_client, people):
    c = as_user(new_client, "owner")
    a = people["a1"]
    r = update(c, a, 1, status="in_progress", note="Spoke to the training lead.", note_on=date.today().isoformat())
    assert r.status_code == 302
    stored = action(app, a)
    assert stored.status == "in_progress" and stored.version == 2
    assert [(n.kind, n.text) for n in stored.notes] == [("progress", "Spoke to the training lead."), ("status", None)]

    r = update(c, a, 2, status="in_progress", complete="1", note="All done")
    assert r.status_code == 422
    assert "Describe the evidence that the action is done" in r.get_data(as_text=True)
    stored = action(app, a)
    assert stored.status == "in_progress" and stored.version == 2 and len(stored.notes) == 2  # nothing half-saved

    r = update(c, a, 2, status="in_progress", complete="1", evidence="Course run for 40 staff",
               evidence_link="https://intranet.example/course")
    assert r.status_code == 302
    stored = action(app, a)
    assert (stored.status, stored.completed_on, stored.evidence) == ("completed", date.today(), "Course run for 40 staff")


def test_an_owner_posting_the_review_teams_fields_changes_nothing(app, new_client, people):
    c = as_user(new_client, "owner")
    a, before = people["a1"], action(app, people["a1"])
    later = (date.today() + timedelta(days=200)).isoformat()
    r = update(c, a, 1, status="open", due_on=later, owner_user_id=str(people["other"]), what="Changed by owner",
               owner_team_id=str(team_id(app, "Some team")))
    r2 = post(c, f"/actions/{a}/update", {"u%d-version" % a: "1", "u%d-status" % a: "open", "due_on": later,
                                           "owner_user_id": str(people["other"]), "what": "Changed by owner"})
    assert r.status_code == 302 and r2.status_code == 302
    after = action(app, a)
    assert (after.due_on, after.owner_user_id, after.owner_team_id, after.what, after.version) == (
        before.due_on, before.owner_user_id, None, before.what, 1)
    # the review team's own form is refused outright
    r = post(c, f"/actions/{a}/edit", {"version": "1", "what": "x", "owner_user_id": str(people["other"]),
                                       "due_on": later, "priority": "low", "scope": "force"})
    assert r.status_code == 403
    assert action(app, a).due_on == before.due_on


@pytest.mark.parametrize("step", ["sign-off", "send-back", "not-doing", "reopen"])
def test_owners_and_the_board_cannot_take_governance_steps(app, new_client, people, step):
    for username in ("owner", "brd", "partner"):
        c = as_user(new_client, username)
        r = post(c, f"/actions/{people['a1']}/{step}", {"version": "1", "comment": "Because"})
        assert r.status_code == 403, (username, step)
    assert action(app, people["a1"]).status == "open"


def test_others_cannot_see_or_touch_an_action_they_do_not_own(app, new_client, people):
    c = as_user(new_client, "other")
    a = people["a1"]
    assert c.get(f"/actions/{a}").status_code == 404
    assert update(c, a, 1, status="in_progress").status_code == 404
    assert post(c, f"/actions/{a}/extension", {"version": "1", "new_due": "2030-01-01", "reason": "x"}).status_code == 404
    p = as_user(new_client, "partner")
    assert p.get(f"/actions/{a}").status_code == 404
    assert update(p, people["a2"], 1, status="in_progress", note="Partner progress").status_code == 302
    assert action(app, people["a2"]).status == "in_progress"
    assert action(app, a).version == 1


def test_the_board_reads_every_action_with_its_owner_and_changes_none(app, new_client, people):
    c = as_user(new_client, "brd")
    html = c.get(f"/actions/{people['a1']}").get_data(as_text=True)
    assert "Action number 1" in html and "Olive Owner" in html and "Force staff" not in html
    assert "Save update" not in html and "Sign off" not in html
    assert update(c, people["a1"], 1, status="in_progress").status_code == 403
    r = post(c, f"/actions/{people['a1']}/extension", {"version": "1", "new_due": "2030-01-01", "reason": "x"})
    assert r.status_code == 403
    assert action(app, people["a1"]).version == 1
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "access.denied", AuditEvent.object_type == "action")) == 2


# ---- the working group ---------------------------------------------------------------------

def _complete(app, new_client, people, a="a1", owner="owner"):
    c = as_user(new_client, owner)
    assert update(c, people[a], 1, status="open", complete="1", evidence="Evidence here").status_code == 302
    return action(app, people[a]).version


def test_working_group_signs_off_or_sends_back_and_the_reviewer_cannot(app, new_client, people):
    v = _complete(app, new_client, people)
    rev = as_user(new_client, "rev")
    assert post(rev, f"/actions/{people['a1']}/sign-off", {"version": str(v), "comment": ""}).status_code == 403
    wg = as_user(new_client, "wg")
    r = post(wg, f"/actions/{people['a1']}/send-back", {"version": str(v), "comment": ""})
    assert r.status_code == 422 and "Say what is still needed" in r.get_data(as_text=True)
    assert action(app, people["a1"]).status == "completed"
    r = post(wg, f"/actions/{people['a1']}/send-back", {"version": str(v), "comment": "Attach the register."})
    assert r.status_code == 302
    stored = action(app, people["a1"])
    assert stored.status == "in_progress" and stored.completed_on is None
    assert stored.notes[-1].kind == "sent_back" and stored.notes[-1].text == "Attach the register."

    c = as_user(new_client, "owner")
    assert update(c, people["a1"], stored.version, status="in_progress", complete="1",
                  evidence="Register attached").status_code == 302
    v = action(app, people["a1"]).version
    r = post(wg, f"/actions/{people['a1']}/sign-off", {"version": str(v), "comment": "Good."})
    assert r.status_code == 302
    stored = action(app, people["a1"])
    assert (stored.status, stored.closed_on, stored.closed_by_id) == ("closed", date.today(), people["wg"])
    # a closed action cannot be updated by its owner any more
    r = update(c, people["a1"], stored.version, status="in_progress", note="More")
    assert r.status_code == 422 and "can reopen it" in r.get_data(as_text=True)


def test_nobody_signs_off_their_own_action(app, new_client, people):
    v = _complete(app, new_client, people, "a3", "wg2")
    wg2 = as_user(new_client, "wg2")
    assert post(wg2, f"/actions/{people['a3']}/sign-off", {"version": str(v), "comment": ""}).status_code == 403
    wg = as_user(new_client, "wg")
    assert post(wg, f"/actions/{people['a3']}/sign-off", {"version": str(v), "comment": ""}).status_code == 302


def test_not_doing_needs_a_rationale_and_reopening_a_reason(app, new_client, people):
    wg = as_user(new_client, "wg")
    a = people["a1"]
    r = post(wg, f"/actions/{a}/not-doing", {"version": "1", "comment": "  "})
    assert r.status_code == 422 and "Give the rationale" in r.get_data(as_text=True)
    assert post(wg, f"/actions/{a}/not-doing", {"version": "1", "comment": "Superseded by a national change."}
                ).status_code == 302
    stored = action(app, a)
    assert stored.status == "not_doing" and stored.not_doing_reason == "Superseded by a national change."
    rev = as_user(new_client, "rev")
    r = post(rev, f"/actions/{a}/reopen", {"version": str(stored.version), "comment": ""})
    assert r.status_code == 422
    assert post(rev, f"/actions/{a}/reopen", {"version": str(stored.version), "comment": "Change fell through."}
                ).status_code == 302
    reopened = action(app, a)
    assert reopened.status == "in_progress" and reopened.closed_on is None and reopened.not_doing_reason is None
    assert [n.text for n in reopened.notes if n.kind == "not_doing"] == ["Superseded by a national change."]


def test_extensions_are_asked_for_by_the_owner_and_decided_by_the_working_group(app, new_client, people):
    a = people["a1"]
    c = as_user(new_client, "owner")
    old_due = action(app, a).due_on
    r = post(c, f"/actions/{a}/extension", {"version": "1", "new_due": old_due.isoformat(), "reason": "x"})
    assert r.status_code == 422 and "Choose a date after the current due date" in r.get_data(as_text=True)
    new_due = old_due + timedelta(days=30)
    r = post(c, f"/actions/{a}/extension", {"version": "1", "new_due": new_due.isoformat(), "reason": "Training slots"})
    assert r.status_code == 302
    stored = action(app, a)
    ext = stored.extensions[0]
    assert ext.decision == "pending" and stored.due_on == old_due
    r = post(c, f"/actions/{a}/extension", {"version": str(stored.version), "new_due": "2031-01-01", "reason": "y"})
    assert r.status_code == 422 and "already waiting" in r.get_data(as_text=True)
    assert post(c, f"/actions/{a}/extensions/{ext.id}/approve", {"version": str(stored.version)}).status_code == 403

    wg = as_user(new_client, "wg")
    r = post(wg, f"/actions/{a}/extensions/{ext.id}/refuse", {"version": str(stored.version), "note": ""})
    assert r.status_code == 422 and "Say why the extension is refused" in r.get_data(as_text=True)
    r = post(wg, f"/actions/{a}/extensions/{ext.id}/approve", {"version": str(stored.version), "note": ""})
    assert r.status_code == 302
    stored = action(app, a)
    assert stored.due_on == new_due and stored.extensions[0].decision == "approved"
    assert stored.extensions[0].decided_by_id == people["wg"]
    # deciding it again (a second tab) is a conflict, not a second change
    r = post(wg, f"/actions/{a}/extensions/{ext.id}/refuse", {"version": str(stored.version), "note": "No"})
    assert r.status_code == 409 and action(app, a).due_on == new_due


def test_the_review_team_changes_the_due_date_only_with_a_reason_kept_in_the_history(app, new_client, people):
    rev = as_user(new_client, "rev")
    a = people["a1"]
    page = rev.get(f"/actions/{a}/edit")
    assert page.status_code == 200
    new_due = (date.today() + timedelta(days=90)).isoformat()
    base = {"version": "1", "what": "Action number 1, reworded", "owner_user_id": str(people["owner"]),
            "owner_team_id": "", "due_on": new_due, "priority": "high", "scope": "force",
            "accountable_lead": "Head of Training", "department": "Training"}
    r = post(rev, f"/actions/{a}/edit", base)
    assert r.status_code == 422 and "Say why the due date is changing" in r.get_data(as_text=True)
    assert action(app, a).what == "Action number 1" and action(app, a).version == 1
    r = post(rev, f"/actions/{a}/edit", {**base, "due_reason": "Waiting for the new policy"})
    assert r.status_code == 302
    stored = action(app, a)
    assert stored.what == "Action number 1, reworded" and stored.due_on.isoformat() == new_due
    assert stored.accountable_lead == "Head of Training" and stored.department == "Training"
    ext = stored.extensions[0]
    assert (ext.decision, ext.reason, ext.decided_by_id) == ("approved", "Waiting for the new policy", people["rev"])
    r = post(rev, f"/actions/{a}/edit", {**base, "version": str(stored.version), "owner_team_id":
                                         str(team_id(app, "Training unit"))})
    assert r.status_code == 422 and "a person or a team, not both" in r.get_data(as_text=True)
    wg = as_user(new_client, "wg")
    assert post(wg, f"/actions/{a}/edit", {**base, "version": str(stored.version)}).status_code == 403


def test_reviewer_records_progress_for_a_team_without_a_login(app, new_client, people):
    team = team_id(app, "Adult Social Care", "asc@example.org")
    with app.app_context():
        db.session.add(Action(debrief_id=people["debrief"], number=9, what="Team action", owner_team_id=team,
                              due_on=date.today(), priority="low", scope="partner"))
        db.session.commit()
        a = db.session.scalar(sa.select(Action.id).where(Action.number == 9))
    rev = as_user(new_client, "rev")
    assert update(rev, a, 1, status="in_progress", note="Phoned the team manager").status_code == 302
    assert action(app, a).status == "in_progress"


def test_follow_up_records_the_effectiveness_review_and_partner_response(app, new_client, people):
    wg = as_user(new_client, "wg")
    a = people["a1"]
    r = post(wg, f"/actions/{a}/follow-up", {"version": "1", "review_on": (date.today() + timedelta(days=180)).isoformat(),
                                             "review_result": "", "sent_to": "Home Office", "sent_on": date.today().isoformat(),
                                             "response": "Acknowledged"})
    assert r.status_code == 302
    stored = action(app, a)
    assert stored.sent_to == "Home Office" and stored.response == "Acknowledged" and stored.notes[-1].kind == "follow_up"
    c = as_user(new_client, "owner")
    assert post(c, f"/actions/{a}/follow-up", {"version": str(stored.version), "sent_to": "x"}).status_code == 403


# ---- bad input, stale edits, htmx ----------------------------------------------------------

def test_stale_update_answers_409_with_both_versions_and_keeps_the_text(app, new_client, people):
    a = people["a1"]
    c = as_user(new_client, "owner")
    rev = as_user(new_client, "rev")
    assert update(rev, a, 1, status="in_progress", note="Reviewer's note", evidence="Their evidence").status_code == 302
    r = update(c, a, 1, status="open", note="My unsaved words", evidence="My evidence",
               headers={"HX-Request": "true"})
    html = r.get_data(as_text=True)
    assert r.status_code == 409
    assert "Someone else saved this action" in html and "Their evidence" in html
    assert "My unsaved words" in html and "My evidence" in html
    import re

    (version,) = re.findall(rf'<input[^>]*name="u{a}-version"[^>]*value="(\d+)"', html)
    assert version == "2"  # saving again applies the user's text on top of the newer version
    stored = action(app, a)
    assert stored.evidence == "Their evidence" and [n.text for n in stored.notes if n.kind == "progress"] == [
        "Reviewer's note"]


def test_bad_input_is_refused_beside_the_field(app, new_client, people):
    c = as_user(new_client, "owner")
    a = people["a1"]
    r = update(c, a, 1, status="in_progress", evidence_link="javascript:alert(1)")
    assert r.status_code == 422 and "Enter a web address starting with https://" in r.get_data(as_text=True)
    r = update(c, a, 1, status="in_progress", note="x", note_on=(date.today() + timedelta(days=3)).isoformat())
    assert r.status_code == 422 and "cannot be in the future" in r.get_data(as_text=True)
    r = update(c, a, 1, status="closed")
    assert r.status_code == 422
    assert action(app, a).version == 1
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ActionNote)) == 0


def test_inline_update_answers_htmx_with_the_row_alone(app, new_client, people):
    c = as_user(new_client, "owner")
    a = people["a1"]
    form = c.get(f"/actions/{a}/update", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert form.lstrip().startswith(f'<tr id="action-{a}"') and "Mark complete" in form
    r = update(c, a, 1, status="in_progress", note="Quick", headers={"HX-Request": "true"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and html.lstrip().startswith(f'<tr id="action-{a}"') and "In progress" in html
    assert "showMessage" in r.headers["HX-Trigger"]
    assert "<html" not in html


# ---- pages ---------------------------------------------------------------------------------

def test_owners_find_their_actions_on_the_home_page(app, new_client, people):
    first = new_client()
    login(first, "owner")
    c = new_client()
    r = login(c, "owner")
    home = c.get("/")
    assert home.status_code == 200
    html = home.get_data(as_text=True)
    assert "Your previous sign-in was on" in html
    assert "Action number 1" in html and "Action number 2" not in html  # their own unfinished action only
    assert 'href="/actions?owner=me"' in html
    rev = as_user(new_client, "rev")
    assert rev.get("/").status_code == 200
    mine = c.get("/actions?owner=me").get_data(as_text=True)
    assert "<h1>My actions</h1>" in mine and "Action number 1" in mine and "Action number 2" not in mine
    assert r.status_code == 302


def test_column_view_groups_by_status_with_counts(app, new_client, people):
    _complete(app, new_client, people)
    rev = as_user(new_client, "rev")
    html = rev.get("/actions?view=columns").get_data(as_text=True)
    assert 'id="col-open"' in html and 'id="col-completed"' in html
    open_col = html.split('id="col-open"')[1].split("</section>")[0]
    done_col = html.split('id="col-completed"')[1].split("</section>")[0]
    assert "Action number 2" in open_col and "Action number 1" not in open_col and "Action number 1" in done_col


def test_meeting_pack_bands_overdue_actions_and_downloads_as_marked_word(app, new_client, people):
    import io

    from docx import Document

    with app.app_context():
        for number, days_late in ((11, 5), (12, 45), (13, 120), (14, -10)):
            db.session.add(Action(debrief_id=people["debrief"], number=number, what=f"Late by {days_late}",
                                  owner_user_id=people["owner"], due_on=date.today() - timedelta(days=days_late),
                                  priority="high", scope="force", status="in_progress"))
        db.session.commit()
    _complete(app, new_client, people)
    wg = as_user(new_client, "wg")
    html = wg.get("/actions/pack").get_data(as_text=True)
    sections = {title: html.split(title, 1)[1].split("</section>")[0] for title in (
        "Overdue 0 to 30 days", "Overdue 31 to 90 days", "Overdue more than 90 days", "Due in the next 30 days",
        "Completed, awaiting sign-off")}
    assert "Late by 5" in sections["Overdue 0 to 30 days"] and "Late by 45" not in sections["Overdue 0 to 30 days"]
    assert "Late by 45" in sections["Overdue 31 to 90 days"]
    assert "Late by 120" in sections["Overdue more than 90 days"]
    assert "Late by -10" in sections["Due in the next 30 days"] and "Action number 2" in sections[
        "Due in the next 30 days"]
    assert "Action number 1" in sections["Completed, awaiting sign-off"] and "Sign off" in sections[
        "Completed, awaiting sign-off"]
    assert "Olive Owner" in html  # the working group sees who owns each action, to chase them

    r = wg.post_form("/actions/pack.docx", {"recipient": ""}, token_from="/actions/pack")
    assert r.status_code == 303
    r = wg.post_form("/actions/pack.docx", {"recipient": "Working group, December meeting"},
                     token_from="/actions/pack")
    assert r.status_code == 200 and r.headers["Content-Disposition"].startswith("attachment")
    doc = Document(io.BytesIO(r.data))
    section = doc.sections[0]
    assert app.config["MARKING"] in section.header.paragraphs[0].text
    assert app.config["MARKING"] in section.footer.paragraphs[0].text
    body = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "Late by 120" in body and "Olive Owner" in body
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "actions.pack_docx"))
        assert event.recipient == "Working group, December meeting"
    owner = as_user(new_client, "owner")
    assert owner.get("/actions/pack").status_code == 403


def test_pack_sign_off_over_htmx_answers_with_the_item(app, new_client, people):
    v = _complete(app, new_client, people)
    wg = as_user(new_client, "wg")
    r = wg.post_form(f"/actions/{people['a1']}/sign-off", {"version": str(v), "comment": "",
                                                            "next": "/actions/pack"},
                     token_from="/actions/pack", headers={"HX-Request": "true"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and html.startswith("<li") and "signed off" in html
    r = wg.post_form(f"/actions/{people['a1']}/sign-off", {"version": str(v), "comment": "again"},
                     token_from="/actions/pack", headers={"HX-Request": "true"})
    assert r.status_code == 409 and "changed since the pack was loaded" in r.get_data(as_text=True)
    assert 'again' in r.get_data(as_text=True)


def test_actions_can_be_raised_on_the_debrief_without_a_learning_point(app, new_client, people):
    rev = as_user(new_client, "rev")
    d = people["debrief"]
    due = (date.today() + timedelta(days=40)).isoformat()
    r = post(rev, f"/debriefs/{d}/actions/new", {"what": "", "owner_user_id": "", "owner_team_id": "", "due_on": due,
                                                 "priority": "low", "scope": "team"})
    assert r.status_code == 422 and "Say what is to be done." in r.get_data(as_text=True)
    team = team_id(app, "Contact Management", "cm@example.org")
    r = post(rev, f"/debriefs/{d}/actions/new", {"what": "Review call scripts", "owner_user_id": "",
                                                 "owner_team_id": str(team), "due_on": due, "priority": "low",
                                                 "scope": "team"})
    assert r.status_code == 302
    with app.app_context():
        a = db.session.scalar(sa.select(Action).where(Action.what == "Review call scripts"))
        assert a.owner_team_id == team and a.learning_id is None and a.number == 4
    wg = as_user(new_client, "wg")
    assert post(wg, f"/debriefs/{d}/actions/new", {"what": "x"}).status_code == 403


def test_admins_keep_the_list_of_owner_teams_with_contact_addresses(app, new_client, make_user):
    make_user("adm", "admin")
    c = as_user(new_client, "adm")
    r = c.post_form("/admin/teams", {"name": "Housing Options", "email": "not an address"})
    assert r.status_code == 422 and "Enter an email address" in r.get_data(as_text=True)
    r = c.post_form("/admin/teams", {"name": "Housing Options", "email": "housing@council.local"})
    assert r.status_code == 302
    from app.models import Team

    with app.app_context():
        team = db.session.scalar(sa.select(Team).where(Team.name == "Housing Options"))
        assert team.email == "housing@council.local"
        tid = team.id
    r = c.post_form(f"/admin/teams/{tid}", {"name": "Housing Options", "email": "options@council.local", "active": "1"},
                    token_from="/admin/teams")
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Team, tid).email == "options@council.local"


def test_extension_rows_and_history_are_deleted_with_their_action(app, people):
    with app.app_context():
        a = db.session.get(Action, people["a1"])
        a.extensions.append(Extension(old_due=date.today(), new_due=date.today() + timedelta(days=1), reason="r"))
        a.notes.append(ActionNote(kind="progress", on=date.today(), text="t"))
        db.session.commit()
        db.session.delete(a)
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Extension)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ActionNote)) == 0
