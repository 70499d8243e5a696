"""Partnerships and their maps, as plain functions over the models.

Who may see a partnership: the facilitators who have worked with it (a facilitator preparing a
conversation for it is added), and any co-facilitator one of them adds.  Everything else a
partnership's pages do goes through load_for() first: 404 for anybody else, so a
partnership's existence stays private like a conversation's.

A conversation always belongs to a partnership and, on its map, to the relationship with its
agency: attach() finds them by name (matched as match_name() reads it) among the partnerships
the facilitator may see, or makes them.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import abort
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from convo.core import clock, storage
from convo.extensions import db
from convo.live import state
from convo.models import (Conversation, Facilitator, MapScore, Partnership,
                          PartnershipFacilitator, PartnershipRevision, Relationship)
from convo.models.partnership import PARTNERSHIP_RATER

# Texts people write on a partnership or a relationship whose earlier wordings are kept.
PARTNERSHIP_TEXTS = ("name", "area")
RELATIONSHIP_TEXTS = ("agency_name", "partnership_holders", "agency_holders", "notes")
SIMILAR = 0.8  # names this alike (difflib's ratio, matched) may be the same partnership


def match_name(name: str | None) -> str:
    """A name as it is matched: case, spacing and punctuation set aside, "&" read as "and"
    ("Riverside  Big-Local" and "riverside big local" are one)."""
    text = unicodedata.normalize("NFKC", name or "").casefold().replace("&", " and ")
    text = "".join(ch if ch.isalnum() else "" if ch in ".'’" else " " for ch in text)
    return re.sub(r"\s+", " ", text).strip()[:200]


# --- access -----------------------------------------------------------------------------------


def lock_partnership(partnership_id: int) -> None:
    """Wait for anyone else changing this partnership (its details, map or settings), then
    hold it until the request ends: as storage.lock_conversation, for a partnership."""
    session = db.session
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        storage._begin_immediate(connection)
    else:
        session.execute(select(Partnership.id).where(Partnership.id == partnership_id)
                        .with_for_update(key_share=True))


def can_see(partnership_id: int, facilitator_id: int) -> bool:
    return db.session.scalar(select(PartnershipFacilitator.id).where(
        PartnershipFacilitator.partnership_id == partnership_id,
        PartnershipFacilitator.facilitator_id == facilitator_id)) is not None


def load_for(partnership_id: int, facilitator: Facilitator, *, lock: bool = False) -> Partnership:
    """The partnership if this facilitator may see it; 404 otherwise.  With lock, first wait
    for, then hold, the partnership's lock (lock_partnership)."""
    if lock:
        lock_partnership(partnership_id)
    partnership = db.session.get(Partnership, partnership_id)
    if partnership is None or not can_see(partnership.id, facilitator.id):
        abort(404)
    return partnership


def relationship_or_404(partnership: Partnership, relationship_id: int) -> Relationship:
    found = db.session.get(Relationship, relationship_id)
    if found is None or found.partnership_id != partnership.id:
        abort(404)
    return found


def visible(facilitator: Facilitator) -> list[Partnership]:
    """The partnerships this facilitator may see, by name."""
    return list(db.session.scalars(
        select(Partnership).join(PartnershipFacilitator,
                                 PartnershipFacilitator.partnership_id == Partnership.id)
        .where(PartnershipFacilitator.facilitator_id == facilitator.id)
        .order_by(Partnership.match_name, Partnership.id)))


def grant(partnership: Partnership, facilitator_id: int, role: str = "lead") -> None:
    """Let a facilitator see the partnership (once however often it is asked)."""
    if can_see(partnership.id, facilitator_id):
        return
    try:
        with db.session.begin_nested():
            db.session.add(PartnershipFacilitator(partnership_id=partnership.id,
                                                  facilitator_id=facilitator_id, role=role,
                                                  added_at=clock.utcnow()))
    except IntegrityError:  # granted by another request at the same moment
        pass


