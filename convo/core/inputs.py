"""What a request may carry, checked before any view reads it.

- Form posts whose text isn't UTF-8 are refused with a clear 400: Werkzeug would quietly drop,
  or keep percent-escaped, bytes that aren't valid UTF-8, so what the person sent would be
  lost or garbled.  (Multipart fields become U+FFFD instead, which the base form refuses field
  by field.)
- Invisible control characters (a pasted bell, a stray escape: C0 and C1 controls other than
  tab and line breaks, and DEL) are taken out of every field rather than refusing the whole
  point, and the person is told which were taken out: a note flashed with a redirect, or
  `"note"` in a script's JSON answer.
- Numbers in URLs (`<int:...>`) stop at the largest id a database column holds: a longer
  number can't name anything, and the database would refuse it with an error rather than find
  nothing.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import Flask, Response, flash, g, request
from flask_babel import gettext as _
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter, Map

# The largest value of an INTEGER column on PostgreSQL (SQLite's hold more): every id fits.
ID_MAX = 2**31 - 1

# Tab, line feed and carriage return are text; every other control character is not.
INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class UnreadableText(BadRequest):
    description = "unreadable text"


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: 0 to ID_MAX, so a 20-digit id is simply not found (404)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:  # noqa: A002 (werkzeug's name)
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)


def is_id(value: int) -> bool:
    """Whether a number taken from a form can be an id at all (see ID_MAX)."""
    return 0 < value <= ID_MAX


def _describe(ch: str) -> str:
    """A character as a person could look it up: U+0007 (BELL)."""
    name = unicodedata.name(ch, "") or {
        "\x07": "BELL", "\x1b": "ESCAPE", "\x00": "NULL", "\x7f": "DELETE"}.get(ch, "")
    code = f"U+{ord(ch):04X}"
    return f"{code} ({name.lower()})" if name else code


def clean(value: str) -> tuple[str, list[str]]:
    """The value without invisible control characters, and which were removed."""
    found = INVISIBLE.findall(value)
    if not found:
        return value, []
    return INVISIBLE.sub("", value), sorted({_describe(ch) for ch in found})


def removed_note(removed: list[str]) -> str:
    return _("Some invisible characters that can't be shown were taken out of what you typed: "
             "%(list)s. Everything else was saved as you typed it.", list=", ".join(removed))


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter  # before any blueprint adds its routes

    @app.before_request
    def read_form_text() -> None:
        if request.method not in ("POST", "PUT", "PATCH"):
            return
        if request.mimetype == "application/x-www-form-urlencoded":
            body = request.get_data(cache=True)  # max_content_length still applies (413)
            try:
                unquote_to_bytes(body.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError:
                raise UnreadableText() from None
        if not request.form:
            return
        removed: set[str] = set()
        items = []
        for key, value in request.form.items(multi=True):
            value, gone = clean(value)
            removed.update(gone)
            items.append((key, value))
        if removed:
            request.__dict__["form"] = ImmutableMultiDict(items)
            request.__dict__.pop("values", None)
            g.removed_characters = sorted(removed)

    @app.after_request
    def say_what_was_removed(response: Response) -> Response:
        removed = g.get("removed_characters")
        if not removed or response.status_code >= 400:
            return response
        note = removed_note(removed)
        if response.is_json:
            data = response.get_json(silent=True)
            if isinstance(data, dict):
                data["note"] = note
                response.set_data(json.dumps(data, ensure_ascii=False))
        elif 300 <= response.status_code < 400:
            flash(note, "warning")
        return response
