"""The board runs a fixed number of queries however many debriefs there are."""
from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import User
from app.synthetic import bulk_debriefs
from tests.conftest import login, team_id


def _queries_for(app, client, path: str) -> int:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        r = client.get(path)
        assert r.status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return len([s for s in statements if not s.startswith(("BEGIN", "SAVEPOINT", "RELEASE"))])


def test_board_queries_do_not_grow_with_the_number_of_debriefs(app, client, make_user):
    lead = make_user("lead", "reviewer")
    make_user("viewer", "reviewer")
    login(client, "viewer")
    with app.app_context():
        bulk_debriefs(15, [lead], start_number=1, max_days_ago=200)  # cards in every column
    client.get("/board")  # warm up: session touch and settings as on any later request
    small = {p: _queries_for(app, client, p) for p in ("/board", "/board?category=homicide&q=case", "/board/room")}
    with app.app_context():
        bulk_debriefs(1485, [lead], seed=11, start_number=16)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(sa.table("debrief"))) == 1500
    large = {p: _queries_for(app, client, p) for p in small}
    assert large == small, (small, large)
    assert small["/board"] <= 11  # session, user and roles (twice: the audit commit expires them), audit row,
    #                               reviewers, settings, counts, active cards, recent final cards


def test_member_board_is_scoped_with_the_same_number_of_queries(app, new_client, make_user):
    lead = make_user("lead", "reviewer")
    make_user("mem", "member")
    c = new_client()
    login(c, "mem")
    with app.app_context():
        bulk_debriefs(15, [lead], start_number=1)
    c.get("/board")
    small = _queries_for(app, c, "/board")
    with app.app_context():
        bulk_debriefs(600, [lead], seed=3, start_number=16)
    assert _queries_for(app, c, "/board") == small
    html = c.get("/board").get_data(as_text=True)
    assert "Synthetic case" not in html  # none of them are shared with this member
    with app.app_context():
        assert db.session.get(User, lead) is not None


def test_chronology_page_queries_do_not_grow_with_entries(app, client, make_user, make_debrief):
    from app.models import Agency, Debrief, SubjectRole
    from app.scoping.services import add_subject
    from app.synthetic import bulk_chronology

    make_user("viewer", "reviewer")
    d = make_debrief("chronology")
    with app.test_request_context():
        debrief = db.session.get(Debrief, d)
        subjects = [add_subject(debrief, role=SubjectRole.VICTIM, real_name=f"Person {i}", date_of_birth=None).id
                    for i in range(3)]
        agencies = db.session.scalars(sa.select(Agency.id)).all()
        bulk_chronology(d, 20, agencies, subjects)
    login(client, "viewer")
    path = f"/debriefs/{d}/chronology"
    client.get(path)
    small = _queries_for(app, client, path)
    with app.test_request_context():
        bulk_chronology(d, 1980, agencies, subjects, seed=9)
    large = _queries_for(app, client, path)
    assert large == small, (small, large)
    html = client.get(path).get_data(as_text=True)
    assert "2000 entries in the chronology" in html and html.count('<tr id="entry-') == 2000


def test_action_board_queries_do_not_grow_with_actions(app, client, make_user, make_debrief):
    from datetime import date, timedelta

    from app.models import Action

    make_user("viewer", "reviewer")
    d = make_debrief("monitoring")

    teams = [team_id(app, f"Team {i}") for i in range(7)]

    def add(start, n):
        with app.app_context():
            db.session.execute(sa.insert(Action), [
                {"debrief_id": d, "number": start + i, "what": f"Action {start + i}", "owner_team_id": teams[i % 7],
                 "due_on": date.today() + timedelta(days=i % 90 - 30), "priority": "medium", "scope": "force",
                 "status": ("open", "in_progress", "completed", "closed")[i % 4], "raised_on": date.today(),
                 "version": 1} for i in range(n)])
            db.session.commit()

    add(1, 20)
    login(client, "viewer")
    paths = ("/actions", f"/actions?overdue=y&owner=team:{teams[1]}", "/actions?due_within=14&status=open")
    client.get("/actions")
    small = {p: _queries_for(app, client, p) for p in paths}
    add(21, 1980)
    assert {p: _queries_for(app, client, p) for p in paths} == small
