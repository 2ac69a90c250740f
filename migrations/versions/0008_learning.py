"""Learning points with themes and evidence, actions, issued documents and their dissemination.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26

"""
import sqlalchemy as sa
from alembic import op

from app.reference import STARTING_THEMES


# revision identifiers, used by Alembic.
revision = "0008"
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('theme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme')),
    sa.UniqueConstraint('name', name=op.f('uq_theme_name'))
    )
    op.create_table('learning_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('debrief_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('internal_docx', sa.LargeBinary(), nullable=False),
    sa.Column('shared_docx', sa.LargeBinary(), nullable=False),
    sa.Column('internal_html', sa.Text(), nullable=False),
    sa.Column('shared_html', sa.Text(), nullable=False),
    sa.Column('dissemination_plan', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['debrief_id'], ['debrief.id'], name=op.f('fk_learning_document_debrief_id_debrief'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['issued_by_id'], ['user_account.id'], name=op.f('fk_learning_document_issued_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learning_document')),
    sa.UniqueConstraint('debrief_id', 'number', name='uq_learning_document_number')
    )
    with op.batch_alter_table('learning_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_learning_document_debrief_id'), ['debrief_id'], unique=False)

    op.create_table('learning_point',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('debrief_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('repeat', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("kind IN ('improvement','good_practice')", name=op.f('ck_learning_point_known_kind')),
    sa.CheckConstraint("repeat IN ('new','repeat_open','repeat_failed')", name=op.f('ck_learning_point_known_repeat')),
    sa.ForeignKeyConstraint(['debrief_id'], ['debrief.id'], name=op.f('fk_learning_point_debrief_id_debrief'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learning_point')),
    sa.UniqueConstraint('debrief_id', 'number', name='uq_learning_point_number')
    )
    with op.batch_alter_table('learning_point', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_learning_point_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_learning_point_debrief_id'), ['debrief_id'], unique=False)

    op.create_table('action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('debrief_id', sa.Integer(), nullable=False),
    sa.Column('learning_id', sa.Integer(), nullable=True),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('what', sa.Text(), nullable=False),
    sa.Column('owner_user_id', sa.Integer(), nullable=True),
    sa.Column('owner_team', sa.String(length=120), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('priority', sa.String(length=8), nullable=False),
    sa.Column('scope', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('raised_on', sa.Date(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("priority IN ('high','medium','low')", name=op.f('ck_action_known_priority')),
    sa.CheckConstraint("scope IN ('individual','team','department','force','partner','regional','national')", name=op.f('ck_action_known_scope')),
    sa.CheckConstraint("status IN ('open','in_progress','completed','closed','not_doing')", name=op.f('ck_action_known_status')),
    sa.CheckConstraint('owner_user_id IS NOT NULL OR owner_team IS NOT NULL', name=op.f('ck_action_has_owner')),
    sa.ForeignKeyConstraint(['debrief_id'], ['debrief.id'], name=op.f('fk_action_debrief_id_debrief'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['learning_id'], ['learning_point.id'], name=op.f('fk_action_learning_id_learning_point'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_user_id'], ['user_account.id'], name=op.f('fk_action_owner_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action')),
    sa.UniqueConstraint('debrief_id', 'number', name='uq_action_number')
    )
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_debrief_id'), ['debrief_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_owner_user_id'), ['owner_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_status'), ['status'], unique=False)

    op.create_table('dissemination',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('audience', sa.String(length=200), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('by', sa.String(length=120), nullable=False),
    sa.CheckConstraint("method IN ('briefing','training','intranet','cascade','partner_board','other')", name=op.f('ck_dissemination_known_method')),
    sa.ForeignKeyConstraint(['document_id'], ['learning_document.id'], name=op.f('fk_dissemination_document_id_learning_document'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dissemination'))
    )
    with op.batch_alter_table('dissemination', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dissemination_document_id'), ['document_id'], unique=False)

    op.create_table('learning_evidence',
    sa.Column('learning_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['chronology_entry.id'], name=op.f('fk_learning_evidence_entry_id_chronology_entry'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['learning_id'], ['learning_point.id'], name=op.f('fk_learning_evidence_learning_id_learning_point'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('learning_id', 'entry_id', name=op.f('pk_learning_evidence'))
    )
    with op.batch_alter_table('learning_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_learning_evidence_entry_id'), ['entry_id'], unique=False)

    op.create_table('learning_theme',
    sa.Column('learning_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['learning_id'], ['learning_point.id'], name=op.f('fk_learning_theme_learning_id_learning_point'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_learning_theme_theme_id_theme')),
    sa.PrimaryKeyConstraint('learning_id', 'theme_id', name=op.f('pk_learning_theme'))
    )
    with op.batch_alter_table('learning_theme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_learning_theme_theme_id'), ['theme_id'], unique=False)


    # The starting list of themes (domain brief); admins manage it from here on.
    theme = sa.table("theme", sa.column("name", sa.String), sa.column("active", sa.Boolean))
    op.bulk_insert(theme, [{"name": n, "active": True} for n in STARTING_THEMES])


def downgrade():
    with op.batch_alter_table('learning_theme', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_learning_theme_theme_id'))

    op.drop_table('learning_theme')
    with op.batch_alter_table('learning_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_learning_evidence_entry_id'))

    op.drop_table('learning_evidence')
    with op.batch_alter_table('dissemination', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dissemination_document_id'))

    op.drop_table('dissemination')
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_status'))
        batch_op.drop_index(batch_op.f('ix_action_owner_user_id'))
        batch_op.drop_index(batch_op.f('ix_action_debrief_id'))

    op.drop_table('action')
    with op.batch_alter_table('learning_point', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_learning_point_debrief_id'))
        batch_op.drop_index(batch_op.f('ix_learning_point_created_at'))

    op.drop_table('learning_point')
    with op.batch_alter_table('learning_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_learning_document_debrief_id'))

    op.drop_table('learning_document')
    op.drop_table('theme')