def runs_conversations(partnership: Partnership, facilitator_id: int) -> bool:
    """Whether the facilitator has conversations of their own in this partnership (they keep
    seeing it while they do: their conversations are on its map)."""
    return db.session.scalar(select(Conversation.id).where(
        Conversation.partnership_id == partnership.id,
        Conversation.facilitator_id == facilitator_id).limit(1)) is not None


def revoke(partnership: Partnership, facilitator_id: int) -> bool:
    """Stop a facilitator seeing the partnership, unless they run conversations in it; True
    when they no longer see it (also when they already didn't: two tabs, one answer)."""
    if runs_conversations(partnership, facilitator_id):
        return False
    db.session.execute(delete(PartnershipFacilitator).where(
        PartnershipFacilitator.partnership_id == partnership.id,
        PartnershipFacilitator.facilitator_id == facilitator_id))
    db.session.expire(partnership, ["facilitators"])
    return True


@dataclass(frozen=True)
class Person:
    """Someone from the partnership's side, as its conversations list them (the latest
    wording of their role, and whether they asked not to be named there)."""

    name: str
    role: str
    email: str | None
    conversations: int
    last: Conversation
    may_be_named: bool
    reminders: bool


def people_of(partnership: Partnership, facilitator: Facilitator) -> list[Person]:
    """The partnership's people: everyone on its side in the conversations this facilitator
    runs with it, once each (matched by name as match_name() reads it), by name.  Other
    facilitators' conversations stay theirs: a co-facilitator sees only the people of their own
    conversations."""
    from convo.models import Participant

    rows = db.session.execute(
        select(Participant, Conversation).join(
            Conversation, Conversation.id == Participant.conversation_id)
        .where(Conversation.partnership_id == partnership.id,
               Conversation.facilitator_id == facilitator.id,
               Participant.party == "partnership")
        .order_by(func.coalesce(Conversation.starts_at, Conversation.created_at),
                  Conversation.id, Participant.position)).all()
    found: dict[str, list[tuple[Any, Conversation]]] = {}
    for participant, conversation in rows:
        found.setdefault(match_name(participant.name), []).append((participant, conversation))
    people = []
    for entries in found.values():
        latest, last = entries[-1]
        people.append(Person(
            name=latest.name, role=latest.role,
            email=next((p.email for p, _c in reversed(entries) if p.email), None),
            conversations=len({c.id for _p, c in entries}), last=last,
            may_be_named=latest.may_be_named, reminders=latest.reminders))
    return sorted(people, key=lambda person: match_name(person.name))


def facilitators_of(partnership: Partnership) -> list[tuple[Facilitator, str]]:
    return [(db.session.get(Facilitator, row.facilitator_id), row.role)  # type: ignore[misc]
            for row in partnership.facilitators]


# --- partnerships and relationships ------------------------------------------------------------


def create(facilitator: Facilitator, name: str, area: str | None) -> Partnership:
    now = clock.utcnow()
    partnership = Partnership(name=name, area=area or None, match_name=match_name(name),
                              criteria="", created_at=now, updated_at=now)
    db.session.add(partnership)
    db.session.flush()
    grant(partnership, facilitator.id)
    return partnership


def find_or_create(facilitator: Facilitator, name: str, area: str | None) -> Partnership:
    """The partnership of this name among those the facilitator may see, or a new one."""
    wanted = match_name(name)
    for partnership in visible(facilitator):
        if partnership.match_name == wanted:
            if area and not partnership.area:
                partnership.area = area
            return partnership
    return create(facilitator, name, area)


