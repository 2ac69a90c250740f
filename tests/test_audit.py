"""The audit log: one row per kind of operation, append-only, same transaction, auditor-only."""
from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from app import audit
from app.extensions import db
from app.models import Agency, AuditEvent, Operation, User
from tests.conftest import login


def events(app, **where):
    with app.app_context():
        stmt = sa.select(AuditEvent).order_by(AuditEvent.id)
        for k, v in where.items():
            stmt = stmt.where(getattr(AuditEvent, k) == v)
        rows = db.session.scalars(stmt).all()
        db.session.expunge_all()
        return rows


def test_collection_alteration_and_consultation_through_the_admin_pages(app, client, signed_in):
    signed_in("admin", username="boss")
    r = client.post_form("/admin/users/new", {
        "username": "carol", "full_name": "Carol Secretname", "email": "carol@example.org",
        "roles": ["reviewer"], "agency_id": "0", "new_password": "a long enough passphrase",
        "confirm": "a long enough passphrase"})
    assert r.status_code == 302, r.get_data(as_text=True)
    carol = int(r.headers["Location"].rsplit("/", 1)[1])

    (created,) = events(app, operation="collection", object_id=str(carol))
    assert created.object_type == "user_account" and created.object_id == str(carol)
    assert "full_name" in created.fields and created.user.username == "boss"

    page = client.get(f"/admin/users/{carol}")
    assert page.status_code == 200
    viewed = events(app, operation="consultation", action="user.view")
    assert [e.object_id for e in viewed] == [str(carol)]

    version = _version(app, carol)
    r = client.post_form(f"/admin/users/{carol}", {
        "full_name": "Carol Othername", "email": "carol@example.org", "roles": ["reviewer", "member"],
        "agency_id": "0", "version": str(version)}, token_from=f"/admin/users/{carol}")
    assert r.status_code == 302
    (changed,) = events(app, operation="alteration")
    assert changed.fields == "full_name,roles"
    # Field names only: no value, old or new, is ever written to the log.
    for e in events(app):
        blob = " ".join(str(getattr(e, c.key) or "") for c in AuditEvent.__table__.columns)
        assert "Secretname" not in blob and "Othername" not in blob and "carol@" not in blob


def _version(app, user_id):
    with app.app_context():
        return db.session.get(User, user_id).version


def test_disclosure_names_its_recipient(app, client, signed_in):
    signed_in("auditor")
    r = client.post_form("/audit/export", {"recipient": "Information Commissioner's Office",
                                            "reason": "Request under s.62"}, token_from="/audit/")
    assert r.status_code == 200
    assert r.headers["Content-Disposition"].startswith("attachment;")
    (disclosed,) = events(app, operation="disclosure")
    assert disclosed.recipient == "Information Commissioner's Office"
    assert disclosed.reason == "Request under s.62"
    assert disclosed.object_type == "audit_event"


def test_export_without_recipient_is_refused_beside_the_field(app, client, signed_in):
    signed_in("auditor")
    r = client.post_form("/audit/export", {"recipient": "", "reason": ""}, token_from="/audit/")
    assert r.status_code == 422
    assert "Say who the export is for." in r.get_data(as_text=True)
    assert events(app, operation="disclosure") == []


def test_export_is_marked_and_formula_safe(app, client, signed_in):
    signed_in("auditor")
    with app.test_request_context():
        audit.security("login.failure", reason="=HYPERLINK(\"http://x\")")
        db.session.commit()
    r = client.post_form("/audit/export", {"recipient": "DPO", "reason": "check"}, token_from="/audit/")
    text = r.get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == app.config["MARKING"] and rows[-1][0] == app.config["MARKING"]
    cells = [c for row in rows for c in row]
    assert "'=HYPERLINK(\"http://x\")" in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)


def test_combination_and_erasure_recorded_in_the_same_transaction(app):
    with app.test_request_context():
        agency = Agency(name="Youth Offending Service")
        db.session.add(agency)
        db.session.flush()
        audit.combination("agency", agency.id, ["name"], action="agency.import")
        db.session.commit()
        agency_id = agency.id
        db.session.delete(agency)
        audit.erasure("agency", agency_id, ["name"])
        db.session.commit()
    assert [e.action for e in events(app, operation="combination")] == ["agency.import"]
    assert [e.action for e in events(app, operation="erasure")] == ["agency.erase"]


