"""Forms for participants' own devices: the join code, adding a point, editing it."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import format_number, lazy_gettext as _l
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, ValidationError

from convo.core.forms import BaseForm, as_choices, strip_filter
from convo.models.capture import TEXT_MAX

# What a participant may add, in the order offered (the facilitator's "action" is an idea
# until both sides agree it).
PARTICIPANT_KINDS = (
    ("challenge", _l("A challenge")),
    ("opportunity", _l("An opportunity")),
    ("action", _l("An idea for an action")),
    ("strength", _l("Something that works well")),
    ("note", _l("A note")),
    ("follow_up", _l("A question to follow up")),
    ("parking_lot", _l("A topic to come back to another time")),
)
DEFAULT_KIND = "note"
CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")


class JoinForm(BaseForm):
    code = StringField(
        _l("Join code"),
        description=_l("It is on the shared screen, and looks like ABCD-EFGH. "
                       "Capital or small letters, with or without the dash, are all fine."),
        filters=[strip_filter],
        validators=[DataRequired(_l("Type the join code from the shared screen."))],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false",
                   "autocorrect": "off", "inputmode": "text", "enterkeyhint": "go"},
    )

    def validate_code(self, field: Any) -> None:
        if len(field.data or "") > 40:
            raise ValidationError(_l("That is longer than any join code. Check it and try again."))


def too_long_message(count: str) -> str:
    """The limit message; count is already formatted (the page's script passes "{count}")."""
    return str(_l("That is too long to save: please keep it to %(max)s characters or fewer "
                  "(it is %(count)s now). What you typed is still in the box.",
                  max=format_number(TEXT_MAX), count=count))


def text_length(_form: Any, field: Any) -> None:
    """A clear limit, with the count, so the person knows how much to cut."""
    length = len(field.data or "")
    if length > TEXT_MAX:
        raise ValidationError(too_long_message(format_number(length)))


def _text_field(description: Any = None) -> TextAreaField:
    return TextAreaField(
        _l("Your point"),
        description=description,
        filters=[strip_filter],
        validators=[DataRequired(_l("Type your point in the box first.")), text_length],
        render_kw={"rows": 5, "spellcheck": "true", "autocapitalize": "sentences"},
    )


class ItemTextMixin:
    text = _text_field(_l("One point at a time. You can change it afterwards."))
    kind = RadioField(
        _l("What kind of point is it?"),
        choices=as_choices(PARTICIPANT_KINDS),
        default=DEFAULT_KIND,
        validators=[DataRequired(_l("Choose what kind of point it is."))],
    )


class ItemForm(ItemTextMixin, BaseForm):
    """Adding a point.  client_id is made when the form is shown (or by the browser's script),
    so a form that is sent twice stores one point; one that doesn't look right (CLIENT_ID) is
    replaced by the view rather than refused, so no words are lost."""

    client_id = HiddenField()
    stage_id = HiddenField()
    question_id = HiddenField()


class EditItemForm(ItemTextMixin, BaseForm):
    """Changing one of your own points."""

    text = _text_field()
