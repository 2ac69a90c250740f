"""The action lifecycle: teams as owners with a contact address, every action field, the history of
updates, extension requests, action themes, and the log that stops a reminder going twice.

Existing free-text team owners become rows of `team`; existing actions take their learning point's themes.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26

"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

OWNER_CHECK = "(owner_user_id IS NULL) <> (owner_team_id IS NULL)"


def upgrade():
    op.create_table(
        "reminder_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("actions", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_sent")),
        sa.UniqueConstraint("kind", "recipient", "period", name="uq_reminder_once"),
    )
    op.create_table(
        "team",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team")),
        sa.UniqueConstraint("name", name=op.f("uq_team_name")),
    )
    op.create_table(
        "action_extension",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("old_due", sa.Date(), nullable=False),
        sa.Column("new_due", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.CheckConstraint("decision IN ('pending','approved','refused')",
                           name=op.f("ck_action_extension_known_decision")),
        sa.ForeignKeyConstraint(["action_id"], ["action.id"], name=op.f("fk_action_extension_action_id_action"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["decided_by_id"], ["user_account.id"],
                                name=op.f("fk_action_extension_decided_by_id_user_account")),
        sa.ForeignKeyConstraint(["requested_by_id"], ["user_account.id"],
                                name=op.f("fk_action_extension_requested_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_extension")),
    )
    op.create_index(op.f("ix_action_extension_action_id"), "action_extension", ["action_id"])
    op.create_index(op.f("ix_action_extension_decision"), "action_extension", ["decision"])
    op.create_table(
        "action_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("from_status", sa.String(length=12), nullable=True),
        sa.Column("to_status", sa.String(length=12), nullable=True),
        sa.CheckConstraint("kind IN ('progress','status','evidence','completed','signed_off','sent_back',"
                           "'not_doing','reopened','edited','follow_up','extension')",
                           name=op.f("ck_action_note_known_kind")),
        sa.ForeignKeyConstraint(["action_id"], ["action.id"], name=op.f("fk_action_note_action_id_action"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["author_id"], ["user_account.id"],
                                name=op.f("fk_action_note_author_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_note")),
    )
    op.create_index(op.f("ix_action_note_action_id"), "action_note", ["action_id"])
    op.create_table(
        "action_theme",
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["action_id"], ["action.id"], name=op.f("fk_action_theme_action_id_action"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["theme_id"], ["theme.id"], name=op.f("fk_action_theme_theme_id_theme")),
        sa.PrimaryKeyConstraint("action_id", "theme_id", name=op.f("pk_action_theme")),
    )
    op.create_index(op.f("ix_action_theme_theme_id"), "action_theme", ["theme_id"])

    with op.batch_alter_table("action") as batch_op:
        batch_op.add_column(sa.Column("milestones", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("owner_team_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("accountable_lead", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("department", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("evidence", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("evidence_link", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("completed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("closed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("closed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("not_doing_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("review_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("review_result", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("sent_to", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("sent_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("response", sa.Text(), nullable=True))

    # Free-text team owners become teams; actions take their learning point's themes.
    op.execute("INSERT INTO team (name, active) SELECT DISTINCT owner_team, true FROM action "
               "WHERE owner_team IS NOT NULL AND owner_user_id IS NULL")
    op.execute("UPDATE action SET owner_team_id = (SELECT team.id FROM team WHERE team.name = action.owner_team) "
               "WHERE owner_team IS NOT NULL AND owner_user_id IS NULL")
    op.execute("INSERT INTO action_theme (action_id, theme_id) SELECT action.id, learning_theme.theme_id "
               "FROM action JOIN learning_theme ON learning_theme.learning_id = action.learning_id")

    with op.batch_alter_table("action") as batch_op:
        batch_op.drop_constraint(op.f("ck_action_has_owner"), type_="check")
        batch_op.drop_column("owner_team")
        batch_op.create_check_constraint("one_owner", OWNER_CHECK)
        batch_op.create_index(op.f("ix_action_department"), ["department"])
        batch_op.create_index(op.f("ix_action_due_on"), ["due_on"])
        batch_op.create_index(op.f("ix_action_owner_team_id"), ["owner_team_id"])
        batch_op.create_foreign_key(op.f("fk_action_owner_team_id_team"), "team", ["owner_team_id"], ["id"])
        batch_op.create_foreign_key(op.f("fk_action_closed_by_id_user_account"), "user_account",
                                    ["closed_by_id"], ["id"])


def downgrade():
    with op.batch_alter_table("action") as batch_op:
        batch_op.add_column(sa.Column("owner_team", sa.String(length=120), nullable=True))
    op.execute("UPDATE action SET owner_team = (SELECT team.name FROM team WHERE team.id = action.owner_team_id) "
               "WHERE owner_team_id IS NOT NULL")
    with op.batch_alter_table("action") as batch_op:
        batch_op.drop_constraint(op.f("ck_action_one_owner"), type_="check")
        batch_op.drop_constraint(op.f("fk_action_closed_by_id_user_account"), type_="foreignkey")
        batch_op.drop_constraint(op.f("fk_action_owner_team_id_team"), type_="foreignkey")
        batch_op.drop_index(op.f("ix_action_owner_team_id"))
        batch_op.drop_index(op.f("ix_action_due_on"))
        batch_op.drop_index(op.f("ix_action_department"))
        for column in ("response", "sent_on", "sent_to", "review_result", "review_on", "not_doing_reason",
                       "closed_by_id", "closed_on", "completed_on", "evidence_link", "evidence", "department",
                       "accountable_lead", "owner_team_id", "milestones"):
            batch_op.drop_column(column)
        batch_op.create_check_constraint("has_owner", "owner_user_id IS NOT NULL OR owner_team IS NOT NULL")
    op.drop_index(op.f("ix_action_theme_theme_id"), table_name="action_theme")
    op.drop_table("action_theme")
    op.drop_index(op.f("ix_action_note_action_id"), table_name="action_note")
    op.drop_table("action_note")
    op.drop_index(op.f("ix_action_extension_decision"), table_name="action_extension")
    op.drop_index(op.f("ix_action_extension_action_id"), table_name="action_extension")
    op.drop_table("action_extension")
    op.drop_table("team")
    op.drop_table("reminder_sent")
