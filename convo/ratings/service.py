"""Ratings: each party scores the relationship privately; the facilitator reveals both.

Scores are given by a party together (entered by the facilitator, rater "party") or by one
person from their own device (rater "p<participant id>").  Reading them back side by side is
compare.py; drawing them is chart.py.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from convo.conversations.plan import Plan
from convo.core import clock
from convo.extensions import db
from convo.live import state
from convo.models import Conversation, Rating, RelationshipChoice
from convo.models.rating import PARTY_RATER
from convo.questions.schema import RatingInstrument

PARTIES = ("partnership", "agency")


class RatingError(ValueError):
    """A score that doesn't fit the instrument (unknown criterion, column or score)."""


def person_rater(participant_id: int) -> str:
    return f"p{participant_id}"


def set_score(conversation: Conversation, instrument: RatingInstrument, criterion_id: str,
              column: str, party: str, score: int | None, *, rater: str = PARTY_RATER,
              entered_by: str = "facilitator") -> None:
    """Record (or with score None, clear) one score: one stored score per rater, criterion and
    column, however many requests bring it (the callers hold the conversation's lock; a
    simultaneous first score from a path that doesn't is turned into an update)."""
    if party not in PARTIES:
        raise RatingError("party")
    if criterion_id not in {c.id for c in instrument.criteria}:
        raise RatingError("criterion")
    if column not in instrument.columns:
        raise RatingError("column")
    if score is not None and score not in instrument.scale.points():
        raise RatingError("score")
    existing = db.session.scalar(select(Rating).where(
        Rating.conversation_id == conversation.id, Rating.instrument_id == instrument.id,
        Rating.criterion_id == criterion_id, Rating.column == column, Rating.party == party,
        Rating.rater == rater))
    if score is None:
        if existing is not None:
            db.session.delete(existing)
    elif existing is None:
        try:
            with db.session.begin_nested():
                db.session.add(Rating(
                    conversation_id=conversation.id, instrument_id=instrument.id,
                    criterion_id=criterion_id, column=column, party=party, rater=rater,
                    score=score, entered_by=entered_by, updated_at=clock.utcnow()))
        except IntegrityError:
            db.session.execute(update(Rating).where(
                Rating.conversation_id == conversation.id, Rating.instrument_id == instrument.id,
                Rating.criterion_id == criterion_id, Rating.column == column,
                Rating.party == party, Rating.rater == rater).values(
                score=score, entered_by=entered_by, updated_at=clock.utcnow()))
    else:
        existing.score = score
        existing.entered_by = entered_by
        existing.updated_at = clock.utcnow()
    state.bump(conversation)


def set_relationship(conversation: Conversation, plan: Plan, party: str, now_type: str | None,
                     wanted_type: str | None, *, rater: str = PARTY_RATER) -> None:
    known = {t.id for t in plan.question_set.relationship_types}
    if party not in PARTIES or (now_type and now_type not in known) or (
            wanted_type and wanted_type not in known):
        raise RatingError("relationship type")
    choice = relationship_choice(conversation, party, rater)
    if choice is None:
        choice = RelationshipChoice(conversation_id=conversation.id, party=party, rater=rater)
        db.session.add(choice)
    choice.now_type = now_type or None
    choice.wanted_type = wanted_type or None
    choice.updated_at = clock.utcnow()
    state.bump(conversation)


def reveal(conversation: Conversation, revealed: bool) -> None:
    conversation.ratings_revealed = revealed
    if revealed:
        conversation.screen_mode = "ratings"
    state.bump(conversation)


# --- reading what was given -------------------------------------------------------------


def scores_by(conversation: Conversation, instrument_id: str, party: str,
              rater: str = PARTY_RATER) -> dict[tuple[str, str], int]:
    """One rater's scores, keyed by (criterion, column): to fill in their form again."""
    return {(r.criterion_id, r.column): r.score for r in db.session.scalars(select(Rating).where(
        Rating.conversation_id == conversation.id, Rating.instrument_id == instrument_id,
        Rating.party == party, Rating.rater == rater))}


def relationship_choice(conversation: Conversation, party: str,
                        rater: str = PARTY_RATER) -> RelationshipChoice | None:
    """One rater's choice of relationship type, if they made one."""
    return db.session.scalar(select(RelationshipChoice).where(
        RelationshipChoice.conversation_id == conversation.id,
        RelationshipChoice.party == party, RelationshipChoice.rater == rater))


def relationship_choices(conversation: Conversation) -> dict[str, RelationshipChoice]:
    """Each party's choice (the party's own, else the first person's)."""
    found: dict[str, RelationshipChoice] = {}
    for choice in db.session.scalars(select(RelationshipChoice).where(
            RelationshipChoice.conversation_id == conversation.id)
            .order_by(RelationshipChoice.rater != PARTY_RATER, RelationshipChoice.id)):
        found.setdefault(choice.party, choice)
    return found


def rated_parties(conversation: Conversation) -> set[str]:
    """Which parties have given at least one score: shown to the facilitator, not the scores."""
    return set(db.session.scalars(select(Rating.party).where(
        Rating.conversation_id == conversation.id).distinct()))
