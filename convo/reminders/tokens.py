"""The links in reminder emails: signed, single-purpose, expiring, revocable, stored hashed.

A link's token is 32 random bytes and a signature over them and the link's purpose (HMAC with
the app's secret key), so a tampered or re-purposed token is refused before the database is
asked; the database keeps only the token's SHA-256, so a copy of it opens nothing.  An
"update" link works once; a "stop" link (opting out) may be used again, harmlessly.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from convo.core import clock
from convo.extensions import db
from convo.models import ReminderLink

TOKEN_BYTES = 32


def _signature(raw: str, purpose: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, f"convo.reminder.{purpose}:{raw}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode().rstrip("=")


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_link(purpose: str, *, partnership_id: int, item_id: int, participant_id: int,
             send_id: int | None, days: int) -> str:
    """Record a link and give its token (shown once, in the email)."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    now = clock.utcnow()
    db.session.add(ReminderLink(token_hash=hash_token(raw), purpose=purpose,
                                partnership_id=partnership_id, item_id=item_id,
                                participant_id=participant_id, send_id=send_id,
                                created_at=now, expires_at=now + timedelta(days=days)))
    return f"{raw}.{_signature(raw, purpose)}"


@dataclass(frozen=True)
class Opened:
    link: ReminderLink | None
    problem: str | None  # tampered, unknown, revoked, expired, used


def open_link(token: str, purpose: str) -> Opened:
    """The link a token names, or why it doesn't work."""
    raw, _dot, signature = (token or "")[:200].partition(".")
    if not raw or not signature or not hmac.compare_digest(signature, _signature(raw, purpose)):
        return Opened(None, "tampered")
    link = db.session.scalar(select(ReminderLink).where(ReminderLink.token_hash
                                                         == hash_token(raw)))
    if link is None:
        return Opened(None, "unknown")  # never made, or gone with its action or partnership
    if link.purpose != purpose:
        return Opened(None, "tampered")
    if link.revoked_at is not None:
        return Opened(link, "revoked")
    if link.expires_at <= clock.utcnow():
        return Opened(link, "expired")
    if purpose == "update" and link.used_at is not None:
        return Opened(link, "used")
    return Opened(link, None)


def revoke_all(partnership_id: int) -> int:
    """Stop every update link of a partnership still working; how many."""
    now = clock.utcnow()
    links = list(db.session.scalars(select(ReminderLink).where(
        ReminderLink.partnership_id == partnership_id, ReminderLink.purpose == "update",
        ReminderLink.revoked_at.is_(None), ReminderLink.used_at.is_(None),
        ReminderLink.expires_at > now)))
    for link in links:
        link.revoked_at = now
    return len(links)
