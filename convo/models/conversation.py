"""A conversation: its plan, its people, the devices that joined it, and its live state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from convo.core.clock import utcnow
from convo.extensions import db
from convo.models.snapshot import QuestionSetSnapshot
from convo.models.types import UTCDateTime

PARTIES = ("partnership", "agency")
STATUSES = ("upcoming", "live", "closed")
SCREEN_MODES = ("question", "items", "ratings", "actions", "summary", "join")
TIMER_STATES = ("off", "running", "paused")

NAME_MAX = 200
PLACE_MAX = 300
LINK_MAX = 1000
LONG_TEXT_MAX = 5000


class Conversation(db.Model):
    """One facilitated conversation between a community partnership and a public agency."""

    __tablename__ = "conversation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    facilitator_id: Mapped[int] = mapped_column(
        ForeignKey("facilitator.id", ondelete="CASCADE"), index=True
    )
    follows_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="SET NULL"), index=True
    )
    # The partnership it belongs to, and the relationship on its map it is about (deleting
    # either goes through convo.partnerships, which deletes the conversations properly first).
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    relationship_id: Mapped[int | None] = mapped_column(ForeignKey("relationship.id"),
                                                        index=True)

    partnership_name: Mapped[str] = mapped_column(String(NAME_MAX))
    partnership_area: Mapped[str | None] = mapped_column(String(NAME_MAX))
    agency_name: Mapped[str] = mapped_column(String(NAME_MAX))
    agency_type: Mapped[str] = mapped_column(String(32))
    agency_subtype: Mapped[str | None] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    place: Mapped[str | None] = mapped_column(String(PLACE_MAX))
    video_link: Mapped[str | None] = mapped_column(String(LINK_MAX))
    question_set_id: Mapped[str] = mapped_column(String(64))
    question_set_version: Mapped[int] = mapped_column(Integer)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("question_set_snapshot.id"), index=True)
    # The conversation's language (the screen, the summary, emails), and optionally a second
    # one: the screen then shows the question in both, and the summary is issued in both.
    locale: Mapped[str] = mapped_column(String(16), default="en_GB")
    second_locale: Mapped[str | None] = mapped_column(String(16))

    status: Mapped[str] = mapped_column(String(16), default="upcoming", index=True)
    join_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    # When the join code was issued: wrong codes tried since then may have been aimed at it.
    code_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Wrong codes already counted in that minute when it was issued (convo.live.guessing).
    code_guesses_before: Mapped[int] = mapped_column(Integer, default=0)

    # Live state, followed by the shared screen and participants' devices.  `version` goes up
    # by one with every change anyone makes, in the same transaction as the change.
    current_stage_id: Mapped[str | None] = mapped_column(String(64))
    current_question_id: Mapped[str | None] = mapped_column(String(64))
    screen_mode: Mapped[str] = mapped_column(String(16), default="question")
    ratings_revealed: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # What participants' phones follow: moved on with `version` by every change except those a
    # phone's live view never shows (points and actions; convo.live.state.bump).
    phone_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    # The countdown on the shared screen (convo.live.timer): off, running until timer_ends_at,
    # or paused with timer_left_seconds to go.  timer_version goes up with every change to it,
    # and a change is saved against the timer_version its console was shown.
    timer_state: Mapped[str] = mapped_column(String(16), default="off", server_default="off")
    timer_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    timer_left_seconds: Mapped[int | None] = mapped_column(Integer)
    timer_added_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    timer_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Paging on the shared screen: the page of a long list (0: the newest), the summary's
    # section, and the point opened in full (None: none).
    screen_page: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    screen_item_id: Mapped[int | None] = mapped_column(Integer)
    # The join address and code along the foot of every shared-screen view (console's choice).
    screen_join_strip: Mapped[bool] = mapped_column(Boolean, default=False,
                                                    server_default=false())

    # The agreement: how the parties will work and keep in touch.
    ground_rules: Mapped[str | None] = mapped_column(Text)
    contacts: Mapped[str | None] = mapped_column(Text)
    meeting_rhythm: Mapped[str | None] = mapped_column(Text)
    next_conversation: Mapped[str | None] = mapped_column(String(NAME_MAX))
    # The next conversation's real date and time (next_conversation holds any words beside
    # it, such as "when it will be arranged"), and how many times invitations to it changed.
    next_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    invite_sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    snapshot: Mapped[QuestionSetSnapshot] = relationship()
    stages: Mapped[list[ConversationStage]] = relationship(
        back_populates="conversation", cascade="all, delete-orphan",
        order_by="ConversationStage.position",
    )
    participants: Mapped[list[Participant]] = relationship(
        back_populates="conversation", cascade="all, delete-orphan",
        order_by="Participant.position",
    )
    added_questions: Mapped[list[AddedQuestion]] = relationship(
        back_populates="conversation", cascade="all, delete-orphan",
        order_by="AddedQuestion.id",
    )

    def __repr__(self) -> str:
        return f"<Conversation {self.id} {self.status} set={self.question_set_id}>"

    @property
    def store_key(self) -> str:
        """Names what a browser keeps for this conversation (unsent points, drafts): its id
        and the moment it was made, so a later conversation that gets the same id (SQLite
        reuses the highest id once it is deleted) never picks up another's words."""
        return f"{self.id}-{self.created_at:%Y%m%d%H%M%S%f}" if self.created_at else str(self.id)

    @property
    def is_closed(self) -> bool:
        return self.status == "closed"

    def party_name(self, party: str) -> str:
        return self.partnership_name if party == "partnership" else self.agency_name


