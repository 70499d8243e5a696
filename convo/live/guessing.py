"""Join codes that didn't work: who is slowed, and when a conversation's code is under guessing.

Phones in a room share the venue's network address (and behind a proxy, everyone may share
one), so a wrong code never counts against an address: one bored participant must not stop
the room joining.  Instead:

- each browser that tries codes carries a random "joiner" id in its signed session cookie;
  its wrong codes slow and then lock that browser alone (JOIN_SLOW_AFTER, JOIN_LOCK_AFTER);
- every wrong code, from anywhere, is counted minute by minute (JoinGuesses), because a
  guesser who throws the cookie away each time can't be told apart from a new phone.  When
  JOIN_ALERT_AFTER wrong codes arrive within JOIN_WINDOW_MINUTES, every open conversation's
  console says its code may be under guessing and offers a new one in one click; once
  JOIN_CODE_BUDGET wrong codes have been tried since a code was issued, it stops working for
  new joiners (people already joined stay joined) until the facilitator issues a new code.

A code is 8 characters from 27 (about 2.8 × 10^11 codes), so a budget of 100,000 wrong codes
gives a guesser at most a 1 in 2.8 million chance of finding any one conversation's code.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, session
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from convo.core import clock, storage, throttle
from convo.extensions import db
from convo.live import state
from convo.models import Conversation, JoinGuesses

JOIN_SCOPE = "join-browser"
JOINER_KEY = "joiner"
KEEP_DAYS = 30  # per-minute counts are kept this long (longer than any code stays open)


def policy() -> throttle.Policy:
    """Generous for someone mistyping on a phone, hopeless for guessing a 40-bit code."""
    config = current_app.config
    return throttle.Policy(
        slow_after=int(config["JOIN_SLOW_AFTER"]), lock_after=int(config["JOIN_LOCK_AFTER"]),
        lock_minutes=int(config["JOIN_LOCK_MINUTES"]),
        window_minutes=int(config["JOIN_WINDOW_MINUTES"]))


def joiner() -> str:
    """This browser's joiner id, made the first time it tries a code."""
    value = session.get(JOINER_KEY)
    if not isinstance(value, str) or len(value) > 64:
        value = secrets.token_urlsafe(16)
        session[JOINER_KEY] = value
    return value


def seconds_to_wait() -> int:
    """0 when this browser may try a code now, else how long it must wait."""
    value = session.get(JOINER_KEY)
    return throttle.seconds_to_wait(JOIN_SCOPE, value) if isinstance(value, str) else 0


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def wrong_code() -> None:
    """Count a code that didn't work: against this browser, and in this minute's total.

    Counted in a transaction of its own (storage.own_transaction): the answer to a wrong code
    is an error page, and an error answer commits nothing of the request's own."""
    throttle.record_failure(JOIN_SCOPE, joiner(), policy())
    now = clock.utcnow()
    minute = _minute(now)
    with storage.own_transaction() as connection:
        counted = connection.execute(update(JoinGuesses).where(JoinGuesses.minute == minute)
                                     .values(wrong=JoinGuesses.wrong + 1))
        if not counted.rowcount:
            try:
                with connection.begin_nested():
                    connection.execute(insert(JoinGuesses).values(minute=minute, wrong=1))
            except IntegrityError:  # another request began this minute at the same moment
                connection.execute(update(JoinGuesses).where(JoinGuesses.minute == minute)
                                   .values(wrong=JoinGuesses.wrong + 1))
            connection.execute(delete(JoinGuesses).where(
                JoinGuesses.minute < now - timedelta(days=KEEP_DAYS)))
        recent = connection.execute(
            select(func.coalesce(func.sum(JoinGuesses.wrong), 0)).where(
                JoinGuesses.minute > _minute(now - _window()))).scalar()
        if int(recent or 0) == int(current_app.config["JOIN_ALERT_AFTER"]):
            # The moment guessing crosses the alert line, every open conversation's console
            # (and screen, and phones) looks again, once, so the warning appears by itself.
            connection.execute(update(Conversation).where(Conversation.status != "closed")
                               .values(**state.moved_for_phones(),
                                       updated_at=now))


def wrong_after(moment: datetime) -> int:
    """Wrong codes tried, from anywhere, in the whole minutes after the one a moment falls in."""
    return int(db.session.scalar(select(func.coalesce(func.sum(JoinGuesses.wrong), 0)).where(
        JoinGuesses.minute > _minute(moment))) or 0)


def in_minute_so_far(moment: datetime) -> int:
    """Wrong codes tried so far in the minute a moment falls in: noted when a code is issued,
    so that those tried before it existed are never counted against it."""
    return int(db.session.scalar(select(JoinGuesses.wrong).where(
        JoinGuesses.minute == _minute(moment))) or 0)


def since_issued(conversation: Conversation) -> int:
    """Wrong codes tried, from anywhere, since this conversation's code was issued."""
    issued = conversation.code_issued_at or conversation.created_at
    total = int(db.session.scalar(select(func.coalesce(func.sum(JoinGuesses.wrong), 0)).where(
        JoinGuesses.minute >= _minute(issued))) or 0)
    return max(0, total - (conversation.code_guesses_before or 0))


def _window() -> timedelta:
    return timedelta(minutes=int(current_app.config["JOIN_WINDOW_MINUTES"]))


def recent_wrong(now: datetime | None = None) -> int:
    """Wrong codes tried, from anywhere, within the last JOIN_WINDOW_MINUTES."""
    return wrong_after((now or clock.utcnow()) - _window())


def code_spent(conversation: Conversation) -> bool:
    """Whether this conversation's code has used up its guess budget (it then admits no one
    new until the facilitator issues another)."""
    return since_issued(conversation) >= int(current_app.config["JOIN_CODE_BUDGET"])


@dataclass(frozen=True)
class Guessing:
    """What the console says about guessing at this conversation's code."""

    recent: int  # wrong codes across convo in the window, since this code was issued
    since_issued: int  # wrong codes across convo since this code was issued
    window_minutes: int
    under_guessing: bool  # recent reached JOIN_ALERT_AFTER
    spent: bool  # since_issued reached JOIN_CODE_BUDGET: the code admits no one new


def for_console(conversation: Conversation) -> Guessing:
    config = current_app.config
    issued = conversation.code_issued_at or conversation.created_at
    window_start = clock.utcnow() - _window()
    since = since_issued(conversation)
    recent = since if issued > window_start else wrong_after(window_start)
    return Guessing(recent=recent, since_issued=since,
                    window_minutes=int(config["JOIN_WINDOW_MINUTES"]),
                    under_guessing=recent >= int(config["JOIN_ALERT_AFTER"]),
                    spent=since >= int(config["JOIN_CODE_BUDGET"]))
