"""Referrals, the board, gates, moves and who sees what."""
from __future__ import annotations

import re
import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Debrief, Stage, StageChange, User
from tests.conftest import DaysFromToday, login, run_in_threads

HX = {"HX-Request": "true"}


def get_debrief(app, debrief_id):
    with app.app_context():
        d = db.session.get(Debrief, debrief_id)
        history = [(h.from_stage, h.to_stage, h.reason, h.overridden) for h in d.history]
        db.session.expunge_all()
        return d, history


def referral() -> dict:
    """A valid referral form, dated from today as the test runs (never at collection)."""
    return {
        "title": "Stabbing near the station", "dmm_date": date.today().isoformat(),
        "incident_date": (date.today() - timedelta(days=2)).isoformat(), "incident_time": "23:15",
        "occurrence_ref": "OCC/123", "category": "near_miss", "context": "non_domestic", "subtype": "knife",
        "offence": "s18_gbh", "weapon": "knife", "policing_area": "Northgate", "summary": "Facts as known",
        "referred_by": "Duty Superintendent", "lead_reviewer_id": "0",
    }


# ---- referral capture -----------------------------------------------------------

def test_reviewer_captures_a_referral_and_it_appears_on_the_board(app, client, signed_in):
    signed_in("reviewer")
    r = client.post_form("/debriefs/new", referral())
    assert r.status_code == 302 and r.headers["Location"] == "/board"
    html = client.get("/board").get_data(as_text=True)
    ref = f"HPD-{date.today().year}-001"
    assert ref in html and "Stabbing near the station" in html
    assert f"Referral {ref} added to the board." in html
    with app.app_context():
        d = db.session.scalar(sa.select(Debrief))
        assert d.stage == "referred" and d.incident_time.strftime("%H:%M") == "23:15"
        assert [(h.from_stage, h.to_stage) for h in d.history] == [(None, "referred")]


@pytest.mark.parametrize("field, value, message", [
    ("title", "", "Give the referral a short title."),
    ("incident_date", DaysFromToday(1), "cannot be in the future"),
    ("incident_date", "not-a-date", "Enter the date of the incident."),
    ("dmm_date", DaysFromToday(-30), "cannot be before the incident"),
    ("subtype", "intimate_partner", "For non-domestic cases choose"),
    ("category", "murder-ish", "Not a valid choice"),
    ("referred_by", "", "Say who raised it."),
    ("incident_time", "25:99", "Not a valid time value"),
    ("title", "x" * 121, "Field cannot be longer than 120 characters"),
])
def test_bad_referral_input_gets_422_beside_the_field_and_nothing_saved(app, client, signed_in, field, value,
                                                                         message):
    signed_in("reviewer")
    value = value.iso() if isinstance(value, DaysFromToday) else value
    r = client.post_form("/debriefs/new", {**referral(), field: value})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert f'id="{field}-error"' in html and message in html
    assert "Facts as known" in html  # the rest of what was typed is kept
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Debrief)) == 0


def test_references_run_without_gaps_and_restart_each_year(app, make_debrief):
    from app.debriefs import services

    with app.app_context():
        refs = [services.next_reference(2026) for _ in range(3)] + [services.next_reference(2027)]
        db.session.commit()
    assert refs == ["HPD-2026-001", "HPD-2026-002", "HPD-2026-003", "HPD-2027-001"]


def test_reference_allocation_under_concurrency_has_no_gaps_or_duplicates(app, make_user):
    from app.debriefs import services

    make_user("rev", "reviewer")
    barrier = threading.Barrier(8)

    def work(_n):
        with app.test_request_context():
            actor = db.session.scalar(sa.select(User).where(User.username == "rev"))
            db.session.commit()  # end the read, so no thread holds the SQLite write lock at the barrier
            barrier.wait(timeout=30)
            for _ in range(5):
                services.create_referral({
                    "title": "Concurrent", "dmm_date": date(2026, 3, 1), "incident_date": date(2026, 2, 28),
                    "incident_time": None, "occurrence_ref": None, "category": "homicide",
                    "context": "domestic", "subtype": "familial", "offence": "murder", "weapon": None,
                    "policing_area": None, "summary": None, "referred_by": "DI", "lead_reviewer_id": None},
                    actor)
            db.session.remove()

    assert run_in_threads(8, work) == []
    with app.app_context():
        refs = db.session.scalars(sa.select(Debrief.reference)).all()
    assert sorted(refs) == [f"HPD-2026-{n:03d}" for n in range(1, 41)]


