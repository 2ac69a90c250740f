"""The audit log says which records a list or search page showed (their ids, never their text).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02

"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN (no table rebuild on SQLite), so the append-only triggers stay in place.
    op.add_column("audit_event", sa.Column("records", sa.Text(), nullable=True))


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_column("audit_event", "records")
    else:
        op.execute("ALTER TABLE audit_event DROP COLUMN records")
