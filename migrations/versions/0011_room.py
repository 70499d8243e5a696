"""Running the room: the shared screen's countdown and paging, when each stage started and
ended, the questions actually asked, and whether the summary's appendix is printed.

Revision ID: 0011_room
Revises: 0010_mapping
Create Date: 2026-12-05 08:30:00

"""
from alembic import op
import sqlalchemy as sa

import convo.models.types  # noqa: F401  (the UTCDateTime column type)


# revision identifiers, used by Alembic.
revision = '0011_room'
down_revision = '0010_mapping'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('asked_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.String(length=64), nullable=False),
    sa.Column('question_id', sa.String(length=64), nullable=False),
    sa.Column('asked_at', convo.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], name=op.f('fk_asked_question_conversation_id_conversation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asked_question')),
    sa.UniqueConstraint('conversation_id', 'stage_id', 'question_id', name='uq_asked_question')
    )
    with op.batch_alter_table('asked_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_asked_question_conversation_id'), ['conversation_id'], unique=False)

    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timer_state', sa.String(length=16), server_default='off', nullable=False))
        batch_op.add_column(sa.Column('timer_ends_at', convo.models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('timer_left_seconds', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('timer_added_minutes', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('timer_version', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('screen_page', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('screen_item_id', sa.Integer(), nullable=True))

    with op.batch_alter_table('conversation_stage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_started_at', convo.models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('last_ended_at', convo.models.types.UTCDateTime(), nullable=True))

    with op.batch_alter_table('summary_draft', schema=None) as batch_op:
        batch_op.add_column(sa.Column('appendix', sa.String(length=16), server_default='asked', nullable=False))


def downgrade():
    # recreate='never': SQLite drops the columns in place (3.35+).  Rebuilding the table would
    # drop the old one, and with foreign keys on that deletes every row hanging off it.
    with op.batch_alter_table('summary_draft', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('appendix')

    with op.batch_alter_table('conversation_stage', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('last_ended_at')
        batch_op.drop_column('first_started_at')

    with op.batch_alter_table('conversation', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('screen_item_id')
        batch_op.drop_column('screen_page')
        batch_op.drop_column('timer_version')
        batch_op.drop_column('timer_added_minutes')
        batch_op.drop_column('timer_left_seconds')
        batch_op.drop_column('timer_ends_at')
        batch_op.drop_column('timer_state')

    with op.batch_alter_table('asked_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_asked_question_conversation_id'))

    op.drop_table('asked_question')
