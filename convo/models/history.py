"""Earlier wordings: what a text said before somebody replaced it.

Captured points keep whole earlier states of their own (capture.ItemRevision, which also
remembers the kind and where the point was).  Every other text people write together — the
agreement, a conversation's details, the people, an action's owner and first step, the
summary's words — keeps each wording it replaces here, once, with who replaced it and when.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from convo.core.clock import utcnow
from convo.extensions import db
from convo.models.types import UTCDateTime


class TextRevision(db.Model):
    __tablename__ = "text_revision"
    __table_args__ = (Index("ix_text_revision_record", "record", "record_id", "field"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    # Which record: "conversation", "participant", "item" or "summary_draft", and its id.
    record: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    replaced_by: Mapped[str] = mapped_column(String(32))  # facilitator:<id> / participant:<id>

    def __repr__(self) -> str:
        return f"<TextRevision {self.record}/{self.record_id}.{self.field}>"
