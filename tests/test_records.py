"""Records management: retention categories and reviews, legal holds, and disposal that erases personal data
for good while the anonymised learning and the board's figures survive, on both databases."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from app.extensions import db
from app.models import AuditEvent, Debrief, Disposal, LegalHold, Retention, RetentionReview, User
from tests.conftest import login

NAME = "Zebedee Quorncastle"
PLANTED = re.compile(r"zebedee|quorncastle|larkspur|900123|ZQ-55120|1979-03-02|02/03/1979", re.IGNORECASE)


def _users(app, *names):
    with app.app_context():
        found = {u.username: u.id for u in db.session.scalars(sa.select(User).where(User.username.in_(names)))}
        db.session.remove()
        return found


def _actor(username: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == username))


# ---- categories, reviews, holds ------------------------------------------------------------------------

def test_a_new_referral_gets_its_category_and_first_review_date(app, make_debrief):
    homicide = make_debrief()
    declined = make_debrief(category="near_miss", decision="declined")
    near_miss = make_debrief(category="near_miss")
    with app.app_context():
        rows = {r.debrief_id: (r.category.name, r.review_on, r.debrief.dmm_date)
                for r in db.session.scalars(sa.select(Retention))}
    name, review_on, dmm = rows[homicide]
    assert name == "Homicide: MoPI group 1" and review_on == dmm + relativedelta(years=10)
    assert rows[near_miss][0] == "Near miss: MoPI group 2"
    name, review_on, dmm = rows[declined]
    assert name == "Referral not progressed" and review_on == dmm + relativedelta(years=6)


def test_retaining_needs_a_rationale_and_a_later_review_date(app, client, signed_in, make_debrief):
    debrief_id = make_debrief("closed")
    signed_in("reviewer", username="rita")
    page = client.get(f"/debriefs/{debrief_id}/retention")
    assert page.status_code == 200 and "Record the review" in page.get_data(as_text=True)
    with app.app_context():
        version = db.session.get(Retention, debrief_id).version
    r = client.post_form(f"/debriefs/{debrief_id}/retention/review",
                         {"decision": "retain", "rationale": "", "next_review_on": "", "version": str(version)},
                         token_from=f"/debriefs/{debrief_id}/retention")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "rationale" in html and "Give the date of the next review." in html
    next_review = date.today() + timedelta(days=730)
    r = client.post_form(f"/debriefs/{debrief_id}/retention/review",
                         {"decision": "retain", "rationale": "Inquest outcome still shapes force policy.",
                          "next_review_on": next_review.isoformat(), "version": str(version)},
                         token_from=f"/debriefs/{debrief_id}/retention")
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Retention, debrief_id).review_on == next_review
        (review,) = db.session.scalars(sa.select(RetentionReview)).all()
        assert review.decision == "retain" and review.next_review_on == next_review
        logged = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "retention.retain"))
        assert logged.fields == "decision,next_review_on,rationale"
    # A stale form (the version moved on) is a conflict that keeps the typed rationale.
    r = client.post_form(f"/debriefs/{debrief_id}/retention/review",
                         {"decision": "retain", "rationale": "My typed words", "version": str(version),
                          "next_review_on": next_review.isoformat()}, token_from=f"/debriefs/{debrief_id}/retention")
    assert r.status_code == 409 and "My typed words" in r.get_data(as_text=True)


def test_a_legal_hold_blocks_disposal_until_it_is_released(app, make_debrief, make_user):
    from app.records import services

    debrief_id = make_debrief("closed")
    make_user("rita", "reviewer")
    make_user("sam", "reviewer")
    with app.test_request_context():
        d = db.session.get(Debrief, debrief_id)
        proposal = services.record_review(d, "dispose", "No longer needed.", None, d.retention.version,
                                          _actor("rita"), date.today())
        hold = services.place_hold(d, "trial", "Retrial listed", date.today() + timedelta(days=90), _actor("rita"))
        # The hold withdrew the waiting proposal, and a new one is refused while it is in force.
        assert db.session.get(Disposal, proposal.id).withdrawn_at is not None
        with pytest.raises(services.Refused, match="legal hold"):
            services.record_review(d, "dispose", "Again.", None, d.retention.version, _actor("rita"), date.today())
        services.release_hold(db.session.get(LegalHold, hold.id), "Retrial concluded.", _actor("sam"))
        again = services.record_review(d, "dispose", "Again.", None, d.retention.version, _actor("rita"),
                                       date.today())
        # A hold placed now, between proposal and confirmation, stops the confirmation too.
        services.place_hold(d, "inquest", None, None, _actor("sam"))
        with pytest.raises(services.Refused):
            services.confirm(db.session.get(Disposal, again.id), d.reference, _actor("sam"))
        assert db.session.get(Retention, debrief_id).disposed_at is None


def test_disposal_needs_a_second_person(app, client, new_client, signed_in, make_debrief, make_user):
    from app.records import services

    debrief_id = make_debrief("closed")
    make_user("rita", "reviewer")
    with app.test_request_context():
        d = db.session.get(Debrief, debrief_id)
        proposal = services.record_review(d, "dispose", "Past its use.", None, d.retention.version, _actor("rita"),
                                          date.today())
        with pytest.raises(services.Refused, match="second person"):
            services.confirm(proposal, d.reference, _actor("rita"))
        reference = d.reference
        proposal_id = proposal.id
    # Members, the working group and the board cannot confirm at all; an administrator can, from the queue.
    signed_in("member", "working_group", "board")
    token = client.csrf_token("/account")
    r = client.post(f"/retention/disposals/{proposal_id}/confirm", data={"csrf_token": token, "reference": reference})
    assert r.status_code == 403
    make_user("ada", "admin")
    client = new_client()
    login(client, "ada")
    queue = client.get("/retention?show=disposal").get_data(as_text=True)
    assert reference in queue and f"Type {reference} to confirm disposal" in queue
    token = client.csrf_token("/retention?show=disposal")
    r = client.post(f"/retention/disposals/{proposal_id}/confirm",
                    data={"csrf_token": token, "reference": "HPD-WRONG", "from": "queue"})
    assert r.status_code == 422 and f"Type the reference {reference} to confirm." in r.get_data(as_text=True)
    r = client.post(f"/retention/disposals/{proposal_id}/confirm",
                    data={"csrf_token": token, "reference": reference.lower(), "from": "queue"})
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Retention, debrief_id).disposed_at is not None
        disposal = db.session.get(Disposal, proposal_id)
        assert disposal.confirmed_by.username == "ada" and disposal.proposed_by.username == "rita"


def test_the_queue_lists_reviews_due_and_holds(app, client, signed_in, make_debrief):
    due = make_debrief("closed")
    later = make_debrief("closed")
    with app.app_context():
        db.session.get(Retention, due).review_on = date.today() - timedelta(days=3)
        db.session.commit()
    signed_in("auditor")
    html = client.get("/retention").get_data(as_text=True)
    with app.app_context():
        due_ref, later_ref = (db.session.get(Debrief, i).reference for i in (due, later))
    assert due_ref in html and later_ref not in html and "Due" in html
    with app.app_context():
        shown = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "retention.queue"))
        assert shown.reason == "due: 1 debrief"
    # The auditor reads the queue but cannot open a debrief's records page or change anything.
    assert client.get(f"/debriefs/{due}/retention").status_code == 403


# ---- disposal erases, and keeps what the board needs -------------------------------------------------------

def _figures(app):
    from app import process_settings
    from app.governance import dashboard
    from app.governance.cohorts import Scope
    from app.governance.periods import custom

    with app.test_request_context():
        figs = dashboard.compute(Scope(custom(date.today() - timedelta(days=3650), date.today())),
                                 process_settings.current(), date.today())
        out = {k: f(figs) for k, f in dashboard.TABLES.items()}
        db.session.remove()
        return out


def _case_rows(d: Debrief) -> dict[str, object]:
    """Every table row that belongs to the debrief, by how it is linked."""
    from app.models import Action, LearningDocument, Meeting, Parameters

    meeting = sa.select(Meeting.id).where(Meeting.debrief_id == d.id)
    action = sa.select(Action.id).where(Action.debrief_id == d.id)
    parameters = sa.select(Parameters.id).where(Parameters.debrief_id == d.id)
    document = sa.select(LearningDocument.id).where(LearningDocument.debrief_id == d.id)
    links = {"debrief_id": d.id, "meeting_id": meeting, "action_id": action, "parameters_id": parameters,
             "document_id": document}
    out = {}
    for table in db.metadata.sorted_tables:
        if table.name == "debrief":
            out[table.name] = table.c.id == d.id
            continue
        for column, value in links.items():
            if column in table.c:
                out[table.name] = table.c[column] == value if isinstance(value, int) else table.c[column].in_(value)
                break
    return out


def _plant(d: Debrief) -> None:
    """Type the subject's name into every case-text column of every row of this case."""
    from app.disclosure import case_text_columns

    for name, where in _case_rows(d).items():
        table = db.metadata.tables[name]
        if name == "subject":
            continue
        values = {c.name: f"{NAME} of 7 Larkspur Mews"[: c.type.length or 100] for c in case_text_columns(table)
                  if (c.type.length or 100) >= len(NAME)}
        if values:
            db.session.execute(table.update().where(where).values(**values))
    db.session.execute(sa.update(Debrief).where(Debrief.id == d.id).values(occurrence_ref="ZQ-55120"))


