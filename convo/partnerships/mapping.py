"""Mapping sessions, as plain functions (the model's docstring says what one is).

Members are known to convo only by the name they give and a token in their browser's signed
session (its hash in the database), as participants' devices are: every member page resolves
the member from that token alone, never from the URL, so a phone reaches nothing but its own
scores.  Wrong codes slow only the browser that tried them (live.guessing), and a code admits
no one new once JOIN_CODE_BUDGET wrong codes have been tried anywhere since it was made.

Every save of a member's scores names the version its page showed; a save from a page that is
out of date (the same member in a second tab) is refused and the member shown both, never
silently replacing the newer scores.  Putting the averages on the map names the map's scores
as the facilitator saw them, likewise.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass

from flask import abort, current_app, session
from sqlalchemy import select

from convo.conversations import service as conversations
from convo.core import clock
from convo.extensions import db
from convo.live import guessing
from convo.models import (Facilitator, MappingMember, MappingScore, MappingSession, Partnership,
                          Relationship)
from convo.partnerships import service

TOKEN_KEY = "mapping_member"
SCALE = (1, 5)


class CannotStart(Exception):
    """A session needs the partnership's criteria chosen and an agency on its map."""


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(conversations.CODE_ALPHABET)
                       for _ in range(conversations.CODE_LENGTH))
        if db.session.scalar(select(MappingSession.id).where(MappingSession.code == code)) is None:
            return code


def current(partnership: Partnership) -> MappingSession | None:
    """The partnership's session that hasn't closed, if there is one."""
    return db.session.scalar(select(MappingSession).where(
        MappingSession.partnership_id == partnership.id, MappingSession.status != "closed")
        .order_by(MappingSession.id.desc()).limit(1))


def sessions_of(partnership: Partnership) -> list[MappingSession]:
    return list(db.session.scalars(select(MappingSession).where(
        MappingSession.partnership_id == partnership.id).order_by(MappingSession.id.desc())))


def start(partnership: Partnership, facilitator: Facilitator) -> MappingSession:
    """A new session (or the one already under way: a double click starts one)."""
    found = current(partnership)
    if found is not None:
        return found
    if not partnership.criteria_ids:
        raise CannotStart("criteria")
    if not partnership.relationships:
        raise CannotStart("agencies")
    mapping = MappingSession(partnership_id=partnership.id, code=_new_code(), status="open",
                             criteria=",".join(partnership.criteria_ids),
                             created_by_id=facilitator.id, created_at=clock.utcnow(),
                             version=1)
    db.session.add(mapping)
    db.session.flush()
    return mapping


def session_or_404(partnership: Partnership, session_id: int) -> MappingSession:
    found = db.session.get(MappingSession, session_id)
    if found is None or found.partnership_id != partnership.id:
        abort(404)
    return found


def bump(mapping: MappingSession) -> None:
    mapping.version = (mapping.version or 0) + 1


def show(mapping: MappingSession) -> None:
    if mapping.status == "open":
        mapping.status, mapping.shown_at = "shown", clock.utcnow()
        bump(mapping)


def close(mapping: MappingSession) -> None:
    if mapping.status != "closed":
        mapping.status, mapping.code, mapping.closed_at = "closed", None, clock.utcnow()
        bump(mapping)


# --- members --------------------------------------------------------------------------------


def for_code(raw: str) -> MappingSession | None:
    """The session this code opens for a new member: only while members are rating."""
    code = conversations.normalise_code(raw or "")
    if len(code) != conversations.CODE_LENGTH:
        return None
    found = db.session.scalar(select(MappingSession).where(MappingSession.code == code))
    return found if found is not None and found.status == "open" else None


def code_spent(mapping: MappingSession) -> bool:
    return guessing.wrong_after(mapping.created_at) >= int(current_app.config["JOIN_CODE_BUDGET"])


def join(mapping: MappingSession, name: str) -> MappingMember:
    """A new member on this browser (a browser that was another member is that one no more)."""
    raw = secrets.token_urlsafe(32)
    member = MappingMember(session_id=mapping.id, name=name, token_hash=hash_token(raw),
                           joined_at=clock.utcnow(), version=0)
    db.session.add(member)
    db.session.flush()
    session[TOKEN_KEY] = raw
    bump(mapping)
    return member


