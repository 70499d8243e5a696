"""Words people see for the question sets' own codes (one place, all translatable)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

AGENCY_TYPE_LABELS = {
    "local_authority": _l("Local authority"),
    "housing_association": _l("Housing association"),
    "school_college": _l("School or college"),
    "health": _l("Health agency"),
    "other_public_agency": _l("Other public agency"),
    "lto": _l("Locally trusted organisation (LTO)"),
}
ADDRESSED_TO_LABELS = {
    "both": _l("Both parties"),
    "partnership": _l("The partnership"),
    "agency": _l("The agency"),
}
SURFACES_LABELS = {
    "challenge": _l("challenges"),
    "opportunity": _l("opportunities"),
    "action": _l("actions"),
    "strength": _l("strengths"),
    "note": _l("notes"),
}
COLUMN_LABELS = {"at_start": _l("At the start"), "now": _l("Now")}