def test_a_rolled_back_change_leaves_no_audit_row(app):
    with app.test_request_context():
        db.session.add(Agency(name="Never saved"))
        audit.collection("agency", None, ["name"])
        db.session.rollback()
    assert events(app, operation="collection") == []
    with app.app_context():
        assert db.session.scalar(sa.select(Agency).where(Agency.name == "Never saved")) is None


def test_a_failing_change_takes_its_audit_row_with_it(app):
    """The change and its audit row commit together or not at all."""
    with app.test_request_context():
        db.session.add(Agency(name="Police"))  # duplicate name: the commit fails
        audit.collection("agency", None, ["name"])
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()
    assert events(app, operation="collection") == []


def test_security_events(app, client, new_client, make_user):
    make_user("alice", "reviewer")
    login(client, "wrong-user", "whatever whatever")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        login(new_client(), "alice", "bad bad bad bad")
    c = new_client()
    make_user("bob", "member")
    login(c, "bob")
    c.get("/admin/users")  # permission denied
    c.get("/admin/users/1")  # denied by role before the object is looked at
    c.post("/logout")  # no CSRF token
    c.post_form("/logout", token_from="/")
    actions = [e.action for e in events(app, operation="security")]
    for expected in ("login.failure", "login.lockout", "login.success", "access.denied", "csrf.failure", "logout"):
        assert expected in actions, expected
    denied = events(app, action="access.denied")[0]
    assert denied.object_id == "admin.users" and denied.user.username == "bob"
    missing = [(e.action, e.request_id, e.client_addr) for e in events(app, operation="security")
               if not (e.request_id and e.client_addr)]
    assert not missing


def test_failed_login_for_unknown_name_does_not_store_the_typed_name(app, client):
    login(client, "p4ssw0rd-typed-in-the-wrong-box", "x" * 14)
    (e,) = events(app, action="login.failure")
    assert e.user_id is None and e.object_id is None
    assert "p4ssw0rd" not in " ".join(str(getattr(e, c.key) or "") for c in AuditEvent.__table__.columns)


@pytest.mark.parametrize("statement", [
    "UPDATE audit_event SET action = 'forged'",
    "DELETE FROM audit_event",
])
def test_the_database_refuses_to_change_or_delete_audit_rows(app, statement):
    with app.test_request_context():
        audit.security("login.failure")
        db.session.commit()
        with pytest.raises(sa.exc.DatabaseError):
            db.session.execute(sa.text(statement))
            db.session.commit()
        db.session.rollback()
        assert db.session.scalar(sa.select(AuditEvent.action)) == "login.failure"


def test_audit_rejects_values_in_place_of_field_names(app):
    with app.test_request_context():
        with pytest.raises(ValueError):
            audit.alteration("user_account", 1, ["Alice Example"])
        with pytest.raises(ValueError):
            audit.disclosure("user_account", 1, recipient="")


# ---- the auditor's page ---------------------------------------------------------

def test_only_auditors_can_read_the_log(client, signed_in):
    signed_in("admin", "reviewer", "board", "working_group", "member")
    assert client.get("/audit/").status_code == 403
    r = client.post_form("/audit/export", {"recipient": "x", "reason": "y"}, token_from="/")
    assert r.status_code == 403


def test_reading_the_log_is_itself_logged(app, client, signed_in):
    signed_in("auditor")
    client.get("/audit/")
    client.get("/audit/?operation=security", headers={"HX-Request": "true"})
    assert [e.action for e in events(app, operation="consultation")] == ["audit.view", "audit.view"]


def test_filters_by_user_operation_object_and_date(app, client, signed_in, make_user):
    make_user("alice", "reviewer")
    login(client, "alice")
    client.post_form("/logout", token_from="/")
    signed_in("auditor", username="dpo")
    html = client.get("/audit/?user=alice&operation=security").get_data(as_text=True)
    assert "login.success" in html and "logout" in html and "audit.view" not in html
    html = client.get("/audit/?operation=consultation").get_data(as_text=True)
    assert "audit.view" in html and "login.success" not in html
    uid = events(app, action="login.success")[0].object_id
    html = client.get(f"/audit/?object_type=user_account&object_id={uid}").get_data(as_text=True)
    assert "login.success" in html
    assert "0 entries" in client.get("/audit/?date_to=2000-01-01").get_data(as_text=True)
    bad = client.get("/audit/?date_from=2026-02-01&date_to=2026-01-01")
    assert bad.status_code == 422 and "The end date is before the start date." in bad.get_data(as_text=True)


def test_operation_values_match_the_law():
    assert {o.value for o in Operation} == {"collection", "alteration", "consultation", "disclosure",
                                            "combination", "erasure", "security"}
