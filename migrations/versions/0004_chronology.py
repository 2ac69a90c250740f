"""Chronology entries, the people in them, and imports awaiting confirmation.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0004"
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('chronology_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('debrief_id', sa.Integer(), nullable=False),
    sa.Column('entry_date', sa.Date(), nullable=False),
    sa.Column('entry_time', sa.Time(), nullable=True),
    sa.Column('date_precision', sa.String(length=12), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('source_system', sa.String(length=80), nullable=True),
    sa.Column('source_ref', sa.String(length=80), nullable=True),
    sa.Column('contact_type', sa.String(length=20), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('action_taken', sa.Text(), nullable=True),
    sa.Column('risk_assessment', sa.String(length=12), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('significance', sa.Text(), nullable=True),
    sa.Column('missed_opportunity', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('good_practice', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('key_issue', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('turning_point', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('verified', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("contact_type IN ('call','domestic_incident','crime_report','arrest','charge','bail_rui','court','order_breach','marac_mappa','safeguarding','health','life_event','other')", name=op.f('ck_chronology_entry_known_contact_type')),
    sa.CheckConstraint("date_precision IN ('exact','approximate','month')", name=op.f('ck_chronology_entry_known_date_precision')),
    sa.CheckConstraint("risk_assessment IS NULL OR risk_assessment IN ('none','standard','medium','high','other')", name=op.f('ck_chronology_entry_known_risk_assessment')),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_chronology_entry_agency_id_agency')),
    sa.ForeignKeyConstraint(['debrief_id'], ['debrief.id'], name=op.f('fk_chronology_entry_debrief_id_debrief'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entered_by_id'], ['user_account.id'], name=op.f('fk_chronology_entry_entered_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chronology_entry'))
    )
    with op.batch_alter_table('chronology_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chronology_entry_debrief_id'), ['debrief_id'], unique=False)
        batch_op.create_index('ix_chronology_entry_order', ['debrief_id', 'entry_date', 'entry_time'], unique=False)

    op.create_table('chronology_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('debrief_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['debrief_id'], ['debrief.id'], name=op.f('fk_chronology_import_debrief_id_debrief'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_chronology_import_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chronology_import'))
    )
    with op.batch_alter_table('chronology_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chronology_import_debrief_id'), ['debrief_id'], unique=False)

    op.create_table('chronology_subject',
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['chronology_entry.id'], name=op.f('fk_chronology_subject_entry_id_chronology_entry'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subject_id'], ['subject.id'], name=op.f('fk_chronology_subject_subject_id_subject'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('entry_id', 'subject_id', name=op.f('pk_chronology_subject'))
    )
    with op.batch_alter_table('chronology_subject', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chronology_subject_subject_id'), ['subject_id'], unique=False)



def downgrade():
    with op.batch_alter_table('chronology_subject', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chronology_subject_subject_id'))

    op.drop_table('chronology_subject')
    with op.batch_alter_table('chronology_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chronology_import_debrief_id'))

    op.drop_table('chronology_import')
    with op.batch_alter_table('chronology_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_chronology_entry_order')
        batch_op.drop_index(batch_op.f('ix_chronology_entry_debrief_id'))

    op.drop_table('chronology_entry')
