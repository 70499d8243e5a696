"""Who may open what: the login manager's loader and the admin check."""

from __future__ import annotations

from functools import wraps
from typing import Any, Callable, TypeVar
from urllib.parse import urlsplit

from flask import abort, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from convo.extensions import db, login_manager
from convo.models import Facilitator

F = TypeVar("F", bound=Callable[..., Any])

login_manager.login_view = "auth.sign_in"
login_manager.login_message = _l("Please sign in to open that page.")
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_facilitator(user_id: str) -> Facilitator | None:
    """The session holds "id:session token"; a reset or disabled account ends the session."""
    ident, _, token = user_id.partition(":")
    if not ident.isdigit() or not token:
        return None
    facilitator = db.session.get(Facilitator, int(ident))
    if facilitator is None or facilitator.session_token != token or not facilitator.is_active:
        return None
    return facilitator


def claimed_facilitator() -> tuple[int, str] | None:
    """The facilitator id and session token this request's (signed) session claims, not yet
    checked against the account: for a query that checks them itself (see
    conversations.service.unchanged_for_owner)."""
    ident, _, token = str(session.get("_user_id") or "").partition(":")
    if not ident.isdigit() or not token:
        return None
    return int(ident), token


def admin_required(view: F) -> F:
    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def safe_next(target: str | None) -> str | None:
    """Only a path on this site (no scheme, no host, no backslashes) is followed after sign-in."""
    if not target or len(target) > 2000 or "\\" in target or not target.startswith("/"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return None
    return target


@login_manager.unauthorized_handler
def unauthorized() -> Any:
    """Not signed in: a page goes to the sign-in page (and back afterwards); a page's script
    gets 401, which it says plainly ("You've been signed out") while keeping what was typed,
    rather than a sign-in page's HTML it would take for an answer."""
    from flask import flash, redirect, request
    from flask_login.utils import login_url

    if request.headers.get("X-Requested-With") == "fetch" or (
            request.accept_mimetypes.best == "application/json"):
        abort(401)
    flash(str(login_manager.login_message), login_manager.login_message_category)
    return redirect(login_url(login_manager.login_view, request.url))