def _everything_left() -> list[tuple[str, str]]:
    """Every planted identifier in any column of any table, Word files opened."""
    found = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)).mappings():
            for column, value in row.items():
                if isinstance(value, bytes) and value[:2] == b"PK":
                    with zipfile.ZipFile(io.BytesIO(value)) as z:
                        value = " ".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
                elif isinstance(value, bytes):
                    value = value.decode("utf-8", "replace")
                if value is not None and PLANTED.search(str(value)):
                    found.append((f"{table.name}.{column}", PLANTED.search(str(value)).group(0)))
    return found


def test_disposal_leaves_no_planted_identifier_anywhere_and_the_figures_unchanged(app, make_user):
    from app import demo
    from app.actions import services as actions
    from app.learning import services as learning
    from app.models import Action, SubjectRole
    from app.records import services
    from app.scoping import services as scoping

    with app.test_request_context():
        demo.seed()
        demo.seed_debriefs()
        d = db.session.scalar(sa.select(Debrief).where(Debrief.stage == "monitoring"))
        scoping.add_subject(d, role=SubjectRole.VICTIM, real_name=NAME, date_of_birth=date(1979, 3, 2),
                            aliases="Zeb Q\nQuorny", address="7 Larkspur Mews", phone="07700 900123")
        debrief_id, reference = d.id, d.reference
        from app.models import ChronologyEntry, MeetingNote

        entry = db.session.scalar(sa.select(ChronologyEntry.id).where(ChronologyEntry.debrief_id == d.id))
        db.session.add(MeetingNote(meeting_id=d.meeting.id, entry_id=entry, expected="x", happened="x",
                                   why_different="x", learned="x"))
        db.session.flush()
        _plant(d)
        db.session.commit()
        d = db.session.get(Debrief, debrief_id)
        learning.issue_document(d, {"plan": f"Brief {NAME}'s family first", "summary": f"{NAME} was not asked.",
                                     "approved_by": "Head of Public Protection", "distribution": "Board"},
                                 _actor("reviewer"))
        for action in db.session.scalars(sa.select(Action).where(Action.debrief_id == debrief_id,
                                                                 Action.status.in_(services.UNFINISHED))):
            actions.not_doing(action, _actor("reviewer"), version=action.version, rationale="Superseded.")
        left = _everything_left()
        assert {t for t, _ in left} >= {"subject.real_name", "chronology_entry.summary", "learning_point.statement",
                                        "action.what", "meeting_note.happened", "learning_document.internal_docx",
                                        "debrief.summary", "debrief.occurrence_ref", "parameters.key_questions"}
        db.session.remove()
    before = _figures(app)
    make_user("second", "reviewer")
    with app.test_request_context():
        d = db.session.get(Debrief, debrief_id)
        proposal = services.record_review(d, "dispose", f"{NAME}'s case: no further purpose", None,
                                          d.retention.version, _actor("reviewer"), date.today())
        people = len(d.subjects)
        counts = services.confirm(proposal, reference, _actor("second"))
        assert counts["subject.*"] == people >= 1 and counts["chronology_entry.summary"] > 0
        left = _everything_left()
        assert left == [], sorted(set(left))
        d = db.session.get(Debrief, debrief_id)
        assert d.title.startswith("Disposed record") and d.learning_points and d.actions
        assert all("Adult" in p.statement or "Victim" in p.statement or p.statement for p in d.learning_points)
        # Erasure is logged by table, with field names and counts of rows, never content.
        erased = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.operation == "erasure")).all()
        assert {e.object_type for e in erased} >= {"subject", "chronology_entry", "meeting_note", "learning_document"}
        assert all(e.object_id == str(debrief_id) and not PLANTED.search(f"{e.fields} {e.reason}") for e in erased)
        assert next(e for e in erased if e.object_type == "subject").reason == f"whole_row: {people} rows"
        db.session.remove()
    assert _figures(app) == before


