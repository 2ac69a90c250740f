"""`flask --app wsgi send-reminders`: owner digests and the working group's weekly escalation, on a real SMTP
server on loopback, sent once per address and period however many runs there are."""
from __future__ import annotations

import threading
from datetime import date, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import Action, AuditEvent, Debrief, Extension, ReminderSent, User
from tests.conftest import MAIL_BASE, run_in_threads, team_id, received
from tests.live import free_port

ON = date(2026, 11, 24)  # a Tuesday in ISO week 2026-W48
BASE = MAIL_BASE


def by_recipient(messages) -> dict[str, tuple[str, str]]:
    got = received(messages)
    addresses = [r for r, _, _ in got]
    assert len(addresses) == len(set(addresses)), f"an address got more than one message: {addresses}"
    return {r: (s, b) for r, s, b in got}


def add_action(app, d, number, *, due_on, owner_user=None, owner_team=None, status="open", what="Do it") -> int:
    with app.app_context():
        action = Action(debrief_id=d, number=number, what=what, owner_user_id=owner_user, owner_team_id=owner_team,
                        due_on=due_on, priority="medium", scope="force", status=status)
        db.session.add(action)
        db.session.commit()
        action_id = action.id
        db.session.remove()
        return action_id


def ref(app, d, number) -> str:
    with app.app_context():
        return f"{db.session.get(Debrief, d).reference}-A{number:02d}"


def run(app, on=ON, *extra):
    return app.test_cli_runner().invoke(args=["send-reminders", "--today", on.isoformat(), *extra])


def claims(app) -> list[ReminderSent]:
    with app.app_context():
        rows = db.session.scalars(sa.select(ReminderSent).order_by(ReminderSent.id)).all()
        db.session.expunge_all()
        return rows


def section(body: str, heading: str) -> str:
    (part,) = [p for p in body.split("\n\n") if p.startswith(heading)]
    return part


def deactivate(app, user_id):
    with app.app_context():
        db.session.get(User, user_id).active = False
        db.session.commit()


# ---- owner digests -----------------------------------------------------------------

def test_one_digest_per_owner_lists_each_due_or_overdue_action(app, inbox, make_user, make_debrief):
    d = make_debrief("monitoring")
    owner = make_user("owner", "member", email="owner@force.example")
    a1 = add_action(app, d, 1, owner_user=owner, due_on=ON - timedelta(days=2))
    add_action(app, d, 2, owner_user=owner, due_on=ON, status="in_progress")
    add_action(app, d, 3, owner_user=owner, due_on=ON + timedelta(days=7))
    add_action(app, d, 4, owner_user=owner, due_on=ON + timedelta(days=8))  # beyond the window
    add_action(app, d, 5, owner_user=owner, due_on=ON - timedelta(days=9), status="completed")
    team = team_id(app, "Training unit", email="training@force.example")
    add_action(app, d, 6, owner_team=team, due_on=ON + timedelta(days=1))
    # Someone with only far-off or finished work hears nothing.
    later = make_user("later", "member", email="later@force.example")
    add_action(app, d, 7, owner_user=later, due_on=ON + timedelta(days=30))
    for n, status in ((8, "closed"), (9, "not_doing"), (10, "completed")):
        add_action(app, d, n, owner_user=later, due_on=ON - timedelta(days=3), status=status)
    # No address, a disabled account, a team without an address: nothing to send to.
    add_action(app, d, 11, owner_user=make_user("noemail", "member"), due_on=ON)
    gone = make_user("gone", "member", email="gone@force.example")
    deactivate(app, gone)
    add_action(app, d, 12, owner_user=gone, due_on=ON)
    add_action(app, d, 13, owner_team=team_id(app, "Silent team"), due_on=ON)

    result = run(app)
    assert result.exit_code == 0, result.output
    assert "Reminders: 2 owner digests sent, 0 escalation digests sent, 0 skipped (already sent), 0 failed." \
        in result.output
    mail = by_recipient(inbox)
    assert sorted(mail) == ["owner@force.example", "training@force.example"]

    subject, body = mail["owner@force.example"]
    assert subject.startswith(app.config["MARKING"] + ": ") and "1 action overdue, 2 due soon" in subject
    for n in (1, 2, 3):
        assert ref(app, d, n) in body
    for n in (4, 5, 6, 7, 8, 9, 10, 11, 12, 13):
        assert ref(app, d, n) not in body
    assert f"{BASE}/actions?owner=me" in body and f"{BASE}/actions/{a1}" in body
    assert f"{ref(app, d, 1)}: due 22 Nov 2026, open, 2 days overdue." in body
    assert f"{ref(app, d, 2)}: due 24 Nov 2026, in progress, due today." in body
    assert f"{ref(app, d, 3)}: due 1 Dec 2026, open, due in 7 days." in body
    assert "owner=team:" not in body

    subject, body = mail["training@force.example"]
    assert subject.startswith(app.config["MARKING"] + ": ")
    assert f"{ref(app, d, 6)}: due 25 Nov 2026, open, due in 1 day." in body
    assert f"{BASE}/actions?owner=team:{team}" in body and "owner=me" not in body

    assert sorted((c.kind, c.recipient, c.period, c.actions) for c in claims(app)) == [
        ("owner", "owner@force.example", "2026-11-24", 3), ("owner", "training@force.example", "2026-11-24", 1)]
    assert all(c.sent_at is not None for c in claims(app))
    with app.app_context():
        (audit_row,) = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "reminders.send")).all()
        assert (audit_row.operation, audit_row.object_type, audit_row.object_id) == ("disclosure", "action", None)
        assert audit_row.recipient == "2 addresses by email" and audit_row.user_id is None
        assert audit_row.reason == "command line"
        # And each message, with the address it went to.
        sent = db.session.execute(sa.select(AuditEvent.operation, AuditEvent.recipient, AuditEvent.reason)
                                  .where(AuditEvent.action == "reminders.owner").order_by(AuditEvent.recipient)).all()
        assert sent == [("disclosure", "owner@force.example", "3 actions, 2026-11-24"),
                        ("disclosure", "training@force.example", "1 action, 2026-11-24")]


