"""The relationship map's PDF and Word files, made by the background worker: one row per
partnership and kind, holding the file once it is made.

Revision ID: 0009_map_prints
Revises: 0008_partnerships
Create Date: 2026-12-05 08:30:00

"""
from alembic import op
import sqlalchemy as sa

import convo.models.types  # noqa: F401  (the UTCDateTime column type)


# revision identifiers, used by Alembic.
revision = '0009_map_prints'
down_revision = '0008_partnerships'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('map_print',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', convo.models.types.UTCDateTime(), nullable=False),
    sa.Column('enqueued_at', convo.models.types.UTCDateTime(), nullable=True),
    sa.Column('claimed_by', sa.String(length=200), nullable=True),
    sa.Column('finished_at', convo.models.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'],
                            name=op.f('fk_map_print_partnership_id_partnership'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['facilitator.id'],
                            name=op.f('fk_map_print_requested_by_id_facilitator'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_map_print')),
    sa.UniqueConstraint('partnership_id', 'kind', name='uq_map_print_kind')
    )
    with op.batch_alter_table('map_print', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_map_print_partnership_id'), ['partnership_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_map_print_status'), ['status'], unique=False)


def downgrade():
    op.drop_table('map_print')