class ConversationStage(db.Model):
    """A stage of the question set as planned for this conversation, and the time it took."""

    __tablename__ = "conversation_stage"
    __table_args__ = (UniqueConstraint("conversation_id", "stage_id",
                                       name="uq_conversation_stage_stage"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True
    )
    stage_id: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    included: Mapped[bool] = mapped_column(Boolean, default=True)
    minutes: Mapped[int] = mapped_column(Integer)
    seconds_spent: Mapped[int] = mapped_column(Integer, default=0)
    entered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the stage was first entered during the conversation, and last left.
    first_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    conversation: Mapped[Conversation] = relationship(back_populates="stages")

    def __repr__(self) -> str:
        return f"<ConversationStage {self.stage_id} included={self.included}>"


class AddedQuestion(db.Model):
    """A question the facilitator added during the conversation."""

    __tablename__ = "added_question"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True
    )
    stage_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    addressed_to: Mapped[str] = mapped_column(String(16), default="both")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="added_questions")

    @property
    def key(self) -> str:
        return f"added_{self.id}"

    def __repr__(self) -> str:
        return f"<AddedQuestion {self.id} stage={self.stage_id}>"


class AskedQuestion(db.Model):
    """A question the facilitator moved to while the conversation was live: the appendix
    lists these (asked), not every question planned."""

    __tablename__ = "asked_question"
    __table_args__ = (UniqueConstraint("conversation_id", "stage_id", "question_id",
                                       name="uq_asked_question"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True
    )
    stage_id: Mapped[str] = mapped_column(String(64))
    question_id: Mapped[str] = mapped_column(String(64))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<AskedQuestion {self.stage_id}/{self.question_id}>"


class Participant(db.Model):
    """Someone taking part, from one of the two parties.  Never has an account."""

    __tablename__ = "participant"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    role: Mapped[str] = mapped_column(String(NAME_MAX))
    party: Mapped[str] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(254))
    may_be_named: Mapped[bool] = mapped_column(Boolean, default=True)
    attended: Mapped[bool] = mapped_column(Boolean, default=True)
    # Agreed to email reminders about actions between conversations.
    reminders: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    conversation: Mapped[Conversation] = relationship(back_populates="participants")

    def __repr__(self) -> str:
        return f"<Participant {self.id} party={self.party}>"

    @property
    def public_name(self) -> str:
        """How the summary and shared screen name them: by role only if they asked."""
        return self.name if self.may_be_named else self.role


class Device(db.Model):
    """A participant's phone or laptop that joined with the code.  Revocable."""

    __tablename__ = "device"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # None while the device waits for the facilitator's OK: its person had already joined on
    # another device, so it may not act as them until the facilitator lets it in.
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    participant: Mapped[Participant | None] = relationship()

    def __repr__(self) -> str:
        return (f"<Device {self.id} revoked={self.revoked_at is not None} "
                f"waiting={self.approved_at is None}>")

    @property
    def waiting(self) -> bool:
        """Waiting for the facilitator's OK to act as its person."""
        return self.approved_at is None and self.revoked_at is None
