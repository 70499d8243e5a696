"""The job queue: workers' heartbeats, issue requests, and sends as an outbox.

Revision ID: 0005_queue
Revises: 0004_no_lost_update
Create Date: 2026-12-04 17:00:00

"""
from alembic import op
import sqlalchemy as sa

import convo.models.types  # noqa: F401  (the UTCDateTime column type)


# revision identifiers, used by Alembic.
revision = '0005_queue'
down_revision = '0004_no_lost_update'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('queue_worker',
    sa.Column('id', sa.String(length=200), nullable=False),
    sa.Column('hostname', sa.String(length=200), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('started_at', convo.models.types.UTCDateTime(), nullable=False),
    sa.Column('seen_at', convo.models.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue_worker'))
    )
    with op.batch_alter_table('queue_worker', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_queue_worker_seen_at'), ['seen_at'], unique=False)

    op.create_table('summary_issue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('change_note', sa.Text(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', convo.models.types.UTCDateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('problem', sa.String(length=32), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('enqueued_at', convo.models.types.UTCDateTime(), nullable=True),
    sa.Column('claimed_by', sa.String(length=200), nullable=True),
    sa.Column('finished_at', convo.models.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], name=op.f('fk_summary_issue_conversation_id_conversation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['facilitator.id'], name=op.f('fk_summary_issue_requested_by_id_facilitator'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_summary_issue')),
    sa.UniqueConstraint('conversation_id', 'number', name='uq_summary_issue_number')
    )
    with op.batch_alter_table('summary_issue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_summary_issue_conversation_id'), ['conversation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_summary_issue_status'), ['status'], unique=False)

    with op.batch_alter_table('summary_send', schema=None) as batch_op:
        batch_op.add_column(sa.Column('named', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('problem', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('request_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('requested_at', convo.models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('next_attempt_at', convo.models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('enqueued_at', convo.models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('handed_over_at', convo.models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('sent_at', convo.models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('server_reply', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('maybe_duplicate', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index(batch_op.f('ix_summary_send_status'), ['status'], unique=False)

    # Sends recorded before the queue were each one finished attempt.
    op.execute("UPDATE summary_send SET sent_at = attempted_at WHERE status = 'sent'")
    op.execute("UPDATE summary_send SET problem = 'server' WHERE status = 'failed'")


def downgrade():
    # Sends still waiting have no meaning to the older code: they are recorded as failed.
    op.execute("UPDATE summary_send SET status = 'failed', "
               "error = 'Not sent: convo was downgraded while this was waiting.' "
               "WHERE status NOT IN ('sent', 'failed')")
    with op.batch_alter_table('summary_send', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_summary_send_status'))
        for column in ('maybe_duplicate', 'server_reply', 'sent_at', 'handed_over_at',
                       'claimed_by', 'enqueued_at', 'next_attempt_at', 'attempts',
                       'requested_at', 'request_key', 'problem', 'named'):
            batch_op.drop_column(column)

    with op.batch_alter_table('summary_issue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_summary_issue_status'))
        batch_op.drop_index(batch_op.f('ix_summary_issue_conversation_id'))
    op.drop_table('summary_issue')

    with op.batch_alter_table('queue_worker', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_queue_worker_seen_at'))
    op.drop_table('queue_worker')
