"""Words people see for the codes stored in the database (one place, all translatable)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

KIND_LABELS = {
    "challenge": _l("Challenge"),
    "opportunity": _l("Opportunity"),
    "action": _l("Action"),
    "strength": _l("Strength"),
    "note": _l("Note"),
    "follow_up": _l("Question to follow up"),
    "parking_lot": _l("To come back to"),
}
KIND_PLURALS = {
    "challenge": _l("Challenges"),
    "opportunity": _l("Opportunities"),
    "action": _l("Actions"),
    "strength": _l("Strengths"),
    "note": _l("Notes"),
    "follow_up": _l("Questions to follow up"),
    "parking_lot": _l("To come back to"),
}
# One key each for fast capture on the console keyboard.
KIND_KEYS = {"challenge": "c", "opportunity": "o", "action": "a", "strength": "s",
             "note": "n", "follow_up": "q", "parking_lot": "p"}
RAISED_BY_KEYS = {"partnership": "1", "agency": "2", "both": "3", "facilitator": "4"}
STATUS_LABELS = {
    "upcoming": _l("Upcoming"),
    "live": _l("Live"),
    "closed": _l("Closed"),
}
ACTION_STATUS_LABELS = {
    "agreed": _l("Agreed"),
    "in_progress": _l("In progress"),
    "done": _l("Done"),
    "dropped": _l("Dropped"),
    "stuck": _l("Stuck"),
}
SCREEN_MODE_LABELS = {
    "question": _l("The question"),
    "items": _l("What we've captured"),
    "ratings": _l("Ratings side by side"),
    "actions": _l("Agreed actions"),
    "summary": _l("Draft summary"),
    "join": _l("How to join"),
}
PARTY_GENERIC = {"partnership": _l("Community partnership"), "agency": _l("Public agency")}


def raised_by_label(raised_by: str, partnership: str, agency: str) -> str:
    """Who raised a point, in the parties' own names."""
    from flask_babel import gettext as _

    return {
        "partnership": partnership,
        "agency": agency,
        "both": _("Both"),
        "facilitator": _("Facilitator"),
    }.get(raised_by, raised_by)
