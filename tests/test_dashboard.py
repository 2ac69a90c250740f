"""The board's dashboard against a dataset built by hand, whose every answer is worked out in the comments.

The period is Q1 2025-26 (April to June 2025). Medians and 90th percentiles are continuous (the value at
rank 1 + (n - 1) p, interpolated), with odd and even counts; one debrief meets its target exactly; a
meeting at 00:30 BST on 1 April (23:30 UTC on 31 March) belongs to April; a learning point at 00:30 BST on
1 July belongs to July; a debrief moved back to Scoping adds both visits; an action completed one day late
is late.
"""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa

from app.extensions import db
from tests.conftest import login

Q1 = date(2025, 4, 1)
ON = date(2025, 6, 30)  # "today" for open and overdue actions


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture
def known(app, make_user):
    """The dataset; returns {name: id}."""
    from app.models import (
        Action,
        Agency,
        ChronologyEntry,
        Debrief,
        Dissemination,
        Invitee,
        LearningDocument,
        LearningPoint,
        Meeting,
        StageChange,
        Team,
        Theme,
        User,
    )

    make_user("owner1", "member", full_name="Owner One")
    ids: dict[str, int] = {}
    with app.app_context():
        agency = dict(db.session.execute(sa.select(Agency.name, Agency.id)).all())
        theme = dict(db.session.execute(sa.select(Theme.name, Theme.id)).all())
        owner = db.session.scalar(sa.select(User.id).where(User.username == "owner1"))
        team = Team(name="Adult Social Care team")
        db.session.add(team)
        db.session.flush()

        def debrief(name, incident, dmm, category="homicide", context="domestic", decision="accepted",
                    stage="chronology"):
            d = Debrief(reference=f"HPD-2025-{len(ids) + 1:03d}", title=f"Case {name}", stage=stage,
                        dmm_date=dmm, incident_date=incident, category=category, context=context,
                        subtype="familial" if context == "domestic" else "knife", offence="murder",
                        referred_by="DI", decision=decision)
            db.session.add(d)
            db.session.flush()
            ids[name] = d.id
            return d

        d1 = debrief("D1", date(2025, 4, 1), date(2025, 4, 2), stage="debrief")
        d2 = debrief("D2", date(2025, 4, 10), date(2025, 4, 14), context="non_domestic", stage="scoping")
        d3 = debrief("D3", date(2025, 5, 1), date(2025, 5, 2), category="near_miss", stage="not_progressed")
        debrief("D4", date(2025, 6, 1), date(2025, 6, 3), category="near_miss", decision="declined",
                stage="not_progressed")
        d5 = debrief("D5", date(2025, 3, 20), date(2025, 3, 21), stage="scoping")
        d6 = debrief("D6", date(2025, 1, 10), date(2025, 1, 13), stage="monitoring")
        d7 = debrief("D7", date(2025, 2, 1), date(2025, 2, 3), stage="monitoring")

        # Stage history. D1: referred 2, scoping 6 + 3 = 9 (moved back once), chronology 2 + 3 = 5, now in
        # Debrief. D2: referred 3, now in Scoping. D3: referred 1. D5: referred 11 (across the clock
        # change on 30 March: 11 days of elapsed time, not 11 days less an hour), now in Scoping.
        history = [(d1, None, "referred", utc(2025, 4, 2, 9)), (d1, "referred", "scoping", utc(2025, 4, 4, 9)),
                   (d1, "scoping", "chronology", utc(2025, 4, 10, 9)),
                   (d1, "chronology", "scoping", utc(2025, 4, 12, 9)),
                   (d1, "scoping", "chronology", utc(2025, 4, 15, 9)),
                   (d1, "chronology", "debrief", utc(2025, 4, 18, 9)),
                   (d2, None, "referred", utc(2025, 4, 14, 9)), (d2, "referred", "scoping", utc(2025, 4, 17, 9)),
                   (d3, None, "referred", utc(2025, 5, 2, 9)),
                   (d3, "referred", "not_progressed", utc(2025, 5, 3, 9)),
                   (d5, None, "referred", utc(2025, 3, 21, 9)), (d5, "referred", "scoping", utc(2025, 4, 1, 9))]
        db.session.add_all(StageChange(debrief_id=d.id, from_stage=a, to_stage=b, changed_at=at)
                           for d, a, b, at in history)

        # Meetings held in Q1: D1 19 days, D2 28 (exactly the target), D3 45, D5 12 (00:30 BST on 1 April).
        def meeting(d, at, partner=None):
            m = Meeting(debrief_id=d.id, starts_at=at, duration_minutes=120)
            db.session.add(m)
            db.session.flush()
            db.session.add(Invitee(meeting_id=m.id, name="Chair Person", attendance="attended"))
            if partner:
                db.session.add(Invitee(meeting_id=m.id, name="Partner Person", agency="GP", is_partner=True,
                                       attendance=partner))

        meeting(d1, utc(2025, 4, 20, 10), partner="attended")
        meeting(d2, utc(2025, 5, 8, 10), partner="apologies")
        meeting(d3, utc(2025, 6, 15, 10))
        meeting(d5, utc(2025, 3, 31, 23, 30), partner="attended")

        # Documents first issued in Q1: D7 73 days, D1 90 (the target), D6 111; D1's second version later.
        def issue(d, number, at):
            doc = LearningDocument(debrief_id=d.id, number=number, issued_at=at, internal_docx=b"x",
                                   shared_docx=b"x", internal_html="x", shared_html="x", dissemination_plan="x")
            db.session.add(doc)
            db.session.flush()
            return doc

        doc1 = issue(d1, 1, utc(2025, 6, 30, 12))
        issue(d1, 2, utc(2025, 8, 1, 12))
        issue(d6, 1, utc(2025, 5, 1, 12))
        doc7 = issue(d7, 1, utc(2025, 4, 15, 12))
        for doc in (doc1, doc7):
            db.session.add(Dissemination(document_id=doc.id, method="briefing", audience="Response", on=ON,
                                         by="Reviewer"))

        # Chronology. Police before the incident: D1 yes; D2 only a GP; D3 police only after the incident
        # (and a deleted police entry before it); D4 declined.
        def entry(d, agency_name, day, **flags):
            db.session.add(ChronologyEntry(debrief_id=d.id, entry_date=day, agency_id=agency[agency_name],
                                           contact_type="other", summary="Entry", **flags))

        entry(d1, "Police", date(2025, 3, 1), missed_opportunity=True)
        entry(d1, "Police", date(2025, 3, 5), missed_opportunity=True)
        entry(d1, "GP", date(2025, 3, 7), good_practice=True)
        entry(d2, "GP", date(2025, 3, 1), missed_opportunity=True)
        entry(d3, "Police", date(2025, 5, 3))
        entry(d3, "Police", date(2025, 4, 1), deleted_at=utc(2025, 5, 5))
        entry(db.session.get(Debrief, ids["D4"]), "Police", date(2025, 5, 1))
        entry(d5, "Police", date(2025, 3, 1), missed_opportunity=True)  # referred in Q4: not counted

        # Learning in Q1: LP1 (Mental health, Risk assessment), LP2 (Risk assessment, a repeat), LP4
        # (Alcohol, a repeat); LP3 at 00:30 BST on 1 July is July's.
        def point(d, number, at, themes, repeat="new"):
            lp = LearningPoint(debrief_id=d.id, number=number, statement="A lesson", kind="improvement",
                               repeat=repeat, created_at=at)
            lp.themes = [db.session.get(Theme, theme[t]) for t in themes]
            db.session.add(lp)

        point(d1, 1, utc(2025, 4, 25, 9), ["Mental health", "Risk assessment"])
        point(d1, 2, utc(2025, 5, 10, 9), ["Risk assessment"], repeat="repeat_open")
        point(d3, 1, utc(2025, 6, 30, 23, 30), ["Risk assessment"])
        point(d2, 1, utc(2025, 6, 1, 9), ["Alcohol"], repeat="repeat_failed")

        # Actions, on 30 June 2025: A8 open; A1 10 days overdue; A2 61; A3 121; A7 awaiting sign-off;
        # A4 closed on time (completed on its due date); A5 completed a day late; A6 not doing; A9 closed
        # in July (not counted).
        def action(d, n, status, due, department="Response", team_owner=False, completed=None, closed=None):
            db.session.add(Action(debrief_id=d.id, number=n, what=f"Action {n}", due_on=due, priority="high",
                                  scope="force", status=status, raised_on=date(2025, 4, 1),
                                  owner_user_id=None if team_owner else owner,
                                  owner_team_id=team.id if team_owner else None, department=department,
                                  completed_on=completed, closed_on=closed))

        action(d1, 1, "open", date(2025, 6, 20))
        action(d1, 2, "open", date(2025, 4, 30), department=None, team_owner=True)
        action(d2, 3, "in_progress", date(2025, 3, 1))
        action(d2, 4, "closed", date(2025, 5, 31), completed=date(2025, 5, 31), closed=date(2025, 6, 5))
        action(d3, 5, "closed", date(2025, 5, 31), completed=date(2025, 6, 1), closed=date(2025, 6, 2))
        action(d3, 6, "not_doing", date(2025, 5, 31), closed=date(2025, 5, 15))
        action(d3, 7, "completed", date(2025, 6, 10), completed=date(2025, 6, 9))
        action(d1, 8, "open", date(2025, 7, 15))
        action(d1, 9, "closed", date(2025, 7, 31), completed=date(2025, 7, 1), closed=date(2025, 7, 2))
        db.session.commit()
        ids["owner"] = owner
        ids["team"] = team.id
        ids["Risk assessment"] = theme["Risk assessment"]
    return ids