def test_the_debrief_page_and_card_show_a_hold(app, client, signed_in, make_debrief):
    from app.records import services

    debrief_id = make_debrief("chronology")
    signed_in("reviewer", username="rita")
    with app.test_request_context():
        services.place_hold(db.session.get(Debrief, debrief_id), "inquest", None, date.today() + timedelta(days=60),
                            _actor("rita"))
    page = client.get(f"/debriefs/{debrief_id}").get_data(as_text=True)
    assert "Legal hold" in page and "Inquest" in page
    board = client.get("/board").get_data(as_text=True)
    card = board[board.index(f'id="card-{debrief_id}"'):][:1500]
    assert "Legal hold" in card


# ---- cross-case person search --------------------------------------------------------------------------

def test_a_reviewer_finds_a_person_across_debriefs_and_the_search_is_logged_without_what_was_typed(
        app, client, signed_in, make_debrief):
    from app.models import SubjectRole
    from app.scoping import services as scoping

    earlier, later, unrelated = make_debrief("closed"), make_debrief("chronology"), make_debrief("scoping")
    with app.test_request_context():
        for debrief_id, name, aliases in ((earlier, "Hans Weiß", "Hansi"), (later, "HANS WEISS", None),
                                          (unrelated, "Hanna Weston", None)):
            scoping.add_subject(db.session.get(Debrief, debrief_id), role=SubjectRole.SUSPECT, real_name=name,
                                date_of_birth=date(1980, 5, 6) if debrief_id != unrelated else None,
                                aliases=aliases)
        refs = {i: db.session.get(Debrief, i).reference for i in (earlier, later, unrelated)}
        db.session.remove()
    signed_in("reviewer")
    html = client.get("/people?name=hans+weiss").get_data(as_text=True)
    assert "2 people found" in html and refs[earlier] in html and refs[later] in html
    assert refs[unrelated] not in html
    html = client.get("/people?name=hansi").get_data(as_text=True)
    assert "1 person found" in html and "other name" in html
    html = client.get("/people?date_of_birth=1980-05-06").get_data(as_text=True)
    assert "2 people found" in html
    r = client.get("/people?name=&date_of_birth=")
    assert r.status_code == 422 and "Enter a name or a date of birth" in r.get_data(as_text=True)
    with app.app_context():
        searches = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "people.search")
                                      .order_by(AuditEvent.id)).all()
        assert [e.fields for e in searches] == ["name", "name", "date_of_birth"]
        assert all("hans" not in " ".join(str(v) for v in (e.reason, e.fields, e.records)).lower() for e in searches)
        assert len(searches[0].records.split(",")) == 2


