"""Capturing what is said: add, edit, re-classify, move, merge, hide, delete and undo.

Every change keeps the item's earlier state as a revision, and bumps the live version (not
the phones': their live view shows no points, convo.live.state.bump).
An item carries a client id made by the browser that typed it, so a send that is retried
after a dropped connection is stored once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from flask import abort
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from convo.conversations import history
from convo.core import clock
from convo.core.inputs import is_id
from convo.extensions import db
from convo.live import state
from convo.models import Conversation, Item, ItemRevision


@dataclass(frozen=True)
class Author:
    """Who made a change: the facilitator, or a participant from their own device."""

    facilitator_id: int | None = None
    participant_id: int | None = None

    @property
    def label(self) -> str:
        if self.facilitator_id is not None:
            return f"facilitator:{self.facilitator_id}"
        return f"participant:{self.participant_id}"


def item_or_404(conversation: Conversation, item_id: int) -> Item:
    item = db.session.get(Item, item_id) if is_id(item_id) else None
    if item is None or item.conversation_id != conversation.id:
        abort(404)
    return item


def _next_position(conversation: Conversation) -> int:
    highest = db.session.scalar(
        select(func.max(Item.position)).where(Item.conversation_id == conversation.id))
    return (highest or 0) + 1


def find_by_client_id(conversation: Conversation, client_id: str) -> Item | None:
    return db.session.scalar(select(Item).where(
        Item.conversation_id == conversation.id, Item.client_id == client_id))


def added_since(conversation: Conversation, participant_id: int, since: datetime,
                limit: int) -> list[datetime]:
    """When this participant added their points since a moment, oldest first (at most the
    `limit` latest: enough to tell whether they are over a limit, and since when)."""
    return list(reversed(db.session.scalars(select(Item.created_at).where(
        Item.conversation_id == conversation.id, Item.participant_id == participant_id,
        Item.created_at > since).order_by(Item.created_at.desc()).limit(limit)).all()))


def add(conversation: Conversation, *, client_id: str, text: str, kind: str, raised_by: str,
        stage_id: str | None, question_id: str | None, author: Author) -> tuple[Item, bool]:
    """Store a new item; returns (item, created).  A repeated client id returns the first."""
    existing = find_by_client_id(conversation, client_id)
    if existing is not None:
        return existing, False
    now = clock.utcnow()
    item = Item(
        conversation_id=conversation.id, client_id=client_id, text=text, kind=kind,
        raised_by=raised_by, stage_id=stage_id, question_id=question_id,
        position=_next_position(conversation), created_at=now, updated_at=now,
        facilitator_id=author.facilitator_id, participant_id=author.participant_id,
        status="agreed",
    )
    try:
        with db.session.begin_nested():
            db.session.add(item)
    except IntegrityError:  # the same client id arrived twice at the same moment
        existing = db.session.scalar(select(Item).where(
            Item.conversation_id == conversation.id, Item.client_id == client_id))
        if existing is None:
            raise
        return existing, False
    state.bump(conversation, phones=False)
    return item, True


def _remember(item: Item, author: Author) -> None:
    item.revisions.append(ItemRevision(
        text=item.text, kind=item.kind, raised_by=item.raised_by, stage_id=item.stage_id,
        question_id=item.question_id, changed_at=clock.utcnow(), changed_by=author.label,
    ))


def edit(conversation: Conversation, item: Item, author: Author,
         changes: Mapping[str, str]) -> None:
    """Change the words, the kind or who raised it (already merged with what others saved:
    core.edits).  The earlier state is kept, once."""
    changes = {k: v for k, v in changes.items()
               if k in ("text", "kind", "raised_by") and v is not None and getattr(item, k) != v}
    if not changes:
        return
    _remember(item, author)
    for key, value in changes.items():
        setattr(item, key, value)
    item.updated_at = clock.utcnow()
    state.bump(conversation, phones=False)


def move(conversation: Conversation, item: Item, author: Author, stage_id: str,
         question_id: str | None) -> None:
    if (item.stage_id, item.question_id) == (stage_id, question_id):
        return
    _remember(item, author)
    item.stage_id = stage_id
    item.question_id = question_id
    item.updated_at = clock.utcnow()
    state.bump(conversation, phones=False)


def set_hidden(conversation: Conversation, item: Item, hidden: bool) -> None:
    item.hidden = hidden
    item.updated_at = clock.utcnow()
    state.bump(conversation, phones=False)


def delete(conversation: Conversation, item: Item) -> None:
    """Delete softly, so it can be undone."""
    if item.deleted_at is None:
        item.deleted_at = item.updated_at = clock.utcnow()
        state.bump(conversation, phones=False)


def restore(conversation: Conversation, item: Item) -> None:
    """Undo a delete or a merge."""
    if item.deleted_at is not None or item.merged_into_id is not None:
        item.deleted_at = None
        if item.merged_into_id is not None:
            target = db.session.get(Item, item.merged_into_id)
            item.merged_into_id = None
            if target is not None and target.revisions:
                # Put the merged item's words back as they were before the merge.
                last = target.revisions[-1]
                if last.changed_by.startswith("merge:") and item.text in target.text:
                    target.text = last.text
                    db.session.delete(last)
        state.bump(conversation, phones=False)


def merge(conversation: Conversation, target: Item, others: list[Item], author: Author) -> None:
    """Fold others into target: their words are appended, and they stand down (undoable)."""
    others = [o for o in others if o.id != target.id and o.is_live]
    if not others:
        return
    target.revisions.append(ItemRevision(
        text=target.text, kind=target.kind, raised_by=target.raised_by,
        stage_id=target.stage_id, question_id=target.question_id,
        changed_at=clock.utcnow(), changed_by=f"merge:{author.label}",
    ))
    target.text = "\n".join([target.text, *(o.text for o in others)])
    raised = {target.raised_by, *(o.raised_by for o in others)}
    if raised >= {"partnership", "agency"} or "both" in raised:
        target.raised_by = "both"
    target.updated_at = clock.utcnow()
    for other in others:
        other.merged_into_id = target.id
        other.updated_at = target.updated_at
    state.bump(conversation, phones=False)


@dataclass(frozen=True)
class ActionDetails:
    owner_name: str | None
    owner_participant_id: int | None
    owner_party: str | None
    due_date: date | None
    due_by_next: bool
    first_step: str | None
    agreed_by_both: bool
    status: str
    commitment: int | None = None  # how sure the owner is, 0 to 10


def set_action(conversation: Conversation, item: Item, details: ActionDetails,
               author: Author) -> None:
    """Who, which side and by when (already merged with what others saved: core.edits); the
    earlier wordings of the owner and the first step are kept."""
    if item.kind != "action":
        _remember(item, author)
        item.kind = "action"
    for name in ("owner_name", "first_step"):
        if getattr(item, name) != getattr(details, name):
            history.keep(conversation.id, "item", item.id, name, getattr(item, name),
                         author.label)
    item.owner_name = details.owner_name
    item.owner_participant_id = details.owner_participant_id
    item.owner_party = details.owner_party
    item.due_date = None if details.due_by_next else details.due_date
    item.due_by_next = details.due_by_next
    item.first_step = details.first_step
    item.agreed_by_both = details.agreed_by_both
    item.status = details.status
    item.commitment = details.commitment
    item.updated_at = clock.utcnow()
    state.bump(conversation, phones=False)


def live_items(conversation: Conversation, include_hidden: bool = True) -> list[Item]:
    statement = select(Item).where(
        Item.conversation_id == conversation.id,
        Item.deleted_at.is_(None),
        Item.merged_into_id.is_(None),
    )
    if not include_hidden:
        statement = statement.where(Item.hidden.is_(False))
    return list(db.session.scalars(statement.order_by(Item.position, Item.id)))


def recently_removed(conversation: Conversation, limit: int = 10) -> list[Item]:
    """Deleted or merged items, newest first, for undo."""
    return list(db.session.scalars(
        select(Item).where(
            Item.conversation_id == conversation.id,
            (Item.deleted_at.is_not(None)) | (Item.merged_into_id.is_not(None)),
        ).order_by(Item.updated_at.desc(), Item.id.desc()).limit(limit)
    ))
