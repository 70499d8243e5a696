"""The phones' version becomes the version at which phones last moved (not a count of its
own), so that the shared screen can follow it while it shows no points, and a console can
tell from its own version whether anything but points moved since.

Revision ID: 0015_phones_moved_at
Revises: 0014_second_language
Create Date: 2026-12-06 05:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0015_phones_moved_at'
down_revision = '0014_second_language'
branch_labels = None
depends_on = None


def upgrade():
    # Both numbers the same: every follower's next question is answered as a change (a phone
    # held the old count, a screen the version, or either holds a newer one), so nothing open
    # during the upgrade keeps a view it should have replaced, and a console drawn before it
    # is drawn whole once.
    op.execute("UPDATE conversation SET phone_version = version + 1, version = version + 1")


def downgrade():
    # Before this revision the phones' version was only ever compared for equality: any
    # number moved on works.  Moved on, so that phones open during the downgrade look again.
    op.execute("UPDATE conversation SET phone_version = phone_version + 1, "
               "version = version + 1")