# ---- decision, gates and moves ------------------------------------------------

def move(client, debrief_id, to_stage, htmx=True, **extra):
    token = client.csrf_token("/board")
    data = {"to_stage": to_stage, **extra}
    headers = {"X-CSRFToken": token, **(HX if htmx else {})}
    if htmx:
        headers["HX-Current-URL"] = "https://localhost/board"
    return client.post(f"/debriefs/{debrief_id}/move", data=data, headers=headers)


def test_accepting_the_referral_moves_it_to_scoping(app, client, signed_in, make_debrief):
    d = make_debrief()
    signed_in("reviewer")
    r = client.post_form(f"/debriefs/{d}/decision", {"decision": "accepted", "rationale": "Meets criteria",
                                                     "decided_by": "D/Supt Example", "move": "y",
                                                     "decided_on": date.today().isoformat()},
                         token_from=f"/debriefs/{d}")
    assert r.status_code == 302
    debrief, history = get_debrief(app, d)
    assert debrief.stage == "scoping" and debrief.decision == "accepted"
    assert history[-1][:2] == ("referred", "scoping")


def test_declining_moves_it_to_not_progressed_with_the_reason(app, client, signed_in, make_debrief):
    d = make_debrief()
    signed_in("reviewer")
    client.post_form(f"/debriefs/{d}/decision", {"decision": "declined", "rationale": "Handed to a DARDR",
                                                 "decided_by": "D/Supt Example", "move": "y",
                                                 "decided_on": date.today().isoformat()}, token_from=f"/debriefs/{d}")
    debrief, history = get_debrief(app, d)
    assert debrief.stage == "not_progressed"
    assert history[-1][2] == "Referral declined"


def test_decision_without_rationale_is_refused_beside_the_field(app, client, signed_in, make_debrief):
    d = make_debrief()
    signed_in("reviewer")
    r = client.post_form(f"/debriefs/{d}/decision", {"decision": "accepted", "rationale": "", "decided_by": "",
                                                     "decided_on": date.today().isoformat()},
                         token_from=f"/debriefs/{d}")
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'id="rationale-error"' in html and 'id="decided_by-error"' in html
    assert get_debrief(app, d)[0].decision is None


def test_gate_refuses_a_move_and_names_what_is_missing(app, client, signed_in, make_debrief):
    d = make_debrief()
    signed_in("reviewer")
    r = move(client, d, "scoping", from_stage="referred")
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "cannot move to Scoping yet" in html
    assert "Eligibility decision recorded" in html and "an eligibility decision to accept" in html
    assert "<html" not in html
    assert r.headers["HX-Trigger"] == '{"moveRefused": {"id": "card-%d"}}' % d
    assert get_debrief(app, d)[0].stage == "referred"


def test_skipping_stages_checks_the_gates_of_every_stage_left(app, client, signed_in, make_debrief):
    d = make_debrief()
    signed_in("reviewer")
    assert move(client, d, "debrief", from_stage="referred").status_code == 422
    assert get_debrief(app, d)[0].stage == "referred"


def test_override_needs_a_reason_and_is_recorded(app, client, signed_in, make_debrief):
    d = make_debrief()
    signed_in("reviewer")
    r = move(client, d, "scoping", from_stage="referred", override="y", reason="")
    assert r.status_code == 422 and "Enter a reason." in r.get_data(as_text=True)
    r = move(client, d, "scoping", from_stage="referred", override="y", reason="Decision taken by phone; form to follow")
    assert r.status_code == 200
    debrief, history = get_debrief(app, d)
    assert debrief.stage == "scoping"
    assert history[-1] == ("referred", "scoping", "Decision taken by phone; form to follow", "referral_decision")
    with app.app_context():
        assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.object_id == str(d))
                                 .order_by(AuditEvent.id.desc())) == "debrief.override"


