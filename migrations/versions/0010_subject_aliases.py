"""Subjects' other names (aliases, nicknames, former names), address and phone number, so that the
masker can find them in text; all reviewers-only.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("subject") as batch:
        batch.add_column(sa.Column("aliases", sa.Text(), nullable=True))
        batch.add_column(sa.Column("address", sa.Text(), nullable=True))
        batch.add_column(sa.Column("phone", sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table("subject") as batch:
        batch.drop_column("phone")
        batch.drop_column("address")
        batch.drop_column("aliases")
