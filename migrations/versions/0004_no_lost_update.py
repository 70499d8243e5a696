"""No lost update: earlier wordings of every shared text, and the correction note in the draft
(so both sides approve it).

Revision ID: 0004_no_lost_update
Revises: 0003_summary
Create Date: 2026-12-04 16:51:07.821299

"""
from alembic import op
import sqlalchemy as sa

import convo.models.types  # noqa: F401  (the UTCDateTime column type)


# revision identifiers, used by Alembic.
revision = '0004_no_lost_update'
down_revision = '0003_summary'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('text_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('record', sa.String(length=32), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('replaced_at', convo.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('replaced_by', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], name=op.f('fk_text_revision_conversation_id_conversation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_text_revision'))
    )
    with op.batch_alter_table('text_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_text_revision_conversation_id'), ['conversation_id'], unique=False)
        batch_op.create_index('ix_text_revision_record', ['record', 'record_id', 'field'], unique=False)

    with op.batch_alter_table('summary_draft', schema=None) as batch_op:
        batch_op.add_column(sa.Column('change_note', sa.Text(), server_default='', nullable=False))



def downgrade():
    with op.batch_alter_table('summary_draft', schema=None) as batch_op:
        batch_op.drop_column('change_note')

    with op.batch_alter_table('text_revision', schema=None) as batch_op:
        batch_op.drop_index('ix_text_revision_record')
        batch_op.drop_index(batch_op.f('ix_text_revision_conversation_id'))

    op.drop_table('text_revision')
