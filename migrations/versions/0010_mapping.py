"""Mapping sessions: a partnership's members rate its relationships from their phones.

Revision ID: 0010_mapping
Revises: 0009_map_prints
Create Date: 2026-12-05 09:00:00

"""
from alembic import op
import sqlalchemy as sa

import convo.models.types  # noqa: F401  (the UTCDateTime column type)


# revision identifiers, used by Alembic.
revision = '0010_mapping'
down_revision = '0009_map_prints'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mapping_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('criteria', sa.String(length=500), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', convo.models.types.UTCDateTime(), nullable=False),
    sa.Column('shown_at', convo.models.types.UTCDateTime(), nullable=True),
    sa.Column('closed_at', convo.models.types.UTCDateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['facilitator.id'],
                            name=op.f('fk_mapping_session_created_by_id_facilitator'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'],
                            name=op.f('fk_mapping_session_partnership_id_partnership'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mapping_session')),
    sa.UniqueConstraint('code', name=op.f('uq_mapping_session_code'))
    )
    with op.batch_alter_table('mapping_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mapping_session_partnership_id'),
                              ['partnership_id'], unique=False)

    op.create_table('mapping_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('joined_at', convo.models.types.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('saved_at', convo.models.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['mapping_session.id'],
                            name=op.f('fk_mapping_member_session_id_mapping_session'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mapping_member')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_mapping_member_token_hash'))
    )
    with op.batch_alter_table('mapping_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mapping_member_session_id'), ['session_id'],
                              unique=False)

    op.create_table('mapping_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('relationship_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.String(length=64), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['mapping_member.id'],
                            name=op.f('fk_mapping_score_member_id_mapping_member'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['relationship_id'], ['relationship.id'],
                            name=op.f('fk_mapping_score_relationship_id_relationship'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mapping_score')),
    sa.UniqueConstraint('member_id', 'relationship_id', 'criterion_id',
                        name='uq_mapping_score_one')
    )
    with op.batch_alter_table('mapping_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mapping_score_member_id'), ['member_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_mapping_score_relationship_id'),
                              ['relationship_id'], unique=False)


def downgrade():
    op.drop_table('mapping_score')
    op.drop_table('mapping_member')
    op.drop_table('mapping_session')