def test_an_address_that_is_a_user_and_a_team_gets_one_message(app, inbox, make_user, make_debrief):
    d = make_debrief("monitoring")
    owner = make_user("lead", "member", email="Shared.Box@Force.example")
    team = team_id(app, "Safeguarding hub", email="  shared.box@force.example ")
    add_action(app, d, 1, owner_user=owner, due_on=ON + timedelta(days=2))
    add_action(app, d, 2, owner_team=team, due_on=ON - timedelta(days=40))

    assert run(app).exit_code == 0
    mail = by_recipient(inbox)
    assert list(mail) == ["shared.box@force.example"]
    subject, body = mail["shared.box@force.example"]
    assert "1 action overdue, 1 due soon" in subject
    assert f"{BASE}/actions?owner=me" in body and f"{BASE}/actions?owner=team:{team}" in body
    assert ref(app, d, 1) in section(body, "Actions you own")
    assert ref(app, d, 2) in section(body, "Actions owned by a team")
    assert [(c.recipient, c.actions) for c in claims(app)] == [("shared.box@force.example", 2)]


# ---- once only -------------------------------------------------------------------

def test_a_second_run_the_same_day_sends_nothing_and_the_next_day_sends_again(app, inbox, make_user,
                                                                             make_debrief):
    d = make_debrief("monitoring")
    owner = make_user("owner", "member", email="owner@force.example")
    make_user("wg", "working_group", email="wg@force.example")
    add_action(app, d, 1, owner_user=owner, due_on=ON - timedelta(days=1))

    first = run(app)
    assert first.exit_code == 0 and "1 owner digest sent, 1 escalation digest sent, 0 skipped" in first.output
    assert sorted(r for r, _, _ in received(inbox)) == ["owner@force.example", "wg@force.example"]

    second = run(app)
    assert second.exit_code == 0, second.output
    assert "0 owner digests sent, 0 escalation digests sent, 2 skipped (already sent), 0 failed." in second.output
    assert len(inbox) == 2

    next_day = run(app, ON + timedelta(days=1))
    assert next_day.exit_code == 0
    assert "1 owner digest sent, 0 escalation digests sent, 1 skipped (already sent)" in next_day.output
    assert len(inbox) == 3
    (recipient, _, body) = received(inbox)[-1]
    assert recipient == "owner@force.example" and "2 days overdue" in body
    assert sorted((c.kind, c.period) for c in claims(app)) == [
        ("escalation", "2026-W48"), ("owner", "2026-11-24"), ("owner", "2026-11-25")]