def test_only_reviewers_search_for_people(client, signed_in):
    signed_in("member", "partner", "working_group", "board", "auditor", "admin")
    assert client.get("/people?name=x").status_code == 403


# ---- reason for access ---------------------------------------------------------------------------------

def test_with_the_setting_on_a_reason_is_asked_once_per_debrief_and_kept_with_each_read(app, client, signed_in,
                                                                                      make_debrief, make_user):
    from app import process_settings

    first, second = make_debrief("scoping"), make_debrief("scoping")
    signed_in("reviewer", username="rita")
    assert client.get(f"/debriefs/{first}").status_code == 200  # off by default
    with app.test_request_context():
        process_settings.save({"require_access_reason": True}, db.session.scalar(
            sa.select(User).where(User.username == "rita")))
    r = client.get(f"/debriefs/{first}/chronology")
    assert r.status_code == 302 and f"/debriefs/{first}/access-reason" in r.headers["Location"]
    r = client.get(f"/debriefs/{first}/chronology", headers={"HX-Request": "true"})
    assert "/access-reason" in r.headers["HX-Redirect"]
    form = r.headers["HX-Redirect"]
    r = client.post_form(form, {"reason": ""}, token_from=form)
    assert r.status_code == 422 and "Say why you need to see it." in r.get_data(as_text=True)
    r = client.post_form(form, {"reason": "Preparing the debrief meeting", "next": f"/debriefs/{first}/chronology"},
                         token_from=form)
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/debriefs/{first}/chronology")
    assert client.get(f"/debriefs/{first}/chronology").status_code == 200
    assert client.get(f"/debriefs/{first}").status_code == 200
    assert client.get(f"/debriefs/{second}").status_code == 302  # another debrief: asked again
    with app.app_context():
        reads = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.operation == "consultation", AuditEvent.object_id == str(first),
            AuditEvent.action.in_(("chronology.view", "debrief.view")))).all()
        assert [e.reason for e in reads][-2:] == ["reason given: Preparing the debrief meeting"] * 2