def find_or_add_relationship(partnership: Partnership, agency_name: str, agency_type: str,
                             agency_subtype: str | None) -> Relationship:
    """The relationship with this agency on the partnership's map (matched by name), or a
    new one; a new relationship with the same agency at the same moment is the same one."""
    wanted = match_name(agency_name)
    statement = select(Relationship).where(Relationship.partnership_id == partnership.id,
                                           Relationship.match_name == wanted)
    found = db.session.scalar(statement)
    if found is not None:
        return found
    now = clock.utcnow()
    position = (db.session.scalar(select(func.max(Relationship.position)).where(
        Relationship.partnership_id == partnership.id)) or 0) + 1
    relationship = Relationship(partnership_id=partnership.id, agency_name=agency_name,
                                match_name=wanted, agency_type=agency_type,
                                agency_subtype=agency_subtype or None, purposes="",
                                position=position, created_at=now, updated_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(relationship)
    except IntegrityError:
        found = db.session.scalar(statement)
        assert found is not None
        return found
    return relationship


def attach(conversation: Conversation, facilitator: Facilitator) -> None:
    """Put a conversation in its partnership and on its map, by the names it carries."""
    partnership = find_or_create(facilitator, conversation.partnership_name,
                                 conversation.partnership_area)
    relationship = find_or_add_relationship(partnership, conversation.agency_name,
                                            conversation.agency_type,
                                            conversation.agency_subtype)
    conversation.partnership_id = partnership.id
    conversation.relationship_id = relationship.id
    bump(partnership)


def bump(partnership: Partnership) -> None:
    partnership.updated_at = clock.utcnow()


def keep(partnership: Partnership, record: str, record_id: int, field: str, old: Any,
         author_label: str) -> None:
    """Keep a wording that is being replaced (nothing to keep when it was empty)."""
    if old is None or old == "":
        return
    db.session.add(PartnershipRevision(partnership_id=partnership.id, record=record,
                                       record_id=record_id, field=field, text=str(old),
                                       replaced_at=clock.utcnow(), replaced_by=author_label))


def apply(partnership: Partnership, record: str, obj: Any, changes: Mapping[str, Any],
          texts: Iterable[str], author_label: str) -> None:
    """Set each changed attribute, keeping the earlier wording of each text."""
    kept = set(texts)
    for name, value in changes.items():
        if name in kept:
            keep(partnership, record, obj.id, name, getattr(obj, name), author_label)
        setattr(obj, name, value)
    obj.updated_at = clock.utcnow()
    bump(partnership)


def earlier_wordings(partnership: Partnership, record: str | None = None,
                     record_id: int | None = None) -> list[PartnershipRevision]:
    statement = select(PartnershipRevision).where(
        PartnershipRevision.partnership_id == partnership.id)
    if record is not None:
        statement = statement.where(PartnershipRevision.record == record,
                                    PartnershipRevision.record_id == record_id)
    return list(db.session.scalars(statement.order_by(PartnershipRevision.id)))


def save_details(partnership: Partnership, changes: dict[str, Any], author_label: str) -> None:
    if "name" in changes:
        partnership.match_name = match_name(changes["name"])
    if "area" in changes:
        changes = {**changes, "area": changes["area"] or None}
    apply(partnership, "partnership", partnership, changes, PARTNERSHIP_TEXTS, author_label)


class NameTaken(ValueError):
    """Another relationship on this map already has this agency's name."""


def save_relationship(partnership: Partnership, relationship: Relationship,
                      changes: dict[str, Any], author_label: str) -> None:
    """The entry's fields that changed (already merged: core.edits); scores apart."""
    if "agency_name" in changes:
        wanted = match_name(changes["agency_name"])
        clash = db.session.scalar(select(Relationship.id).where(
            Relationship.partnership_id == partnership.id, Relationship.match_name == wanted,
            Relationship.id != relationship.id))
        if clash is not None:
            raise NameTaken(changes["agency_name"])
        relationship.match_name = wanted
    for name in ("partnership_holders", "agency_holders", "notes", "agency_subtype",
                 "type_now", "type_wanted", "focus"):
        if name in changes:
            changes[name] = changes[name] or None
    apply(partnership, "relationship", relationship, changes, RELATIONSHIP_TEXTS, author_label)


def set_map_score(relationship: Relationship, criterion_id: str, score: int | None,
                  rater: str = PARTNERSHIP_RATER) -> None:
    """One score on the map (None clears it): one row per relationship, criterion, rater."""
    existing = next((s for s in relationship.scores
                     if s.criterion_id == criterion_id and s.rater == rater), None)
    if score is None:
        if existing is not None:
            relationship.scores.remove(existing)
        return
    if existing is None:
        relationship.scores.append(MapScore(criterion_id=criterion_id, rater=rater, score=score,
                                            updated_at=clock.utcnow()))
    else:
        existing.score = score
        existing.updated_at = clock.utcnow()


def score_of(relationship: Relationship, criterion_id: str) -> int | None:
    return next((s.score for s in relationship.scores
                 if s.criterion_id == criterion_id and s.rater == PARTNERSHIP_RATER), None)


# --- partnerships that may be the same ---------------------------------------------------------


@dataclass(frozen=True)
class Likely:
    """Two partnerships whose names differ only slightly: perhaps one."""

    first: Partnership
    second: Partnership


def likely_the_same(partnerships: list[Partnership]) -> list[Likely]:
    """Pairs of partnerships whose names are alike (a typing slip, "BL" for "Big Local"),
    for the facilitator to combine or leave apart."""
    found = []
    for n, first in enumerate(partnerships):
        for second in partnerships[n + 1:]:
            a, b = first.match_name, second.match_name
            if a == b or difflib.SequenceMatcher(None, a, b).ratio() >= SIMILAR or (
                    _initials(a) == _initials(b) and len(a.split()) > 1
                    and (a.startswith(b.split()[0]) or b.startswith(a.split()[0]))):
                found.append(Likely(first, second))
    return found


def _initials(name: str) -> str:
    words = name.split()
    return words[0] + "".join(w[0] for w in words[1:]) if words else ""


def combine(keep_: Partnership, other: Partnership, facilitator: Facilitator,
            author_label: str) -> None:
    """Move everything of `other` into `keep_` (the facilitator confirmed they are one):
    its conversations, its map (a relationship with an agency already on the kept map joins
    that one), who may see it, its opt-outs and reminders; then remove `other`."""
    from convo.models import ReminderLink, ReminderOptOut, ReminderSend

    moved_to: dict[int, int] = {}
    for relationship in list(other.relationships):
        same = db.session.scalar(select(Relationship).where(
            Relationship.partnership_id == keep_.id,
            Relationship.match_name == relationship.match_name))
        if same is None:
            relationship.partnership_id = keep_.id
            moved_to[relationship.id] = relationship.id
            continue
        moved_to[relationship.id] = same.id
        for score in list(relationship.scores):
            if score_of(same, score.criterion_id) is None:
                set_map_score(same, score.criterion_id, score.score, score.rater)
    db.session.flush()
    db.session.expire(other, ["relationships"])
    for old, new in moved_to.items():
        db.session.execute(update(Conversation).where(Conversation.relationship_id == old)
                           .values(relationship_id=new))
    db.session.execute(update(Conversation).where(Conversation.partnership_id == other.id)
                       .values(partnership_id=keep_.id, **state.moved_for_phones()))
    db.session.execute(update(PartnershipRevision).where(
        PartnershipRevision.partnership_id == other.id).values(partnership_id=keep_.id))
    for model in (ReminderSend, ReminderLink):
        db.session.execute(update(model).where(model.partnership_id == other.id)  # type: ignore[attr-defined]
                           .values(partnership_id=keep_.id))
    kept_out = set(db.session.scalars(select(ReminderOptOut.email).where(
        ReminderOptOut.partnership_id == keep_.id)))
    for opt_out in db.session.scalars(select(ReminderOptOut).where(
            ReminderOptOut.partnership_id == other.id)):
        if opt_out.email in kept_out:
            db.session.delete(opt_out)
        else:
            opt_out.partnership_id = keep_.id
    for row in list(other.facilitators):
        grant(keep_, row.facilitator_id, "co" if row.role == "co" else "lead")
    keep(keep_, "partnership", keep_.id, "name", other.name, author_label)
    db.session.flush()
    for relationship in db.session.scalars(select(Relationship).where(
            Relationship.partnership_id == other.id)):
        db.session.delete(relationship)
    db.session.flush()
    db.session.delete(other)
    bump(keep_)
