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
    assert small["/board"] <= 12  # session, user and roles, reviewers, settings, counts, active cards,
    #                               recent final cards, the cards' statutory clocks; then the read's audit row:
    #                               chain head lock, row, head


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
    c.get("/board")  # the disclosure gate rebuilds its list of names once after data changes
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


def test_action_board_queries_do_not_grow_with_actions(app, client, new_client, make_user, make_debrief):
    from app.models import Theme
    from app.synthetic import bulk_actions

    make_user("viewer", "reviewer")
    make_user("wgm", "working_group")
    owner = make_user("owner", "member")
    debriefs = [make_debrief("monitoring") for _ in range(3)]
    teams = [team_id(app, f"Team {i}", f"team{i}@example.org") for i in range(7)]
    with app.app_context():
        themes = db.session.scalars(sa.select(Theme.id)).all()
        bulk_actions(120, debriefs, [owner], teams, themes)  # enough for a second page and every filter to match
        from app.models import Action
        from app.models.learning import action_theme

        theme, department = db.session.execute(sa.select(action_theme.c.theme_id, Action.department).join(
            Action, Action.id == action_theme.c.action_id).limit(1)).one()
    login(client, "viewer")
    wg = new_client()
    login(wg, "wgm")
    mine = new_client()
    login(mine, "owner")
    paths = ("/actions", f"/actions?overdue=y&owner=team:{teams[1]}", "/actions?due_within=14&status=open",
             f"/actions?theme={theme}&department={department.replace(' ', '+')}", "/actions?view=columns", "/actions?page=2")
    client.get("/actions")
    wg.get("/actions")
    mine.get("/actions?owner=me")
    small = {p: _queries_for(app, client, p) for p in paths}
    small_wg = {p: _queries_for(app, wg, p) for p in ("/actions", "/actions/pack")}
    small_mine = _queries_for(app, mine, "/actions?owner=me")
    with app.app_context():
        bulk_actions(1880, debriefs, [owner], teams, themes, seed=3)
    assert {p: _queries_for(app, client, p) for p in paths} == small
    assert {p: _queries_for(app, wg, p) for p in ("/actions", "/actions/pack")} == small_wg
    assert _queries_for(app, mine, "/actions?owner=me") == small_mine
    html = client.get("/actions").get_data(as_text=True)
    assert html.count('<tr id="action-') == 100 and "page 1 of 20" in html
