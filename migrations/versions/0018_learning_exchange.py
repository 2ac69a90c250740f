"""Learning that leaves the room: the issued document's cover details and its frozen 7-minute briefing,
findings against the key questions, agencies' contributions before the meeting, who recorded a partner's
confidentiality acknowledgement, quick-time learning, repeats tied to the earlier learning they repeat, and
learning imported from other forces through the anonymised exchange.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07

"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('exchange_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_force', sa.String(length=120), nullable=False),
    sa.Column('schema_version', sa.String(length=20), nullable=False),
    sa.Column('exported_at', sa.String(length=40), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['imported_by_id'], ['user_account.id'], name=op.f('fk_exchange_import_imported_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_import')),
    sa.UniqueConstraint('sha256', name=op.f('uq_exchange_import_sha256'))
    )
    op.create_table('exchange_learning',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.String(length=80), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=True),
    sa.Column('context', sa.String(length=40), nullable=True),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('themes', sa.Text(), nullable=False),
    sa.Column('actions', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['exchange_import.id'], name=op.f('fk_exchange_learning_import_id_exchange_import'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_learning')),
    sa.UniqueConstraint('import_id', 'record_id', name='uq_exchange_learning_record')
    )
    with op.batch_alter_table('exchange_learning', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_learning_import_id'), ['import_id'], unique=False)

    op.create_table('finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('debrief_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['debrief_id'], ['debrief.id'], name=op.f('fk_finding_debrief_id_debrief'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finding')),
    sa.UniqueConstraint('debrief_id', 'position', name='uq_finding_position')
    )
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_debrief_id'), ['debrief_id'], unique=False)

    op.create_table('quick_learning',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('debrief_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('urgency', sa.String(length=12), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('audience', sa.String(length=200), nullable=False),
    sa.Column('owner_user_id', sa.Integer(), nullable=False),
    sa.Column('share_by', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('shared_on', sa.Date(), nullable=True),
    sa.Column('shared_method', sa.String(length=16), nullable=True),
    sa.Column('shared_audience', sa.String(length=200), nullable=True),
    sa.Column('shared_by', sa.String(length=120), nullable=True),
    sa.Column('shared_recorded_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("shared_method IS NULL OR shared_method IN ('briefing', 'training', 'intranet', 'cascade', 'partner_board', 'other')", name=op.f('ck_quick_learning_known_shared_method')),
    sa.CheckConstraint("urgency IN ('process','risk','other')", name=op.f('ck_quick_learning_known_urgency')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_quick_learning_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['debrief_id'], ['debrief.id'], name=op.f('fk_quick_learning_debrief_id_debrief'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_user_id'], ['user_account.id'], name=op.f('fk_quick_learning_owner_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quick_learning')),
    sa.UniqueConstraint('debrief_id', 'number', name='uq_quick_learning_number')
    )
    with op.batch_alter_table('quick_learning', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quick_learning_debrief_id'), ['debrief_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quick_learning_owner_user_id'), ['owner_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quick_learning_share_by'), ['share_by'], unique=False)

    op.create_table('contribution',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('agency', sa.String(length=120), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('folded_at', sa.DateTime(), nullable=True),
    sa.Column('folded_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_contribution_author_id_user_account')),
    sa.ForeignKeyConstraint(['folded_by_id'], ['user_account.id'], name=op.f('fk_contribution_folded_by_id_user_account')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_contribution_meeting_id_meeting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contribution'))
    )
    with op.batch_alter_table('contribution', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contribution_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contribution_meeting_id'), ['meeting_id'], unique=False)

    with op.batch_alter_table('invitee', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confidentiality_ack_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_invitee_confidentiality_ack_by_id_user_account'), 'user_account', ['confidentiality_ack_by_id'], ['id'])

    with op.batch_alter_table('learning_document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('summary', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('approved_by', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('distribution', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('briefing_html', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('briefing_docx', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('briefing_parts', sa.Text(), nullable=True))

    with op.batch_alter_table('learning_point', schema=None) as batch_op:
        batch_op.add_column(sa.Column('repeats_point_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('repeats_exchange_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_learning_point_repeats_exchange_id'), ['repeats_exchange_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_learning_point_repeats_point_id'), ['repeats_point_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_learning_point_repeats_exchange_id_exchange_learning'), 'exchange_learning', ['repeats_exchange_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_learning_point_repeats_point_id_learning_point'), 'learning_point', ['repeats_point_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('learning_point', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_learning_point_repeats_point_id_learning_point'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_learning_point_repeats_exchange_id_exchange_learning'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_learning_point_repeats_point_id'))
        batch_op.drop_index(batch_op.f('ix_learning_point_repeats_exchange_id'))
        batch_op.drop_column('repeats_exchange_id')
        batch_op.drop_column('repeats_point_id')

    with op.batch_alter_table('learning_document', schema=None) as batch_op:
        batch_op.drop_column('briefing_parts')
        batch_op.drop_column('briefing_docx')
        batch_op.drop_column('briefing_html')
        batch_op.drop_column('distribution')
        batch_op.drop_column('approved_by')
        batch_op.drop_column('summary')

    with op.batch_alter_table('invitee', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_invitee_confidentiality_ack_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('confidentiality_ack_by_id')

    with op.batch_alter_table('contribution', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contribution_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_contribution_author_id'))

    op.drop_table('contribution')
    with op.batch_alter_table('quick_learning', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quick_learning_share_by'))
        batch_op.drop_index(batch_op.f('ix_quick_learning_owner_user_id'))
        batch_op.drop_index(batch_op.f('ix_quick_learning_debrief_id'))

    op.drop_table('quick_learning')
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_debrief_id'))

    op.drop_table('finding')
    with op.batch_alter_table('exchange_learning', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_learning_import_id'))

    op.drop_table('exchange_learning')
    op.drop_table('exchange_import')
