"""Debriefs on the board: referral, eligibility decision, stage history, participants, settings.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0002"
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reference_counter',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_reference_counter'))
    )
    op.create_table('debrief',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('stage_changed_at', sa.DateTime(), nullable=False),
    sa.Column('dmm_date', sa.Date(), nullable=False),
    sa.Column('incident_date', sa.Date(), nullable=False),
    sa.Column('incident_time', sa.Time(), nullable=True),
    sa.Column('occurrence_ref', sa.String(length=60), nullable=True),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('context', sa.String(length=20), nullable=False),
    sa.Column('subtype', sa.String(length=20), nullable=False),
    sa.Column('offence', sa.String(length=20), nullable=False),
    sa.Column('weapon', sa.String(length=80), nullable=True),
    sa.Column('policing_area', sa.String(length=80), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('referred_by', sa.String(length=120), nullable=False),
    sa.Column('lead_reviewer_id', sa.Integer(), nullable=True),
    sa.Column('decision', sa.String(length=10), nullable=True),
    sa.Column('decision_rationale', sa.Text(), nullable=True),
    sa.Column('decided_by', sa.String(length=120), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("category IN ('homicide','near_miss')", name=op.f('ck_debrief_known_category')),
    sa.CheckConstraint("context IN ('domestic','non_domestic')", name=op.f('ck_debrief_known_context')),
    sa.CheckConstraint("decision IS NULL OR decision IN ('accepted','declined')", name=op.f('ck_debrief_known_decision')),
    sa.CheckConstraint("offence IN ('murder','manslaughter','attempted_murder','s18_gbh','other')", name=op.f('ck_debrief_known_offence')),
    sa.CheckConstraint("stage IN ('referred','scoping','chronology','debrief','learning','monitoring','closed','not_progressed')", name=op.f('ck_debrief_known_stage')),
    sa.CheckConstraint("subtype IN ('intimate_partner','familial','knife','youth','drug_related','stranger','other')", name=op.f('ck_debrief_known_subtype')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_debrief_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['lead_reviewer_id'], ['user_account.id'], name=op.f('fk_debrief_lead_reviewer_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_debrief')),
    sa.UniqueConstraint('reference', name=op.f('uq_debrief_reference'))
    )
    with op.batch_alter_table('debrief', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_debrief_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_debrief_context'), ['context'], unique=False)
        batch_op.create_index(batch_op.f('ix_debrief_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_debrief_incident_date'), ['incident_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_debrief_lead_reviewer_id'), ['lead_reviewer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_debrief_stage'), ['stage'], unique=False)

    op.create_table('setting',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_setting_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_setting'))
    )
    op.create_table('debrief_participant',
    sa.Column('debrief_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['added_by_id'], ['user_account.id'], name=op.f('fk_debrief_participant_added_by_id_user_account')),
    sa.ForeignKeyConstraint(['debrief_id'], ['debrief.id'], name=op.f('fk_debrief_participant_debrief_id_debrief'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_debrief_participant_user_id_user_account')),
    sa.PrimaryKeyConstraint('debrief_id', 'user_id', name=op.f('pk_debrief_participant'))
    )
    with op.batch_alter_table('debrief_participant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_debrief_participant_user_id'), ['user_id'], unique=False)

    op.create_table('stage_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('debrief_id', sa.Integer(), nullable=False),
    sa.Column('from_stage', sa.String(length=20), nullable=True),
    sa.Column('to_stage', sa.String(length=20), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('overridden', sa.String(length=400), nullable=True),
    sa.ForeignKeyConstraint(['changed_by_id'], ['user_account.id'], name=op.f('fk_stage_change_changed_by_id_user_account')),
    sa.ForeignKeyConstraint(['debrief_id'], ['debrief.id'], name=op.f('fk_stage_change_debrief_id_debrief'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_change'))
    )
    with op.batch_alter_table('stage_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stage_change_debrief_id'), ['debrief_id'], unique=False)



def downgrade():
    with op.batch_alter_table('stage_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stage_change_debrief_id'))

    op.drop_table('stage_change')
    with op.batch_alter_table('debrief_participant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_debrief_participant_user_id'))

    op.drop_table('debrief_participant')
    op.drop_table('setting')
    with op.batch_alter_table('debrief', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_debrief_stage'))
        batch_op.drop_index(batch_op.f('ix_debrief_lead_reviewer_id'))
        batch_op.drop_index(batch_op.f('ix_debrief_incident_date'))
        batch_op.drop_index(batch_op.f('ix_debrief_created_at'))
        batch_op.drop_index(batch_op.f('ix_debrief_context'))
        batch_op.drop_index(batch_op.f('ix_debrief_category'))

    op.drop_table('debrief')
    op.drop_table('reference_counter')
