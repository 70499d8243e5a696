"""Both parties' scores side by side, and the differences a facilitator would point to.

A party's score for a criterion is the score the party gave together (entered by the
facilitator or from a device "for our party"), or else the average of its members' own scores.

A conversation that follows on from an earlier one (service.follow_up) also carries the
scores the parties gave last time, so both can see what has moved.  Only scores that were
shown to both sides then (the earlier conversation's ratings were revealed) are carried, and
only where they mean the same: the earlier conversation's own copy of the instrument must
have the same scale and columns, and a criterion must be in both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from convo.conversations.plan import Plan, question_set_of
from convo.conversations.service import earlier_conversation
from convo.extensions import db
from convo.models import Conversation, Rating
from convo.models.rating import PARTY_RATER
from convo.questions.schema import RatingInstrument, text_in
from convo.ratings.service import PARTIES


@dataclass(frozen=True)
class ComparisonRow:
    criterion_id: str
    title: str
    description: str
    column: str
    partnership: float | None
    agency: float | None

    @property
    def difference(self) -> float | None:
        if self.partnership is None or self.agency is None:
            return None
        return round(abs(self.partnership - self.agency), 1)


@dataclass(frozen=True)
class Comparison:
    instrument: RatingInstrument
    title: str
    columns: tuple[str, ...]
    scale_min: int
    scale_max: int
    labels: dict[int, str]
    rows: tuple[ComparisonRow, ...]
    # Criterion ids (in the last column) that share the largest difference, when it is big
    # enough to point to (the scale's notable difference); and where both sides score low.
    biggest: tuple[str, ...]
    # Last time, from the conversation this one follows on from: criterion id ->
    # (partnership, agency) in the instrument's last column ("now"), and when that was.
    earlier: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    earlier_at: datetime | None = None
    both_low: tuple[str, ...] = ()
    notable: int = 2  # the smallest difference called "biggest" on this scale
    low_at_most: int = 2  # the highest score that counts as low on this scale

    def complete_for(self, party: str) -> bool:
        return all(getattr(row, party) is not None for row in self.rows)


def _party_score(scores: list[Rating]) -> float | None:
    together = [r.score for r in scores if r.rater == PARTY_RATER]
    if together:
        return float(together[0])
    own = [r.score for r in scores]
    return round(sum(own) / len(own), 1) if own else None


def earlier_scores(conversation: Conversation, instrument: RatingInstrument
                   ) -> tuple[dict[str, tuple[float | None, float | None]], Conversation | None]:
    """The parties' scores last time: from the conversation this one follows on from, for
    the same instrument and its last column, if they were revealed there."""
    before = earlier_conversation(conversation)
    if before is None or not before.ratings_revealed:
        return {}, None
    then = next((r for r in question_set_of(before.snapshot).ratings
                 if r.id == instrument.id), None)
    if then is None or (then.scale.min, then.scale.max) != (instrument.scale.min,
                                                            instrument.scale.max) \
            or list(then.columns) != list(instrument.columns):
        return {}, None  # rated on another scale or in other columns: not comparable
    column = instrument.columns[-1]
    found = list(db.session.scalars(select(Rating).where(
        Rating.conversation_id == before.id, Rating.instrument_id == instrument.id,
        Rating.column == column)))
    criteria_then = {c.id for c in then.criteria}
    scores: dict[str, tuple[float | None, float | None]] = {}
    for criterion in (c for c in instrument.criteria if c.id in criteria_then):
        pair = tuple(_party_score([r for r in found if r.criterion_id == criterion.id
                                   and r.party == party]) for party in PARTIES)
        if pair != (None, None):
            scores[criterion.id] = pair  # type: ignore[assignment]
    return scores, (before if scores else None)


def compare(conversation: Conversation, plan: Plan, instrument: RatingInstrument,
            locale: str | None = None) -> Comparison:
    ratings = list(db.session.scalars(select(Rating).where(
        Rating.conversation_id == conversation.id, Rating.instrument_id == instrument.id)))
    locale, fallback = locale or conversation.locale, plan.question_set.locale
    rows = []
    for column in instrument.columns:
        for criterion in instrument.criteria:
            def scores(party: str) -> list[Rating]:
                return [r for r in ratings if r.criterion_id == criterion.id
                        and r.column == column and r.party == party]

            rows.append(ComparisonRow(
                criterion_id=criterion.id,
                title=text_in(criterion.title, locale, fallback),
                description=text_in(criterion.description, locale, fallback),
                column=column,
                partnership=_party_score(scores("partnership")),
                agency=_party_score(scores("agency")),
            ))
    biggest, both_low = differences(rows, instrument.columns[-1], instrument.scale.notable(),
                                    instrument.scale.low())
    earlier, before = earlier_scores(conversation, instrument)
    return Comparison(
        instrument=instrument,
        title=text_in(instrument.title, locale, fallback),
        columns=tuple(instrument.columns),
        scale_min=instrument.scale.min,
        scale_max=instrument.scale.max,
        labels={k: text_in(v, locale, fallback) for k, v in instrument.scale.labels.items()},
        rows=tuple(rows),
        biggest=biggest,
        earlier=earlier,
        earlier_at=(before.starts_at or before.started_at) if before is not None else None,
        both_low=both_low,
        notable=instrument.scale.notable(),
        low_at_most=instrument.scale.low(),
    )


def differences(rows: tuple[ComparisonRow, ...] | list[ComparisonRow], column: str,
                notable: int, low_at_most: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The differences a facilitator would point to, in one column (the last: "now").

    First, every criterion that shares the largest difference between the two sides — ties
    included, however many — provided that difference is at least `notable` (a gap of one
    point on a five-point scale is not one to call "the biggest").  Second, every criterion
    both sides score at or below `low_at_most`: a weakness both see, which the research
    treats as the place to start.  The one rule for the screen, console, phones, PDF, Word
    and the chart's description."""
    scored = [r for r in rows if r.column == column and r.difference is not None]
    largest = max((r.difference or 0 for r in scored), default=0)
    biggest = tuple(r.criterion_id for r in scored
                    if largest >= notable and r.difference == largest)
    both_low = tuple(r.criterion_id for r in scored
                     if (r.partnership or 0) <= low_at_most and (r.agency or 0) <= low_at_most)
    return biggest, both_low