def test_a_gate_switched_off_by_an_admin_no_longer_stops_moves(app, client, new_client, signed_in, make_user,
                                                               make_debrief):
    d = make_debrief()
    make_user("boss", "admin")
    admin = new_client()
    login(admin, "boss")
    form = {"target_days_to_meeting": "28", "amber_days_before_target": "7", "recent_final_days": "30", "target_days_to_dmm": "3", "target_days_to_document": "90",
            "gate.referral_decision": "0"}
    assert admin.post_form("/admin/process", form).status_code == 302
    signed_in("reviewer")
    assert move(client, d, "scoping", from_stage="referred").status_code == 200
    assert get_debrief(app, d)[1][-1][3] is None  # nothing overridden: the gate was off


def test_moving_back_needs_a_reason(app, client, signed_in, make_debrief):
    d = make_debrief("chronology")
    signed_in("reviewer")
    r = move(client, d, "scoping", from_stage="chronology")
    assert r.status_code == 422 and "Say why this debrief is moving back." in r.get_data(as_text=True)
    r = move(client, d, "scoping", from_stage="chronology", reason="Parameters need the SIO's conditions")
    assert r.status_code == 200
    debrief, history = get_debrief(app, d)
    assert debrief.stage == "scoping" and history[-1][2] == "Parameters need the SIO's conditions"
    with app.app_context():
        assert db.session.scalars(sa.select(StageChange).where(StageChange.debrief_id == d)).all()[-1].is_backward


@pytest.mark.parametrize("start, to, words", [
    ("scoping", "not_progressed", "Say why it is not progressing"),
    ("closed", "monitoring", "Say why this debrief is being reopened."),
    ("not_progressed", "referred", "Say why this debrief is being reopened."),
])
def test_not_progressed_and_reopening_need_a_reason(app, client, signed_in, make_debrief, start, to, words):
    d = make_debrief(start)
    signed_in("reviewer")
    r = move(client, d, to, from_stage=start)
    assert r.status_code == 422 and words in r.get_data(as_text=True)
    assert move(client, d, to, from_stage=start, reason="As agreed at the DMM").status_code == 200
    assert get_debrief(app, d)[0].stage == to


def test_a_card_someone_else_moved_gets_409_and_nothing_changes(app, client, signed_in, make_debrief):
    d = make_debrief("scoping")
    signed_in("reviewer")
    r = move(client, d, "chronology", from_stage="referred")
    assert r.status_code == 409
    assert "was moved by someone else and is now in Scoping" in r.get_data(as_text=True)
    assert get_debrief(app, d)[0].stage == "scoping"


def test_htmx_move_answers_with_a_small_fragment_of_what_changed(app, client, signed_in, make_debrief):
    d = make_debrief(decision="accepted")
    make_debrief()
    signed_in("reviewer")
    r = move(client, d, "scoping", from_stage="referred")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "<html" not in html and "<body" not in html
    assert len(r.data) < 5 * 1024, len(r.data)
    assert 'hx-swap-oob="beforeend:#cards-scoping"' in html and f'id="card-{d}"' in html
    assert re.search(r'id="count-referred" hx-swap-oob="true"[^>]*>1<', html)
    assert re.search(r'id="count-scoping" hx-swap-oob="true"[^>]*>1<', html)
    assert "moved to Scoping" in html
    assert get_debrief(app, d)[0].stage == "scoping"


def test_keyboard_move_works_as_a_plain_form_without_javascript(app, client, signed_in, make_debrief):
    d = make_debrief(decision="accepted")
    signed_in("reviewer")
    board = client.get("/board").get_data(as_text=True)
    assert f'<label class="visually-hidden" for="move-{d}">Move' in board
    r = move(client, d, "scoping", htmx=False, from_stage="referred")
    assert r.status_code == 302 and r.headers["Location"] == "/board"
    assert "moved to Scoping" in client.get("/board").get_data(as_text=True)
    # A refused move without JavaScript gets a page explaining why, with the override form.
    r = move(client, d, "referred", htmx=False, from_stage="scoping")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "<html" in html and "Say why this debrief is moving back." in html
    r = move(client, d, "referred", htmx=False, from_stage="scoping", reason="Wrong column")
    assert r.status_code == 302 and get_debrief(app, d)[0].stage == "referred"


