"""What a request may carry, checked before any view reads it.

Form posts whose text isn't UTF-8 are refused: Werkzeug quietly drops, or keeps
percent-escaped, bytes that aren't valid UTF-8.  Either way what the person sent would be lost
or garbled, so the request is refused with a clear 400.  (Multipart fields become U+FFFD
instead, which the base form refuses field by field.)

Numbers in URLs (`<int:...>`) stop at the largest id a database column holds: a longer number
can't name anything, and the database would refuse it with an error rather than find nothing.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from typing import Any

from flask import Flask, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter, Map

# The largest value of an INTEGER column on PostgreSQL (SQLite's hold more): every id fits.
ID_MAX = 2**31 - 1


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


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter  # before any blueprint adds its routes

    @app.before_request
    def refuse_non_utf8_forms() -> None:
        if request.method not in ("POST", "PUT", "PATCH"):
            return
        if request.mimetype != "application/x-www-form-urlencoded":
            return
        body = request.get_data(cache=True)  # max_content_length still applies (413)
        try:
            unquote_to_bytes(body.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            raise UnreadableText() from None
