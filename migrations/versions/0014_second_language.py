"""A conversation's second language: the shared screen shows the question in both, and the
summary is issued in both, one after the other (empty: the conversation's language only).

Revision ID: 0014_second_language
Revises: 0013_join_strip
Create Date: 2026-12-06 02:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_second_language'
down_revision = '0013_join_strip'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('second_locale', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.drop_column('second_locale')
