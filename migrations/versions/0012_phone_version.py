"""Phones follow a version of their own: moved on by every change except the captured points
and actions, which a phone's live view never shows.

Revision ID: 0012_phone_version
Revises: 0011_room
Create Date: 2026-12-05 13:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_phone_version'
down_revision = '0011_room'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_version', sa.Integer(), server_default='1',
                                      nullable=False))
    # A phone open during the upgrade holds the conversation's version: start from it, so the
    # phone's next question is answered as a change and it shows where the conversation is.
    op.execute("UPDATE conversation SET phone_version = version + 1")


def downgrade():
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.drop_column('phone_version')