def _scope(**kw):
    from app.governance.cohorts import Scope
    from app.governance.periods import quarter

    return Scope(quarter(Q1), **kw)


SETTINGS = {"target_days_to_dmm": 3, "target_days_to_meeting": 28, "target_days_to_document": 90}


def test_timeliness_medians_percentiles_and_targets(app, known):
    from app.governance import measures

    with app.test_request_context():
        t = measures.timeliness(_scope(), SETTINGS)
    dmm, meeting, document = (t[k]["spreads"][-1] for k in ("dmm", "meeting", "document"))
    # DMM: 1, 1, 2, 4 -> median 1.5; p90 at rank 3.7: 2 + 0.7 * 2 = 3.4; within 3 days: 3 of 4.
    assert (dmm.n, dmm.median, round(dmm.p90, 6), dmm.within.value) == (4, 1.5, 3.4, 3)
    # Meeting: 12, 19, 28, 45 -> median 23.5; p90: 28 + 0.7 * 17 = 39.9; 28 exactly is within: 3 of 4.
    assert (meeting.n, meeting.median, round(meeting.p90, 6), meeting.within.value) == (4, 23.5, 39.9, 3)
    # Document: 73, 90, 111 (odd count) -> median 90; p90 at rank 2.8: 90 + 0.8 * 21 = 106.8; 2 of 3.
    assert (document.n, document.median, round(document.p90, 6), document.within.value) == (3, 90, 106.8, 2)
    assert [s.label for s in t["meeting"]["spreads"]] == ["Q1 2025-26 (Apr–Jun 2025)"]  # one quarter: one row


