"""The audit log (Data Protection Act 2018 s.62): append-only and chained.

The database refuses UPDATE and DELETE on this table (triggers on SQLite and
PostgreSQL, and TRUNCATE on PostgreSQL), so not even a bug in the app can rewrite
history; and each row carries a keyed hash chained to the row before it
(`app.audit_chain`), so whoever gets round the triggers is found out.
"""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models.types import BigId, UTCDateTime, utcnow


class Operation(enum.StrEnum):
    COLLECTION = "collection"
    ALTERATION = "alteration"
    CONSULTATION = "consultation"
    DISCLOSURE = "disclosure"
    COMBINATION = "combination"
    ERASURE = "erasure"
    SECURITY = "security"


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: so.Mapped[int] = so.mapped_column(BigId, primary_key=True, autoincrement=True)
    occurred_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow, index=True)
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"), index=True)
    operation: so.Mapped[str] = so.mapped_column(sa.String(20), index=True)
    action: so.Mapped[str] = so.mapped_column(sa.String(60))
    object_type: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    object_id: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    fields: so.Mapped[str | None] = so.mapped_column(sa.Text)
    recipient: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    reason: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    request_id: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    client_addr: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    # The ids of the records a list or search page showed (comma-separated): which, never what.
    records: so.Mapped[str | None] = so.mapped_column(sa.Text)
    # Position in the chain (1, 2, 3, ... without gaps) and HMAC-SHA256 of the row chained to the one before.
    seq: so.Mapped[int | None] = so.mapped_column(sa.BigInteger, unique=True)
    chain_hash: so.Mapped[str | None] = so.mapped_column(sa.String(64))

    user = so.relationship("User", lazy="joined")

    __table_args__ = (
        sa.Index("ix_audit_event_object", "object_type", "object_id"),
        sa.CheckConstraint(
            "operation IN ('collection','alteration','consultation','disclosure',"
            "'combination','erasure','security')",
            name="known_operation",
        ),
    )


class AuditChain(db.Model):
    """The chain's head: the last position written and its hash. One row, locked by each writer in turn."""

    __tablename__ = "audit_chain"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    seq: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    head_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)


# Append-only, enforced by the database. The same statements are in the migration.
SQLITE_TRIGGERS = [
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""",
]
POSTGRES_TRIGGERS = [
    """CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$""",
    """CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event
FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""",
]
# TRUNCATE fires no row trigger; a statement trigger refuses it (migration 0014).
POSTGRES_NO_TRUNCATE = """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()"""

for _stmt in SQLITE_TRIGGERS:
    sa.event.listen(AuditEvent.__table__, "after_create", sa.DDL(_stmt).execute_if(dialect="sqlite"))
for _stmt in [*POSTGRES_TRIGGERS, POSTGRES_NO_TRUNCATE]:
    sa.event.listen(AuditEvent.__table__, "after_create", sa.DDL(_stmt).execute_if(dialect="postgresql"))
