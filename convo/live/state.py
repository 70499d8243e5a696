"""Live state: where the conversation stands and a version number everyone follows.

Every change to a conversation, by anyone, calls bump() in the same transaction, so the
version in the database is the single source of truth for every worker and every machine:
screens and phones ask "has the version moved past N?" and fetch the new view only if so.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from convo.core import clock
from convo.extensions import db
from convo.models import AskedQuestion, Conversation, ConversationStage


def bump(conversation: Conversation, *, phones: bool = True) -> None:
    """Move the conversation's version on by one, atomically (safe with many writers).

    Phones follow a version of their own, `phone_version`, moved on with it unless the caller
    says the change is one a phone's live view never shows (`phones=False`: the captured points
    and actions, which only the console and the shared screen show).  Points are the changes
    made most often, and each one had every phone in the room fetch and the server render a
    view that had not changed.  Anything not marked moves both, so a change a phone does show
    can't be missed by forgetting to say so.  The console counts on this too: while the phones'
    version is no later than the console's, only its regions that show points and actions are
    drawn again for it (conversations.views.console.console_view), so a change anywhere else
    must move both —
    as the few updates outside this function do (guessing, deleting, merging partnerships),
    with moved_for_phones().

    `phone_version` is the version at which phones last moved, not a count of its own: both
    numbers then grow together, and each follower may follow whichever suits what it shows
    (the shared screen follows the phones' version while it shows no points: screen_version),
    and a console that drew its regions at version N knows whether anything but points moved
    since (phone_version > N)."""
    db.session.flush()
    values: dict[str, Any] = {"version": Conversation.version + 1, "updated_at": clock.utcnow()}
    if phones:
        values.update(moved_for_phones())
    db.session.execute(update(Conversation).where(Conversation.id == conversation.id)
                       .values(**values))
    db.session.expire(conversation, ["version", "phone_version", "updated_at"])


def moved_for_phones() -> dict[str, Any]:
    """The values of an UPDATE of conversations that moves everyone on, phones too: the
    version by one, and the phones' version to that same new number (an UPDATE's right-hand
    sides read the row as it was, in SQLite and PostgreSQL alike)."""
    return {"version": Conversation.version + 1, "phone_version": Conversation.version + 1}


# What the shared screen shows in each mode: only these show points or actions.
SCREEN_MODES_WITH_POINTS = frozenset({"items", "actions", "summary"})


def screen_version(status: str, screen_mode: str | None, version: int,
                   phone_version: int) -> int:
    """The version the shared screen follows.  In the modes that show points or actions (the
    lists, the actions, the summary read together) that is the conversation's; in every other
    (the question, ratings, the join page, welcome and closing) a point changes nothing on it,
    so it follows the phones' version, and a point saved makes no screen in the room fetch
    and redraw a view that had not changed.  A change of mode moves both numbers to the same
    new one, so a screen never mistakes one number for the other."""
    if status == "upcoming" or (status == "closed" and screen_mode != "summary"):
        return phone_version
    return version if screen_mode in SCREEN_MODES_WITH_POINTS else phone_version


def current_version(conversation_id: int) -> int | None:
    """The version alone: the cheap question every follower asks."""
    return db.session.scalar(select(Conversation.version).where(Conversation.id == conversation_id))


def _stage_row(conversation: Conversation, stage_id: str | None) -> ConversationStage | None:
    return next((s for s in conversation.stages if s.stage_id == stage_id), None)


def go_to(conversation: Conversation, stage_id: str, question_id: str | None) -> None:
    """Stand at a stage (its introduction when question_id is None) or one of its questions.

    Time spent is added to the stage being left, so the console can show time against plan;
    while the conversation is live, the stage's first start and last end are kept, and the
    question is recorded as asked (the summary's appendix lists those).  The shared screen goes
    back to the newest page of its lists, with no point opened.
    """
    now = clock.utcnow()
    if conversation.current_stage_id != stage_id:
        leaving = _stage_row(conversation, conversation.current_stage_id)
        if leaving is not None and leaving.entered_at is not None:
            leaving.seconds_spent += max(0, int((now - leaving.entered_at).total_seconds()))
            leaving.entered_at = None
            leaving.last_ended_at = now
        entering = _stage_row(conversation, stage_id)
        if entering is not None and conversation.status == "live":
            _enter(entering, now)
        conversation.screen_page = 0
        conversation.screen_item_id = None
    conversation.current_stage_id = stage_id
    conversation.current_question_id = question_id
    if conversation.status == "live":
        mark_asked(conversation, stage_id, question_id)
    bump(conversation)


def _enter(row: ConversationStage, now: datetime) -> None:
    row.entered_at = now
    if row.first_started_at is None:
        row.first_started_at = now


def mark_asked(conversation: Conversation, stage_id: str | None,
               question_id: str | None) -> None:
    """Record that a question was put to the room (once: the first time it was reached)."""
    if not stage_id or not question_id:
        return
    known = db.session.scalar(select(AskedQuestion.id).where(
        AskedQuestion.conversation_id == conversation.id, AskedQuestion.stage_id == stage_id,
        AskedQuestion.question_id == question_id))
    if known is None:
        db.session.add(AskedQuestion(conversation_id=conversation.id, stage_id=stage_id,
                                     question_id=question_id, asked_at=clock.utcnow()))


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
            row.last_ended_at = now


def resume_timing(conversation: Conversation) -> None:
    row = _stage_row(conversation, conversation.current_stage_id)
    if row is not None and row.entered_at is None:
        _enter(row, clock.utcnow())
    mark_asked(conversation, conversation.current_stage_id, conversation.current_question_id)