def test_dwell_adds_up_visits_and_ignores_stages_not_yet_left(app, known):
    from app.governance import measures

    with app.test_request_context():
        rows = {r["stage"].value: r for r in measures.dwell(_scope())}
    # Referred, left in Q1: D3 1, D1 2, D2 3, D5 11 -> median 2.5; p90: 3 + 0.7 * 8 = 8.6.
    assert (rows["referred"]["n"], rows["referred"]["median"], round(rows["referred"]["p90"], 6)) == (4, 2.5, 8.6)
    # Scoping: only D1 left it (D2 and D5 are still there), after two visits: 6 + 3 days.
    assert (rows["scoping"]["n"], rows["scoping"]["median"]) == (1, 9)
    assert (rows["chronology"]["n"], rows["chronology"]["median"]) == (1, 5)
    assert rows["debrief"]["n"] == 0 and rows["debrief"]["median"] is None
    assert rows["scoping"]["now"] == 2


def test_time_in_each_stage_of_one_debrief(app, known):
    from app.debriefs.dwell import time_in_stages
    from app.models import Stage

    with app.test_request_context():
        stages = time_in_stages(known["D1"], now=utc(2025, 4, 20, 9))
    assert [(s, round(days, 6), visits, now) for s, days, visits, now in stages] == [
        (Stage.REFERRED, 2, 1, False), (Stage.SCOPING, 9, 2, False), (Stage.CHRONOLOGY, 5, 2, False),
        (Stage.DEBRIEF, 2, 1, True)]


