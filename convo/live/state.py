"""Live state: where the conversation stands and a version number everyone follows.

Every change to a conversation, by anyone, calls bump() in the same transaction, so the
version in the database is the single source of truth for every worker and every machine:
screens and phones ask "has the version moved past N?" and fetch the new view only if so.
"""

from __future__ import annotations

from sqlalchemy import select, update

from convo.core import clock
from convo.extensions import db
from convo.models import Conversation, ConversationStage


def bump(conversation: Conversation) -> None:
    """Move the conversation's version on by one, atomically (safe with many writers)."""
    db.session.flush()
    db.session.execute(
        update(Conversation)
        .where(Conversation.id == conversation.id)
        .values(version=Conversation.version + 1, updated_at=clock.utcnow())
    )
    db.session.expire(conversation, ["version", "updated_at"])


def current_version(conversation_id: int) -> int | None:
    """The version alone: the cheap question every follower asks."""
    return db.session.scalar(select(Conversation.version).where(Conversation.id == conversation_id))


def _stage_row(conversation: Conversation, stage_id: str | None) -> ConversationStage | None:
    return next((s for s in conversation.stages if s.stage_id == stage_id), None)


def go_to(conversation: Conversation, stage_id: str, question_id: str | None) -> None:
    """Stand at a stage (its introduction when question_id is None) or one of its questions.

    Time spent is added to the stage being left, so the console can show time against plan.
    """
    now = clock.utcnow()
    if conversation.current_stage_id != stage_id:
        leaving = _stage_row(conversation, conversation.current_stage_id)
        if leaving is not None and leaving.entered_at is not None:
            leaving.seconds_spent += max(0, int((now - leaving.entered_at).total_seconds()))
            leaving.entered_at = None
        entering = _stage_row(conversation, stage_id)
        if entering is not None and conversation.status == "live":
            entering.entered_at = now
    conversation.current_stage_id = stage_id
    conversation.current_question_id = question_id
    bump(conversation)


def stage_seconds(row: ConversationStage) -> int:
    """Seconds spent in a stage so far, including the visit under way."""
    running = 0
    if row.entered_at is not None:
        running = max(0, int((clock.utcnow() - row.entered_at).total_seconds()))
    return row.seconds_spent + running


def pause_timing(conversation: Conversation) -> None:
    now = clock.utcnow()
    for row in conversation.stages:
        if row.entered_at is not None:
            row.seconds_spent += max(0, int((now - row.entered_at).total_seconds()))
            row.entered_at = None


def resume_timing(conversation: Conversation) -> None:
    row = _stage_row(conversation, conversation.current_stage_id)
    if row is not None and row.entered_at is None:
        row.entered_at = clock.utcnow()
