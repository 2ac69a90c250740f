"""Chain the audit log: each row's keyed hash follows the row before it; refuse TRUNCATE on PostgreSQL.

Existing rows are chained here in the order they were written, with the AUDIT_KEY of the configuration
that runs the upgrade, so the log is provable from its first row.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02

"""
import sqlalchemy as sa
from alembic import op
from flask import current_app

from app.audit_chain import CONTENT, GENESIS, chain_hash
from app.models.audit import POSTGRES_NO_TRUNCATE, SQLITE_TRIGGERS
from app.models.types import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


# The log's columns when this migration was written (later ones are optional in the hash, and empty here).
COLUMNS = CONTENT[:11]


class _Row:
    def __init__(self, mapping):
        self.__dict__.update(mapping)

    def __getattr__(self, name):  # a column added after this migration: empty
        return None


def upgrade():
    with op.batch_alter_table("audit_event") as batch:
        batch.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("chain_hash", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(batch.f("uq_audit_event_seq"), ["seq"])
    op.create_table(
        "audit_chain",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain")),
    )
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    # The batch rebuild on SQLite drops the table's triggers; they are created again below.
    if postgres:
        op.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
    key = current_app.config["AUDIT_KEY"].encode()
    table = sa.table("audit_event", sa.column("id"), sa.column("seq"), sa.column("chain_hash"),
                     sa.column("occurred_at", UTCDateTime()),
                     *[sa.column(c) for c in COLUMNS if c != "occurred_at"])
    seq, previous = 0, GENESIS
    rows = bind.execute(sa.select(table.c.id, *[table.c[c] for c in COLUMNS]).order_by(table.c.id)).mappings().all()
    for row in rows:
        seq += 1
        previous = chain_hash(key, previous, seq, _Row(row))
        bind.execute(table.update().where(table.c.id == row["id"]).values(seq=seq, chain_hash=previous))
    bind.execute(sa.text("INSERT INTO audit_chain (id, seq, head_hash, updated_at) VALUES (1, :seq, :hash, "
                         "CURRENT_TIMESTAMP)"), {"seq": seq, "hash": previous})
    if postgres:
        op.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_change")
        op.execute(POSTGRES_NO_TRUNCATE)
    else:
        for stmt in SQLITE_TRIGGERS:
            op.execute(stmt)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
    op.drop_table("audit_chain")
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_constraint(batch.f("uq_audit_event_seq"), type_="unique")
        batch.drop_column("chain_hash")
        batch.drop_column("seq")
    if bind.dialect.name != "postgresql":
        for stmt in SQLITE_TRIGGERS:
            op.execute(stmt)