def this_member() -> MappingMember | None:
    raw = session.get(TOKEN_KEY)
    if not isinstance(raw, str) or len(raw) > 100:
        return None
    return db.session.scalar(select(MappingMember).where(
        MappingMember.token_hash == hash_token(raw)))


def scores_of(member: MappingMember) -> dict[tuple[int, str], int]:
    return {(s.relationship_id, s.criterion_id): s.score for s in member.scores}


def save(member: MappingMember, wanted: dict[tuple[int, str], int | None],
         seen_version: int) -> bool:
    """The member's scores as they chose them (None: not given), if their page showed the
    scores as they stand; False (nothing changed) when another tab saved since."""
    mapping = member.session
    service.lock_partnership(mapping.partnership_id)
    db.session.refresh(member)
    if member.version != seen_version:
        return False
    existing = {(s.relationship_id, s.criterion_id): s for s in member.scores}
    for key, score in wanted.items():
        row = existing.get(key)
        if score is None:
            if row is not None:
                member.scores.remove(row)
        elif row is None:
            member.scores.append(MappingScore(relationship_id=key[0], criterion_id=key[1],
                                              score=score))
        else:
            row.score = score
    member.version += 1
    member.saved_at = clock.utcnow()
    bump(mapping)
    return True


# --- what the room sees once shown ------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    count: int
    average: float | None
    low: int | None
    high: int | None
    on_map: int | None  # the map's score now


@dataclass(frozen=True)
class ResultRow:
    relationship: Relationship
    cells: tuple[Cell, ...]  # one per criterion, in the session's order


def relationships_of(mapping: MappingSession) -> list[Relationship]:
    partnership = db.session.get(Partnership, mapping.partnership_id)
    assert partnership is not None
    return list(partnership.relationships)


def results(mapping: MappingSession) -> list[ResultRow]:
    """Per relationship and criterion: how many gave a score, the average, the lowest and the
    highest (never who gave what)."""
    given: dict[tuple[int, str], list[int]] = {}
    for score in db.session.scalars(select(MappingScore).join(
            MappingMember, MappingMember.id == MappingScore.member_id).where(
            MappingMember.session_id == mapping.id)):
        given.setdefault((score.relationship_id, score.criterion_id), []).append(score.score)
    rows = []
    for relationship in relationships_of(mapping):
        cells = []
        for criterion in mapping.criteria_ids:
            values = given.get((relationship.id, criterion), [])
            cells.append(Cell(len(values), sum(values) / len(values) if values else None,
                              min(values, default=None), max(values, default=None),
                              service.score_of(relationship, criterion)))
        rows.append(ResultRow(relationship, tuple(cells)))
    return rows


def rounded(average: float) -> int:
    """Half up, as people round: 3.5 is 4."""
    return max(SCALE[0], min(SCALE[1], math.floor(average + 0.5)))


def map_fingerprint(mapping: MappingSession) -> str:
    """The map's scores on this session's criteria as they stand: what "put on the map"
    would replace."""
    state = sorted((r.id, c, service.score_of(r, c) or 0)
                   for r in relationships_of(mapping) for c in mapping.criteria_ids)
    return hashlib.sha256(repr(state).encode()).hexdigest()


def put_on_map(mapping: MappingSession, seen: str) -> int | None:
    """Every average that has one, rounded, as the map's score; None (nothing changed) when
    the map's scores changed after the page was shown.  How many scores were set."""
    service.lock_partnership(mapping.partnership_id)
    db.session.expire_all()
    if map_fingerprint(mapping) != seen:
        return None
    count = 0
    partnership = db.session.get(Partnership, mapping.partnership_id)
    for row in results(mapping):
        for criterion, cell in zip(mapping.criteria_ids, row.cells):
            if cell.average is not None:
                service.set_map_score(row.relationship, criterion, rounded(cell.average))
                count += 1
    if partnership is not None:
        service.bump(partnership)
    return count
