"""The conversation's running order: the question set's stages as planned, with added questions.

Plain data built from a conversation and its question-set snapshot; used by the console, the
shared screen, participants' devices and (later) the summary's appendix.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from convo.core.kept import Kept
from convo.models.snapshot import QuestionSetSnapshot
from convo.questions import timing
from convo.questions.schema import QuestionSet, RatingInstrument, text_in


@dataclass(frozen=True)
class PlannedQuestion:
    id: str
    text: str
    addressed_to: str
    follow_ups: tuple[str, ...] = ()
    why: str = ""
    sources: tuple[str, ...] = ()
    surfaces: tuple[str, ...] = ()
    added: bool = False
    core: bool = False  # one of the stage's core questions; the rest are optional


@dataclass(frozen=True)
class PlannedStage:
    id: str
    title: str
    purpose: str
    facilitator_notes: str
    minutes: int
    included: bool
    seconds_spent: int
    rating: str | None
    relationship_type: bool
    questions: tuple[PlannedQuestion, ...] = field(default_factory=tuple)
    is_break: bool = False

    @property
    def core_questions(self) -> tuple[PlannedQuestion, ...]:
        return tuple(q for q in self.questions if q.core)

    @property
    def core_minutes(self) -> int:
        """The fewest minutes this stage's core questions need (timing.py's rule)."""
        return timing.core_minutes(len(self.core_questions), self.rating is not None)

    @property
    def fits(self) -> bool:
        """Its planned minutes leave room for its core questions."""
        return self.minutes >= self.core_minutes


@dataclass(frozen=True)
class Plan:
    question_set: QuestionSet
    stages: tuple[PlannedStage, ...]

    @property
    def included(self) -> tuple[PlannedStage, ...]:
        return tuple(s for s in self.stages if s.included)

    @property
    def planned_minutes(self) -> int:
        return sum(s.minutes for s in self.included)

    def stage(self, stage_id: str | None) -> PlannedStage | None:
        return next((s for s in self.stages if s.id == stage_id), None)

    def question(self, stage_id: str | None, question_id: str | None) -> PlannedQuestion | None:
        stage = self.stage(stage_id)
        if stage is None:
            return None
        return next((q for q in stage.questions if q.id == question_id), None)

    def steps(self) -> list[tuple[str, str | None]]:
        """Every place the console can stand, in order: each included stage's introduction
        (question None), then each of its questions."""
        order: list[tuple[str, str | None]] = []
        for stage in self.included:
            order.append((stage.id, None))
            order.extend((stage.id, q.id) for q in stage.questions)
        return order

    def instrument(self, instrument_id: str | None) -> RatingInstrument | None:
        return self.question_set.rating(instrument_id) if instrument_id else None


def snapshot_body(question_set: QuestionSet) -> tuple[str, str]:
    """The JSON kept with a conversation, and its SHA-256."""
    body = question_set.model_dump_json()
    return body, hashlib.sha256(body.encode()).hexdigest()


def load_snapshot(body: str) -> QuestionSet:
    return QuestionSet.model_validate(json.loads(body), strict=False)


_PARSED: Kept[QuestionSet] = Kept(64)


def question_set_of(snapshot: QuestionSetSnapshot) -> QuestionSet:
    """The question set a snapshot holds, parsed once per process.

    Every live view needs it, and every follower of a conversation asks again whenever the
    conversation changes.  A snapshot never changes once written and is named by the SHA-256
    of its body, so the parsed set is kept by that hash: its body (tens of kilobytes, a
    deferred column) is then neither read from the database nor parsed again."""
    return _PARSED.get(snapshot.sha256, lambda: load_snapshot(snapshot.body))


def build(question_set: QuestionSet, stage_rows: list, added: list, locale: str,
          subtype: str | None = None) -> Plan:
    """Combine the set with the conversation's stage plan (rows with stage_id, included,
    minutes, seconds_spent) and added questions (rows with key, stage_id, text, addressed_to).
    Questions meant only for other kinds of agency than `subtype` are left out."""
    fallback = question_set.locale
    rows = {row.stage_id: row for row in stage_rows}
    positions = {row.stage_id: row.position for row in stage_rows}
    stages = []
    for index, stage in enumerate(question_set.stages):
        row = rows.get(stage.id)
        questions = [
            PlannedQuestion(
                id=q.id,
                text=text_in(q.text, locale, fallback),
                addressed_to=q.addressed_to,
                follow_ups=tuple(text_in(f, locale, fallback) for f in q.follow_ups),
                why=text_in(q.why, locale, fallback),
                sources=tuple(q.sources),
                surfaces=tuple(q.surfaces),
                core=q.core,
            )
            for q in stage.questions if q.applies_to(subtype)
        ]
        questions.extend(
            PlannedQuestion(id=a.key, text=a.text, addressed_to=a.addressed_to, added=True)
            for a in added if a.stage_id == stage.id
        )
        stages.append((positions.get(stage.id, index), PlannedStage(
            id=stage.id,
            title=text_in(stage.title, locale, fallback),
            purpose=text_in(stage.purpose, locale, fallback),
            facilitator_notes=text_in(stage.facilitator_notes, locale, fallback),
            minutes=row.minutes if row else stage.minutes,
            included=row.included if row else True,
            seconds_spent=row.seconds_spent if row else 0,
            rating=stage.rating,
            relationship_type=stage.relationship_type,
            questions=tuple(questions),
            is_break=stage.is_break,
        )))
    stages.sort(key=lambda pair: pair[0])
    return Plan(question_set=question_set, stages=tuple(s for _, s in stages))


def merge_order(seen: list[str], sent: list[str], now: list[str]) -> list[str] | None:
    """The stages' order after a writer who saw `seen` sent `sent`, while the saved order is
    `now` (perhaps moved meanwhile in another tab).

    Every pair of stages keeps the order the writer gave it if the writer changed that pair,
    and the order saved now otherwise; so two tabs that moved different stages both keep their
    moves.  None when the two together make no single order (a real clash: the writer has to
    choose)."""
    if sent == now or sent == seen:
        return list(now)
    if now == seen:
        return list(sent)
    everyone = list(now)
    place_seen = {stage: i for i, stage in enumerate(seen)}
    place_sent = {stage: i for i, stage in enumerate(sent)}
    place_now = {stage: i for i, stage in enumerate(now)}
    wins = dict.fromkeys(everyone, 0)
    for i, a in enumerate(everyone):
        for b in everyone[i + 1:]:
            known = a in place_seen and b in place_seen and a in place_sent and b in place_sent
            changed = known and ((place_seen[a] < place_seen[b]) != (place_sent[a] < place_sent[b]))
            ahead = (place_sent[a] < place_sent[b]) if changed else (place_now[a] < place_now[b])
            wins[a if ahead else b] += 1
    # A single order exactly when the stages ahead of 0, 1, ... n-1 others are all different.
    if sorted(wins.values()) != list(range(len(everyone))):
        return None
    return sorted(everyone, key=lambda stage: -wins[stage])


def moved(order: list[str], stage_id: str, direction: str) -> list[str]:
    """`order` with one stage moved up (earlier) or down (later) by one place."""
    result = list(order)
    if stage_id not in result:
        return result
    i = result.index(stage_id)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(result):
        result[i], result[j] = result[j], result[i]
    return result
