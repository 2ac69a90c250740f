"""Parallel reviews register: other reviews of the same case and their clocks.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0005"
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('parallel_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('debrief_id', sa.Integer(), nullable=False),
    sa.Column('review_type', sa.String(length=12), nullable=False),
    sa.Column('applies', sa.String(length=12), nullable=False),
    sa.Column('why', sa.Text(), nullable=True),
    sa.Column('lead_body', sa.String(length=120), nullable=True),
    sa.Column('notified_on', sa.Date(), nullable=True),
    sa.Column('reference', sa.String(length=80), nullable=True),
    sa.Column('status', sa.String(length=200), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('output_shared_on', sa.Date(), nullable=True),
    sa.Column('agreed_on', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("applies IN ('yes','no','considering')", name=op.f('ck_parallel_review_known_applies')),
    sa.CheckConstraint("review_type IN ('dardr','sar','cspr','owhr','iopc','mappa','sfo','coroner','psd')", name=op.f('ck_parallel_review_known_review_type')),
    sa.ForeignKeyConstraint(['debrief_id'], ['debrief.id'], name=op.f('fk_parallel_review_debrief_id_debrief'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parallel_review')),
    sa.UniqueConstraint('debrief_id', 'review_type', name='uq_parallel_review_type')
    )
    with op.batch_alter_table('parallel_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parallel_review_debrief_id'), ['debrief_id'], unique=False)



def downgrade():
    with op.batch_alter_table('parallel_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parallel_review_debrief_id'))

    op.drop_table('parallel_review')
