"""Forms for the summary page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from convo.core.forms import BaseForm, strip_filter
from convo.summary.service import NARRATIVE_MAX


class IssueForm(BaseForm):
    change_note = TextAreaField(
        _l("What changed since the last version"), filters=[strip_filter],
        validators=[Optional(), Length(max=2000, message=_l("Use at most %(max)d characters."))],
        description=_l("Needed for a correction: it is printed on the new version."))


class SendForm(BaseForm):
    others = TextAreaField(
        _l("Other email addresses (optional)"), filters=[strip_filter],
        validators=[Optional(), Length(max=5000)],
        description=_l("One per line: people either side asked to receive it."))


NARRATIVE_LIMIT = Length(max=NARRATIVE_MAX,
                         message=_l("This is too long: use at most %(max)d characters."))
