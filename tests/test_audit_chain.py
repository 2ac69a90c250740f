"""The audit log proves itself: a keyed hash chain catches rows modified, deleted, inserted, reordered or cut
off by someone with direct database access, on both databases, and survives concurrent writers."""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from app import audit, audit_chain
from app.extensions import db
from app.models import AuditChain, AuditEvent
from app.models.audit import SQLITE_TRIGGERS


def _write(app, n: int, action: str = "login.failure") -> None:
    with app.test_request_context():
        for _ in range(n):
            audit.security(action)
            db.session.commit()


def _verify(app, anchors=()):
    with app.app_context():
        verdict = audit_chain.verify(anchors)
        db.session.remove()
        return verdict


def _dba(app, *statements: str) -> None:
    """What a database administrator can do: lift the append-only triggers, change rows, put them back."""
    with app.app_context():
        postgres = db.engine.dialect.name == "postgresql"
        with db.engine.begin() as conn:
            if postgres:
                conn.execute(sa.text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
            else:
                conn.execute(sa.text("DROP TRIGGER audit_event_no_update"))
                conn.execute(sa.text("DROP TRIGGER audit_event_no_delete"))
            for stmt in statements:
                conn.execute(sa.text(stmt))
            if postgres:
                conn.execute(sa.text("ALTER TABLE audit_event ENABLE TRIGGER USER"))
            else:
                for stmt in SQLITE_TRIGGERS:
                    conn.execute(sa.text(stmt))


def _rows(app) -> list[tuple[int, int, str]]:
    with app.app_context():
        return db.session.execute(sa.select(AuditEvent.id, AuditEvent.seq, AuditEvent.chain_hash)
                                  .order_by(AuditEvent.seq)).all()


def test_rows_are_chained_as_they_are_written(app):
    _write(app, 5)
    rows = _rows(app)
    assert [seq for _, seq, _ in rows] == [1, 2, 3, 4, 5]
    assert len({h for _, _, h in rows}) == 5 and all(len(h) == 64 for _, _, h in rows)
    verdict = _verify(app)
    assert verdict.intact and verdict.rows == 5 and verdict.head_seq == 5
    assert verdict.anchor == f"5:{rows[-1][2]}"


def test_a_rolled_back_change_leaves_no_audit_row_and_no_gap(app):
    with app.test_request_context():
        audit.security("login.failure")
        db.session.rollback()
        audit.security("logout")
        db.session.commit()
    with app.app_context():
        assert db.session.execute(sa.select(AuditEvent.seq, AuditEvent.action)).all() == [(1, "logout")]
    assert _verify(app).intact


TAMPERING = {
    "modified": ["UPDATE audit_event SET action = 'login.success' WHERE seq = 3"],
    "deleted": ["DELETE FROM audit_event WHERE seq = 3"],
    "reordered": ["UPDATE audit_event SET seq = -1 WHERE seq = 2", "UPDATE audit_event SET seq = 2 WHERE seq = 4",
                  "UPDATE audit_event SET seq = 4 WHERE seq = -1"],
    # A forged row needs no trigger lifted: INSERT is what the log allows.
    "inserted without a position": [
        "INSERT INTO audit_event (occurred_at, operation, action) VALUES (CURRENT_TIMESTAMP, 'security', 'logout')"],
    "inserted with a made-up hash": [
        "INSERT INTO audit_event (occurred_at, operation, action, seq, chain_hash) VALUES "
        "(CURRENT_TIMESTAMP, 'security', 'logout', 7, '" + "ab" * 32 + "')",
        "UPDATE audit_chain SET seq = 7, head_hash = '" + "ab" * 32 + "'"],
    "newest rows cut off": ["DELETE FROM audit_event WHERE seq > 4"],
}


@pytest.mark.parametrize("how", list(TAMPERING))
def test_tampering_is_detected(app, how):
    _write(app, 6)
    assert _verify(app).intact
    _dba(app, *TAMPERING[how])
    verdict = _verify(app)
    assert not verdict.intact, how
    assert verdict.problems


def test_cutting_off_the_newest_rows_and_rewriting_the_head_is_caught_by_an_anchor(app):
    _write(app, 6)
    anchor = audit_chain.parse_anchor(_verify(app).anchor)
    rows = _rows(app)
    # The careful version: delete the last two rows and set the head to what is now the last row.
    _dba(app, "DELETE FROM audit_event WHERE seq > 4",
         f"UPDATE audit_chain SET seq = 4, head_hash = '{rows[3][2]}'")
    assert _verify(app).intact  # consistent with itself: only something kept outside can tell
    verdict = _verify(app, [anchor])
    assert not verdict.intact
    assert "anchor at position 6 is not in the log" in " ".join(verdict.problems)
    # An anchor of a row that is still there passes.
    assert _verify(app, [(4, rows[3][2])]).intact


def test_postgresql_refuses_truncate_and_a_truncate_past_the_trigger_is_caught(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("TRUNCATE is PostgreSQL's")
    _write(app, 3)
    with app.app_context():
        with pytest.raises(sa.exc.DatabaseError):
            db.session.execute(sa.text("TRUNCATE audit_event"))
            db.session.commit()
        db.session.rollback()
        db.session.remove()
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_truncate"))
        conn.execute(sa.text("TRUNCATE audit_event"))
        conn.execute(sa.text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_truncate"))
    verdict = _verify(app)
    assert not verdict.intact and verdict.rows == 0 and verdict.head_seq == 3


def test_a_row_written_with_another_key_does_not_verify(app):
    _write(app, 2)
    other = app.config["AUDIT_KEY"]
    app.config["AUDIT_KEY"] = "someone else's key, not the force's own"
    try:
        _write(app, 1)
    finally:
        app.config["AUDIT_KEY"] = other
    verdict = _verify(app)
    assert not verdict.intact and "position 3" in verdict.problems[0]


def test_concurrent_writers_keep_one_unbroken_chain(app):
    """Fifty writers at once, each in its own session and transaction (as gunicorn workers are)."""
    errors = []
    start = threading.Barrier(50)

    def writer(k: int) -> None:
        try:
            start.wait(timeout=30)
            _write(app, 2, action="logout")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    verdict = _verify(app)
    assert verdict.intact, verdict.problems
    assert verdict.rows == 100 and verdict.head_seq == 100


def test_audit_verify_command(app):
    _write(app, 3)
    good = app.test_cli_runner().invoke(args=["audit-verify"])
    assert good.exit_code == 0 and "Audit log: 3 rows" in good.output and "Intact" in good.output
    anchor = good.output.strip().rsplit(" ", 1)[1]
    _dba(app, "DELETE FROM audit_event WHERE seq = 2")
    result = app.test_cli_runner().invoke(args=["audit-verify", "--anchor", anchor])
    assert result.exit_code == 1
    assert "NOT INTACT" in result.output and "missing" in result.output
    result = app.test_cli_runner().invoke(args=["audit-verify", "--anchor", "not-an-anchor"])
    assert result.exit_code == 2


def test_audit_anchor_command_writes_the_head_to_the_application_log(app, caplog):
    _write(app, 2)
    with caplog.at_level("INFO", logger="hpd.audit"):
        result = app.test_cli_runner().invoke(args=["audit-anchor"])
    with app.app_context():
        head = db.session.get(AuditChain, 1)
        expected = f"{head.seq}:{head.head_hash}"
    assert result.output.strip() == expected
    assert any(expected in r.getMessage() for r in caplog.records)


def test_the_auditor_checks_the_chain_on_a_page(app, client, signed_in):
    signed_in("auditor", username="dpo")
    page = client.get("/audit/integrity")
    assert page.status_code == 200 and "Check the audit log now" in page.get_data(as_text=True)
    html = client.get("/audit/integrity?check=1").get_data(as_text=True)
    assert "<h2 id=\"verdict-heading\">Intact</h2>" in html
    anchor = html.split('<code class="anchor">')[1].split("</code>")[0]
    bad = client.get("/audit/integrity?check=1&anchors=12:zz")
    assert bad.status_code == 422 and "Line 1: an anchor is the position and hash" in bad.get_data(as_text=True)
    with app.app_context():
        checks = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                                   .where(AuditEvent.action == "audit.verify"))
    assert checks == 1  # the refused check read nothing and logged nothing
    _dba(app, "DELETE FROM audit_event WHERE seq = 1")
    html = client.get(f"/audit/integrity?check=1&anchors={anchor}").get_data(as_text=True)
    assert "Not intact" in html and "missing (deleted)" in html


def test_only_auditors_check_the_chain(client, signed_in):
    signed_in("admin", "reviewer", "board", "working_group", "member")
    assert client.get("/audit/integrity?check=1").status_code == 403


def test_an_app_role_that_does_not_own_the_tables_cannot_switch_the_protection_off(app):
    """The README's PostgreSQL set-up: the app's role reads and writes rows; only the owner alters tables."""
    import os
    import uuid

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("roles are PostgreSQL's")
        url = db.engine.url
        schema = db.session.scalar(sa.text("SELECT current_schema()"))
        db.session.remove()
    role = f"hpd_app_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    owner = sa.create_engine(url)
    with owner.begin() as conn:
        conn.execute(sa.text(f'CREATE ROLE "{role}" LOGIN'))
        conn.execute(sa.text(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"'))
        conn.execute(sa.text(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"'))
        conn.execute(sa.text(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{role}"'))
    as_app = sa.create_engine(url.set(username=role))
    try:
        with as_app.begin() as conn:
            conn.execute(sa.text("INSERT INTO audit_event (occurred_at, operation, action) "
                                 "VALUES (CURRENT_TIMESTAMP, 'security', 'logout')"))
        for stmt in ("ALTER TABLE audit_event DISABLE TRIGGER USER", "DROP TRIGGER audit_event_no_change ON audit_event",
                     "TRUNCATE audit_event", "UPDATE audit_event SET action = 'x'", "DELETE FROM audit_event"):
            with pytest.raises(sa.exc.DatabaseError), as_app.begin() as conn:
                conn.execute(sa.text(stmt))
    finally:
        as_app.dispose()
        with owner.begin() as conn:
            conn.execute(sa.text(f'DROP OWNED BY "{role}"'))
            conn.execute(sa.text(f'DROP ROLE "{role}"'))
        owner.dispose()
