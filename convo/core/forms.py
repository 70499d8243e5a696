"""The base form (every text field is checked for characters that can't be stored or shown),
and saving a form against what its writer was shown (merge_form, over core.edits)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, time
from typing import Any

from flask import request
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field
from wtforms.fields import StringField, TextAreaField
from wtforms.validators import ValidationError

from convo.core import edits

# The replacement character that stands in for bytes that were not valid UTF-8, and (should
# any reach a form past core.inputs, which takes them out of every post) control characters.
_UNREADABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")


def is_readable(text: str) -> bool:
    """False for text holding stand-ins for unreadable bytes (or control characters)."""
    return not _UNREADABLE.search(text)


def readable_text(_form: Any, field: Field) -> None:
    if isinstance(field.data, str) and not is_readable(field.data):
        raise ValidationError(
            _l("This contains characters that couldn't be read. Please retype it.")
        )


class BaseForm(FlaskForm):
    """FlaskForm (so CSRF-protected) that rejects unreadable text in every text field."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Pages hold many small forms, each with its own token field: an id on each would be
        # the same id many times over (invalid HTML).  Nothing refers to the token by id.
        token = self._fields.get("csrf_token")
        if token is not None:
            token.render_kw = {**(token.render_kw or {}), "id": False}

    def validate(self, extra_validators: dict[str, Any] | None = None) -> bool:
        extra: dict[str, list[Any]] = {k: list(v) for k, v in (extra_validators or {}).items()}
        for name, field in self._fields.items():
            if isinstance(field, (StringField, TextAreaField)):
                extra.setdefault(name, []).append(readable_text)
        return super().validate(extra_validators=extra)


def strip_filter(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def as_choices(pairs: Any, optgroups: dict[str, str] | None = None) -> list[Any]:
    """(value, label) pairs as WTForms SelectChoice objects (tuples are deprecated in 3.3).

    `optgroups` maps a value to the <optgroup> label it belongs under.
    """
    from wtforms.fields.choices import SelectChoice

    groups = optgroups or {}
    return [SelectChoice(str(value), label, optgroup=groups.get(str(value)))
            for value, label in pairs]


# --- saving a form against what its writer saw (core.edits) ---------------------------------


def in_words(form: Any) -> Callable[[str, Any], str]:
    """Puts a field's value in words for a conflict notice: the chosen option's label, Yes or
    No, a date or time as people write it, else the text itself."""
    def words(name: str, value: Any) -> str:
        for choice in getattr(form[name], "choices", None) or ():
            if str(choice.value) == str(value if value is not None else ""):
                return str(choice.label)
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if isinstance(value, date):
            return format_date(value, "d MMMM y")
        if isinstance(value, time):
            return value.strftime("%H:%M")
        return "" if value is None else str(value)
    return words


def merge_form(form: Any, current: dict[str, Any],
               display: Callable[[str, Any], str] | None = None) -> edits.Merge:
    """A validated form merged, field by field, into the values as they are now (the caller
    holds the conversation's lock), against the fingerprints the form carried."""
    sent = {name: "" if form[name].data is None and isinstance(current[name], str)
            else form[name].data for name in current}
    return edits.merge(current, sent, edits.seen_from(request.form, current),
                       {name: form[name].label.text for name in current},
                       edits.taken_from(request.form), display=display or in_words(form))