def test_volumes_decisions_partners_police_agencies(app, known):
    from app.governance import measures

    with app.test_request_context():
        v = measures.volumes(_scope())
        d = measures.decisions(_scope())
        people = measures.partners_and_police(_scope())
        agencies = {r["agency"]: (r["missed_opportunity"].value, r["good_practice"].value)
                    for r in measures.flags_by_agency(_scope())}
        homicides = measures.volumes(_scope(category="homicide"))["total"].value
    assert v["total"].value == 4
    assert {(c, x): f.value for c, row in v["table"].items() for x, f in row.items()} == {
        ("homicide", "domestic"): 1, ("homicide", "non_domestic"): 1, ("near_miss", "domestic"): 2,
        ("near_miss", "non_domestic"): 0}
    assert (d["accepted"].value, d["declined"].value, d["pending"].value, d["accepted"].of) == (3, 1, 0, 4)
    assert (people["partner"].value, people["partner"].of) == (2, 4)
    assert (people["police"].value, people["police"].of) == (1, 3)
    assert agencies == {"Police": (2, 0), "GP": (1, 1)}
    assert homicides == 2


def test_themes_trend_repeat_rate_and_dissemination(app, known):
    from app.governance import measures

    with app.test_request_context():
        th = measures.themes(_scope())
        dis = measures.dissemination(_scope())
    counts = {r["theme"]: r["count"].value for r in th["rows"]}
    assert counts == {"Risk assessment": 2, "Mental health": 1, "Alcohol": 1}
    assert th["months"][0] == "Jul 24" and th["months"][-1] == "Jun 25"
    trend = {r["theme"]: r["trend"][-3:] for r in th["rows"]}  # April, May, June 2025
    assert trend == {"Risk assessment": [1, 1, 0], "Mental health": [1, 0, 0], "Alcohol": [0, 0, 1]}
    assert (th["repeat"].value, th["repeat"].of) == (2, 3)
    assert (dis["done"].value, dis["done"].of) == (2, 3)


def test_actions_by_owner_department_and_age(app, known):
    from app.governance import action_measures

    with app.test_request_context():
        a = action_measures.by_owner_and_department(_scope(), ON)
    totals = {k: f.value for k, f in a["totals"].items()}
    assert totals == {"open": 1, "overdue:0-30": 1, "overdue:31-90": 1, "overdue:91+": 1, "awaiting": 1,
                      "on_time": 1, "late": 1, "not_doing": 1}
    owners = {r["label"]: {k: f.value for k, f in r["cells"].items() if f.value} for r in a["owners"]}
    assert owners == {"Owner One": {"open": 1, "overdue:0-30": 1, "overdue:91+": 1, "awaiting": 1, "on_time": 1,
                                    "late": 1, "not_doing": 1},
                      "Adult Social Care team": {"overdue:31-90": 1}}
    departments = {r["label"]: sum(f.value for f in r["cells"].values()) for r in a["departments"]}
    assert departments == {"Response": 7, "No department": 1}


def _q1_args() -> str:
    return "period=quarter&quarter=2025-04"


def _refs(html: str) -> list[str]:
    return sorted(set(re.findall(r"HPD-2025-\d{3}(?:-A\d\d)?", html)))


