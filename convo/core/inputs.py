"""Refuse form posts whose text isn't UTF-8, before anything reads them.

Werkzeug quietly drops, or keeps percent-escaped, bytes that aren't valid UTF-8.  Either way
what the person sent would be lost or garbled, so the request is refused with a clear 400.
(Multipart fields become U+FFFD instead, which the base form refuses field by field.)
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from flask import Flask, request
from werkzeug.exceptions import BadRequest


class UnreadableText(BadRequest):
    description = "unreadable text"


def init_app(app: Flask) -> None:
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
