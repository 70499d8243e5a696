"""Words people see for a map's codes: the six purposes (seed 001 §2.2) and the two marks
from the mapping workshop ("a good relationship", "one to develop")."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

PURPOSE_LABELS = {
    "co_design": _l("Co-design and co-delivery"),
    "sharing": _l("Sharing and networking"),
    "support": _l("Informal support and guidance"),
    "routes": _l("Routes into the community or into the agency"),
    "assets": _l("Assets and infrastructure"),
    "funding": _l("Funding (either way)"),
}
FOCUS_LABELS = {
    "good": _l("A good relationship"),
    "develop": _l("One to develop"),
}
FOCUS_SHORT = {"good": _l("good one"), "develop": _l("to develop")}
