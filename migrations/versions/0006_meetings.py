"""The debrief meeting, its invitees and their attendance.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0006"
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('debrief_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('venue', sa.String(length=200), nullable=True),
    sa.Column('online_link', sa.String(length=500), nullable=True),
    sa.Column('chair', sa.String(length=120), nullable=True),
    sa.Column('note_taker', sa.String(length=120), nullable=True),
    sa.Column('uid', sa.String(length=80), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['debrief_id'], ['debrief.id'], name=op.f('fk_meeting_debrief_id_debrief'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting')),
    sa.UniqueConstraint('debrief_id', name=op.f('uq_meeting_debrief_id')),
    sa.UniqueConstraint('uid', name=op.f('uq_meeting_uid'))
    )
    op.create_table('invitee',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('agency', sa.String(length=120), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('is_partner', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('attendance', sa.String(length=12), nullable=False),
    sa.Column('confidentiality_ack_at', sa.DateTime(), nullable=True),
    sa.Column('invited_at', sa.DateTime(), nullable=False),
    sa.Column('last_sent_sequence', sa.Integer(), nullable=True),
    sa.CheckConstraint("attendance IN ('invited','attended','apologies','absent')", name=op.f('ck_invitee_known_attendance')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_invitee_meeting_id_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_invitee_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitee')),
    sa.UniqueConstraint('meeting_id', 'user_id', name='uq_invitee_user')
    )
    with op.batch_alter_table('invitee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitee_meeting_id'), ['meeting_id'], unique=False)



def downgrade():
    with op.batch_alter_table('invitee', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitee_meeting_id'))

    op.drop_table('invitee')
    op.drop_table('meeting')