def test_an_administrator_keeps_the_retention_schedule(app, client, signed_in, make_debrief):
    from app.models import RetentionCategory

    signed_in("admin", username="ada")
    page = client.get("/admin/retention-schedule").get_data(as_text=True)
    assert "Homicide: MoPI group 1" in page and "Review every (years)" in page
    r = client.post_form("/admin/retention-schedule", {"name": "Serious case review material", "review_years": ""})
    assert r.status_code == 422 and "Say how many years between reviews." in r.get_data(as_text=True)
    r = client.post_form("/admin/retention-schedule", {"name": "Serious case review material", "review_years": "12"})
    assert r.status_code == 302
    with app.app_context():
        added = db.session.scalar(sa.select(RetentionCategory).where(RetentionCategory.name.like("Serious%")))
        assert added.review_years == 12 and added.active and added.default_for is None
        added_id = added.id
    r = client.post_form(f"/admin/retention-schedule/{added_id}",
                         {"name": "Serious case review material", "review_years": "15", "active": "1"},
                         token_from="/admin/retention-schedule")
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(RetentionCategory, added_id).review_years == 15
        logged = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "retention_category.update"))
        assert logged.fields == "review_years"


# ---- a disposed debrief is closed -------------------------------------------------------------------------

def test_a_debrief_with_unfinished_actions_cannot_be_disposed_of(app, make_debrief, make_user):
    from app.learning import services as learning
    from app.records import services

    debrief_id = make_debrief("learning")
    make_user("second", "reviewer")
    with app.test_request_context():
        d = db.session.get(Debrief, debrief_id)
        learning.add_action(d, None, {"what": "Review the call-handling script", "owner_user_id": _actor("second").id,
                                      "due_on": date.today() + timedelta(days=30), "priority": "high",
                                      "scope": "force"})
        d = db.session.get(Debrief, debrief_id)
        with pytest.raises(services.Refused, match="1 action is not finished"):
            services.record_review(d, "dispose", "Past its use.", None, d.retention.version, _actor("builder"),
                                   date.today())
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Disposal)) == 0
        db.session.remove()


