"""The action tracker: every action of every conversation of a partnership in one list, how
each stands and its latest update, with filters and a CSV export.

An update (from the tracker, a later conversation's console, or an owner's reminder link) is
recorded by record_update(): the action's status changes and the update is kept, with who
gave it, so every screen that shows the action (the tracker, the console of the next
conversation, the summary's "actions from last time") shows the same latest word.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from convo.conversations.labels import ACTION_STATUS_LABELS
from convo.conversations.exporting import updates_of  # noqa: F401  (views use it)
from convo.conversations.naming import Public
from convo.core import clock
from convo.extensions import db
from convo.live import state
from convo.models import ActionUpdate, Conversation, Item, Partnership, Relationship
from convo.models.capture import OPEN_STATUSES

LONDON = ZoneInfo("Europe/London")
NOTE_MAX = 1000


def today() -> date:
    """Today where the actions are due (the UK)."""
    return clock.utcnow().astimezone(LONDON).date()


@dataclass(frozen=True)
class Tracked:
    item: Item
    conversation: Conversation
    agency: str
    relationship_id: int | None
    owner: str
    side: str  # "partnership", "agency", "both" or ""
    due: date | None
    due_by_next: bool
    status: str
    overdue: bool
    latest: ActionUpdate | None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def owner_of(item: Item, conversation: Conversation) -> str:
    """Who does it, as typed (the facilitator's pages), or the person taking part chosen."""
    if item.owner_participant_id:
        person = next((p for p in conversation.participants
                       if p.id == item.owner_participant_id), None)
        if person is not None:
            return person.name
    return item.owner_name or ""


def latest_updates(item_ids: Iterable[int]) -> dict[int, ActionUpdate]:
    """Each action's latest update, in one query."""
    ids = list(item_ids)
    if not ids:
        return {}
    found: dict[int, ActionUpdate] = {}
    for update in db.session.scalars(select(ActionUpdate).where(ActionUpdate.item_id.in_(ids))
                                     .order_by(ActionUpdate.id)):
        found[update.item_id] = update
    return found


def actions(partnership: Partnership, *, relationship_id: int | None = None, owner: str = "",
            status: str = "") -> list[Tracked]:
    """Every live action of the partnership's conversations, newest conversation first, the
    filters applied (owner matched as typed, in any case)."""
    conversations = {c.id: c for c in db.session.scalars(select(Conversation).where(
        Conversation.partnership_id == partnership.id))}
    agencies = {r.id: r.agency_name for r in db.session.scalars(select(Relationship).where(
        Relationship.partnership_id == partnership.id))}
    if not conversations:
        return []
    items = list(db.session.scalars(select(Item).where(
        Item.conversation_id.in_(list(conversations)), Item.kind == "action",
        Item.deleted_at.is_(None), Item.merged_into_id.is_(None))))
    latest = latest_updates(i.id for i in items)
    now = today()
    wanted_owner = " ".join(owner.casefold().split())
    found = []
    for item in items:
        conversation = conversations[item.conversation_id]
        who = owner_of(item, conversation)
        tracked = Tracked(
            item=item, conversation=conversation,
            agency=agencies.get(conversation.relationship_id or 0, conversation.agency_name),
            relationship_id=conversation.relationship_id, owner=who,
            side=item.owner_party or "", due=item.due_date, due_by_next=item.due_by_next,
            status=item.status,
            overdue=item.status in OPEN_STATUSES and item.due_date is not None
            and item.due_date < now,
            latest=latest.get(item.id))
        if relationship_id is not None and tracked.relationship_id != relationship_id:
            continue
        if wanted_owner and wanted_owner not in " ".join(who.casefold().split()):
            continue
        if status == "overdue" and not tracked.overdue:
            continue
        if status == "open" and not tracked.is_open:
            continue
        if status in ACTION_STATUS_LABELS and tracked.status != status:
            continue
        found.append(tracked)
    found.sort(key=lambda t: (not t.overdue, not t.is_open, t.due or date.max,
                              -(t.conversation.id), t.item.position))
    return found


def owners(partnership: Partnership) -> list[str]:
    """The owners named on the partnership's actions, for the filter."""
    return sorted({t.owner for t in actions(partnership) if t.owner}, key=str.casefold)


def record_update(conversation: Conversation, item: Item, status: str, note: str | None,
                  author: str, author_label: str) -> ActionUpdate:
    """An action's new standing, kept with who gave it; the conversation's screens (and the
    next conversation's console) follow."""
    if status not in ACTION_STATUS_LABELS:
        raise ValueError("status")
    update = ActionUpdate(item_id=item.id, status=status, note=(note or "").strip() or None,
                          created_at=clock.utcnow(), author=author,
                          author_label=author_label[:200])
    db.session.add(update)
    item.status = status
    item.updated_at = update.created_at
    state.bump(conversation)
    for later in db.session.scalars(select(Conversation).where(
            Conversation.follows_id == conversation.id)):
        state.bump(later)
    return update


# --- the CSV export ----------------------------------------------------------------------------

CSV_COLUMNS = ("action", "owner", "side", "agency", "conversation_date", "due", "status",
               "overdue", "last_update", "last_update_by", "last_update_at")


def csv_text(rows: list[Tracked], headings: dict[str, str],
             party_name: Callable[[Conversation, str], str],
             date_text: Callable[[date | datetime | None], str]) -> str:
    """The tracker as CSV.  The file leaves convo, so people who asked not to be named are
    shown by role (each conversation's own Public)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([headings[c] for c in CSV_COLUMNS])
    publics: dict[int, Public] = {}
    for row in rows:
        public = publics.setdefault(row.conversation.id, Public(row.conversation))
        when = row.conversation.starts_at or row.conversation.started_at
        writer.writerow([_cell(public(row.item.text)), _cell(public(_owner_public(row))),
                         _cell(party_name(row.conversation, row.side)), _cell(public(row.agency)),
                         date_text(when), date_text(row.due) if row.due else (
                             headings["by_next"] if row.due_by_next else ""),
                         str(ACTION_STATUS_LABELS.get(row.status, row.status)),
                         headings["yes"] if row.overdue else "",
                         _cell(public(row.latest.note or "")) if row.latest else "",
                         _cell(public(row.latest.author_label)) if row.latest else "",
                         row.latest.created_at.isoformat() if row.latest else ""])
    return out.getvalue()


def _owner_public(row: Tracked) -> str:
    if row.item.owner_participant_id:
        person = next((p for p in row.conversation.participants
                       if p.id == row.item.owner_participant_id), None)
        if person is not None:
            return person.public_name
    return row.item.owner_name or ""


def _cell(text: str) -> str:
    """A cell a spreadsheet won't run as a formula (=, +, -, @ at the start)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
