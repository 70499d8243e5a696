"""Who may open what: the login manager's loader and the admin check."""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps
from typing import Any, Callable, TypeVar
from urllib.parse import urlsplit

from flask import abort, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from convo.auth import sessions
from convo.core.inputs import is_id
from convo.extensions import db, login_manager
from convo.models import Facilitator

F = TypeVar("F", bound=Callable[..., Any])

login_manager.login_view = "auth.sign_in"
login_manager.login_message = _l("Please sign in to open that page.")
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_facilitator(user_id: str) -> Facilitator | None:
    """The session holds "id:session token" and its own sign-in token: a reset or disabled
    account, signing out (here or everywhere) and a session left idle all end it."""
    ident, _, token = user_id.partition(":")
    if not ident.isdigit() or not token or not is_id(int(ident)):
        return None
    facilitator = db.session.get(Facilitator, int(ident))
    if facilitator is None or facilitator.session_token != token or not facilitator.is_active:
        return None
    signed_in = sessions.find(facilitator, sessions.token_in_cookie())
    if signed_in is None:
        return None
    sessions.touch(signed_in)
    return facilitator


@dataclass(frozen=True)
class Claim:
    """What this request's (signed) session claims, not yet checked against the database."""

    facilitator_id: int
    session_token: str
    signin_hash: str


def claimed_facilitator() -> Claim | None:
    """The facilitator this request's session claims to be, for a query that checks the
    claim itself (see conversations.service.unchanged_for_owner)."""
    ident, _, token = str(session.get("_user_id") or "").partition(":")
    raw = sessions.token_in_cookie()
    if not ident.isdigit() or not token or not raw or not is_id(int(ident)):
        return None
    return Claim(int(ident), token, sessions.hash_token(raw))


def sign_in_here(facilitator: Facilitator) -> None:
    """Start a fresh session in this browser for this facilitator, known on the server."""
    session.clear()
    sessions.remember(sessions.begin(facilitator))
    login_user(facilitator)


def sign_out_here() -> None:
    """End this browser's session on the server as well as in the cookie."""
    sessions.end(sessions.token_in_cookie())
    logout_user()
    session.clear()


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