def test_a_disposed_debrief_refuses_every_addition_and_change(app, client, signed_in, make_debrief, make_user):
    from app.chronology import services as chronology
    from app.models import ChronologyEntry, Subject, SubjectRole
    from app.records import services
    from app.records.freeze import Closed
    from app.scoping import services as scoping
    from tests.test_chronology import entry_form, post

    debrief_id = make_debrief("chronology")
    make_user("second", "reviewer")
    with app.test_request_context():
        d = db.session.get(Debrief, debrief_id)
        proposal = services.record_review(d, "dispose", "Past its use.", None, d.retention.version,
                                          _actor("builder"), date.today())
        services.confirm(proposal, d.reference, _actor("second"))
        db.session.remove()

    signed_in("reviewer")
    r = post(client, f"/debriefs/{debrief_id}/chronology", entry_form(app, summary="Seen by Zebedee Quorncastle."))
    assert r.status_code == 409
    assert "personal data was disposed of" in r.get_data(as_text=True)
    r = post(client, f"/debriefs/{debrief_id}/chronology", entry_form(app), htmx=False)
    assert r.status_code == 409 and "Nothing can be added to it or changed in it" in r.get_data(as_text=True)
    page = client.get(f"/debriefs/{debrief_id}").get_data(as_text=True)
    assert "This record is closed" in page

    with app.test_request_context():
        d = db.session.get(Debrief, debrief_id)
        with pytest.raises(Closed):
            scoping.add_subject(d, role=SubjectRole.VICTIM, real_name=NAME, date_of_birth=None, aliases=None,
                                address=None, phone=None)
        db.session.rollback()
        d = db.session.get(Debrief, debrief_id)
        with pytest.raises(Closed):
            d.summary = f"{NAME} again"
            db.session.commit()
        db.session.rollback()
        with pytest.raises(Closed):
            chronology.create_entry(db.session.get(Debrief, debrief_id), {
                "entry_date": date(2025, 1, 1), "entry_time": None, "date_precision": "exact",
                "agency_id": None, "contact_type": "other", "summary": NAME, "subject_ids": []}, _actor("builder"))
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ChronologyEntry)
                                 .where(ChronologyEntry.debrief_id == debrief_id)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Subject)
                                 .where(Subject.debrief_id == debrief_id)) == 0
        db.session.remove()


# ---- the weekly records digest -----------------------------------------------------------------------------

def test_the_review_team_gets_a_weekly_records_digest_once(app, smtp_server, make_debrief, make_user):
    from tests.test_reminders import by_recipient

    controller, handler = smtp_server
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, MAIL_FROM="debriefs@force.example")
    make_user("rita", "reviewer", email="Rita@Force.example")
    make_user("wendy", "working_group", email="wendy@force.example")
    due, later = make_debrief("closed", title="Title that must stay out"), make_debrief("closed")
    today = date.today()
    with app.app_context():
        db.session.execute(sa.update(Retention).where(Retention.debrief_id == due)
                           .values(review_on=today - timedelta(days=3)))
        db.session.execute(sa.update(Retention).where(Retention.debrief_id == later)
                           .values(review_on=today + timedelta(days=400)))
        db.session.commit()
        reference = db.session.get(Debrief, due).reference
        db.session.remove()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["retention-digest"])
    assert result.exit_code == 0 and "1 sent" in result.output, result.output
    got = by_recipient(handler.messages)
    assert list(got) == ["rita@force.example"]  # reviewers only
    subject, body = got["rita@force.example"]
    assert "Records to review" in subject and "1 due" in subject
    assert reference in body and "review overdue since" in body and "/retention?show=due" in body
    assert "Title that must stay out" not in body
    again = runner.invoke(args=["retention-digest"])
    assert "0 sent, 1 skipped" in again.output and len(handler.messages) == 1
    with app.app_context():
        row = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "reminders.retention"))
        assert row.recipient == "rita@force.example"
        db.session.remove()
