"""The commitment check: how sure an action's owner is, from 0 to 10, that it will be done.

Revision ID: 0006_commitment
Revises: 0005_queue
Create Date: 2026-12-04 18:54:42.784810

"""
from alembic import op
import sqlalchemy as sa

import convo.models.types  # noqa: F401  (the UTCDateTime column type)


# revision identifiers, used by Alembic.
revision = '0006_commitment'
down_revision = '0005_queue'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('commitment', sa.Integer(), nullable=True))



def downgrade():
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.drop_column('commitment')

