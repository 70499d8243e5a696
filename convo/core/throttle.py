"""Slow down, then lock out, repeated failures for a key (an email address, an IP address, a code).

Keys are stored only as a keyed hash.  Each failure after ``slow_after`` makes the next try
wait twice as long (2 s, 4 s, 8 s ...); ``lock_after`` failures lock the key for a while.
Failures are forgotten after a quiet spell as long as the window.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from convo.core import clock
from convo.extensions import db
from convo.models import Throttle


@dataclass(frozen=True)
class Policy:
    slow_after: int
    lock_after: int
    lock_minutes: int
    window_minutes: int


def _key_hash(scope: str, key: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"{scope}\0{key}".encode(), hashlib.sha256).hexdigest()


def _row(scope: str, key: str) -> Throttle | None:
    return db.session.scalar(
        select(Throttle).where(Throttle.scope == scope, Throttle.key_hash == _key_hash(scope, key))
    )


def seconds_to_wait(scope: str, key: str) -> int:
    """0 when a try is allowed now, else how many seconds until it is."""
    row = _row(scope, key)
    if row is None:
        return 0
    now = clock.utcnow()
    waits = [t for t in (row.locked_until, row.next_allowed_at) if t is not None and t > now]
    if not waits:
        return 0
    return max(1, math.ceil((max(waits) - now).total_seconds()))


def record_failure(scope: str, key: str, policy: Policy) -> None:
    now = clock.utcnow()
    key_hash = _key_hash(scope, key)
    row = _row(scope, key)
    if row is None:
        try:
            with db.session.begin_nested():
                row = Throttle(scope=scope, key_hash=key_hash, failures=0, last_failure_at=now)
                db.session.add(row)
        except IntegrityError:  # another request created it at the same moment
            row = _row(scope, key)
            assert row is not None
    if now - row.last_failure_at > timedelta(minutes=policy.window_minutes) and not (
        row.locked_until and row.locked_until > now
    ):
        row.failures = 0  # a quiet spell forgives earlier failures
        row.next_allowed_at = None
        row.locked_until = None
    row.last_failure_at = now
    db.session.flush()
    # Count atomically so that simultaneous failures are all counted.
    db.session.execute(
        update(Throttle).where(Throttle.id == row.id).values(failures=Throttle.failures + 1)
    )
    db.session.refresh(row)
    if row.failures >= policy.lock_after:
        row.locked_until = now + timedelta(minutes=policy.lock_minutes)
    elif row.failures >= policy.slow_after:
        row.next_allowed_at = now + timedelta(seconds=2 ** (row.failures - policy.slow_after + 1))


def clear(scope: str, key: str) -> None:
    db.session.execute(
        delete(Throttle).where(Throttle.scope == scope, Throttle.key_hash == _key_hash(scope, key))
    )
