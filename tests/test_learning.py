"""Learning points, earlier learning across debriefs, actions, and the issued document."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Action, Debrief, LearningDocument, LearningPoint, Theme, User
from tests.conftest import login, team_id
from tests.test_chronology import make_entries
from tests.test_chronology_transfer import _docx_text



def issue_fields(plan: str) -> dict:
    """Everything the issue form asks for."""
    return {"plan": plan, "summary": "What the debrief found.", "approved_by": "Head of Public Protection",
            "distribution": "Working group; partners"}

def theme_id(app, name="Risk assessment"):
    with app.app_context():
        return db.session.scalar(sa.select(Theme.id).where(Theme.name == name))


def add_point(client, d, statement="Risk was not reassessed after the second call", themes=(), entries=(),
              kind="improvement", repeat="new"):
    return client.post_form(f"/debriefs/{d}/learning", {
        "statement": statement, "kind": kind, "theme_ids": [str(t) for t in themes],
        "entry_ids": [str(e) for e in entries], "repeat": repeat, "version": "0"})


def point_id(app, d, number=1):
    with app.app_context():
        return db.session.scalar(sa.select(LearningPoint.id).where(LearningPoint.debrief_id == d,
                                                                   LearningPoint.number == number))


@pytest.fixture
def learning(app, client, signed_in, make_debrief):
    d = make_debrief("learning")
    signed_in("reviewer")
    return d


def test_learning_point_links_to_chronology_both_ways(app, client, learning):
    e1, e2 = make_entries(app, learning, [{"summary": "First call", "key_issue": True},
                                          {"summary": "Second call", "key_issue": True}])
    r = add_point(client, learning, themes=[theme_id(app)], entries=[e1, e2])
    assert r.status_code == 302
    page = client.get(f"/debriefs/{learning}/learning").get_data(as_text=True)
    assert "L1" in page and "Risk assessment" in page and "Evidence:" in page
    chron = client.get(f"/debriefs/{learning}/chronology").get_data(as_text=True)
    assert chron.count('title="Learning point L1"') == 2


def test_learning_point_needs_a_statement_a_type_and_a_theme(app, client, learning):
    r = add_point(client, learning, statement="", kind="")
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    for fid in ("statement", "kind", "theme_ids"):
        assert f'id="{fid}-error"' in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LearningPoint)) == 0


def test_earlier_learning_with_the_same_theme_from_visible_debriefs_only(app, client, learning, make_debrief,
                                                                        make_user):
    from app.learning.services import earlier_learning

    risk, drugs = theme_id(app), theme_id(app, "Drugs")
    other = make_debrief("monitoring", title="Earlier case")
    hidden_from_member = make_debrief("closed", title="Closed case")
    old = make_debrief("closed", title="Old case")
    add_point(client, other, "Earlier: risk not shared", themes=[risk])
    add_point(client, hidden_from_member, "Closed: risk again", themes=[risk])
    add_point(client, old, "Three years ago: risk", themes=[risk])
    add_point(client, other, "Drugs not considered", themes=[drugs])
    with app.app_context():
        p = db.session.scalar(sa.select(LearningPoint).where(LearningPoint.statement.like("Three years%")))
        p.created_at -= timedelta(days=3 * 365)
        db.session.commit()
    html = client.get(f"/debriefs/{learning}/learning/earlier?theme_ids={risk}",
                      headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Earlier: risk not shared" in html and "Closed: risk again" in html
    assert "Three years ago" not in html and "Drugs not considered" not in html
    make_user("mem", "member")
    with app.test_request_context():
        from app.debriefs import services

        mem = db.session.scalar(sa.select(User).where(User.username == "mem"))
        services.add_participant(db.session.get(Debrief, other), mem,
                                 db.session.scalar(sa.select(User).where(User.username == "builder")))
        statements = [p.statement for p in earlier_learning([risk], mem, learning)]
    assert statements == ["Earlier: risk not shared"]


def test_actions_are_raised_from_a_learning_point(app, client, learning):
    add_point(client, learning, themes=[theme_id(app)])
    lp = point_id(app, learning)
    training = team_id(app, "Training unit")
    base = {f"a{lp}-what": "Refresh DASH training", f"a{lp}-owner_team_id": "",
            f"a{lp}-due_on": (date.today() + timedelta(days=60)).isoformat(), f"a{lp}-priority": "high",
            f"a{lp}-scope": "force"}
    r = client.post_form(f"/debriefs/{learning}/learning/{lp}/actions", base, token_from=f"/debriefs/{learning}/learning")
    assert r.status_code == 422 and "Choose an owner: a person or a team." in r.get_data(as_text=True)
    r = client.post_form(f"/debriefs/{learning}/learning/{lp}/actions", {**base, f"a{lp}-owner_team_id": str(training)},
                         token_from=f"/debriefs/{learning}/learning")
    assert r.status_code == 302
    with app.app_context():
        a = db.session.scalar(sa.select(Action))
        ref = a.reference(db.session.get(Debrief, learning).reference)
    assert ref.endswith("-A01") and a.owner_team_id == training and a.status == "open"


def test_issued_version_is_frozen_and_the_learning_gate_needs_one(app, client, learning):
    from tests.test_debriefs import move

    add_point(client, learning, "Original learning", themes=[theme_id(app)])
    r = move(client, learning, "monitoring", from_stage="learning")
    assert r.status_code == 422 and "an issued version of the document" in r.get_data(as_text=True)
    r = client.post_form(f"/debriefs/{learning}/document/issue", {"plan": ""}, token_from=f"/debriefs/{learning}/document")
    assert r.status_code == 422
    r = client.post_form(f"/debriefs/{learning}/document/issue", issue_fields("7-minute briefing to response teams"),
                         token_from=f"/debriefs/{learning}/document")
    assert r.status_code == 302
    lp = point_id(app, learning)
    client.post_form(f"/debriefs/{learning}/learning/{lp}", {"statement": "Changed afterwards", "kind": "improvement",
                                                             "theme_ids": [str(theme_id(app))], "repeat": "new",
                                                             "version": "1"})
    v1 = client.get(f"/debriefs/{learning}/document/1").get_data(as_text=True)
    assert "Original learning" in v1 and "Changed afterwards" not in v1
    body, _, _ = _docx_text(client.post_form(f"/debriefs/{learning}/document/1/download",
                                             {"recipient": "Working group"},
                                             token_from=f"/debriefs/{learning}/document/1").data)
    assert "Original learning" in body and "Changed afterwards" not in body
    client.post_form(f"/debriefs/{learning}/document/issue", issue_fields("Again"), token_from=f"/debriefs/{learning}/document")
    assert "Changed afterwards" in client.get(f"/debriefs/{learning}/document/2").get_data(as_text=True)
    assert move(client, learning, "monitoring", from_stage="learning").status_code == 200


def test_internal_version_has_names_for_reviewers_and_shared_has_none(app, client, new_client, learning, make_user):
    with app.test_request_context():
        from app.models import SubjectRole
        from app.scoping.services import add_subject

        add_subject(db.session.get(Debrief, learning), role=SubjectRole.VICTIM, real_name="Ulla Hiddensurname",
                    date_of_birth=None)
    add_point(client, learning, "Ulla Hiddensurname was not asked about her safety", themes=[theme_id(app)])
    client.post_form(f"/debriefs/{learning}/document/issue", issue_fields("Share with Hiddensurname's GP practice"),
                     token_from=f"/debriefs/{learning}/document")
    internal, _, _ = _docx_text(client.post_form(f"/debriefs/{learning}/document/1/download?version=internal",
                                                 {"recipient": "Review team file"},
                                                 token_from=f"/debriefs/{learning}/document/1").data)
    shared, headers, footers = _docx_text(client.post_form(f"/debriefs/{learning}/document/1/download",
                                                           {"recipient": "Board"},
                                                           token_from=f"/debriefs/{learning}/document/1").data)
    assert "Ulla Hiddensurname" in internal
    assert "Hiddensurname" not in shared and "Ulla" not in shared and "Adult A was not asked" in shared
    assert app.config["MARKING"] in headers and app.config["MARKING"] in footers
    make_user("b", "board")
    b = new_client()
    login(b, "b")
    html = b.get(f"/debriefs/{learning}/document/1?version=internal").get_data(as_text=True)
    assert "Hiddensurname" not in html and "Adult A was not asked" in html
    with app.app_context():
        from app.models import AuditEvent

        rows = db.session.execute(sa.select(AuditEvent.action, AuditEvent.recipient)
                                  .where(AuditEvent.operation == "disclosure",
                                         AuditEvent.action == "document.download")).all()
    assert ("document.download", "Review team file") in rows and ("document.download", "Board") in rows


def test_briefing_and_dissemination_log(app, client, learning):
    add_point(client, learning, "Good joint working with housing", themes=[theme_id(app)], kind="good_practice")
    add_point(client, learning, "Calls were not linked", themes=[theme_id(app)])
    html = client.get(f"/debriefs/{learning}/briefing").get_data(as_text=True)
    assert "7-minute briefing" in html and "Good joint working with housing" in html and "Calls were not linked" in html
    client.post_form(f"/debriefs/{learning}/document/issue", issue_fields("Briefing"), token_from=f"/debriefs/{learning}/document")
    r = client.post_form(f"/debriefs/{learning}/document/1/dissemination", {"method": "briefing",
                                                                            "audience": "North response teams",
                                                                            "on": date.today().isoformat(),
                                                                            "by": "Review team"},
                         token_from=f"/debriefs/{learning}/document/1")
    assert r.status_code == 302
    assert "North response teams" in client.get(f"/debriefs/{learning}/document/1").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LearningDocument)) == 1


def test_board_and_working_group_read_learning_but_cannot_add_it(app, client, new_client, make_debrief, make_user):
    d = make_debrief("learning")
    make_user("b", "board", "working_group")
    login(client, "b")
    assert client.get(f"/debriefs/{d}/learning").status_code == 200
    r = client.post_form(f"/debriefs/{d}/learning", {"statement": "x", "kind": "improvement", "repeat": "new"},
                         token_from=f"/debriefs/{d}/learning")
    assert r.status_code == 403
    assert client.get(f"/debriefs/{d}/document").status_code == 403
    assert client.post_form(f"/debriefs/{d}/document/issue", issue_fields("x"), token_from="/").status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LearningPoint)) == 0


def test_shared_document_names_action_owners_who_are_staff(app, client, learning, make_user):
    owner = make_user("owner", "member", full_name="Olga Ownername")
    add_point(client, learning, themes=[theme_id(app)])
    lp = point_id(app, learning)
    client.post_form(f"/debriefs/{learning}/learning/{lp}/actions", {
        f"a{lp}-what": "Update the policy", f"a{lp}-owner_user_id": str(owner),
        f"a{lp}-due_on": (date.today() + timedelta(days=30)).isoformat(), f"a{lp}-priority": "medium",
        f"a{lp}-scope": "force"}, token_from=f"/debriefs/{learning}/learning")
    client.post_form(f"/debriefs/{learning}/document/issue", issue_fields("Briefing"), token_from=f"/debriefs/{learning}/document")
    shared, _, _ = _docx_text(client.post_form(f"/debriefs/{learning}/document/1/download", {"recipient": "Board"},
                                               token_from=f"/debriefs/{learning}/document/1").data)
    internal, _, _ = _docx_text(client.post_form(f"/debriefs/{learning}/document/1/download?version=internal",
                                                 {"recipient": "File"}, token_from=f"/debriefs/{learning}/document/1").data)
    assert "Olga Ownername" in shared and "Force staff" not in shared and "Olga Ownername" in internal
