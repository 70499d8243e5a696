"""Counting failed attempts (sign-ins, join codes) to slow and then lock them out, and the
wrong join codes tried across the whole site, minute by minute."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from convo.extensions import db
from convo.models.types import UTCDateTime


class Throttle(db.Model):
    """Failures for one key in one scope; the key is a keyed hash, never an address or email."""

    __tablename__ = "throttle"
    __table_args__ = (UniqueConstraint("scope", "key_hash", name="uq_throttle_scope_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(32))
    key_hash: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_allowed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Throttle {self.scope} failures={self.failures}>"


class JoinGuesses(db.Model):
    """Wrong join codes tried in one minute, from anywhere.  A guesser who throws cookies away
    can't be told apart from a new phone, so guessing is watched across the site: when many
    wrong codes have been tried since a conversation's code was issued, its console says so
    and offers a new code (see convo.live.guessing)."""

    __tablename__ = "join_guesses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    minute: Mapped[datetime] = mapped_column(UTCDateTime, unique=True)
    wrong: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<JoinGuesses {self.minute:%H:%M} wrong={self.wrong}>"
