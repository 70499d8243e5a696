"""How each party rates the relationship, privately, and what type they say it is."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from convo.core.clock import utcnow
from convo.extensions import db
from convo.models.types import UTCDateTime

PARTY_RATER = "party"  # a rating for the party as a whole (rater may also name one person)


class Rating(db.Model):
    """One score: a criterion of an instrument, by a party (or one person of it), in a column."""

    __tablename__ = "rating"
    __table_args__ = (UniqueConstraint(
        "conversation_id", "instrument_id", "criterion_id", "column", "party", "rater",
        name="uq_rating_one_score"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True
    )
    instrument_id: Mapped[str] = mapped_column(String(64))
    criterion_id: Mapped[str] = mapped_column(String(64))
    column: Mapped[str] = mapped_column(String(16), default="now")
    party: Mapped[str] = mapped_column(String(16))
    # "party" for the party's agreed score, or "p<participant id>" for one person's own.
    rater: Mapped[str] = mapped_column(String(32), default=PARTY_RATER)
    score: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    entered_by: Mapped[str] = mapped_column(String(16))  # "facilitator" or "device"

    def __repr__(self) -> str:
        return f"<Rating {self.instrument_id}/{self.criterion_id} {self.party}={self.score}>"


class RelationshipChoice(db.Model):
    """What type of relationship a party says it is now, and what they want it to become."""

    __tablename__ = "relationship_choice"
    __table_args__ = (UniqueConstraint("conversation_id", "party", "rater",
                                       name="uq_relationship_choice_party"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True
    )
    party: Mapped[str] = mapped_column(String(16))
    rater: Mapped[str] = mapped_column(String(32), default=PARTY_RATER)
    now_type: Mapped[str | None] = mapped_column(String(64))
    wanted_type: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<RelationshipChoice {self.party} now={self.now_type} wanted={self.wanted_type}>"
