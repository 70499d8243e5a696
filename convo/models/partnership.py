"""A partnership and its relationships with public agencies, over time.

A partnership (a Big Local, any resident-led group) owns its conversations and its map: every
public agency it relates to, with the purposes each relationship serves, the type it is and
the type wanted, who holds it on each side, and how it rates against the criteria the
partnership chose as mattering most to it (seed 001, §2.2, §2.4, §3.1).  The facilitators who
have worked with it may see it; one can add a co-facilitator.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text,
                        UniqueConstraint,
                        false, true)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from convo.core.clock import utcnow
from convo.extensions import db
from convo.models.types import UTCDateTime

NAME_MAX = 200
TEXT_MAX = 5000
# The six purposes of a relationship (seed 001, §2.2), in the research's order.
PURPOSES = ("co_design", "sharing", "support", "routes", "assets", "funding")
FOCUS = ("good", "develop")  # "a good relationship" and "one to develop" (the mapping workshop)
PARTNERSHIP_RATER = "partnership"  # the partnership's agreed score, entered by the facilitator


class Partnership(db.Model):
    """A resident-led community partnership: its conversations, map and reminders."""

    __tablename__ = "partnership"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    area: Mapped[str | None] = mapped_column(String(NAME_MAX))
    # The name as it is matched (case, spacing and punctuation set aside).
    match_name: Mapped[str] = mapped_column(String(NAME_MAX), index=True)
    # The criteria it chose (ids from the eight, seed 001 §3.1), comma-separated, in order.
    criteria: Mapped[str] = mapped_column(String(500), default="", server_default="")
    # Reminders to action owners: off until a facilitator turns them on.
    reminders_on: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    remind_days_before: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    remind_overdue: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    link_days: Mapped[int] = mapped_column(Integer, default=14, server_default="14")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    facilitators: Mapped[list[PartnershipFacilitator]] = relationship(
        back_populates="partnership", cascade="all, delete-orphan",
        order_by="PartnershipFacilitator.id")
    relationships: Mapped[list[Relationship]] = relationship(
        back_populates="partnership", cascade="all, delete-orphan",
        order_by="Relationship.position, Relationship.id")

    def __repr__(self) -> str:
        return f"<Partnership {self.id}>"

    @property
    def criteria_ids(self) -> list[str]:
        return [c for c in (self.criteria or "").split(",") if c]


class PartnershipFacilitator(db.Model):
    """A facilitator who may see the partnership: one who has worked with it ("lead": the
    first; "co": added by another)."""

    __tablename__ = "partnership_facilitator"
    __table_args__ = (UniqueConstraint("partnership_id", "facilitator_id",
                                       name="uq_partnership_facilitator_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnership.id", ondelete="CASCADE"), index=True)
    facilitator_id: Mapped[int] = mapped_column(
        ForeignKey("facilitator.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), default="lead")
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partnership: Mapped[Partnership] = relationship(back_populates="facilitators")

    def __repr__(self) -> str:
        return f"<PartnershipFacilitator {self.facilitator_id} of {self.partnership_id}>"


class Relationship(db.Model):
    """One public agency on the partnership's map."""

    __tablename__ = "relationship"
    __table_args__ = (UniqueConstraint("partnership_id", "match_name",
                                       name="uq_relationship_agency"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnership.id", ondelete="CASCADE"), index=True)
    agency_name: Mapped[str] = mapped_column(String(NAME_MAX))
    match_name: Mapped[str] = mapped_column(String(NAME_MAX))
    agency_type: Mapped[str] = mapped_column(String(32))
    agency_subtype: Mapped[str | None] = mapped_column(String(64))
    # Who holds the relationship on each side (names and roles, as written).
    partnership_holders: Mapped[str | None] = mapped_column(Text)
    agency_holders: Mapped[str | None] = mapped_column(Text)
    purposes: Mapped[str] = mapped_column(String(200), default="", server_default="")
    type_now: Mapped[str | None] = mapped_column(String(64))
    type_wanted: Mapped[str | None] = mapped_column(String(64))
    focus: Mapped[str | None] = mapped_column(String(16))  # "good", "develop" or None
    notes: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partnership: Mapped[Partnership] = relationship(back_populates="relationships")
    scores: Mapped[list[MapScore]] = relationship(
        back_populates="relationship", cascade="all, delete-orphan", order_by="MapScore.id")

    def __repr__(self) -> str:
        return f"<Relationship {self.id} of partnership {self.partnership_id}>"

    @property
    def purpose_ids(self) -> list[str]:
        return [p for p in (self.purposes or "").split(",") if p]


class MapScore(db.Model):
    """How a relationship rates against one of the partnership's criteria (1 to 5)."""

    __tablename__ = "map_score"
    __table_args__ = (UniqueConstraint("relationship_id", "criterion_id", "rater",
                                       name="uq_map_score_one"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    relationship_id: Mapped[int] = mapped_column(
        ForeignKey("relationship.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[str] = mapped_column(String(64))
    rater: Mapped[str] = mapped_column(String(32), default=PARTNERSHIP_RATER)
    score: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    relationship: Mapped[Relationship] = relationship(back_populates="scores")

    def __repr__(self) -> str:
        return f"<MapScore {self.criterion_id}={self.score}>"


class PartnershipRevision(db.Model):
    """An earlier wording of a partnership's or a relationship's text (who held it, notes):
    kept once, with when it was replaced, so who held a relationship then and now shows."""

    __tablename__ = "partnership_revision"
    __table_args__ = (Index("ix_partnership_revision_record", "record", "record_id", "field"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnership.id", ondelete="CASCADE"), index=True)
    record: Mapped[str] = mapped_column(String(32))  # "partnership" or "relationship"
    record_id: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    replaced_by: Mapped[str] = mapped_column(String(32))

    def __repr__(self) -> str:
        return f"<PartnershipRevision {self.record}/{self.record_id}.{self.field}>"


class MapPrint(db.Model):
    """The map as a PDF or a Word file, made by the background worker (rendering takes a second
    or more for a large map, too long for a request).

    One row per partnership and kind, so double clicks and two tabs make one file: pending,
    then working, then done (with the file) or failed (with the cause; trying again sets it back
    to pending).  `content_hash` says which state of the map the file shows: when the map has
    changed since, the page offers a fresh copy instead of the old one."""

    __tablename__ = "map_print"
    __table_args__ = (UniqueConstraint("partnership_id", "kind", name="uq_map_print_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnership.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # pdf docx
    locale: Mapped[str] = mapped_column(String(16))
    content_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending working done failed
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    error: Mapped[str | None] = mapped_column(Text)
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("facilitator.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<MapPrint {self.kind} {self.status} of partnership {self.partnership_id}>"
