"""Partnerships and their relationships over time: the map, action updates, reminders and
calendar invitations.  Every existing conversation is put in a partnership and on its map.

Existing conversations are grouped per facilitator (a facilitator's conversations are never
shown to another by this step) by the partnership's name as it is matched: case, spacing and
punctuation set aside, "&" read as "and".  Names that differ more than that (a typing slip,
"BL" for "Big Local") become separate partnerships, and the partnerships page offers to
combine them once the facilitator confirms.  Within a partnership, conversations with the same
agency (matched the same way) share one relationship on the map.

Revision ID: 0008_partnerships
Revises: 0007_harden
Create Date: 2026-12-04 19:10:00

"""
import re
import unicodedata
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

import convo.models.types  # noqa: F401  (the UTCDateTime column type)


# revision identifiers, used by Alembic.
revision = '0008_partnerships'
down_revision = '0007_harden'
branch_labels = None
depends_on = None


def _match_name(name):
    """As convo.partnerships.service.match_name, frozen here as it was at this migration."""
    text = unicodedata.normalize("NFKC", name or "").casefold().replace("&", " and ")
    text = "".join(ch if ch.isalnum() else "" if ch in ".'’" else " " for ch in text)
    return re.sub(r"\s+", " ", text).strip()[:200]


def upgrade():
    op.create_table('partnership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('area', sa.String(length=200), nullable=True),
    sa.Column('match_name', sa.String(length=200), nullable=False),
    sa.Column('criteria', sa.String(length=500), server_default='', nullable=False),
    sa.Column('reminders_on', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('remind_days_before', sa.Integer(), server_default='3', nullable=False),
    sa.Column('remind_overdue', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('link_days', sa.Integer(), server_default='14', nullable=False),
    sa.Column('created_at', convo.models.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', convo.models.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partnership'))
    )
    with op.batch_alter_table('partnership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partnership_match_name'), ['match_name'], unique=False)

    op.create_table('partnership_facilitator',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('facilitator_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('added_at', convo.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['facilitator_id'], ['facilitator.id'], name=op.f('fk_partnership_facilitator_facilitator_id_facilitator'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'], name=op.f('fk_partnership_facilitator_partnership_id_partnership'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partnership_facilitator')),
    sa.UniqueConstraint('partnership_id', 'facilitator_id', name='uq_partnership_facilitator_pair')
    )
    with op.batch_alter_table('partnership_facilitator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partnership_facilitator_facilitator_id'), ['facilitator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_partnership_facilitator_partnership_id'), ['partnership_id'], unique=False)

    op.create_table('partnership_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('record', sa.String(length=32), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('replaced_at', convo.models.types.UTCDateTime(), nullable=False),
    sa.Column('replaced_by', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'], name=op.f('fk_partnership_revision_partnership_id_partnership'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partnership_revision'))
    )
    with op.batch_alter_table('partnership_revision', schema=None) as batch_op:
        batch_op.create_index('ix_partnership_revision_record', ['record', 'record_id', 'field'], unique=False)
        batch_op.create_index(batch_op.f('ix_partnership_revision_partnership_id'), ['partnership_id'], unique=False)

    op.create_table('relationship',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('agency_name', sa.String(length=200), nullable=False),
    sa.Column('match_name', sa.String(length=200), nullable=False),
    sa.Column('agency_type', sa.String(length=32), nullable=False),
    sa.Column('agency_subtype', sa.String(length=64), nullable=True),
    sa.Column('partnership_holders', sa.Text(), nullable=True),
    sa.Column('agency_holders', sa.Text(), nullable=True),
    sa.Column('purposes', sa.String(length=200), server_default='', nullable=False),
    sa.Column('type_now', sa.String(length=64), nullable=True),
    sa.Column('type_wanted', sa.String(length=64), nullable=True),
    sa.Column('focus', sa.String(length=16), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', convo.models.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', convo.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'], name=op.f('fk_relationship_partnership_id_partnership'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_relationship')),
    sa.UniqueConstraint('partnership_id', 'match_name', name='uq_relationship_agency')
    )
    with op.batch_alter_table('relationship', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_relationship_partnership_id'), ['partnership_id'], unique=False)

    op.create_table('map_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('relationship_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.String(length=64), nullable=False),
    sa.Column('rater', sa.String(length=32), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('updated_at', convo.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['relationship_id'], ['relationship.id'], name=op.f('fk_map_score_relationship_id_relationship'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_map_score')),
    sa.UniqueConstraint('relationship_id', 'criterion_id', 'rater', name='uq_map_score_one')
    )
    with op.batch_alter_table('map_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_map_score_relationship_id'), ['relationship_id'], unique=False)

    op.create_table('action_update',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', convo.models.types.UTCDateTime(), nullable=False),
    sa.Column('author', sa.String(length=32), nullable=False),
    sa.Column('author_label', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_action_update_item_id_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_update'))
    )
    with op.batch_alter_table('action_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_update_item_id'), ['item_id'], unique=False)

    op.create_table('reminder_send',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('problem', sa.String(length=32), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', convo.models.types.UTCDateTime(), nullable=False),
    sa.Column('next_attempt_at', convo.models.types.UTCDateTime(), nullable=True),
    sa.Column('enqueued_at', convo.models.types.UTCDateTime(), nullable=True),
    sa.Column('claimed_by', sa.String(length=200), nullable=True),
    sa.Column('handed_over_at', convo.models.types.UTCDateTime(), nullable=True),
    sa.Column('sent_at', convo.models.types.UTCDateTime(), nullable=True),
    sa.Column('server_reply', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_reminder_send_item_id_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_reminder_send_participant_id_participant'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'], name=op.f('fk_reminder_send_partnership_id_partnership'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_send')),
    sa.UniqueConstraint('item_id', 'email', 'kind', name='uq_reminder_send_one')
    )
    with op.batch_alter_table('reminder_send', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_send_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminder_send_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminder_send_partnership_id'), ['partnership_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminder_send_status'), ['status'], unique=False)

    op.create_table('reminder_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('send_id', sa.Integer(), nullable=True),
    sa.Column('created_at', convo.models.types.UTCDateTime(), nullable=False),
    sa.Column('expires_at', convo.models.types.UTCDateTime(), nullable=False),
    sa.Column('used_at', convo.models.types.UTCDateTime(), nullable=True),
    sa.Column('revoked_at', convo.models.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_reminder_link_item_id_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_reminder_link_participant_id_participant'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'], name=op.f('fk_reminder_link_partnership_id_partnership'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['send_id'], ['reminder_send.id'], name=op.f('fk_reminder_link_send_id_reminder_send'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_link')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_reminder_link_token_hash'))
    )
    with op.batch_alter_table('reminder_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_link_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminder_link_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminder_link_partnership_id'), ['partnership_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminder_link_send_id'), ['send_id'], unique=False)

    op.create_table('reminder_opt_out',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('created_at', convo.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'], name=op.f('fk_reminder_opt_out_partnership_id_partnership'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_opt_out')),
    sa.UniqueConstraint('partnership_id', 'email', name='uq_reminder_opt_out')
    )
    with op.batch_alter_table('reminder_opt_out', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_opt_out_partnership_id'), ['partnership_id'], unique=False)

    op.create_table('calendar_invite',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('starts_at', convo.models.types.UTCDateTime(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', convo.models.types.UTCDateTime(), nullable=False),
    sa.Column('sent_at', convo.models.types.UTCDateTime(), nullable=True),
    sa.Column('cancelled', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], name=op.f('fk_calendar_invite_conversation_id_conversation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_calendar_invite_participant_id_participant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_invite'))
    )
    with op.batch_alter_table('calendar_invite', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_invite_conversation_id'), ['conversation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calendar_invite_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calendar_invite_status'), ['status'], unique=False)

    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminders', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('partnership_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('relationship_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('next_at', convo.models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('invite_sequence', sa.Integer(), server_default='0', nullable=False))

    _put_conversations_in_partnerships()

    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.alter_column('partnership_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_conversation_partnership_id'), ['partnership_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_conversation_relationship_id'), ['relationship_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_conversation_partnership_id_partnership'), 'partnership', ['partnership_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_conversation_relationship_id_relationship'), 'relationship', ['relationship_id'], ['id'])


def _put_conversations_in_partnerships():
    """Each existing conversation into a partnership of its facilitator's (matched by name),
    and onto that partnership's map (its agency, matched by name)."""
    bind = op.get_bind()
    conversation = sa.table(
        'conversation', sa.column('id', sa.Integer), sa.column('facilitator_id', sa.Integer),
        sa.column('partnership_name', sa.String), sa.column('partnership_area', sa.String),
        sa.column('agency_name', sa.String), sa.column('agency_type', sa.String),
        sa.column('agency_subtype', sa.String), sa.column('partnership_id', sa.Integer),
        sa.column('relationship_id', sa.Integer), sa.column('created_at', sa.DateTime))
    partnership = sa.table(
        'partnership', sa.column('id', sa.Integer), sa.column('name', sa.String),
        sa.column('area', sa.String), sa.column('match_name', sa.String),
        sa.column('created_at', convo.models.types.UTCDateTime()),
        sa.column('updated_at', convo.models.types.UTCDateTime()))
    access = sa.table(
        'partnership_facilitator', sa.column('partnership_id', sa.Integer),
        sa.column('facilitator_id', sa.Integer), sa.column('role', sa.String),
        sa.column('added_at', convo.models.types.UTCDateTime()))
    relationship = sa.table(
        'relationship', sa.column('id', sa.Integer), sa.column('partnership_id', sa.Integer),
        sa.column('agency_name', sa.String), sa.column('match_name', sa.String),
        sa.column('agency_type', sa.String), sa.column('agency_subtype', sa.String),
        sa.column('position', sa.Integer), sa.column('purposes', sa.String),
        sa.column('created_at', convo.models.types.UTCDateTime()),
        sa.column('updated_at', convo.models.types.UTCDateTime()))
    now = datetime.now(timezone.utc)
    rows = bind.execute(sa.select(
        conversation.c.id, conversation.c.facilitator_id, conversation.c.partnership_name,
        conversation.c.partnership_area, conversation.c.agency_name, conversation.c.agency_type,
        conversation.c.agency_subtype).order_by(conversation.c.id)).all()
    partnerships = {}
    relationships = {}
    for row in rows:
        key = (row.facilitator_id, _match_name(row.partnership_name))
        if key not in partnerships:
            partnership_id = bind.execute(partnership.insert().values(
                name=row.partnership_name, area=row.partnership_area, match_name=key[1],
                created_at=now, updated_at=now).returning(partnership.c.id)).scalar_one()
            bind.execute(access.insert().values(partnership_id=partnership_id,
                                                facilitator_id=row.facilitator_id,
                                                role='lead', added_at=now))
            partnerships[key] = partnership_id
        partnership_id = partnerships[key]
        agency_key = (partnership_id, _match_name(row.agency_name))
        if agency_key not in relationships:
            position = sum(1 for k in relationships if k[0] == partnership_id)
            relationships[agency_key] = bind.execute(relationship.insert().values(
                partnership_id=partnership_id, agency_name=row.agency_name,
                match_name=agency_key[1], agency_type=row.agency_type,
                agency_subtype=row.agency_subtype, position=position, purposes='',
                created_at=now, updated_at=now).returning(relationship.c.id)).scalar_one()
        else:  # the latest conversation says what kind of agency it is
            bind.execute(relationship.update().where(
                relationship.c.id == relationships[agency_key]).values(
                agency_type=row.agency_type, agency_subtype=row.agency_subtype))
        bind.execute(conversation.update().where(conversation.c.id == row.id).values(
            partnership_id=partnership_id, relationship_id=relationships[agency_key]))


def downgrade():
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_conversation_relationship_id_relationship'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_conversation_partnership_id_partnership'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_conversation_relationship_id'))
        batch_op.drop_index(batch_op.f('ix_conversation_partnership_id'))
        batch_op.drop_column('invite_sequence')
        batch_op.drop_column('next_at')
        batch_op.drop_column('relationship_id')
        batch_op.drop_column('partnership_id')

    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_column('reminders')

    # Actions marked "stuck" have no such status in the older code: they are in progress.
    op.execute("UPDATE item SET status = 'in_progress' WHERE status = 'stuck'")
    for table in ('calendar_invite', 'reminder_opt_out', 'reminder_link', 'reminder_send',
                  'action_update', 'map_score', 'relationship', 'partnership_revision',
                  'partnership_facilitator', 'partnership'):
        op.drop_table(table)
