"""Forms for signing in, setting passwords and managing facilitators."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from convo.auth import service
from convo.core.forms import BaseForm, strip_filter
from convo.models.facilitator import EMAIL_MAX, NAME_MAX


class SignInForm(BaseForm):
    email = EmailField(
        _l("Email address"),
        filters=[strip_filter],
        validators=[DataRequired(_l("Enter your email address.")),
                    Length(max=EMAIL_MAX, message=_l("That is longer than any email address."))],
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")),
                    Length(max=service.PASSWORD_MAX,
                           message=_l("That is longer than any password convo accepts."))],
        render_kw={"autocomplete": "current-password"},
    )


class NewPasswordMixin:
    """Two password boxes that must match and be long enough."""

    password = PasswordField(
        _l("New password"),
        description=_l("At least 10 characters. Three random words make a strong password."),
        validators=[DataRequired(_l("Choose a password."))],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Type the password again"),
        validators=[DataRequired(_l("Type the password again.")),
                    EqualTo("password", message=_l("The two passwords are different."))],
        render_kw={"autocomplete": "new-password"},
    )

    def validate_password(self, field: Any) -> None:
        email_field = getattr(self, "email", None)
        email = email_field.data if email_field is not None else getattr(self, "account_email", "")
        problem = service.password_problem(field.data or "", email or "")
        if problem:
            raise ValidationError(problem)


def _email_field(label: Any) -> EmailField:
    return EmailField(
        label,
        filters=[strip_filter],
        validators=[
            DataRequired(_l("Enter an email address.")),
            Length(max=EMAIL_MAX, message=_l("Use at most %(max)d characters.")),
            Email(message=_l("Enter an email address like name@example.org."),
                  check_deliverability=False),
        ],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )


def _name_field() -> StringField:
    return StringField(
        _l("Your name"),
        filters=[strip_filter],
        validators=[DataRequired(_l("Enter a name.")),
                    Length(max=NAME_MAX, message=_l("Use at most %(max)d characters."))],
        render_kw={"autocomplete": "name"},
    )


class SetupForm(NewPasswordMixin, BaseForm):
    name = _name_field()
    email = _email_field(_l("Email address"))


class SetPasswordForm(NewPasswordMixin, BaseForm):
    account_email = ""


class ChangePasswordForm(NewPasswordMixin, BaseForm):
    account_email = ""
    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password.")),
                    Length(max=service.PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )


class AccountForm(BaseForm):
    name = _name_field()
    locale = SelectField(_l("Language"))
    timezone = SelectField(_l("Time zone"))


class NewFacilitatorForm(BaseForm):
    name = StringField(
        _l("Name"),
        filters=[strip_filter],
        validators=[DataRequired(_l("Enter their name.")),
                    Length(max=NAME_MAX, message=_l("Use at most %(max)d characters."))],
    )
    email = _email_field(_l("Email address"))
    is_admin = BooleanField(
        _l("They can manage facilitator accounts"),
        description=_l("Admins can add, disable and reset other facilitators."),
    )

    def validate_email(self, field: Any) -> None:
        from convo.models import Facilitator

        if Facilitator.by_email(service.normalise_email(field.data or "")):
            raise ValidationError(_l("There is already an account with this email address."))


class ConfirmForm(BaseForm):
    """An empty form: a button that needs a valid CSRF token."""
