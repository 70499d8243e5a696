"""A partnership's whole record as JSON (its data portability, beside each conversation's):
the partnership, its map with every score and earlier wording, its actions with every update,
and its reminders' settings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_login import current_user

from convo import __version__
from convo.core import clock
from convo.models import Partnership
from convo.partnerships import mapping, service, tracker


def _when(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def export(partnership: Partnership) -> dict[str, Any]:
    return {
        "format": "convo.partnership/1",
        "convo_version": __version__,
        "exported_at": _when(clock.utcnow()),
        "exported_by": getattr(current_user, "email", None),
        "partnership": {"id": partnership.id, "name": partnership.name,
                        "area": partnership.area, "criteria": partnership.criteria_ids,
                        "created_at": _when(partnership.created_at)},
        "facilitators": [{"name": f.name, "email": f.email, "role": role}
                         for f, role in service.facilitators_of(partnership)],
        "reminders": {"on": partnership.reminders_on,
                      "days_before": partnership.remind_days_before,
                      "overdue": partnership.remind_overdue,
                      "link_days": partnership.link_days},
        "relationships": [{
            "id": r.id, "agency": r.agency_name, "agency_type": r.agency_type,
            "agency_subtype": r.agency_subtype, "partnership_holders": r.partnership_holders,
            "agency_holders": r.agency_holders, "purposes": r.purpose_ids,
            "type_now": r.type_now, "type_wanted": r.type_wanted, "focus": r.focus,
            "notes": r.notes,
            "scores": [{"criterion": s.criterion_id, "rater": s.rater, "score": s.score,
                        "updated_at": _when(s.updated_at)} for s in r.scores],
        } for r in partnership.relationships],
        "actions": [{
            "conversation_id": t.conversation.id, "item_id": t.item.id,
            "relationship_id": t.relationship_id, "what": t.item.text, "owner": t.owner,
            "side": t.side or None, "due": _when(t.due), "due_by_next": t.due_by_next,
            "status": t.status, "overdue": t.overdue,
            "updates": [{"status": u.status, "note": u.note, "by": u.author_label,
                         "at": _when(u.created_at)} for u in tracker.updates_of(t.item)],
        } for t in tracker.actions(partnership)],
        # Mapping sessions: everyone's scores together, as the room saw them (never who gave
        # which: members are counted, not named).
        "mapping_sessions": [{
            "id": m.id, "status": m.status, "criteria": m.criteria_ids,
            "started_at": _when(m.created_at), "shown_at": _when(m.shown_at),
            "closed_at": _when(m.closed_at), "members": len(m.members),
            "results": [{"relationship_id": row.relationship.id, "criterion": criterion,
                         "scores": cell.count, "average": cell.average, "lowest": cell.low,
                         "highest": cell.high}
                        for row in mapping.results(m)
                        for criterion, cell in zip(m.criteria_ids, row.cells)
                        if cell.count] if m.status != "open" else [],
        } for m in mapping.sessions_of(partnership)],
        "earlier_wordings": [{"record": r.record, "record_id": r.record_id, "field": r.field,
                              "text": r.text, "replaced_at": _when(r.replaced_at)}
                             for r in service.earlier_wordings(partnership)],
    }
