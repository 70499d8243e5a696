"""Question sets as they were when a conversation used them.

A conversation keeps the exact questions it was prepared with, even if the set's file is later
edited or removed.  Identical sets are stored once (keyed by a hash of their content).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from convo.core.clock import utcnow
from convo.extensions import db
from convo.models.types import UTCDateTime


class QuestionSetSnapshot(db.Model):
    __tablename__ = "question_set_snapshot"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    set_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    body: Mapped[str] = deferred(mapped_column(Text))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<QuestionSetSnapshot {self.set_id} v{self.version}>"
