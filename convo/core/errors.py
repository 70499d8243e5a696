"""Friendly error pages in the app's layout (JSON for clients that ask for JSON).

A busy database is answered 503 with Retry-After and a plain message, never 500.  A form that
was posted without JavaScript comes back on that page with what was typed, ready to send
again, so nothing typed is lost (each point carries its own id, so sending twice stores once).
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, jsonify, render_template, request
from markupsafe import escape
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

from convo.core import storage
from convo.core.inputs import UnreadableText
from convo.core.requestlog import request_id
from convo.extensions import db

logger = logging.getLogger(__name__)

# Title and explanation for each status; plain words for people who did nothing wrong.
MESSAGES = {
    400: (_l("Something in that request wasn't right"),
          _l("The page sent something we couldn't read. Please go back and try again.")),
    403: (_l("You can't open this page"),
          _l("This page belongs to someone else, or your account can't open it. "
             "If you think you should be able to, ask the person who runs convo for you.")),
    404: (_l("We can't find that page"),
          _l("The link may be mistyped, or the page may have been removed.")),
    405: (_l("That didn't work"),
          _l("This page can't be used that way. Please go back and try again.")),
    413: (_l("That was too much to send at once"),
          _l("What you sent is larger than convo accepts. Please shorten it and try again.")),
    429: (_l("Too many tries"),
          _l("Please wait a little before trying again.")),
    500: (_l("Something went wrong on our side"),
          _l("Nothing you did caused this. What you typed before this page was saved; "
             "the last thing you sent may not have been. Please try again in a moment.")),
    503: (_l("convo is not available just now"),
          _l("Please try again in a few minutes.")),
}

UNREADABLE_MESSAGE = (
    _l("Some of what you sent couldn't be read"),
    _l("Part of the text wasn't in a form convo can read, so nothing was saved. Please go "
       "back, retype it, and try again."),
)

BUSY_MESSAGE = (
    _l("convo is busy just now"),
    _l("Nothing you did caused this, and nothing was lost. Please try again in a few seconds."),
)

# Blueprints whose forms carry passwords: their posts are never written back into a page.
_SECRET_FORMS = ("auth", "admin")
# Fields that aren't what the person typed: sent again, but not shown.
_NOT_TYPED = ("csrf_token", "client_id")

CSRF_MESSAGE = (
    _l("This form has expired"),
    _l("For your security, forms stop working after a while or when cookies are blocked. "
       "Please go back, reload the page and try again. Nothing was saved."),
)


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return request.path.startswith("/api/") or request.headers.get(
        "X-Requested-With") == "fetch" or (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def render_error(status: int, title: str, message: str,  # type: ignore[no-untyped-def]
                 **extra: object):
    if wants_json():
        return jsonify({"error": title, "message": message, "request_id": request_id(),
                        **extra}), status
    try:
        page = render_template("errors/error.html", status=status, title=title, message=message,
                               request_id=request_id(), **extra)
    except Exception:  # the layout itself failed (say, the database is down): plain page
        logger.exception("request_id=%s error page failed to render", request_id())
        page = (f"<!doctype html><html lang=\"en-GB\"><meta charset=\"utf-8\">"
                f"<title>{escape(title)}</title><h1>{escape(title)}</h1><p>{escape(message)}</p>"
                f"<p>{escape(request_id())}</p></html>")
    return page, status


def _posted_again() -> dict[str, object] | None:
    """A form post to send again from the error page: its fields, in order, and which of them
    hold what was typed (shown in boxes).  None for GETs, uploads and password forms."""
    if request.method != "POST" or request.files or not request.form:
        return None
    if (request.blueprint or "") in _SECRET_FORMS:
        return None
    fields = list(request.form.items(multi=True))
    typed = [i for i, (name, value) in enumerate(fields) if name not in _NOT_TYPED and (
        name == "text" or any(ch.isspace() for ch in value.strip()) or len(value) > 40)]
    return {"action": request.full_path.rstrip("?"), "fields": fields, "typed": typed}


def busy_answer(exc: BaseException):  # type: ignore[no-untyped-def]
    """503 with Retry-After for a database that is busy or not answering."""
    db.session.rollback()
    logger.warning("request_id=%s database busy (%s): answered 503", request_id(),
                   type(exc).__name__)
    seconds = int(current_app.config["RETRY_AFTER_SECONDS"])
    title, message = BUSY_MESSAGE
    extra: dict[str, object] = {"retry_after": seconds}
    if not wants_json() and (again := _posted_again()) is not None:
        extra["again"] = again
    response = render_error(503, str(title), str(message), **extra)
    return (*response, {"Retry-After": str(seconds)})


def init_app(app: Flask) -> None:
    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeout)
    def database_error(exc: Exception):  # type: ignore[no-untyped-def]
        if storage.is_busy(exc):
            return busy_answer(exc)
        raise exc  # a fault, not a busy moment: the 500 handler below logs it

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):  # type: ignore[no-untyped-def]
        title, message = CSRF_MESSAGE
        return render_error(400, str(title), str(message))

    @app.errorhandler(UnreadableText)
    def unreadable(exc: UnreadableText):  # type: ignore[no-untyped-def]
        title, message = UNREADABLE_MESSAGE
        return render_error(400, str(title), str(message))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        status = exc.code or 500
        title, message = MESSAGES.get(status, MESSAGES[400 if status < 500 else 500])
        response = render_error(status, str(title), str(message))
        if status == 405 and exc.get_response().headers.get("Allow"):
            return (*response, {"Allow": exc.get_response().headers["Allow"]})
        if status == 429 and getattr(exc, "retry_after", None):
            return (*response, {"Retry-After": str(exc.retry_after)})
        return response

    @app.errorhandler(InternalServerError)
    def server_error(exc: InternalServerError):  # type: ignore[no-untyped-def]
        db.session.rollback()
        original = getattr(exc, "original_exception", None)
        if original is not None and storage.is_busy(original):
            return busy_answer(original)  # e.g. the commit after the view found it busy
        if original is not None:
            logger.error(
                "request_id=%s unhandled %s", request_id(), type(original).__name__,
                exc_info=original,
            )
        title, message = MESSAGES[500]
        return render_error(500, str(title), str(message))
