"""Participants' own devices: a phone or laptop that joined a conversation with its code.

A device is known by a random token that lives only in the browser's session (the session
cookie is signed, HttpOnly and SameSite=Lax); the database keeps just its SHA-256, so a copy
of the database can't be used to act as anyone.  A device belongs to one participant of one
conversation, and everything a participant does is resolved from it: that is what keeps a
participant inside their own conversation.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import session
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import selectinload

from convo.core import clock, storage
from convo.core.inputs import is_id
from convo.extensions import db
from convo.live import state
from convo.models import Conversation, Device, Participant

SESSION_KEY = "device"
TOKEN_BYTES = 32
# How often a device's "last seen" is written.  Each write takes SQLite's one write lock, so
# with hundreds of phones following it is kept rare: at most every five minutes a device.
TOUCH_EVERY = timedelta(minutes=5)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def issue(conversation: Conversation, participant: Participant) -> tuple[Device, str]:
    """A new device for this participant; returns it with the raw token (shown only once).

    If the participant has already joined on another device, the new one waits for the
    facilitator's OK (or for the other device to leave): nobody can take a listed person's
    place unnoticed, someone from the other side included."""
    if participant.conversation_id != conversation.id:
        raise ValueError("participant of another conversation")
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    now = clock.utcnow()
    waits = bool(others_of(participant))
    device = Device(conversation_id=conversation.id, participant_id=participant.id,
                    token_hash=hash_token(raw), created_at=now, last_seen_at=now,
                    approved_at=None if waits else now)
    db.session.add(device)
    state.bump(conversation)  # the console's list of joined devices changes
    return device, raw


def lookup(raw: str | None) -> Device | None:
    """The device for a raw token whatever its state (revoked, conversation closed), or None."""
    if not raw or not isinstance(raw, str) or len(raw) > 200:
        return None
    digest = hash_token(raw)
    device = db.session.scalar(select(Device).where(Device.token_hash == digest))
    # The index found it; compare in constant time anyway, for good measure.
    if device is None or not hmac.compare_digest(device.token_hash, digest):
        return None
    return device


@functools.cache
def _followed_version_query() -> Select:  # type: ignore[type-arg]
    """Built once: building a statement costs more than running this one."""
    return (select(Device.token_hash, Device.last_seen_at, Conversation.phone_version)
            .join(Participant, Participant.id == Device.participant_id)
            .join(Conversation, Conversation.id == Device.conversation_id)
            .where(Device.token_hash == bindparam("digest"), Device.revoked_at.is_(None),
                   Device.approved_at.is_not(None)))


def followed_version(raw: str | None) -> int | None:
    """In one query: the phones' version of the conversation this device follows
    (Conversation.phone_version), when the device is
    known, not revoked, let in, still someone's, and its last-seen time is not due to be written
    (touch).  None otherwise: the caller then makes the full checks.  The cheap question a
    phone asks every second or so."""
    if not raw or not isinstance(raw, str) or len(raw) > 200:
        return None
    digest = hash_token(raw)
    row = storage.read_first(_followed_version_query(), {"digest": digest})
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        return None
    if row.last_seen_at is None or clock.utcnow() - row.last_seen_at >= TOUCH_EVERY:
        return None
    return row.phone_version


def is_active(device: Device) -> bool:
    """Not revoked, still someone's, in a conversation that hasn't closed."""
    if device.revoked_at is not None or device.participant_id is None:
        return False
    conversation = db.session.get(Conversation, device.conversation_id)
    return conversation is not None and not conversation.is_closed


def find(raw: str | None) -> Device | None:
    """The device for a raw token, or None if unknown, revoked or its conversation closed."""
    device = lookup(raw)
    return device if device is not None and is_active(device) else None


def revoke(device: Device) -> None:
    """Stop a device working at once.  Its participant can join again with the code."""
    if device.revoked_at is None:
        device.revoked_at = clock.utcnow()
        conversation = db.session.get(Conversation, device.conversation_id)
        if conversation is not None:
            state.bump(conversation)  # the device's own page follows, and sees it's gone


def others_of(participant: Participant, but: Device | None = None) -> list[Device]:
    """The devices this participant is joined on and let in, other than `but`."""
    statement = select(Device).where(Device.participant_id == participant.id,
                                     Device.revoked_at.is_(None), Device.approved_at.is_not(None))
    if but is not None and but.id is not None:
        statement = statement.where(Device.id != but.id)
    return list(db.session.scalars(statement))


def let_in(device: Device) -> None:
    """The facilitator's OK for a waiting device (or its person's other device has left)."""
    if device.approved_at is None and device.revoked_at is None:
        device.approved_at = clock.utcnow()
        conversation = db.session.get(Conversation, device.conversation_id)
        if conversation is not None:
            state.bump(conversation)  # the console's list changes; the phone's page follows


def device_or_none(conversation: Conversation, device_id: int) -> Device | None:
    """A device of this conversation by id (for the facilitator's buttons)."""
    device = db.session.get(Device, device_id) if is_id(device_id) else None
    if device is None or device.conversation_id != conversation.id:
        return None
    return device


def devices_for(conversation: Conversation, include_revoked: bool = False) -> list[Device]:
    """The devices that joined this conversation, first joined first, with their participant."""
    statement = (select(Device).where(Device.conversation_id == conversation.id)
                 .options(selectinload(Device.participant))
                 .order_by(Device.created_at, Device.id))
    if not include_revoked:
        statement = statement.where(Device.revoked_at.is_(None))
    return list(db.session.scalars(statement))


def touch(device: Device) -> None:
    """Note that the device was seen, writing at most once every TOUCH_EVERY."""
    now = clock.utcnow()
    if device.last_seen_at is None or now - device.last_seen_at >= TOUCH_EVERY:
        device.last_seen_at = now


# --- the browser's side: the raw token in the signed session cookie ------------------------


def remember(raw: str) -> None:
    """Keep the token in this browser's session, alongside any facilitator sign-in."""
    session[SESSION_KEY] = raw
    session.permanent = True  # survives the phone's browser being closed, for the session lifetime


def token_in_session() -> str | None:
    raw = session.get(SESSION_KEY)
    return raw if isinstance(raw, str) else None


def forget() -> None:
    """Remove the token from this browser (the facilitator's sign-in, if any, stays)."""
    session.pop(SESSION_KEY, None)
