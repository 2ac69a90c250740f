"""Which agencies are police forces, so the board can see how many debriefs had prior police contact.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("agency") as batch:
        batch.add_column(sa.Column("is_police", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(sa.text("UPDATE agency SET is_police = :yes WHERE lower(name) = 'police'").bindparams(yes=True))


def downgrade():
    with op.batch_alter_table("agency") as batch:
        batch.drop_column("is_police")