def test_only_reviewers_move_cards_or_capture_referrals(app, client, signed_in, make_debrief):
    d = make_debrief(decision="accepted", participants=())
    signed_in("board", "working_group", "member", "partner")
    assert move(client, d, "scoping", from_stage="referred").status_code == 403
    assert client.get("/debriefs/new").status_code == 403
    assert get_debrief(app, d)[0].stage == "referred"


# ---- who sees what ------------------------------------------------------------

def _cards_on_board(html: str) -> set[str]:
    return set(re.findall(r'id="card-\d+-ref" href="/debriefs/\d+">(HPD-\d{4}-\d{3})<', html))


def test_columns_and_counts_per_role(app, client, new_client, make_user, make_debrief):
    make_user("mem", "member")
    make_user("par", "partner")
    a = make_debrief(participants=("mem",))
    make_debrief("scoping", participants=("par",))
    make_debrief("chronology")
    with app.app_context():
        refs = dict(db.session.execute(sa.select(Debrief.id, Debrief.reference)).all())
    expectations = {"reviewer": 3, "working_group": 3, "board": 3, "mem": 1, "par": 1}
    for who, n in expectations.items():
        c = new_client()
        if who in ("mem", "par"):
            login(c, who)
        else:
            make_user(f"u_{who}", who)
            login(c, f"u_{who}")
        html = c.get("/board").get_data(as_text=True)
        assert len(_cards_on_board(html)) == n, who
        counts = sum(int(x) for x in re.findall(r'class="kcol__count" id="count-\w+"[^>]*>(\d+)<', html))
        assert counts == n, who
    mem = new_client()
    login(mem, "mem")
    assert _cards_on_board(mem.get("/board").get_data(as_text=True)) == {refs[a]}
    for path in ("/board?q=HPD", "/debriefs", "/debriefs?stage=scoping"):
        assert "HPD-" not in mem.get(path).get_data(as_text=True).replace(refs[a], ""), path


def test_hidden_debriefs_answer_404_and_roles_without_the_board_get_403(app, client, new_client, make_user,
                                                                        make_debrief):
    d = make_debrief()
    make_user("mem", "member")
    make_user("aud", "auditor", "admin")
    m = new_client()
    login(m, "mem")
    assert m.get(f"/debriefs/{d}").status_code == 404
    assert m.get("/debriefs/99999").status_code == 404
    a = new_client()
    login(a, "aud")
    assert a.get("/board").status_code == 403 and a.get(f"/debriefs/{d}").status_code == 403


def test_participants_see_their_debrief_until_removed(app, client, new_client, signed_in, make_user, make_debrief):
    d = make_debrief()
    uid = make_user("mem", "member")
    signed_in("reviewer")
    token_page = f"/debriefs/{d}"
    assert client.post_form(f"/debriefs/{d}/participants", {"user_id": str(uid)}, token_from=token_page).status_code == 302
    m = new_client()
    login(m, "mem")
    assert m.get(f"/debriefs/{d}").status_code == 200
    client.post_form(f"/debriefs/{d}/participants/{uid}/remove", token_from=token_page)
    assert m.get(f"/debriefs/{d}").status_code == 404


@pytest.mark.parametrize("role", ["board", "working_group"])
def test_board_and_working_group_see_no_names_or_case_text(app, client, signed_in, make_user, make_debrief, role):
    make_user("leader", "reviewer", full_name="Quentin Leadname")
    d = make_debrief("scoping", lead="leader", summary="Victim Zebedee Casename was known to services")
    signed_in(role)
    for path in ("/board", f"/debriefs/{d}", "/debriefs", "/board/room"):
        html = client.get(path).get_data(as_text=True)
        assert "Zebedee" not in html and "Casename" not in html, path
        assert "Duty Inspector" not in html and "Meets criteria" not in html, path
    # Staff are not case subjects: the lead reviewer is named to the board and the working group too.
    assert "Quentin Leadname" in client.get(f"/debriefs/{d}").get_data(as_text=True)
    assert "Zebedee" not in client.get("/board?q=zebedee").get_data(as_text=True)
    assert "0 debriefs" in client.get("/debriefs?q=zebedee").get_data(as_text=True)


