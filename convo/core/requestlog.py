"""One log line per request, with a request id, and nothing sensitive in it.

The line names the route's rule (``/setup/<token>``), never the path it was called with,
so tokens and codes in URLs stay out of logs; no query strings, bodies or form values.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request
from flask_login import current_user

logger = logging.getLogger("convo.request")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


_ACCESS_LINE = re.compile(r'^\S+ - - \[[^\]]*\] "')


class _DropWerkzeugAccessLines(logging.Filter):
    """The development server logs full request lines (tokens included): ours replace them."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: let logging report it as usual
            return True
        return not _ACCESS_LINE.match(message)


def request_id() -> str:
    return getattr(g, "request_id", "-")


def init_app(app: Flask) -> None:
    logging.getLogger("werkzeug").addFilter(_DropWerkzeugAccessLines())
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=app.config["LOG_LEVEL"],
            format="%(asctime)s %(levelname)s %(name)s %(message)s",
        )
    logger.setLevel(app.config["LOG_LEVEL"])
    # WeasyPrint announces each step of every PDF at INFO ("Step 4 - Creating formatting
    # structure"): noise between the request lines.  Its warnings and errors still show.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

    @app.before_request
    def start() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def finish(response: Response) -> Response:
        response.headers["X-Request-ID"] = request_id()
        rule = request.url_rule.rule if request.url_rule else "-"
        started = getattr(g, "request_started", None)
        elapsed_ms = (time.perf_counter() - started) * 1000 if started else 0.0
        user = g.get("log_user") or (
            current_user.id if current_user and current_user.is_authenticated else "-")
        logger.info(
            "request_id=%s method=%s route=%s status=%s ms=%.1f user=%s",
            request_id(),
            request.method,
            rule,
            response.status_code,
            elapsed_ms,
            user,
        )
        return response
