"""The shared summary: the facilitator's draft, each party's approval, issued versions, sends."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from convo.core.clock import utcnow
from convo.extensions import db
from convo.models.types import UTCDateTime


class SummaryDraft(db.Model):
    """The words the facilitator writes around what was captured."""

    __tablename__ = "summary_draft"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), unique=True)
    introduction: Mapped[str] = mapped_column(Text, default="")
    closing: Mapped[str] = mapped_column(Text, default="")
    # A short text under each heading, as JSON: {"community": "...", "challenges": "...", ...}
    narratives: Mapped[str] = mapped_column(Text, default="{}")
    # For a correction: what changed since the last issued version.  Part of the words both
    # sides approve, and printed on the version it is issued with.
    change_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The appendix: "asked" (the questions asked, with time per stage) or "none" (left out).
    appendix: Mapped[str] = mapped_column(String(16), default="asked", server_default="asked")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<SummaryDraft of conversation {self.conversation_id}>"


class SummaryApproval(db.Model):
    """A party's approval of the draft as it stood (its content hash) at that moment."""

    __tablename__ = "summary_approval"
    __table_args__ = (UniqueConstraint("conversation_id", "party",
                                       name="uq_summary_approval_party"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    party: Mapped[str] = mapped_column(String(16))
    content_hash: Mapped[str] = mapped_column(String(64))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(32))  # facilitator:<id> / participant:<id>

    def __repr__(self) -> str:
        return f"<SummaryApproval {self.party} of conversation {self.conversation_id}>"


class SummaryVersion(db.Model):
    """An issued summary.  Never changed once written: a correction is the next version."""

    __tablename__ = "summary_version"
    __table_args__ = (UniqueConstraint("conversation_id", "number",
                                       name="uq_summary_version_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    change_note: Mapped[str] = mapped_column(Text, default="")
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("facilitator.id", ondelete="SET NULL"))
    content_hash: Mapped[str] = mapped_column(String(64))
    # Paths relative to the export folder, and the SHA-256 of each file's bytes.
    pdf_file: Mapped[str] = mapped_column(String(500))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    docx_file: Mapped[str] = mapped_column(String(500))
    docx_sha256: Mapped[str] = mapped_column(String(64))
    summary_json: Mapped[str] = deferred(mapped_column(Text))

    sends: Mapped[list[SummarySend]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="SummarySend.id")

    def __repr__(self) -> str:
        return f"<SummaryVersion {self.number} of conversation {self.conversation_id}>"


class SummarySend(db.Model):
    """Sending one version to one recipient: a row of the outbox (convo/summary/sending.py).

    Recorded as "queued" with the click that asks for it, in the same transaction; the
    background worker then claims it ("sending"), and records the server's answer: "sent"
    only once the server accepted the message, "retrying" after a temporary failure (4xx,
    timeout, no connection) with the time of the next try, "failed" after a permanent one
    (5xx) or when the tries run out.  `error` is the last reason, shown to the facilitator.
    """

    __tablename__ = "summary_send"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("summary_version.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    label: Mapped[str] = mapped_column(String(200))  # name, or role when not to be named
    named: Mapped[bool] = mapped_column(Boolean, default=False)  # the name may go in To:
    # queued, sending, retrying, sent, failed
    status: Mapped[str] = mapped_column(String(16), index=True)
    # What went wrong last, as a word the page translates: server (its answer is in `error`),
    # files (the issued files are damaged), not_configured (no mail server where the worker
    # runs), interrupted (the worker stopped during the try).
    problem: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)  # the server's or the network's words
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # last try
    # The outbox's own bookkeeping.
    request_key: Mapped[str | None] = mapped_column(String(64))  # one per form shown
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(200))  # the worker sending it
    # Set just before the message itself goes to the server: a worker that dies after this
    # may have had the message accepted without hearing so.
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    server_reply: Mapped[str | None] = mapped_column(Text)  # the server's acceptance
    maybe_duplicate: Mapped[bool] = mapped_column(Boolean, default=False)

    version: Mapped[SummaryVersion] = relationship(back_populates="sends")

    def __repr__(self) -> str:
        return f"<SummarySend {self.status} version={self.version_id}>"


class SummaryIssue(db.Model):
    """A request to issue version `number`, done by the background worker.

    One row per conversation and number, so double clicks and two tabs make one version:
    pending, then working, then done (with the version) or failed (with the cause, and the
    facilitator can try again, which sets it back to pending)."""

    __tablename__ = "summary_issue"
    __table_args__ = (UniqueConstraint("conversation_id", "number",
                                       name="uq_summary_issue_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    change_note: Mapped[str] = mapped_column(Text, default="")
    content_hash: Mapped[str] = mapped_column(String(64))  # the words approved at the click
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("facilitator.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending working done failed
    # Why it failed, as a word the page translates (disk_full, archive, renderer, approvals,
    # change_note, conflict, interrupted, other), and the system's own words for it.
    problem: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<SummaryIssue v{self.number} {self.status} of conversation {self.conversation_id}>"