def test_every_figure_lists_what_it_counts(app, client, signed_in, known, monkeypatch):
    import app.governance.routes as routes

    monkeypatch.setattr(routes, "today", lambda: ON)
    signed_in("board")
    page = client.get(f"/dashboard?{_q1_args()}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Q1 2025-26 (Apr–Jun 2025)" in html
    # Every drill-down link on the page answers, and lists as many records as its figure says.
    links = set(re.findall(r'href="(/dashboard/which\?[^"]+)"', html))
    assert len(links) > 30
    for link in links:
        r = client.get(link.replace("&amp;", "&"))
        assert r.status_code == 200, link
    meeting = client.get(f"/dashboard/which?{_q1_args()}&measure=milestone:meeting").get_data(as_text=True)
    assert _refs(meeting) == ["HPD-2025-001", "HPD-2025-002", "HPD-2025-003", "HPD-2025-005"]
    late = client.get(f"/dashboard/which?{_q1_args()}&measure=milestone:meeting&outside=").get_data(as_text=True)
    assert _refs(late) == ["HPD-2025-003"]
    police = client.get(f"/dashboard/which?{_q1_args()}&measure=police&answer=yes").get_data(as_text=True)
    assert _refs(police) == ["HPD-2025-001"]
    theme = client.get(f"/dashboard/which?{_q1_args()}&measure=theme&theme={known['Risk assessment']}")
    assert _refs(theme.get_data(as_text=True)) == ["HPD-2025-001"]
    overdue = client.get(f"/dashboard/which?{_q1_args()}&measure=actions&column=overdue").get_data(as_text=True)
    assert _refs(overdue) == ["HPD-2025-001-A01", "HPD-2025-001-A02", "HPD-2025-002-A03"]
    mine = client.get(f"/dashboard/which?{_q1_args()}&measure=actions&column=late&owner=user:{known['owner']}")
    assert _refs(mine.get_data(as_text=True)) == ["HPD-2025-003-A05"]
    assert client.get(f"/dashboard/which?{_q1_args()}&measure=nonsense").status_code == 404
    assert client.get(f"/dashboard/which?{_q1_args()}&measure=actions&column=nonsense").status_code == 404


def test_filters_stay_in_the_url_and_bad_dates_are_explained(app, client, signed_in, known):
    signed_in("board")
    html = client.get(f"/dashboard?{_q1_args()}&category=near_miss").get_data(as_text=True)
    assert "category=near_miss" in html
    bad = client.get("/dashboard?period=custom&from=2026-05-01&to=2026-04-01")
    assert bad.status_code == 422
    assert "The last day must be on or after the first day." in bad.get_data(as_text=True)
    missing = client.get("/dashboard?period=custom")
    assert missing.status_code == 422 and "Enter the first day of the period." in missing.get_data(as_text=True)


def test_data_download_is_marked_names_its_recipient_and_is_recorded(app, client, signed_in, known):
    from app.models import AuditEvent

    signed_in("working_group")
    token = client.csrf_token(f"/dashboard?{_q1_args()}")
    refused = client.post(f"/dashboard/data/timeliness.csv?{_q1_args()}", data={"csrf_token": token,
                                                                              "recipient": " "})
    assert refused.status_code == 422 and "Say who the data is for." in refused.get_data(as_text=True)
    r = client.post(f"/dashboard/data/timeliness.csv?{_q1_args()}",
                    data={"csrf_token": token, "recipient": "Homicide prevention board"})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == app.config["MARKING"] and rows[-1] == [app.config["MARKING"]]
    whole = [row for row in rows if row[:2] == ["Incident to debrief meeting", "Q1 2025-26 (Apr–Jun 2025)"]]
    assert whole[-1][2:8] == ["4", "23.5", "39.9", "28", "3", "75.0"]
    with app.app_context():
        event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "dashboard.csv.timeliness")).one()
        assert event.operation == "disclosure" and event.recipient == "Homicide prevention board"
    assert client.post(f"/dashboard/data/nothing.csv?{_q1_args()}",
                       data={"csrf_token": token, "recipient": "x"}).status_code == 404


def test_who_may_see_the_dashboard(app, client, signed_in, known):
    from app.models import AuditEvent

    signed_in("partner")
    assert client.get("/dashboard").status_code in (403, 404)
    assert client.get(f"/dashboard/which?{_q1_args()}&measure=referred").status_code in (403, 404)
    client2 = app.test_client()
    login(client2, "owner1")
    assert client2.get("/dashboard").status_code in (403, 404)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action.like("dashboard.%"))) == 0


