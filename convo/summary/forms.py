"""Forms for the summary page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from convo.core.forms import BaseForm, strip_filter
from convo.summary.service import NARRATIVE_MAX


class IssueForm(BaseForm):
    """Issuing carries no words of its own: a correction's note is part of the approved draft."""


class SendForm(BaseForm):
    others = TextAreaField(
        _l("Other email addresses (optional)"), filters=[strip_filter],
        validators=[Optional(), Length(max=5000)],
        description=_l("One per line: people either side asked to receive it."))


NARRATIVE_LIMIT = Length(max=NARRATIVE_MAX,
                         message=_l("This is too long: use at most %(max)d characters."))