def test_reviewers_see_names_and_case_text(app, client, signed_in, make_user, make_debrief):
    make_user("leader", "reviewer", full_name="Quentin Leadname")
    d = make_debrief("scoping", lead="leader", summary="Victim Zebedee Casename was known to services")
    signed_in("reviewer")
    html = client.get(f"/debriefs/{d}").get_data(as_text=True)
    assert "Zebedee Casename" in html and "Quentin Leadname" in html
    assert "1 debrief" in client.get("/debriefs?q=zebedee").get_data(as_text=True)


def test_board_and_debrief_views_are_audited_as_consultation(app, client, signed_in, make_debrief):
    d = make_debrief()
    signed_in("reviewer")
    client.get("/board")
    client.get("/board?category=homicide", headers=HX)
    client.get(f"/debriefs/{d}")
    client.get("/board/room", headers=HX)
    with app.app_context():
        rows = db.session.execute(sa.select(AuditEvent.action, AuditEvent.object_id)
                                  .where(AuditEvent.operation == "consultation")).all()
    assert rows == [("board.view", None), ("board.view", None), ("debrief.view", str(d)), ("board.room", None)]


# ---- filters, room, list ------------------------------------------------------

def test_filters_round_trip_through_the_url(app, client, signed_in, make_user, make_debrief):
    make_user("lead2", "reviewer", full_name="Second Lead")
    h = make_debrief(title="Homicide domestic", category="homicide")
    n = make_debrief(title="Near miss knife", category="near_miss", context="non_domestic", subtype="knife",
                     lead="lead2")
    signed_in("reviewer")
    with app.app_context():
        lead2 = db.session.scalar(sa.select(User.id).where(User.username == "lead2"))
    html = client.get("/board?category=near_miss").get_data(as_text=True)
    assert "Near miss knife" in html and "Homicide domestic" not in html
    assert re.search(r'<option selected value="near_miss">|<option value="near_miss" selected>', html)
    html = client.get(f"/board?lead={lead2}").get_data(as_text=True)
    assert "Near miss knife" in html and "Homicide domestic" not in html
    html = client.get("/board?q=domestic&context=domestic").get_data(as_text=True)
    assert "Homicide domestic" in html and "Near miss knife" not in html
    assert 'value="domestic"' in html and "/board/room?context=domestic" in html.replace("&amp;", "&") or \
        "/board/room?q=domestic&context=domestic" in html.replace("&amp;", "&")
    fragment = client.get("/board?category=homicide", headers=HX).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="board"') and "Near miss knife" not in fragment
    assert h and n


def test_bad_filter_values_show_everything_rather_than_fail(app, client, signed_in, make_debrief):
    make_debrief()
    signed_in("reviewer")
    r = client.get("/board?category=<script>&lead=abc")
    assert r.status_code == 200 and "<script>" not in r.get_data(as_text=True)


def test_meeting_room_view_refreshes_itself_and_has_no_editing(app, client, signed_in, make_debrief):
    make_debrief()
    signed_in("reviewer")
    html = client.get("/board/room?category=homicide").get_data(as_text=True)
    assert 'hx-trigger="every 60s"' in html and 'hx-get="/board/room?category=homicide"' in html
    assert "Move to…" not in html and "New referral" not in html and "kcard__move" not in html
    assert 'class="room"' in html


def test_final_columns_show_recent_cards_and_link_to_the_full_list(app, client, signed_in, make_debrief):
    old = make_debrief("closed", title="Closed long ago")
    make_debrief("closed", title="Closed this week")
    with app.app_context():
        db.session.get(Debrief, old).stage_changed_at -= timedelta(days=90)
        db.session.commit()
    signed_in("reviewer")
    html = client.get("/board").get_data(as_text=True)
    assert "Closed this week" in html and "Closed long ago" not in html
    assert "1 older not shown" in html and "All 2 closed" in html
    listing = client.get("/debriefs?stage=closed").get_data(as_text=True)
    assert "Closed long ago" in listing and "Closed this week" in listing


