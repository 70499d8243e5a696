"""Facilitators' sign-ins, known on the server (OWASP ASVS 3.3): signing out ends a session
there, so a copy of the cookie taken before stops working at once.

The signed session cookie holds, beside Flask-Login's "id:session token", a random token of
its own (SESSION_KEY); the database keeps only that token's SHA-256 (FacilitatorSession).  A
session counts while its row exists, it was used within SESSION_IDLE_MINUTES and it began
within PERMANENT_SESSION_LIFETIME.  "Last used" is written at most every TOUCH_EVERY (a
minute, or less when the idle limit is short), so the console's every-second polls don't each
take the database's write lock.  "Sign out everywhere" deletes every row of the account and
changes its session token, as a new password does.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import Response, current_app, request, session, url_for
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import delete, select

from convo.auth.service import KnownDevice
from convo.core import clock
from convo.extensions import db
from convo.models import Facilitator, FacilitatorSession

SESSION_KEY = "signin"
TOKEN_BYTES = 32


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def idle_limit() -> timedelta:
    return timedelta(minutes=float(current_app.config["SESSION_IDLE_MINUTES"]))


def lifetime() -> timedelta:
    value = current_app.config["PERMANENT_SESSION_LIFETIME"]
    return value if isinstance(value, timedelta) else timedelta(seconds=int(value))


def touch_every() -> timedelta:
    """How stale "last used" may get before it is written again: a minute, or a tenth of
    the idle limit when that is shorter, so a session never ends early by more than that."""
    return min(timedelta(minutes=1), idle_limit() / 10)


def is_alive(created_at: datetime, last_seen_at: datetime, now: datetime | None = None) -> bool:
    now = now or clock.utcnow()
    return now - last_seen_at < idle_limit() and now - created_at < lifetime()


def needs_touch(last_seen_at: datetime, now: datetime | None = None) -> bool:
    return (now or clock.utcnow()) - last_seen_at >= touch_every()


def begin(facilitator: Facilitator) -> str:
    """A new session for this facilitator; returns its raw token (for the cookie alone).
    Their sessions that have ended by time are tidied away at the same moment."""
    now = clock.utcnow()
    db.session.execute(delete(FacilitatorSession).where(
        FacilitatorSession.facilitator_id == facilitator.id,
        (FacilitatorSession.last_seen_at <= now - idle_limit())
        | (FacilitatorSession.created_at <= now - lifetime())))
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    db.session.add(FacilitatorSession(facilitator_id=facilitator.id, token_hash=hash_token(raw),
                                      created_at=now, last_seen_at=now))
    return raw


def find(facilitator: Facilitator, raw: str | None) -> FacilitatorSession | None:
    """This facilitator's live session for a raw token, or None (unknown, ended, idle, old)."""
    if not raw or not isinstance(raw, str) or len(raw) > 200:
        return None
    row = db.session.scalar(select(FacilitatorSession).where(
        FacilitatorSession.token_hash == hash_token(raw)))
    if row is None or row.facilitator_id != facilitator.id:
        return None
    if not is_alive(row.created_at, row.last_seen_at):
        return None
    return row


def count_alive(facilitator: Facilitator) -> int:
    """How many of this facilitator's sessions still count (for the account page)."""
    now = clock.utcnow()
    return len(db.session.scalars(select(FacilitatorSession.id).where(
        FacilitatorSession.facilitator_id == facilitator.id,
        FacilitatorSession.last_seen_at > now - idle_limit(),
        FacilitatorSession.created_at > now - lifetime())).all())


def touch(row: FacilitatorSession) -> None:
    now = clock.utcnow()
    if needs_touch(row.last_seen_at, now):
        row.last_seen_at = now


def end(raw: str | None) -> None:
    """End one session (signing out): its cookie opens nothing from now on."""
    if raw and isinstance(raw, str):
        db.session.execute(delete(FacilitatorSession).where(
            FacilitatorSession.token_hash == hash_token(raw)))


def end_all(facilitator: Facilitator, keep: str | None = None) -> int:
    """End every session of this account (but `keep`, if given); returns how many ended."""
    statement = delete(FacilitatorSession).where(
        FacilitatorSession.facilitator_id == facilitator.id)
    if keep:
        statement = statement.where(FacilitatorSession.token_hash != hash_token(keep))
    return db.session.execute(statement).rowcount  # type: ignore[attr-defined, no-any-return]


# --- the browser's side ----------------------------------------------------------------------

KNOWN_COOKIE = "convo_known"
_KNOWN_SALT = "convo.known-device"


def token_in_cookie() -> str | None:
    raw = session.get(SESSION_KEY)
    return raw if isinstance(raw, str) else None


def remember(raw: str) -> None:
    session[SESSION_KEY] = raw


def _known_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_KNOWN_SALT)


def known_device() -> KnownDevice | None:
    """The account that signed in on this browser before, from its signed cookie, if any."""
    raw = request.cookies.get(KNOWN_COOKIE)
    if not raw or len(raw) > 500:
        return None
    days = float(current_app.config["KNOWN_DEVICE_DAYS"])
    try:
        value = _known_serializer().loads(raw, max_age=int(days * 86400))
    except BadData:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("f"), int) or not isinstance(
            value.get("k"), str):
        return None
    return KnownDevice(facilitator_id=value["f"], key=value["k"])


def remember_device(response: Response, facilitator: Facilitator) -> None:
    """After a successful sign-in: this browser is known for this account from now on.  The
    cookie goes only to the sign-in page, and holds nothing but the account's number and a
    random key, signed."""
    value = _known_serializer().dumps({"f": facilitator.id, "k": secrets.token_urlsafe(16)})
    response.set_cookie(
        KNOWN_COOKIE, value, max_age=int(float(current_app.config["KNOWN_DEVICE_DAYS"]) * 86400),
        path=url_for("auth.sign_in"), secure=bool(current_app.config["HTTPS"]), httponly=True,
        samesite="Lax")
