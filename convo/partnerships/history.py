"""A relationship's history: every conversation with the agency, the scores of each on the
same instrument over time, the relationship's type over time, and who held it on each side
then and now (the "revolving door" made visible).

The facilitator's own page: people are shown as typed, with who asked not to be named marked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from babel.dates import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from convo.conversations import service as conversations
from convo.extensions import db
from convo.models import Conversation, Partnership, PartnershipRevision, Relationship
from convo.questions.schema import text_in
from convo.ratings.over_time import Trend, trends
from convo.ratings.service import relationship_choices

LONDON = "Europe/London"


@dataclass(frozen=True)
class Person:
    name: str
    role: str
    named: bool  # may be named outside the facilitator's pages
    new: bool  # not there last time on this side
    attended: bool


@dataclass(frozen=True)
class Side:
    party: str
    people: tuple[Person, ...]
    gone: tuple[str, ...]  # there last time, not this time: "name (role)"


@dataclass(frozen=True)
class Occasion:
    conversation: Conversation
    label: str
    mine: bool  # the facilitator looking owns it (and may open it)
    sides: tuple[Side, ...]
    types: tuple[tuple[str, str, str], ...]  # (party name, type now, type wanted)


@dataclass(frozen=True)
class Holding:
    """Who held the relationship on one side, as written, from when to when."""

    side: str
    text: str
    until: datetime | None  # None: now


@dataclass(frozen=True)
class History:
    relationship: Relationship
    occasions: tuple[Occasion, ...]  # oldest first
    trends: tuple[Trend, ...]
    holdings: tuple[Holding, ...]


def when_label(conversation: Conversation, locale: str, index: int) -> str:
    when = conversation.starts_at or conversation.started_at
    if when is None:
        return _("Conversation %(number)d (no date)", number=index)
    return format_date(when.astimezone(_zone()).date(), "d MMM y", locale=locale)


def _zone():  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    return ZoneInfo(LONDON)


def conversations_of(relationship: Relationship) -> list[Conversation]:
    """Every conversation about this relationship, oldest first (undated ones by when they
    were prepared)."""
    found = list(db.session.scalars(select(Conversation).where(
        Conversation.relationship_id == relationship.id)))
    return sorted(found, key=lambda c: ((c.starts_at or c.started_at or c.created_at), c.id))


def build(partnership: Partnership, relationship: Relationship, facilitator_id: int,
          locale: str = "en_GB") -> History:
    found = conversations_of(relationship)
    occasions: list[Occasion] = []
    previous: dict[str, dict[str, str]] = {}
    planned = []
    for index, conversation in enumerate(found, start=1):
        label = when_label(conversation, locale, index)
        plan = conversations.plan_for(conversation)
        planned.append((conversation, plan, label))
        sides = []
        for party in ("partnership", "agency"):
            people = [p for p in conversation.participants if p.party == party]
            before = previous.get(party)
            now = {_key(p.name): f"{p.name} ({p.role})" for p in people}
            sides.append(Side(party, tuple(
                Person(p.name, p.role, p.may_be_named,
                       new=before is not None and _key(p.name) not in before,
                       attended=p.attended) for p in people),
                tuple(v for k, v in (before or {}).items() if k not in now)))
            previous[party] = now
        titles = {t.id: text_in(t.title, locale, plan.question_set.locale)
                  for t in plan.question_set.relationship_types}
        choices = relationship_choices(conversation)
        types = tuple((conversation.party_name(party), titles.get(c.now_type or "", ""),
                       titles.get(c.wanted_type or "", ""))
                      for party in ("partnership", "agency")
                      if (c := choices.get(party)) is not None and (c.now_type or c.wanted_type))
        occasions.append(Occasion(conversation, label, conversation.facilitator_id
                                  == facilitator_id, tuple(sides), types))
    return History(relationship, tuple(occasions), tuple(trends(planned)),
                   holdings(partnership, relationship))


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


def holdings(partnership: Partnership, relationship: Relationship) -> tuple[Holding, ...]:
    """Who held the relationship on each side, earliest first, as the map's entry said it:
    each earlier wording until it was replaced, then what it says now."""
    found: list[Holding] = []
    for field, side in (("partnership_holders", "partnership"), ("agency_holders", "agency")):
        for revision in db.session.scalars(select(PartnershipRevision).where(
                PartnershipRevision.partnership_id == partnership.id,
                PartnershipRevision.record == "relationship",
                PartnershipRevision.record_id == relationship.id,
                PartnershipRevision.field == field).order_by(PartnershipRevision.id)):
            found.append(Holding(side, revision.text, revision.replaced_at))
        current = getattr(relationship, field)
        if current:
            found.append(Holding(side, current, None))
    return tuple(found)