def test_runs_at_the_same_moment_send_each_digest_exactly_once(app, inbox, make_user, make_debrief):
    from app.actions.reminders import send_reminders

    d = make_debrief("monitoring")
    for n in range(1, 6):
        owner = make_user(f"owner{n}", "member", email=f"owner{n}@force.example")
        add_action(app, d, n, owner_user=owner, due_on=ON - timedelta(days=n))
    for n in (1, 2):
        make_user(f"wg{n}", "working_group", email=f"wg{n}@force.example")
    runs = 4
    barrier = threading.Barrier(runs)
    summaries = []

    def work(_n):
        with app.app_context():
            barrier.wait(timeout=30)
            summaries.append(send_reminders(ON))
            db.session.remove()

    assert run_in_threads(runs, work) == []
    mail = by_recipient(inbox)
    assert sorted(mail) == sorted([f"owner{n}@force.example" for n in range(1, 6)]
                                  + ["wg1@force.example", "wg2@force.example"])
    assert sum(s.owner_sent for s in summaries) == 5 and sum(s.escalation_sent for s in summaries) == 2
    assert sum(s.skipped for s in summaries) == 7 * (runs - 1) and sum(s.failed for s in summaries) == 0
    assert len(claims(app)) == 7 and all(c.sent_at is not None for c in claims(app))


# ---- what a message may carry ------------------------------------------------------

def test_no_names_or_narrative_in_any_message(app, inbox, make_user, make_debrief):
    d = make_debrief("monitoring", title="Zebulon Crescent stabbing", summary="Zebulon Quarrington was found")
    owner = make_user("zq", "member", full_name="Zebulon Quarrington", email="zq1@force.example")
    make_user("wq", "working_group", full_name="Wilhelmina Zebulon", email="wz2@force.example")
    team = team_id(app, "Zebulon Outreach Team", email="outreach3@force.example")
    add_action(app, d, 1, owner_user=owner, due_on=ON - timedelta(days=5),
               what="Brief Zebulon Quarrington's neighbours on referral routes")
    add_action(app, d, 2, owner_team=team, due_on=ON + timedelta(days=3), what="Zebulon outreach leaflet")
    add_action(app, d, 3, owner_team=team, due_on=ON - timedelta(days=120), what="Zebulon training day")

    assert run(app).exit_code == 0
    got = received(inbox)
    assert sorted(r for r, _, _ in got) == ["outreach3@force.example", "wz2@force.example", "zq1@force.example"]
    for _, subject, body in got:
        for text in (subject, body):
            for word in ("zebulon", "quarrington", "wilhelmina", "crescent", "stabbing", "outreach team",
                         "neighbours", "leaflet", "training day", "builder"):
                assert word not in text.lower(), (word, text)
        assert ref(app, d, 1) in body or ref(app, d, 2) in body


def test_every_subject_and_body_carries_the_marking(app, inbox, make_user, make_debrief):
    app.config.update(MARKING="OFFICIAL-SENSITIVE PERSONAL")
    d = make_debrief("monitoring")
    owner = make_user("owner", "member", email="owner@force.example")
    make_user("wg", "working_group", email="wg@force.example")
    add_action(app, d, 1, owner_user=owner, due_on=ON - timedelta(days=1))

    assert run(app).exit_code == 0
    got = received(inbox)
    assert len(got) == 2
    for _, subject, body in got:
        assert subject.startswith("OFFICIAL-SENSITIVE PERSONAL: ")
        assert body.rstrip().endswith(app.config["HANDLING_LINE"])
        assert "OFFICIAL-SENSITIVE PERSONAL." in body


# ---- the working group's weekly escalation --------------------------------------------

