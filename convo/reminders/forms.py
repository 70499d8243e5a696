"""The form on a reminder link's page: how the action stands, and a short note."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from convo.core.forms import BaseForm, as_choices, strip_filter

NOTE_MAX = 1000
CHOICES = [("in_progress", _l("Under way")), ("done", _l("Done")),
           ("stuck", _l("Stuck: something is in the way")),
           ("dropped", _l("Not going ahead"))]


class UpdateForm(BaseForm):
    status = RadioField(_l("How is it going?"), choices=as_choices(CHOICES),
                        validators=[DataRequired(_l("Choose how it is going."))])
    note = TextAreaField(_l("Anything to add? (optional)"), filters=[strip_filter],
                         validators=[Optional(), Length(max=NOTE_MAX, message=_l(
                             "This is too long: use at most %(max)d characters."))],
                         description=_l("A sentence or two is plenty."))
