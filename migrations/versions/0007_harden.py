"""Hardening: server-side facilitator sessions, wrong join codes counted per minute, when a
conversation's code was issued, and devices that wait for the facilitator's OK.

Revision ID: 0007_harden
Revises: 0006_commitment
Create Date: 2026-12-04 17:00:00

"""
from alembic import op
import sqlalchemy as sa

import convo.models.types  # noqa: F401  (the UTCDateTime column type)


# revision identifiers, used by Alembic.
revision = '0007_harden'
down_revision = '0006_commitment'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('facilitator_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('facilitator_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', convo.models.types.UTCDateTime(), nullable=False),
    sa.Column('last_seen_at', convo.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['facilitator_id'], ['facilitator.id'], name=op.f('fk_facilitator_session_facilitator_id_facilitator'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_facilitator_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_facilitator_session_token_hash'))
    )
    with op.batch_alter_table('facilitator_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_facilitator_session_facilitator_id'), ['facilitator_id'], unique=False)

    op.create_table('join_guesses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('minute', convo.models.types.UTCDateTime(), nullable=False),
    sa.Column('wrong', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_join_guesses')),
    sa.UniqueConstraint('minute', name=op.f('uq_join_guesses_minute'))
    )

    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code_issued_at', convo.models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('code_guesses_before', sa.Integer(), nullable=False,
                                      server_default='0'))
    op.execute("UPDATE conversation SET code_issued_at = created_at")

    with op.batch_alter_table('device', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approved_at', convo.models.types.UTCDateTime(), nullable=True))
    op.execute("UPDATE device SET approved_at = created_at")  # every device so far was let in
    # Sessions signed in before this migration are not known on the server, so they end:
    # everyone signs in again once.


def downgrade():
    with op.batch_alter_table('device', schema=None) as batch_op:
        batch_op.drop_column('approved_at')

    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.drop_column('code_guesses_before')
        batch_op.drop_column('code_issued_at')

    op.drop_table('join_guesses')
    with op.batch_alter_table('facilitator_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_facilitator_session_facilitator_id'))

    op.drop_table('facilitator_session')
