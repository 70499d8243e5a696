"""What convo sends between conversations: reminders to action owners (an outbox, like the
summary's sends), the no-account links in them, opt-outs, and calendar invitations.

Links keep only a hash of their token (like devices and account links): a copy of the
database opens nothing.  Everything here hangs off an action, a person or a partnership with
ON DELETE CASCADE, so deleting a conversation or a partnership takes its reminders and links.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false)
from sqlalchemy.orm import Mapped, mapped_column

from convo.core.clock import utcnow
from convo.extensions import db
from convo.models.types import UTCDateTime

REMINDER_KINDS = ("due_soon", "overdue")
LINK_PURPOSES = ("update", "stop")


class ReminderSend(db.Model):
    """One reminder about one action to one person: a row of the reminders' outbox.

    queued -> sending -> sent; retrying after a temporary failure (4xx, no connection);
    failed after a permanent one (5xx: a bounce) or when the tries run out; cancelled when,
    by the time it would go, the action is done or dropped, reminders are off or the person
    has opted out."""

    __tablename__ = "reminder_send"
    __table_args__ = (UniqueConstraint("item_id", "email", "kind", name="uq_reminder_send_one"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnership.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    kind: Mapped[str] = mapped_column(String(16))  # due_soon, overdue
    status: Mapped[str] = mapped_column(String(16), index=True)
    problem: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    server_reply: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<ReminderSend {self.kind} {self.status} item={self.item_id}>"


class ReminderLink(db.Model):
    """A signed, single-purpose, expiring, revocable link sent by email to someone without an
    account: "update" (report progress on one action, once) or "stop" (no more reminders)."""

    __tablename__ = "reminder_link"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(16))
    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnership.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    send_id: Mapped[int | None] = mapped_column(
        ForeignKey("reminder_send.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<ReminderLink {self.id} {self.purpose} used={self.used_at is not None}>"


class ReminderOptOut(db.Model):
    """An address that asked for no more reminders from this partnership's conversations."""

    __tablename__ = "reminder_opt_out"
    __table_args__ = (UniqueConstraint("partnership_id", "email", name="uq_reminder_opt_out"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnership.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))  # lower case
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<ReminderOptOut {self.id}>"


class CalendarInvite(db.Model):
    """The next conversation sent to one participant's calendar: an outbox row per person and
    sequence (REQUEST for the date as it was then, CANCEL once the date is taken away)."""

    __tablename__ = "calendar_invite"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    method: Mapped[str] = mapped_column(String(16))  # REQUEST or CANCEL
    sequence: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), index=True)  # queued sending sent failed
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    def __repr__(self) -> str:
        return f"<CalendarInvite {self.method} seq={self.sequence} {self.status}>"
