"""The shared screen's optional join strip: the join address and code along the foot of every
view, turned on from the console (off by default).

Revision ID: 0013_join_strip
Revises: 0012_phone_version
Create Date: 2026-12-05 13:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_join_strip'
down_revision = '0012_phone_version'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('screen_join_strip', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.drop_column('screen_join_strip')
