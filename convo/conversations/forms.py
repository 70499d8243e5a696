"""Forms for preparing a conversation and capturing it from the console."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, DateField, EmailField, HiddenField, IntegerField, RadioField,
                     SelectField, StringField, TextAreaField, TimeField)
from wtforms.validators import (DataRequired, Email, Length, NumberRange, Optional,
                                ValidationError)

from convo.conversations.labels import ACTION_STATUS_LABELS, KIND_LABELS
from convo.core.forms import BaseForm, as_choices, strip_filter
from convo.models.capture import TEXT_MAX
from convo.models.conversation import LINK_MAX, LONG_TEXT_MAX, NAME_MAX, PLACE_MAX

PARTY_CHOICES = [("partnership", _l("Community partnership")), ("agency", _l("Public agency"))]


def _limit(maximum: int) -> Length:
    return Length(max=maximum, message=_l("This is too long: use at most %(max)d characters."))


def _text(label: Any, maximum: int, required: bool = False, message: Any = None,
          description: Any = "", textarea: bool = False, **kwargs: Any) -> Any:
    validators = [DataRequired(message or _l("This can't be empty."))] if required else [Optional()]
    validators.append(_limit(maximum))
    field = TextAreaField if textarea else StringField
    return field(label, filters=[strip_filter], validators=validators, description=description,
                 **kwargs)


def web_link(_form: Any, field: Any) -> None:
    if not field.data:
        return
    parts = urlsplit(field.data)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationError(_l("Enter a full web address starting with https://"))


class ConversationForm(BaseForm):
    partnership_name = _text(_l("Community partnership"), NAME_MAX, required=True,
                             message=_l("Enter the community partnership's name."),
                             description=_l("For example, Riverside Big Local."))
    partnership_area = _text(_l("Area (optional)"), NAME_MAX,
                             description=_l("The neighbourhood or place the partnership serves."))
    agency_name = _text(_l("Public agency"), NAME_MAX, required=True,
                        message=_l("Enter the public agency's name."),
                        description=_l("For example, Exampletown Primary Care Network."))
    # A choice is always made (the first is preselected), so no HTML `required`: with it, the
    # first option would have to be an empty placeholder.
    agency_type = SelectField(_l("Kind of agency"), validators=[DataRequired()],
                              render_kw={"required": False})
    agency_subtype = SelectField(_l("More exactly (optional)"), validators=[Optional()],
                                 validate_choice=False,
                                 render_kw={"data-filter-by": "agency_type"})
    question_set = SelectField(
        _l("Question set"), validators=[Optional()], validate_choice=False,
        description=_l("Leave as suggested to use the set made for this kind of agency."))
    purpose = _text(_l("Why this conversation, and why now"), LONG_TEXT_MAX, required=True,
                    message=_l("Say in a sentence or two why this conversation is happening."),
                    textarea=True)
    date = DateField(_l("Date (optional)"), validators=[Optional()])
    time = TimeField(_l("Start time (optional)"), validators=[Optional()],
                     description=_l("UK time."))
    place = _text(_l("Place (optional)"), PLACE_MAX)
    video_link = StringField(_l("Video call link (optional)"), filters=[strip_filter],
                             validators=[Optional(), _limit(LINK_MAX), web_link])
    # Checked in the view against the languages this deployment offers, with a clear message.
    language = SelectField(
        _l("Language of the conversation"), validate_choice=False, render_kw={"required": False},
        description=_l("The shared screen and the summary are in this language. Each "
                       "participant can still choose their own language on their phone."))
    also_in = SelectField(
        _l("Also in (optional)"), validate_choice=False,
        description=_l("The shared screen then shows each question in both languages, and the "
                       "summary is issued in both, one after the other."))


class ParticipantForm(BaseForm):
    name = _text(_l("Name"), NAME_MAX, required=True, message=_l("Enter their name."))
    role = _text(_l("Role"), NAME_MAX, required=True,
                 message=_l("Enter their role, for example \u201cPartnership chair\u201d."),
                 description=_l("Shown instead of the name when someone asks not to be named."))
    party = RadioField(_l("Which side are they on?"), choices=as_choices(PARTY_CHOICES),
                       validators=[DataRequired(_l("Choose which side they are on."))])
    email = EmailField(_l("Email address (optional)"), filters=[strip_filter],
                       validators=[Optional(), Length(max=254),
                                   Email(_l("Enter an email address like name@example.org."),
                                         check_deliverability=False)],
                       description=_l("Used only to send them the summary."))
    may_be_named = BooleanField(_l("They are happy to be named in the summary"), default=True)
    reminders = BooleanField(_l("They agreed to email reminders about actions"),
                             description=_l("Sent only if reminders are turned on for the "
                                            "partnership. Every email lets them stop."))
    attended = BooleanField(_l("They took part"), default=True)


class CaptureForm(BaseForm):
    client_id = HiddenField()
    text = _text(_l("What was said"), TEXT_MAX, required=True,
                 message=_l("Type what was said before saving."), textarea=True)
    kind = RadioField(_l("Kind"), choices=as_choices(KIND_LABELS.items()), default="note",
                      validators=[DataRequired()])
    raised_by = RadioField(_l("Raised by"), default="both", validators=[DataRequired()])
    stage_id = HiddenField()
    question_id = HiddenField()


class EditItemForm(BaseForm):
    text = _text(_l("Text"), TEXT_MAX, required=True, message=_l("An item can't be empty."),
                 textarea=True)
    kind = SelectField(_l("Kind"), choices=as_choices(KIND_LABELS.items()))
    raised_by = SelectField(_l("Raised by"))


class ActionForm(BaseForm):
    owner_name = _text(_l("Who will do it"), NAME_MAX,
                       description=_l("A name or a role; they don't need to be here."))
    owner_participant = SelectField(_l("Or choose someone taking part"), validators=[Optional()],
                                    validate_choice=False)
    owner_party = SelectField(_l("Which side"), validators=[Optional()], validate_choice=False)
    due_date = DateField(_l("By when"), validators=[Optional()])
    due_by_next = BooleanField(_l("By the next conversation"))
    first_step = _text(_l("First step (optional)"), TEXT_MAX, textarea=True)
    agreed_by_both = BooleanField(_l("Both sides agreed this"))
    commitment = IntegerField(
        _l("How sure the owner is, 0 to 10 (optional)"),
        validators=[Optional(), NumberRange(0, 10, message=_l("Give a number from 0 to 10."))],
        description=_l("The commitment check: ask the owner how sure they are it will be done "
                       "by the date. Below 7, make the action smaller or give it more time."),
        render_kw={"inputmode": "numeric"})
    status = SelectField(_l("Progress"), choices=as_choices(ACTION_STATUS_LABELS.items()),
                         default="agreed")


class AddQuestionForm(BaseForm):
    # Shown on the console beside the capture box, whose field is already id="text".
    text = _text(_l("Your question"), 500, required=True, message=_l("Type the question."),
                 id="question-text")
    addressed_to = SelectField(_l("Asked to"), choices=as_choices([
        ("both", _l("Both parties")), ("partnership", _l("The partnership")),
        ("agency", _l("The agency"))]))


class AgreementForm(BaseForm):
    ground_rules = _text(_l("Ground rules and boundaries"), LONG_TEXT_MAX, textarea=True,
                         description=_l("What will and won't be discussed; how notes are "
                                        "taken and the summary shared."))
    contacts = _text(_l("Points of contact"), LONG_TEXT_MAX, textarea=True,
                     description=_l("Who holds the relationship on each side, and who takes "
                                    "over if they move on."))
    meeting_rhythm = _text(_l("How often we will meet or talk"), LONG_TEXT_MAX, textarea=True)
    next_date = DateField(_l("When we meet again: the date"), validators=[Optional()],
                          description=_l("Gives the console a calendar invitation to send."))
    next_time = TimeField(_l("When we meet again: the start time"), validators=[Optional()],
                          description=_l("UK time."))
    next_conversation = _text(_l("Next conversation"), NAME_MAX,
                              description=_l("Where, or when it will be arranged if there is "
                                             "no date yet."))


class DeleteForm(BaseForm):
    confirm = BooleanField(
        _l("I understand that this deletes the conversation and its issued summaries for good"),
        validators=[DataRequired(_l("Tick the box to confirm, or go back if you meant to keep "
                                    "the conversation."))])
