"""Overdue actions (derived, in UK days), their count on the board, and the Monitoring gate."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

from app.extensions import db
from app.learning.overdue import is_overdue
from app.models import Action, Debrief
from tests.conftest import team_id


def action(due: date, status: str = "open") -> Action:
    return Action(due_on=due, status=status, what="x", priority="high", scope="force", number=1, owner_team_id=1)


def test_overdue_starts_at_uk_midnight_not_utc_midnight():
    due = date(2026, 7, 1)
    # 23:30 UTC on 1 July is 00:30 on 2 July in British Summer Time: overdue in the UK.
    assert is_overdue(action(due), datetime(2026, 7, 1, 23, 30, tzinfo=timezone.utc))
    assert not is_overdue(action(due), datetime(2026, 7, 1, 22, 59, tzinfo=timezone.utc))
    # In winter (GMT) the UK day and the UTC day agree.
    winter = date(2026, 12, 1)
    assert not is_overdue(action(winter), datetime(2026, 12, 1, 23, 59, tzinfo=timezone.utc))
    assert is_overdue(action(winter), datetime(2026, 12, 2, 0, 0, tzinfo=timezone.utc))


def test_overdue_across_the_clock_change():
    # The clocks go back at 02:00 BST on 25 October 2026; the UK day of 25 October has 25 hours.
    due = date(2026, 10, 25)
    assert not is_overdue(action(due), datetime(2026, 10, 25, 23, 30, tzinfo=timezone.utc))  # 23:30 GMT, 25th
    assert is_overdue(action(due), datetime(2026, 10, 26, 0, 0, tzinfo=timezone.utc))
    # The clocks go forward at 01:00 GMT on 29 March 2026; that UK day has 23 hours.
    due = date(2026, 3, 29)
    assert not is_overdue(action(due), datetime(2026, 3, 29, 22, 59, tzinfo=timezone.utc))  # 23:59 BST
    assert is_overdue(action(due), datetime(2026, 3, 29, 23, 0, tzinfo=timezone.utc))  # 00:00 BST, 30th


def test_finished_actions_are_never_overdue():
    past = date(2020, 1, 1)
    for status in ("completed", "closed", "not_doing"):
        assert not is_overdue(action(past, status))
    assert is_overdue(action(past, "in_progress"))


def _add_action(app, d, due: date, status="open", number=1):
    team = team_id(app, "Team")
    with app.app_context():
        db.session.add(Action(debrief_id=d, number=number, what="Do it", owner_team_id=team, due_on=due,
                              priority="medium", scope="force", status=status))
        db.session.commit()


def test_cards_show_overdue_actions_and_the_monitoring_gate_waits_for_them(app, client, signed_in, make_debrief):
    from tests.test_debriefs import move

    d = make_debrief("monitoring")
    _add_action(app, d, date.today() - timedelta(days=3), number=1)
    _add_action(app, d, date.today() + timedelta(days=3), number=2)
    _add_action(app, d, date.today() - timedelta(days=9), status="closed", number=3)
    signed_in("reviewer")
    html = client.get("/board").get_data(as_text=True)
    assert "1 overdue action" in html and "2 overdue" not in html
    r = move(client, d, "closed", from_stage="monitoring")
    text = r.get_data(as_text=True)
    assert r.status_code == 422 and "every action closed or marked not doing" in text
    with app.app_context():
        ref = db.session.get(Debrief, d).reference
        for a in db.session.scalars(sa.select(Action).where(Action.debrief_id == d)):
            a.status = "not_doing" if a.number == 2 else "closed"
        db.session.commit()
    assert f"{ref}-A01" in text and f"{ref}-A03" not in text
    assert move(client, d, "closed", from_stage="monitoring").status_code == 200


def test_age_bands_agree_in_sql_and_python(app, make_debrief):
    from app.learning.overdue import AGE_BANDS, age_band, age_band_clause

    d = make_debrief("monitoring")
    today = date(2026, 11, 24)
    for number, days in enumerate((0, 1, 30, 31, 90, 91, 200), start=1):
        _add_action(app, d, today - timedelta(days=days), number=number)
    _add_action(app, d, today - timedelta(days=45), status="completed", number=20)
    with app.app_context():
        actions = db.session.scalars(sa.select(Action)).all()
        in_python = {a.number: age_band(a, today) for a in actions}
        in_sql = {n: key for key, _, _, _ in AGE_BANDS
                  for n in db.session.scalars(sa.select(Action.number).where(age_band_clause(key, today)))}
    assert in_python == {1: None, 2: "0-30", 3: "0-30", 4: "31-90", 5: "31-90", 6: "91+", 7: "91+", 20: None}
    assert in_sql == {n: key for n, key in in_python.items() if key}
