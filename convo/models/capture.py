"""What was said: captured items (challenges, opportunities, actions ...) and their edits."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from convo.core.clock import utcnow
from convo.extensions import db
from convo.models.types import UTCDateTime

# "parking_lot": a topic that matters but would take over today, kept to come back to.
KINDS = ("challenge", "opportunity", "action", "strength", "note", "follow_up", "parking_lot")
RAISED_BY = ("partnership", "agency", "both", "facilitator")
ACTION_STATUSES = ("agreed", "in_progress", "done", "dropped", "stuck")
OPEN_STATUSES = ("agreed", "in_progress", "stuck")  # not yet done or dropped
TEXT_MAX = 5000


class Item(db.Model):
    """One captured line.  An item of kind "action" also carries who, which party and when."""

    __tablename__ = "item"
    __table_args__ = (UniqueConstraint("conversation_id", "client_id",
                                       name="uq_item_conversation_client"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True
    )
    # Made by the browser that typed it, so a retried send never stores it twice.
    client_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    raised_by: Mapped[str] = mapped_column(String(16))
    stage_id: Mapped[str | None] = mapped_column(String(64))
    question_id: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("item.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    facilitator_id: Mapped[int | None] = mapped_column(
        ForeignKey("facilitator.id", ondelete="SET NULL")
    )
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL")
    )

    # Agreed actions
    owner_name: Mapped[str | None] = mapped_column(String(200))
    owner_participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL")
    )
    owner_party: Mapped[str | None] = mapped_column(String(16))
    due_date: Mapped[date | None] = mapped_column(Date)
    due_by_next: Mapped[bool] = mapped_column(Boolean, default=False)
    first_step: Mapped[str | None] = mapped_column(Text)
    agreed_by_both: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="agreed")
    # The commitment check: how sure the owner is, from 0 to 10, that it will be done.
    commitment: Mapped[int | None] = mapped_column(Integer)

    # In the summary: left out by the facilitator, or placed in their chosen order.
    in_summary: Mapped[bool] = mapped_column(Boolean, default=True)
    summary_position: Mapped[int | None] = mapped_column(Integer)

    revisions: Mapped[list[ItemRevision]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="ItemRevision.id"
    )

    def __repr__(self) -> str:
        return f"<Item {self.id} {self.kind} by={self.raised_by}>"

    @property
    def is_live(self) -> bool:
        return self.deleted_at is None and self.merged_into_id is None


class ItemRevision(db.Model):
    """The state of an item before an edit: edits are kept, never lost."""

    __tablename__ = "item_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    raised_by: Mapped[str] = mapped_column(String(16))
    stage_id: Mapped[str | None] = mapped_column(String(64))
    question_id: Mapped[str | None] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by: Mapped[str] = mapped_column(String(32))

    item: Mapped[Item] = relationship(back_populates="revisions")

    def __repr__(self) -> str:
        return f"<ItemRevision {self.id} of item {self.item_id}>"


class ActionUpdate(db.Model):
    """How an agreed action stands, as someone reported it: from the tracker, the console of
    a later conversation, or its owner's reminder link (people without accounts)."""

    __tablename__ = "action_update"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # facilitator:<id> or reminder:<participant id>; and who that was, as they may be shown.
    author: Mapped[str] = mapped_column(String(32))
    author_label: Mapped[str] = mapped_column(String(200))

    def __repr__(self) -> str:
        return f"<ActionUpdate {self.status} of item {self.item_id}>"
