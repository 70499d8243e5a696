"""Saving a form of scores (the facilitator's for a party, or a participant's own on their
phone) against the scores its writer was shown (core.edits).

Each score and each relationship choice is a field.  A resend, a double tap, the autosave
and the submit button arriving together all carry the same values and the same fingerprints,
so whichever comes second finds nothing left to change: one stored score per rater and
criterion.  A score somebody else changed meanwhile (the facilitator entering for the party in
another tab) is kept unless this writer changed the same one, which is then a conflict.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from convo.conversations.plan import Plan
from convo.core import edits
from convo.models import Conversation
from convo.models.rating import PARTY_RATER
from convo.questions.schema import RatingInstrument, text_in
from convo.ratings import service
from convo.ratings.service import RatingError


@dataclass(frozen=True)
class ScoreField:
    name: str  # the form field
    instrument: RatingInstrument
    criterion_id: str
    column: str
    label: str  # "Trust" or "Trust (now)", for a conflict notice


@dataclass(frozen=True)
class ScoreForm:
    """The fields of one writer's scores form."""

    fields: tuple[ScoreField, ...]
    relationship: tuple[str, str] | None  # the form's names for "now" and "wanted", if asked

    @classmethod
    def of(cls, plan: Plan, instruments: list[RatingInstrument],
           name_of: Callable[[RatingInstrument, str, str], str],
           relationship: tuple[str, str] | None, locale: str) -> ScoreForm:
        fallback = plan.question_set.locale
        columns = {"at_start": _("at the start"), "now": _("now")}
        fields = []
        for instrument in instruments:
            for criterion in instrument.criteria:
                for column in instrument.columns:
                    title = text_in(criterion.title, locale, fallback)
                    if len(instrument.columns) > 1:
                        title = f"{title} ({columns.get(column, column)})"
                    fields.append(ScoreField(name_of(instrument, criterion.id, column),
                                             instrument, criterion.id, column, title))
        return cls(tuple(fields), relationship)

    def values(self, conversation: Conversation, party: str,
               rater: str = PARTY_RATER) -> dict[str, Any]:
        """What this rater has given now, field by field ("" where nothing yet)."""
        given: dict[str, dict[tuple[str, str], int]] = {}
        result: dict[str, Any] = {}
        for field in self.fields:
            if field.instrument.id not in given:
                given[field.instrument.id] = service.scores_by(conversation, field.instrument.id,
                                                               party, rater)
            score = given[field.instrument.id].get((field.criterion_id, field.column))
            result[field.name] = "" if score is None else str(score)
        if self.relationship:
            choice = service.relationship_choice(conversation, party, rater)
            result[self.relationship[0]] = (choice.now_type or "") if choice else ""
            result[self.relationship[1]] = (choice.wanted_type or "") if choice else ""
        return result

    def labels(self) -> dict[str, str]:
        found = {field.name: field.label for field in self.fields}
        if self.relationship:
            found[self.relationship[0]] = _("What kind of relationship it is now")
            found[self.relationship[1]] = _("What it should become")
        return found


def save(conversation: Conversation, plan: Plan, form_spec: ScoreForm, party: str,
         form: Mapping[str, str], *, rater: str = PARTY_RATER, entered_by: str = "facilitator",
         words: Callable[[str, Any], str] | None = None) -> edits.Merge:
    """Merge the writer's form into the scores as they are now (the caller holds the
    conversation's lock) and store what changed.  Only fields the form sent are considered (a
    phone sends only the questions answered).  Raises RatingError for a value the form never
    offered; nothing is stored then (the request is refused and rolled back)."""
    current = form_spec.values(conversation, party, rater)
    sent = {name: form[name].strip() for name in current if name in form}
    merged = edits.merge(current, sent, edits.seen_from(form, current), form_spec.labels(),
                         edits.taken_from(form), display=words)
    if not merged.ok:
        return merged
    for field in form_spec.fields:
        if field.name not in merged.changes:
            continue
        raw = merged.changes[field.name]
        if raw and (not raw.isdigit() or len(raw) > 3):
            raise RatingError("score")
        service.set_score(conversation, field.instrument, field.criterion_id, field.column,
                          party, int(raw) if raw else None, rater=rater, entered_by=entered_by)
    if form_spec.relationship and any(k in merged.changes for k in form_spec.relationship):
        final = {**current, **merged.changes}
        now_key, wanted_key = form_spec.relationship
        service.set_relationship(conversation, plan, party, final[now_key] or None,
                                 final[wanted_key] or None, rater=rater)
    return merged
