"""A mapping session: the partnership's members rate its relationships from their own phones.

The research's first step is a relationship-mapping workshop (seed 001, "Participatory
relationship mapping workshops", §3.1): the partnership's members rate each relationship against
the criteria they chose.  A facilitator starts a session for a partnership; members join with
its code (no account, no list of names to pick from: each phone is one member, known by the
name they give); each rates privately; nobody sees anyone's scores until the facilitator shows
them all together (averages and spread, never who gave what); the facilitator may then put the
averages on the map.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from convo.core.clock import utcnow
from convo.extensions import db
from convo.models.types import UTCDateTime

MEMBER_NAME_MAX = 60


class MappingSession(db.Model):
    __tablename__ = "mapping_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnership.id", ondelete="CASCADE"), index=True)
    code: Mapped[str | None] = mapped_column(String(16), unique=True)  # None once closed
    status: Mapped[str] = mapped_column(String(16), default="open")  # open shown closed
    # The partnership's criteria when the session started (ids, comma-separated, in order).
    criteria: Mapped[str] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("facilitator.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    shown_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    members: Mapped[list[MappingMember]] = relationship(
        back_populates="session", cascade="all, delete-orphan", passive_deletes=True,
        order_by="MappingMember.id")

    @property
    def criteria_ids(self) -> list[str]:
        return [c for c in self.criteria.split(",") if c]

    def __repr__(self) -> str:
        return f"<MappingSession {self.id} {self.status}>"


class MappingMember(db.Model):
    """One phone in a mapping session, known by the name its member gave."""

    __tablename__ = "mapping_member"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("mapping_session.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(MEMBER_NAME_MAX))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped on every save of this member's scores: a save names the version its page showed.
    version: Mapped[int] = mapped_column(Integer, default=0)
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    session: Mapped[MappingSession] = relationship(back_populates="members")
    scores: Mapped[list[MappingScore]] = relationship(
        back_populates="member", cascade="all, delete-orphan", passive_deletes=True)

    def __repr__(self) -> str:
        return f"<MappingMember {self.id} of session {self.session_id}>"


class MappingScore(db.Model):
    __tablename__ = "mapping_score"
    __table_args__ = (UniqueConstraint("member_id", "relationship_id", "criterion_id",
                                       name="uq_mapping_score_one"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("mapping_member.id", ondelete="CASCADE"), index=True)
    relationship_id: Mapped[int] = mapped_column(
        ForeignKey("relationship.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[str] = mapped_column(String(64))
    score: Mapped[int] = mapped_column(Integer)

    member: Mapped[MappingMember] = relationship(back_populates="scores")
