"""Deleting a partnership for good: its conversations (each as convo.conversations.deleting
deletes one: every row and its issued files), then its map, its reminders, their links and
opt-outs, and its earlier wordings (ON DELETE CASCADE from the partnership).

Only when every conversation in it is the deleting facilitator's own: a co-facilitator's
conversations are theirs to delete.  Each conversation's deletion commits on its own (its
files may go only once its rows are surely gone); if one cannot be deleted (its archive can't
be written to), the ones before it are gone, the partnership and the rest stay, and the page
says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select

from convo.conversations import deleting
from convo.extensions import db
from convo.models import Conversation, Facilitator, Partnership


@dataclass(frozen=True)
class Blocked:
    others: int  # conversations of other facilitators in it


def others_conversations(partnership: Partnership, facilitator: Facilitator) -> int:
    return len(list(db.session.scalars(select(Conversation.id).where(
        Conversation.partnership_id == partnership.id,
        Conversation.facilitator_id != facilitator.id))))


def delete_partnership(partnership: Partnership, facilitator: Facilitator) -> Blocked | None:
    """Delete it all (see the module's docstring); Blocked when others' conversations are in
    it.  Raises deleting.ArchiveError if a conversation's files cannot be moved."""
    others = others_conversations(partnership, facilitator)
    if others:
        return Blocked(others)
    partnership_id = partnership.id
    for conversation_id in list(db.session.scalars(select(Conversation.id).where(
            Conversation.partnership_id == partnership_id))):
        conversation = db.session.get(Conversation, conversation_id)
        if conversation is not None:
            deleting.delete_conversation(conversation, files_now=False)
    db.session.execute(delete(Partnership).where(Partnership.id == partnership_id))
    if partnership in db.session:
        db.session.expunge(partnership)  # gone: never refreshed or flushed again
    return None
