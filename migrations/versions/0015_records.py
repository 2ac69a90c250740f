"""Records management: retention categories, each debrief's review date and review decisions, legal holds,
and disposals.

Existing debriefs get the starting category for their kind (a declined referral: "Referral not progressed")
and a first review date that many years after their DMM.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02

"""
import sqlalchemy as sa
from alembic import op
from dateutil.relativedelta import relativedelta

from app.reference import STARTING_RETENTION

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    category = op.create_table(
        "retention_category",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("review_years", sa.Integer(), nullable=False),
        sa.Column("default_for", sa.String(length=20), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_category")),
        sa.UniqueConstraint("name", name=op.f("uq_retention_category_name")),
        sa.UniqueConstraint("default_for", name=op.f("uq_retention_category_default_for")),
    )
    op.create_table(
        "retention",
        sa.Column("debrief_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("review_on", sa.Date(), nullable=False),
        sa.Column("disposed_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(["category_id"], ["retention_category.id"],
                                name=op.f("fk_retention_category_id_retention_category")),
        sa.ForeignKeyConstraint(["debrief_id"], ["debrief.id"], name=op.f("fk_retention_debrief_id_debrief"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("debrief_id", name=op.f("pk_retention")),
    )
    op.create_index(op.f("ix_retention_category_id"), "retention", ["category_id"])
    op.create_index(op.f("ix_retention_review_on"), "retention", ["review_on"])
    op.create_table(
        "retention_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("debrief_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("next_review_on", sa.Date(), nullable=True),
        sa.CheckConstraint("decision IN ('retain','dispose')", name=op.f("ck_retention_review_known_decision")),
        sa.ForeignKeyConstraint(["debrief_id"], ["debrief.id"], name=op.f("fk_retention_review_debrief_id_debrief"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["reviewer_id"], ["user_account.id"],
                                name=op.f("fk_retention_review_reviewer_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_review")),
    )
    op.create_index(op.f("ix_retention_review_debrief_id"), "retention_review", ["debrief_id"])
    op.create_table(
        "legal_hold",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("debrief_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("placed_at", sa.DateTime(), nullable=False),
        sa.Column("placed_by_id", sa.Integer(), nullable=True),
        sa.Column("released_at", sa.DateTime(), nullable=True),
        sa.Column("released_by_id", sa.Integer(), nullable=True),
        sa.Column("release_note", sa.Text(), nullable=True),
        sa.CheckConstraint("reason IN ('trial','inquest','statutory_review','other')",
                           name=op.f("ck_legal_hold_known_reason")),
        sa.ForeignKeyConstraint(["debrief_id"], ["debrief.id"], name=op.f("fk_legal_hold_debrief_id_debrief"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["placed_by_id"], ["user_account.id"],
                                name=op.f("fk_legal_hold_placed_by_id_user_account")),
        sa.ForeignKeyConstraint(["released_by_id"], ["user_account.id"],
                                name=op.f("fk_legal_hold_released_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_hold")),
    )
    op.create_index(op.f("ix_legal_hold_debrief_id"), "legal_hold", ["debrief_id"])
    op.create_table(
        "disposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("debrief_id", sa.Integer(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("proposed_at", sa.DateTime(), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.Column("erased", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["debrief_id"], ["debrief.id"], name=op.f("fk_disposal_debrief_id_debrief"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["proposed_by_id"], ["user_account.id"],
                                name=op.f("fk_disposal_proposed_by_id_user_account")),
        sa.ForeignKeyConstraint(["confirmed_by_id"], ["user_account.id"],
                                name=op.f("fk_disposal_confirmed_by_id_user_account")),
        sa.ForeignKeyConstraint(["withdrawn_by_id"], ["user_account.id"],
                                name=op.f("fk_disposal_withdrawn_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disposal")),
    )
    op.create_index(op.f("ix_disposal_debrief_id"), "disposal", ["debrief_id"])

    op.bulk_insert(category, [{"name": n, "review_years": y, "default_for": k, "description": d, "active": True}
                              for n, y, k, d in STARTING_RETENTION])
    bind = op.get_bind()
    defaults = {k: (i, y) for i, k, y in bind.execute(sa.text(
        "SELECT id, default_for, review_years FROM retention_category WHERE default_for IS NOT NULL")).all()}
    rows = []
    for debrief_id, kind, decision, dmm in bind.execute(sa.text(
            "SELECT id, category, decision, dmm_date FROM debrief")).all():
        category_id, years = defaults["declined" if decision == "declined" else kind]
        if isinstance(dmm, str):
            from datetime import date
            dmm = date.fromisoformat(dmm)
        rows.append({"debrief_id": debrief_id, "category_id": category_id, "review_on": dmm + relativedelta(years=years),
                     "version": 1})
    if rows:
        op.bulk_insert(sa.table("retention", sa.column("debrief_id"), sa.column("category_id"),
                                sa.column("review_on", sa.Date()), sa.column("version")), rows)


def downgrade():
    op.drop_table("disposal")
    op.drop_table("legal_hold")
    op.drop_table("retention_review")
    op.drop_table("retention")
    op.drop_table("retention_category")