def test_the_escalation_goes_once_a_week_to_the_working_group_with_age_bands(app, inbox, make_user,
                                                                           make_debrief):
    d = make_debrief("monitoring")
    make_user("wg1", "working_group", email="WG.One@force.example")
    make_user("wg2", "working_group", "reviewer", email="wg2@force.example")
    make_user("wg3", "working_group")  # no address
    deactivate(app, make_user("wg4", "working_group", email="wg4@force.example"))
    make_user("rev", "reviewer", email="rev@force.example")
    make_user("board", "board", email="board@force.example")
    team = team_id(app, "Quiet team")  # no address: no owner digests to get in the way
    for n, days in enumerate((1, 30, 31, 90, 91, 200), start=1):
        add_action(app, d, n, owner_team=team, due_on=ON - timedelta(days=days))
    add_action(app, d, 7, owner_team=team, due_on=ON + timedelta(days=3))  # due soon, not overdue
    add_action(app, d, 8, owner_team=team, due_on=ON - timedelta(days=10), status="completed")
    add_action(app, d, 9, owner_team=team, due_on=ON - timedelta(days=10), status="closed")
    extended = add_action(app, d, 10, owner_team=team, due_on=ON + timedelta(days=1), status="in_progress")
    with app.app_context():
        for decision in ("pending", "approved", "refused"):
            db.session.add(Extension(action_id=extended, old_due=ON, new_due=ON + timedelta(days=30),
                                     reason="More time", decision=decision))
        db.session.commit()

    result = run(app)
    assert result.exit_code == 0, result.output
    assert "0 owner digests sent, 2 escalation digests sent, 0 skipped" in result.output
    mail = by_recipient(inbox)
    assert sorted(mail) == ["wg.one@force.example", "wg2@force.example"]
    subject, body = mail["wg.one@force.example"]
    assert mail["wg2@force.example"][1] == body
    assert subject.startswith(app.config["MARKING"] + ": ") and "2026-W48" in subject
    assert "6 overdue, 1 awaiting sign-off, 1 extension request" in subject
    assert "Overdue actions: 6" in body
    assert "Completed actions awaiting sign-off: 1" in body
    assert "Extension requests awaiting a decision: 1" in body
    assert f"Meeting pack: {BASE}/actions/pack" in body
    bands = {"Overdue 0 to 30 days (2)": (1, 2), "Overdue 31 to 90 days (2)": (3, 4),
             "Overdue more than 90 days (2)": (5, 6)}
    for heading, numbers in bands.items():
        part = section(body, heading)
        for n in range(1, 11):
            assert (ref(app, d, n) in part) == (n in numbers), (heading, n)
    assert f"{ref(app, d, 1)}: due 23 Nov 2026, open, 1 day overdue." in section(body, "Overdue 0 to 30")
    assert f"{ref(app, d, 6)}: due " in body and "200 days overdue" in section(body, "Overdue more than 90")

    # The rest of the ISO week: nothing more. The Monday after: the next week's escalation.
    for later in (ON + timedelta(days=1), ON + timedelta(days=5)):
        again = run(app, later)
        assert again.exit_code == 0 and "2 skipped (already sent)" in again.output
    assert len(inbox) == 2
    monday = run(app, date(2026, 11, 30))
    assert monday.exit_code == 0 and "2 escalation digests sent" in monday.output
    assert len(inbox) == 4 and "2026-W49" in received(inbox)[-1][1]
    assert sorted({c.period for c in claims(app)}) == ["2026-W48", "2026-W49"]


def test_no_escalation_when_there_is_nothing_to_raise(app, inbox, make_user, make_debrief):
    d = make_debrief("monitoring")
    make_user("wg", "working_group", email="wg@force.example")
    add_action(app, d, 1, owner_team=team_id(app, "Quiet team"), due_on=ON + timedelta(days=20))
    result = run(app)
    assert result.exit_code == 0 and "0 escalation digests sent" in result.output
    assert inbox == [] and claims(app) == []


def test_a_long_band_lists_fifty_and_links_to_the_rest(app, inbox, make_user, make_debrief):
    d = make_debrief("monitoring")
    make_user("wg", "working_group", email="wg@force.example")
    team = team_id(app, "Busy team")
    with app.app_context():
        db.session.add_all(Action(debrief_id=d, number=n, what="x", owner_team_id=team, priority="low", scope="force",
                                  due_on=ON - timedelta(days=40), status="open") for n in range(1, 56))
        db.session.commit()
    assert run(app).exit_code == 0
    (_, body), = by_recipient(inbox).values()
    part = section(body, "Overdue 31 to 90 days (55)")
    assert part.count(f"{BASE}/actions/") == 50  # one link per listed action
    assert part.splitlines()[-1] == f"- and 5 more: {BASE}/actions?age=31-90"


