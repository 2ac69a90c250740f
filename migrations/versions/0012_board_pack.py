"""Issued quarterly board packs, frozen as issued.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "board_pack",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quarter_start", sa.Date(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("questions", sa.Text(), nullable=False),
        sa.Column("docx", sa.LargeBinary(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["issued_by_id"], ["user_account.id"],
                                name=op.f("fk_board_pack_issued_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_pack")),
        sa.UniqueConstraint("quarter_start", "number", name="uq_board_pack_number"),
    )
    with op.batch_alter_table("board_pack") as batch:
        batch.create_index(batch.f("ix_board_pack_quarter_start"), ["quarter_start"], unique=False)


def downgrade():
    with op.batch_alter_table("board_pack") as batch:
        batch.drop_index(batch.f("ix_board_pack_quarter_start"))
    op.drop_table("board_pack")
