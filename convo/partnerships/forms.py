"""Forms for a partnership, its map, its action tracker and its reminders."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, EmailField, IntegerField, SelectField, SelectMultipleField,
                     StringField, TextAreaField)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from convo.conversations.labels import ACTION_STATUS_LABELS
from convo.core.forms import BaseForm, as_choices, strip_filter
from convo.models.partnership import NAME_MAX, TEXT_MAX
from convo.partnerships.labels import FOCUS_LABELS, PURPOSE_LABELS

NOTE_MAX = 1000
MAX_CRITERIA = 3


def _limit(maximum: int) -> Length:
    return Length(max=maximum, message=_l("This is too long: use at most %(max)d characters."))


def _text(label: Any, maximum: int, required: Any = None, description: Any = "",
          textarea: bool = False) -> Any:
    validators = [DataRequired(required)] if required else [Optional()]
    validators.append(_limit(maximum))
    field = TextAreaField if textarea else StringField
    return field(label, filters=[strip_filter], validators=validators, description=description)


class Checkboxes(SelectMultipleField):
    """Several choices as a list of tick boxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PartnershipForm(BaseForm):
    name = _text(_l("Community partnership"), NAME_MAX,
                 required=_l("Enter the partnership's name."),
                 description=_l("For example, Riverside Big Local."))
    area = _text(_l("Area (optional)"), NAME_MAX,
                 description=_l("The neighbourhood or place the partnership serves."))
    criteria = Checkboxes(
        _l("The criteria that matter most to the partnership"), validate_choice=True,
        description=_l("Choose two or three of the eight. Each relationship on the map is "
                       "rated against these, from 1 to 5."))

    def validate_criteria(self, field: Any) -> None:
        from wtforms.validators import ValidationError

        if len(field.data or []) > MAX_CRITERIA:
            raise ValidationError(_l("Choose at most three."))


class RelationshipForm(BaseForm):
    """A relationship on the map.  The scores for the partnership's criteria are added as
    score_<criterion> fields by forms_for()."""

    agency_name = _text(_l("Public agency"), NAME_MAX, required=_l("Enter the agency's name."))
    agency_type = SelectField(_l("Kind of agency"), validators=[DataRequired()],
                              render_kw={"required": False})
    agency_subtype = SelectField(_l("More exactly (optional)"), validators=[Optional()],
                                 validate_choice=False)
    partnership_holders = _text(
        _l("Who holds it on the partnership's side"), TEXT_MAX, textarea=True,
        description=_l("Names and roles. When someone moves on, change it here: who held it "
                       "before is kept in its history."))
    agency_holders = _text(_l("Who holds it on the agency's side"), TEXT_MAX, textarea=True)
    purposes = Checkboxes(_l("What the relationship is for"),
                          choices=as_choices(PURPOSE_LABELS.items()))
    type_now = SelectField(_l("What kind of relationship it is now"), validators=[Optional()])
    type_wanted = SelectField(_l("What it should become"), validators=[Optional()])
    focus = SelectField(_l("Mark on the map"), validators=[Optional()],
                        choices=as_choices([("", _l("No mark"))] + list(FOCUS_LABELS.items())))
    notes = _text(_l("Notes (optional)"), TEXT_MAX, textarea=True)


class ActionUpdateForm(BaseForm):
    status = SelectField(_l("How it stands"), choices=as_choices(ACTION_STATUS_LABELS.items()),
                         validators=[DataRequired()])
    note = _text(_l("A short note (optional)"), NOTE_MAX, textarea=True,
                 description=_l("What has happened, or what is holding it up."))


class ReminderSettingsForm(BaseForm):
    reminders_on = BooleanField(_l("Send reminders to action owners by email"))
    remind_days_before = IntegerField(
        _l("Days before an action is due to send a reminder"),
        validators=[DataRequired(_l("Give a number of days from 1 to 30.")),
                    NumberRange(1, 30, message=_l("Give a number of days from 1 to 30."))],
        render_kw={"inputmode": "numeric"})
    remind_overdue = BooleanField(_l("Also send one when an action is overdue"))
    link_days = IntegerField(
        _l("Days each email's link keeps working"),
        validators=[DataRequired(_l("Give a number of days from 1 to 60.")),
                    NumberRange(1, 60, message=_l("Give a number of days from 1 to 60."))],
        render_kw={"inputmode": "numeric"})


class CoFacilitatorForm(BaseForm):
    email = EmailField(_l("Their email address"), filters=[strip_filter],
                       validators=[DataRequired(_l("Enter their email address.")),
                                   Length(max=254),
                                   Email(_l("Enter an email address like name@example.org."),
                                         check_deliverability=False)],
                       description=_l("They need a convo account already."))


class CombineForm(BaseForm):
    confirm = BooleanField(
        _l("These are the same partnership: combine them"),
        validators=[DataRequired(_l("Tick the box to confirm, or go back to keep them apart."))])


class DeleteForm(BaseForm):
    confirm = BooleanField(
        _l("I understand that this deletes the partnership, its map and all its conversations "
           "for good"),
        validators=[DataRequired(_l("Tick the box to confirm, or go back if you meant to keep "
                                    "the partnership."))])


class MappingJoinForm(BaseForm):
    name = StringField(
        _l("Your first name, or what people call you"),
        description=_l("Only the facilitator sees it, to know who has given scores. Nobody "
                       "sees who gave which score."),
        filters=[strip_filter],
        validators=[DataRequired(_l("Type your name, so the facilitator knows you have "
                                    "joined.")), _limit(60)],
        render_kw={"autocomplete": "given-name", "enterkeyhint": "go"})