def test_cards_referred_since_the_last_meeting_day_stand_out(app, client, signed_in, make_debrief):
    fresh = make_debrief(title="Fresh one")
    old = make_debrief(title="Older one")
    with app.app_context():
        db.session.get(Debrief, old).created_at -= timedelta(days=6)
        db.session.commit()
    signed_in("reviewer")
    html = client.get("/board").get_data(as_text=True)
    assert re.search(rf'class="kcard [^"]*kcard--new[^"]*" id="card-{fresh}"', html)
    assert not re.search(rf'class="kcard [^"]*kcard--new[^"]*" id="card-{old}"', html)


# ---- editing the referral -----------------------------------------------------

def test_stale_referral_edit_gets_409_with_both_versions(app, client, new_client, signed_in, make_user,
                                                         make_debrief):
    d = make_debrief(title="Original title")
    signed_in("reviewer", username="first")
    make_user("second", "reviewer")
    second = new_client()
    login(second, "second")
    with app.app_context():
        version = db.session.get(Debrief, d).version
    form = {**referral(), "version": str(version), "incident_date": date.today().isoformat(),
            "dmm_date": date.today().isoformat()}
    assert client.post_form(f"/debriefs/{d}/edit", {**form, "title": "First edit"}).status_code == 302
    r = second.post_form(f"/debriefs/{d}/edit", {**form, "title": "Second edit"})
    html = r.get_data(as_text=True)
    assert r.status_code == 409
    assert "Someone else saved this referral" in html and "First edit" in html and 'value="Second edit"' in html
    assert get_debrief(app, d)[0].title == "First edit"


# ---- timeliness ---------------------------------------------------------------

def test_rag_against_the_target():
    from app.debriefs.timeliness import rag

    today = date(2026, 11, 26)
    before = Stage.CHRONOLOGY
    assert rag(before, today - timedelta(days=10), None, 28, 7, today).status == "green"
    assert rag(before, today - timedelta(days=21), None, 28, 7, today).status == "amber"
    assert rag(before, today - timedelta(days=28), None, 28, 7, today).status == "amber"
    assert rag(before, today - timedelta(days=29), None, 28, 7, today).status == "red"
    met = rag(Stage.LEARNING, date(2026, 1, 1), date(2026, 1, 20), 28, 7, today)
    assert (met.status, met.label) == ("green", "Met")
    assert rag(Stage.LEARNING, date(2026, 1, 1), date(2026, 3, 1), 28, 7, today).label == "Missed"
    assert rag(Stage.NOT_PROGRESSED, date(2026, 1, 1), None, 28, 7, today).status == "none"


def test_previous_meeting_day_skips_the_weekend():
    from app.debriefs.timeliness import previous_meeting_day

    assert previous_meeting_day(date(2026, 11, 30)) == date(2026, 11, 27)  # Monday -> Friday
    assert previous_meeting_day(date(2026, 11, 26)) == date(2026, 11, 25)  # Thursday -> Wednesday


def test_admin_changes_the_target_and_cards_follow(app, client, new_client, signed_in, make_user, make_debrief):
    make_debrief("chronology", incident_days_ago=20)
    signed_in("reviewer")
    assert "On track" in client.get("/board").get_data(as_text=True)
    make_user("boss", "admin")
    admin = new_client()
    login(admin, "boss")
    bad = admin.post_form("/admin/process", {"target_days_to_meeting": "0", "amber_days_before_target": "x",
                                             "recent_final_days": "30", "target_days_to_dmm": "3", "target_days_to_document": "90", "gate.referral_decision": ["0", "1"]})
    assert bad.status_code == 422 and "Enter a number from 1 to 365." in bad.get_data(as_text=True)
    ok = admin.post_form("/admin/process", {"target_days_to_meeting": "14", "amber_days_before_target": "3",
                                            "recent_final_days": "30", "target_days_to_dmm": "3", "target_days_to_document": "90", "gate.referral_decision": ["0", "1"]})
    assert ok.status_code == 302
    assert "Overdue" in client.get("/board").get_data(as_text=True)
    assert client.post_form("/admin/process", {"target_days_to_meeting": "1"}, token_from="/board").status_code == 403
