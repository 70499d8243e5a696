"""Earlier wordings of shared texts: kept once each, whenever somebody replaces one.

Used by every save that goes through core.edits: what a field said before it changed is kept
(models.history.TextRevision), so every wording anyone was told was saved is either what the
field says now or one of its earlier wordings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select

from convo.core import clock
from convo.extensions import db
from convo.models import TextRevision


def keep(conversation_id: int, record: str, record_id: int, field: str, old: Any,
         author_label: str) -> None:
    """Keep a wording that is being replaced (nothing to keep when the field was empty)."""
    if old is None or old == "":
        return
    db.session.add(TextRevision(conversation_id=conversation_id, record=record,
                                record_id=record_id, field=field, text=str(old),
                                replaced_at=clock.utcnow(), replaced_by=author_label))


def apply(conversation_id: int, record: str, obj: Any, changes: Mapping[str, Any],
          text_fields: Iterable[str], author_label: str) -> None:
    """Set each changed attribute, keeping the earlier wording of each text field."""
    texts = set(text_fields)
    for name, value in changes.items():
        if name in texts:
            keep(conversation_id, record, obj.id, name, getattr(obj, name), author_label)
        setattr(obj, name, value)


def earlier(conversation_id: int) -> list[TextRevision]:
    """Every kept wording of a conversation, oldest first (for its export)."""
    return list(db.session.scalars(select(TextRevision).where(
        TextRevision.conversation_id == conversation_id).order_by(TextRevision.id)))
