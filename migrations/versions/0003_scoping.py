"""Scoping: subjects with stable pseudonyms, parameters with sign-off and revisions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0003"
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('parameters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('debrief_id', sa.Integer(), nullable=False),
    sa.Column('review_from', sa.Date(), nullable=True),
    sa.Column('review_to', sa.Date(), nullable=True),
    sa.Column('key_questions', sa.Text(), nullable=True),
    sa.Column('exclusions', sa.Text(), nullable=True),
    sa.Column('sio_name', sa.String(length=120), nullable=True),
    sa.Column('sio_consulted_on', sa.Date(), nullable=True),
    sa.Column('sio_conditions', sa.Text(), nullable=True),
    sa.Column('disclosure_officer_informed_on', sa.Date(), nullable=True),
    sa.Column('signed_off_by_id', sa.Integer(), nullable=True),
    sa.Column('signed_off_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['debrief_id'], ['debrief.id'], name=op.f('fk_parameters_debrief_id_debrief'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['signed_off_by_id'], ['user_account.id'], name=op.f('fk_parameters_signed_off_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parameters')),
    sa.UniqueConstraint('debrief_id', name=op.f('uq_parameters_debrief_id'))
    )
    op.create_table('subject',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('debrief_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('real_name', sa.String(length=120), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('pseudonym_index', sa.Integer(), nullable=False),
    sa.Column('pseudonym', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("role IN ('victim','suspect','child','family','other')", name=op.f('ck_subject_known_role')),
    sa.ForeignKeyConstraint(['debrief_id'], ['debrief.id'], name=op.f('fk_subject_debrief_id_debrief'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subject')),
    sa.UniqueConstraint('debrief_id', 'pseudonym_index', name='uq_subject_pseudonym')
    )
    with op.batch_alter_table('subject', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subject_debrief_id'), ['debrief_id'], unique=False)

    op.create_table('parameters_agency',
    sa.Column('parameters_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_parameters_agency_agency_id_agency')),
    sa.ForeignKeyConstraint(['parameters_id'], ['parameters.id'], name=op.f('fk_parameters_agency_parameters_id_parameters'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('parameters_id', 'agency_id', name=op.f('pk_parameters_agency'))
    )
    op.create_table('parameters_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parameters_id', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('fields', sa.String(length=400), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['user_account.id'], name=op.f('fk_parameters_revision_changed_by_id_user_account')),
    sa.ForeignKeyConstraint(['parameters_id'], ['parameters.id'], name=op.f('fk_parameters_revision_parameters_id_parameters'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parameters_revision'))
    )
    with op.batch_alter_table('parameters_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parameters_revision_parameters_id'), ['parameters_id'], unique=False)

    op.create_table('parameters_subject',
    sa.Column('parameters_id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['parameters_id'], ['parameters.id'], name=op.f('fk_parameters_subject_parameters_id_parameters'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subject_id'], ['subject.id'], name=op.f('fk_parameters_subject_subject_id_subject'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('parameters_id', 'subject_id', name=op.f('pk_parameters_subject'))
    )
    with op.batch_alter_table('debrief', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pseudonyms_used', sa.Integer(), server_default='0', nullable=False))



def downgrade():
    with op.batch_alter_table('debrief', schema=None) as batch_op:
        batch_op.drop_column('pseudonyms_used')

    op.drop_table('parameters_subject')
    with op.batch_alter_table('parameters_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parameters_revision_parameters_id'))

    op.drop_table('parameters_revision')
    op.drop_table('parameters_agency')
    with op.batch_alter_table('subject', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subject_debrief_id'))

    op.drop_table('subject')
    op.drop_table('parameters')