# ---- failures and configuration -------------------------------------------------------

def test_a_failed_send_leaves_no_claim_and_the_next_run_sends(app, inbox, smtp_server, make_user, make_debrief):
    controller, _ = smtp_server
    d = make_debrief("monitoring")
    owner = make_user("owner", "member", email="owner@force.example")
    add_action(app, d, 1, owner_user=owner, due_on=ON)
    app.config.update(SMTP_PORT=free_port())  # nothing listens there

    failed = run(app)
    assert failed.exit_code == 1
    assert "0 owner digests sent, 0 escalation digests sent, 0 skipped (already sent), 1 failed." in failed.output
    assert "Could not send the owner digest for 2026-11-24" in failed.output
    assert "owner@force.example" not in failed.output
    assert claims(app) == [] and inbox == []

    app.config.update(SMTP_PORT=controller.port)
    retried = run(app)
    assert retried.exit_code == 0 and "1 owner digest sent" in retried.output
    assert [r for r, _, _ in received(inbox)] == ["owner@force.example"]
    assert [c.sent_at is not None for c in claims(app)] == [True]
    with app.app_context():
        rows = db.session.scalars(sa.select(AuditEvent.recipient).where(AuditEvent.action == "reminders.send")
                                  .order_by(AuditEvent.id)).all()
    assert rows == ["0 addresses by email", "1 address by email"]


def test_without_smtp_host_nothing_is_claimed_or_sent(app, inbox, make_user, make_debrief):
    d = make_debrief("monitoring")
    owner = make_user("owner", "member", email="owner@force.example")
    add_action(app, d, 1, owner_user=owner, due_on=ON)
    app.config.update(SMTP_HOST="")

    result = run(app)
    assert result.exit_code == 0
    assert "nothing sent, because SMTP_HOST is not set" in result.output
    assert "digest" not in result.output
    assert claims(app) == [] and inbox == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "reminders.send")) == 0


def test_a_dry_run_shows_what_would_go_and_claims_nothing(app, inbox, make_user, make_debrief):
    d = make_debrief("monitoring")
    owner = make_user("owner", "member", email="owner@force.example")
    make_user("wg", "working_group", email="wg@force.example")
    add_action(app, d, 1, owner_user=owner, due_on=ON - timedelta(days=3))

    dry = run(app, ON, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "Would send the owner digest for 2026-11-24 to owner@force.example" in dry.output
    assert "Would send the escalation digest for 2026-W48 to wg@force.example" in dry.output
    assert ref(app, d, 1) in dry.output and "3 days overdue" in dry.output
    assert "1 owner digest and 1 escalation digest would be sent, 0 skipped" in dry.output
    assert inbox == [] and claims(app) == []

    assert run(app).exit_code == 0 and len(inbox) == 2
    dry = run(app, ON, "--dry-run")
    assert "0 owner digests and 0 escalation digests would be sent, 2 skipped (already sent)" in dry.output
    assert len(inbox) == 2 and len(claims(app)) == 2


def test_the_number_of_queries_does_not_grow_with_owners_or_actions(app, make_user, make_debrief):
    from app.actions.reminders import escalation_digests, owner_digests

    d = make_debrief("monitoring")
    make_user("wg", "working_group", email="wg@force.example")

    def add_owners(start, count):
        for n in range(start, start + count):
            owner = make_user(f"owner{n}", "member", email=f"owner{n}@force.example")
            add_action(app, d, n * 2, owner_user=owner, due_on=ON - timedelta(days=n))
            add_action(app, d, n * 2 + 1, owner_team=team_id(app, f"Team {n}", email=f"team{n}@force.example"),
                       due_on=ON + timedelta(days=1))

    def queries() -> tuple[int, int]:
        seen = []
        with app.app_context():
            engine = db.engine

            def count(*_args):
                seen.append(1)

            sa.event.listen(engine, "before_cursor_execute", count)
            try:
                digests = owner_digests(ON) + escalation_digests(ON)
            finally:
                sa.event.remove(engine, "before_cursor_execute", count)
            db.session.remove()
        return len(seen), len(digests)

    add_owners(1, 2)
    few, digests = queries()
    assert digests == 5
    add_owners(3, 10)
    many, digests = queries()
    assert digests == 25 and many == few
