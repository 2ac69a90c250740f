"""Covering indexes for the dashboard's counts over actions and chronology entries.

The dashboard counts every action by owner and department, and looks through chronologies for police
contact before the incident and for flagged entries. Both tables have wide rows (what is to be done,
progress and evidence; the narrative of each contact), so reading them costs more than the counting. Each
index holds every column its count reads, so the database reads the index alone.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02

"""
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

ACTION = ["owner_user_id", "owner_team_id", "department", "status", "due_on", "closed_on", "completed_on",
          "debrief_id"]
CHRONOLOGY = ["debrief_id", "deleted_at", "entry_date", "agency_id", "missed_opportunity", "good_practice"]


def upgrade():
    op.create_index("ix_action_dashboard", "action", ACTION)
    op.create_index("ix_chronology_entry_dashboard", "chronology_entry", CHRONOLOGY)


def downgrade():
    op.drop_index("ix_chronology_entry_dashboard", table_name="chronology_entry")
    op.drop_index("ix_action_dashboard", table_name="action")
