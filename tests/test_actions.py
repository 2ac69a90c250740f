"""The action board: who sees which actions, filters in the URL, counts, overdue, and a marked CSV export."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import Action, AuditEvent
from tests.conftest import login, team_id


def add_action(app, d, number, *, what="Do it", owner_user=None, owner_team=None, due_days=10, status="open"):
    team = team_id(app, owner_team) if owner_user is None else None
    with app.app_context():
        db.session.add(Action(debrief_id=d, number=number, what=what, owner_user_id=owner_user,
                              owner_team_id=team,
                              due_on=date.today() + timedelta(days=due_days), priority="medium", scope="force",
                              status=status))
        db.session.commit()


def test_owners_see_only_their_actions_and_the_review_team_sees_all(app, client, new_client, make_user,
                                                                    make_debrief):
    d = make_debrief("monitoring")
    mine = make_user("owner", "member", full_name="Owen Owner")
    make_user("other", "member")
    add_action(app, d, 1, what="Mine to do", owner_user=mine)
    add_action(app, d, 2, what="Team job", owner_team="Training unit")
    login(client, "owner")
    html = client.get("/actions").get_data(as_text=True)
    assert "Mine to do" in html and "Team job" not in html and "<strong>1</strong> action" in html
    o = new_client()
    login(o, "other")
    assert "Mine to do" not in o.get("/actions").get_data(as_text=True)
    make_user("rev", "reviewer")
    r = new_client()
    login(r, "rev")
    html = r.get("/actions").get_data(as_text=True)
    assert "Mine to do" in html and "Team job" in html and "Owen Owner" in html


def test_filters_round_trip_and_overdue_is_derived(app, client, signed_in, make_debrief):
    d = make_debrief("monitoring")
    add_action(app, d, 1, what="Late one", owner_team="Team A", due_days=-2)
    add_action(app, d, 2, what="Soon one", owner_team="Team B", due_days=5)
    add_action(app, d, 3, what="Later one", owner_team="Team A", due_days=60)
    add_action(app, d, 4, what="Done one", owner_team="Team A", due_days=-30, status="closed")
    signed_in("reviewer")
    html = client.get("/actions?overdue=y").get_data(as_text=True)
    assert "Late one" in html and "Done one" not in html and "Soon one" not in html
    html = client.get("/actions?due_within=7").get_data(as_text=True)
    assert "Late one" in html and "Soon one" in html and "Later one" not in html
    html = client.get(f"/actions?owner=team:{team_id(app, 'Team A')}&status=open").get_data(as_text=True)
    assert "Late one" in html and "Later one" in html and "Soon one" not in html and "Done one" not in html
    assert "Open: 2" in html and "Closed: 1" in html  # counts for the other statuses, with the other filters
    assert "Overdue: 1" in html  # of the actions these filters show, one is late
    fragment = client.get("/actions?status=closed", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="action-list"') and "Done one" in fragment


def test_board_sees_owners_by_name_but_no_case_names(app, client, signed_in, make_user, make_debrief):
    d = make_debrief("monitoring")
    with app.test_request_context():
        from app.models import Debrief, SubjectRole
        from app.scoping.services import add_subject

        add_subject(db.session.get(Debrief, d), role=SubjectRole.VICTIM, real_name="Vita Hiddenname",
                    date_of_birth=None)
    owner = make_user("owner", "member", full_name="Ola Ownername")
    add_action(app, d, 1, what="Check on Vita Hiddenname's neighbours", owner_user=owner)
    signed_in("board")
    html = client.get("/actions").get_data(as_text=True)
    assert "Hiddenname" not in html and "Ola Ownername" in html  # staff are not case subjects
    assert "Check on Adult A&#39;s neighbours" in html and "Force staff" not in html
    assert client.post_form("/actions/export", {"recipient": "x"}, token_from="/actions").status_code == 403


def test_csv_export_is_marked_formula_safe_and_audited(app, client, signed_in, make_debrief):
    d = make_debrief("monitoring")
    add_action(app, d, 1, what="=cmd|' /C calc'!A0", owner_team="@team")
    signed_in("working_group")
    r = client.post_form("/actions/export?status=open", {"recipient": "Working group meeting"}, token_from="/actions")
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == app.config["MARKING"] and rows[-1][0] == app.config["MARKING"]
    cells = [c for row in rows for c in row]
    assert "'=cmd|' /C calc'!A0" in cells and "'@team" in cells
    with app.app_context():
        row = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "actions.export"))
        assert row.operation == "disclosure" and row.recipient == "Working group meeting"


def test_debrief_filter_takes_a_reference_or_its_start(app, client, signed_in, make_debrief):
    from app.models import Debrief

    first, second = make_debrief("monitoring"), make_debrief("monitoring")
    add_action(app, first, 1, what="On the first", owner_team="Team A")
    add_action(app, second, 1, what="On the second", owner_team="Team A")
    with app.app_context():
        ref = db.session.get(Debrief, second).reference
    signed_in("reviewer")
    html = client.get(f"/actions?debrief={ref.lower()}").get_data(as_text=True)
    assert "On the second" in html and "On the first" not in html
    html = client.get(f"/actions?debrief={ref[:8]}").get_data(as_text=True)
    assert "On the second" in html and "On the first" in html
    html = client.get("/actions?debrief=%25").get_data(as_text=True)  # a wildcard is only a character
    assert "No actions match these filters." in html