def test_queries_do_not_grow_with_the_data(app, client, signed_in, known):
    from app.synthetic import bulk_actions, bulk_debriefs

    signed_in("board")
    engine_events: list[str] = []

    def count(path):
        with app.app_context():
            engine = db.engine
        listener = lambda *a: engine_events.append(a[2])  # noqa: E731
        engine_events.clear()
        sa.event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get(path).status_code == 200
        finally:
            sa.event.remove(engine, "before_cursor_execute", listener)
        return len([s for s in engine_events if not s.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE"))])

    path = "/dashboard?period=custom&from=2017-01-01&to=2026-12-31"
    count(path)  # the first view after a change also rebuilds the name masker (two queries, once)
    before = count(path)
    with app.app_context():
        from app.models import Debrief, Team, Theme, User

        lead = db.session.scalar(sa.select(User.id).where(User.username == "owner1"))
        bulk_debriefs(60, [lead], seed=3, start_number=500)
        ids = db.session.scalars(sa.select(Debrief.id)).all()
        bulk_actions(200, ids, [lead], db.session.scalars(sa.select(Team.id)).all(),
                     db.session.scalars(sa.select(Theme.id)).all())
    count(path)
    assert count(path) == before


def test_a_longer_period_is_broken_down_by_quarter(app, known):
    from app.governance import measures
    from app.governance.cohorts import Scope
    from app.governance.periods import fiscal_year

    with app.test_request_context():
        t = measures.timeliness(Scope(fiscal_year(2024)), SETTINGS)  # April 2024 to March 2025
        t2 = measures.timeliness(Scope(fiscal_year(2025)), SETTINGS)
    # FY 2024-25: the DMMs of D5 (1 day, March), D6 (3 days, January) and D7 (2 days, February), all in Q4.
    dmm = t["dmm"]["spreads"]
    assert [s.label for s in dmm] == ["Q1 2024-25 (Apr–Jun 2024)", "Q2 2024-25 (Jul–Sep 2024)",
                                      "Q3 2024-25 (Oct–Dec 2024)", "Q4 2024-25 (Jan–Mar 2025)",
                                      "Financial year 2024-25"]
    assert [(s.n, s.median) for s in dmm] == [(0, None), (0, None), (0, None), (3, 2), (3, 2)]
    assert dmm[3].within.value == 3 and dmm[3].drill["from"] == "2025-01-01"
    # FY 2025-26: the meetings, all in Q1, and D1's second issue in Q2 does not count as a first issue.
    meeting = t2["meeting"]["spreads"]
    assert [(s.n, s.median, s.within.value) for s in meeting][0] == (4, 23.5, 3)
    assert meeting[-1].n == 4 and meeting[-1].within.value == 3
    assert [s.n for s in t2["document"]["spreads"]] == [3, 0, 0, 0, 3]


def test_volumes_by_bucket(app, known):
    from app.governance import measures
    from app.governance.cohorts import Scope
    from app.governance.periods import custom

    with app.test_request_context():
        rows = measures.volumes_by_bucket(Scope(custom(date(2025, 1, 1), date(2025, 6, 30))))
    # Q4 2024-25: D5, D6, D7 (homicide, domestic); Q1 2025-26: D1, D2, D3, D4.
    assert [(r["label"], r["total"].value) for r in rows] == [("Q4 2024-25 (Jan–Mar 2025)", 3),
                                                              ("Q1 2025-26 (Apr–Jun 2025)", 4)]
    assert rows[1]["cells"][("near_miss", "domestic")].value == 2
    assert rows[0]["total"].drill["to"] == "2025-03-31"


def test_a_long_period_trends_by_financial_year(app, known):
    """Ten quarters would be ten buckets of a trend nobody can read: past eight, buckets are financial
    years, cut to the period, and every figure still counts by the UK day of its event."""
    from app import process_settings
    from app.governance import measures
    from app.governance.cohorts import Scope
    from app.governance.periods import custom

    scope = Scope(custom(date(2023, 1, 1), date(2025, 6, 30)))
    with app.test_request_context():
        rows = measures.volumes_by_bucket(scope)
        meeting = measures.timeliness(scope, process_settings.current(), only=("meeting",))["meeting"]["spreads"]
    assert [(r["label"], r["total"].value) for r in rows] == [
        ("Financial year 2022-23", 0), ("Financial year 2023-24", 0), ("Financial year 2024-25", 3),
        ("Financial year 2025-26", 4)]
    assert (rows[0]["total"].drill["from"], rows[0]["total"].drill["to"]) == ("2023-01-01", "2023-03-31")
    assert (rows[3]["total"].drill["from"], rows[3]["total"].drill["to"]) == ("2025-04-01", "2025-06-30")
    # D5's meeting at 00:30 BST on 1 April 2025 (23:30 UTC on 31 March) belongs to 2025-26.
    assert [(s.label, s.n) for s in meeting] == [
        ("Financial year 2022-23", 0), ("Financial year 2023-24", 0), ("Financial year 2024-25", 0),
        ("Financial year 2025-26", 4), (scope.period.label, 4)]
    assert meeting[3].median == 23.5 and meeting[3].within.value == 3


def test_the_dashboard_says_how_a_long_period_is_broken_down(client, known, make_user):
    make_user("boardmember", "board")
    login(client, "boardmember")
    html = client.get("/dashboard?period=custom&from=2023-01-01&to=2025-06-30").get_data(as_text=True)
    assert "<caption>By financial year</caption>" in html
    assert "by financial year." in html
    html = client.get("/dashboard?period=custom&from=2025-01-01&to=2025-06-30").get_data(as_text=True)
    assert "<caption>By quarter</caption>" in html
