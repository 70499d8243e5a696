"""Slow down, then lock out, repeated failures for a key (an email address, an IP address, a code).

Keys are stored only as a keyed hash.  Each failure after ``slow_after`` makes the next try
wait twice as long (2 s, 4 s, 8 s ...); ``lock_after`` failures lock the key for a while.
Failures are forgotten after a quiet spell as long as the window.

A failure is counted in a transaction of its own (storage.own_transaction): the request that
failed answers with an error, and an error answer commits nothing of the request's own.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from convo.core import clock, storage
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


def _where(scope: str, key: str):  # type: ignore[no-untyped-def]
    return (Throttle.scope == scope) & (Throttle.key_hash == _key_hash(scope, key))


def seconds_to_wait(scope: str, key: str) -> int:
    """0 when a try is allowed now, else how many seconds until it is."""
    row = storage.read_first(select(Throttle.locked_until, Throttle.next_allowed_at)
                             .where(_where(scope, key)), {})
    if row is None:
        return 0
    now = clock.utcnow()
    waits = [t for t in (row.locked_until, row.next_allowed_at) if t is not None and t > now]
    if not waits:
        return 0
    return max(1, math.ceil((max(waits) - now).total_seconds()))


def record_failure(scope: str, key: str, policy: Policy) -> None:
    """Count one failure, committed at once whatever happens to the request."""
    now = clock.utcnow()
    with storage.own_transaction() as connection:
        row = _locked_row(connection, scope, key)
        if row is None:
            try:
                with connection.begin_nested():
                    connection.execute(insert(Throttle).values(
                        scope=scope, key_hash=_key_hash(scope, key), failures=0,
                        last_failure_at=now))
            except IntegrityError:
                pass  # another request counted this key's first failure at the same moment
            row = _locked_row(connection, scope, key)
            assert row is not None
        failures = row.failures
        locked_until = row.locked_until
        if now - row.last_failure_at > timedelta(minutes=policy.window_minutes) and not (
                locked_until and locked_until > now):
            failures = 0  # a quiet spell forgives earlier failures
            locked_until = None
        failures += 1
        next_allowed = None
        if failures >= policy.lock_after:
            locked_until = now + timedelta(minutes=policy.lock_minutes)
        elif failures >= policy.slow_after:
            next_allowed = now + timedelta(seconds=2 ** (failures - policy.slow_after + 1))
        connection.execute(update(Throttle).where(Throttle.id == row.id).values(
            failures=failures, last_failure_at=now, next_allowed_at=next_allowed,
            locked_until=locked_until))


def _locked_row(connection: Connection, scope: str, key: str):  # type: ignore[no-untyped-def]
    """The key's row, held until the transaction ends (SQLite holds its whole write lock
    already: storage.own_transaction), so simultaneous failures are all counted."""
    statement = select(Throttle).where(_where(scope, key))
    if connection.dialect.name != "sqlite":
        statement = statement.with_for_update()
    return connection.execute(statement).first()


def clear(scope: str, key: str) -> None:
    with storage.own_transaction() as connection:
        connection.execute(delete(Throttle).where(_where(scope, key)))
