"""Facilitator accounts, one-time links and sign-in throttling.

Revision ID: 0001_accounts
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

import convo.models.types

revision = "0001_accounts"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "facilitator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("session_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", convo.models.types.UTCDateTime(), nullable=False),
        sa.Column("last_signed_in_at", convo.models.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facilitator")),
        sa.UniqueConstraint("email", name=op.f("uq_facilitator_email")),
    )
    op.create_table(
        "account_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("facilitator_id", sa.Integer(), nullable=True),
        sa.Column("created_at", convo.models.types.UTCDateTime(), nullable=False),
        sa.Column("expires_at", convo.models.types.UTCDateTime(), nullable=False),
        sa.Column("used_at", convo.models.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["facilitator_id"], ["facilitator.id"],
            name=op.f("fk_account_token_facilitator_id_facilitator"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_token_token_hash")),
    )
    op.create_index(
        op.f("ix_account_token_facilitator_id"), "account_token", ["facilitator_id"], unique=False
    )
    op.create_table(
        "throttle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", convo.models.types.UTCDateTime(), nullable=False),
        sa.Column("next_allowed_at", convo.models.types.UTCDateTime(), nullable=True),
        sa.Column("locked_until", convo.models.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_throttle")),
        sa.UniqueConstraint("scope", "key_hash", name="uq_throttle_scope_key"),
    )


def downgrade():
    op.drop_table("throttle")
    op.drop_index(op.f("ix_account_token_facilitator_id"), table_name="account_token")
    op.drop_table("account_token")
    op.drop_table("facilitator")
