"""The whole conversation as plain JSON-ready data (GET .../export.json, `convo export-conversation`).

The format is documented in README.md ("Data portability").  Dates are ISO 8601 in UTC.
Everything is included, deleted and merged items too (marked), so nothing is lost on export.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from convo.conversations import history
from convo.extensions import db
from convo.models import (ActionUpdate, Conversation, Item, Rating, RelationshipChoice,
                          SummaryDraft)
from convo.version import __version__

FORMAT = "convo.conversation/1"


def _when(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _draft(conversation: Conversation) -> dict[str, Any] | None:
    """The summary's words as the facilitator wrote them (None before any were written)."""
    draft = db.session.scalar(select(SummaryDraft).where(
        SummaryDraft.conversation_id == conversation.id))
    if draft is None:
        return None
    try:
        narratives = json.loads(draft.narratives or "{}")
    except ValueError:
        narratives = {}
    return {"introduction": draft.introduction, "closing": draft.closing,
            "narratives": narratives, "change_note": draft.change_note,
            "updated_at": _when(draft.updated_at)}


def updates_of(item: Item) -> list[ActionUpdate]:
    """An action's updates, oldest first (from the tracker, a console, a reminder link)."""
    return list(db.session.scalars(select(ActionUpdate).where(ActionUpdate.item_id == item.id)
                                   .order_by(ActionUpdate.id)))


def export(conversation: Conversation) -> dict[str, Any]:
    items = db.session.scalars(
        select(Item).where(Item.conversation_id == conversation.id).order_by(Item.position, Item.id))
    scores = db.session.scalars(
        select(Rating).where(Rating.conversation_id == conversation.id).order_by(Rating.id))
    choices = db.session.scalars(select(RelationshipChoice).where(
        RelationshipChoice.conversation_id == conversation.id).order_by(RelationshipChoice.id))
    return {
        "format": FORMAT,
        "exported_by": f"convo {__version__}",
        "id": conversation.id,
        "follows": conversation.follows_id,
        "status": conversation.status,
        "partnership": {"name": conversation.partnership_name,
                        "area": conversation.partnership_area},
        "agency": {"name": conversation.agency_name, "type": conversation.agency_type,
                   "subtype": conversation.agency_subtype},
        "purpose": conversation.purpose,
        "starts_at": _when(conversation.starts_at),
        "place": conversation.place,
        "video_link": conversation.video_link,
        "locale": conversation.locale,
        "partnership_id": conversation.partnership_id,
        "relationship_id": conversation.relationship_id,
        "question_set": {"id": conversation.question_set_id,
                         "version": conversation.question_set_version},
        "plan": [{"stage": s.stage_id, "included": s.included, "minutes": s.minutes,
                  "seconds_spent": s.seconds_spent} for s in conversation.stages],
        "added_questions": [{"id": q.key, "stage": q.stage_id, "text": q.text,
                             "addressed_to": q.addressed_to} for q in conversation.added_questions],
        "participants": [{"id": p.id, "name": p.name, "role": p.role, "party": p.party,
                          "email": p.email, "may_be_named": p.may_be_named,
                          "attended": p.attended, "reminders": p.reminders}
                         for p in conversation.participants],
        "items": [{
            "id": i.id, "kind": i.kind, "raised_by": i.raised_by, "stage": i.stage_id,
            "question": i.question_id, "text": i.text, "hidden": i.hidden,
            "deleted_at": _when(i.deleted_at), "merged_into": i.merged_into_id,
            "created_at": _when(i.created_at), "updated_at": _when(i.updated_at),
            "by_participant": i.participant_id,
            "action": {
                "owner": i.owner_name, "owner_participant": i.owner_participant_id,
                "party": i.owner_party, "due_date": _when(i.due_date),
                "by_next_conversation": i.due_by_next, "first_step": i.first_step,
                "agreed_by_both": i.agreed_by_both, "status": i.status,
                "updates": [{"status": u.status, "note": u.note, "by": u.author_label,
                             "at": _when(u.created_at)} for u in updates_of(i)],
            } if i.kind == "action" else None,
            "earlier_versions": [{"text": r.text, "kind": r.kind, "raised_by": r.raised_by,
                                  "stage": r.stage_id, "question": r.question_id,
                                  "changed_at": _when(r.changed_at)} for r in i.revisions],
        } for i in items],
        "ratings": [{"instrument": r.instrument_id, "criterion": r.criterion_id,
                     "column": r.column, "party": r.party, "rater": r.rater, "score": r.score,
                     "entered_by": r.entered_by, "updated_at": _when(r.updated_at)}
                    for r in scores],
        "ratings_revealed": conversation.ratings_revealed,
        "relationship_types": [{"party": c.party, "rater": c.rater, "now": c.now_type,
                                "wanted": c.wanted_type} for c in choices],
        "agreement": {"ground_rules": conversation.ground_rules,
                      "contacts": conversation.contacts,
                      "meeting_rhythm": conversation.meeting_rhythm,
                      "next_conversation": conversation.next_conversation,
                      "next_at": _when(conversation.next_at)},
        "summary_draft": _draft(conversation),
        "earlier_wordings": [{"record": r.record, "record_id": r.record_id, "field": r.field,
                              "text": r.text, "replaced_at": _when(r.replaced_at)}
                             for r in history.earlier(conversation.id)],
        "created_at": _when(conversation.created_at),
        "started_at": _when(conversation.started_at),
        "closed_at": _when(conversation.closed_at),
    }
