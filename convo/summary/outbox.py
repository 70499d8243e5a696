"""An outbox row's bookkeeping, the same for every email the worker sends (the summary's
sends, reminders): one worker claims a row that is waiting and due; a try that fails is tried
again after MAIL_RETRY_DELAYS or given up; anything unforeseen after the claim puts the row
back (a claim held by a live worker would otherwise never be swept); a success is recorded with
the server's reply.  Each kind keeps its own rows, job and message."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import or_, update

from convo.core import clock
from convo.extensions import db
from convo.jobs import queue
from convo.jobs.identity import worker_id
from convo.summary import mail

log = logging.getLogger(__name__)

WAITING = ("queued", "retrying")  # for a worker to take
EARLY = timedelta(seconds=2)  # a scheduled job may arrive this much before its time


class NotConfigured(Exception):
    """Email isn't set up where the worker runs: a temporary failure, tried again later."""


def retry_delays() -> list[float]:
    return [float(d) for d in current_app.config["MAIL_RETRY_DELAYS"]]


def claim(model: Any, send_id: int, **values: Any) -> bool:
    """Take the row for this worker if it is waiting and due (one try more); False when it was
    sent, taken by another worker, isn't due yet or was deleted."""
    now = clock.utcnow()
    return bool(db.session.execute(
        update(model)
        .where(model.id == send_id, model.status.in_(WAITING),
               or_(model.next_attempt_at.is_(None), model.next_attempt_at <= now + EARLY))
        .values(status="sending", claimed_by=worker_id(), attempts=model.attempts + 1,
                handed_over_at=None, **values)
        .execution_options(synchronize_session=False)).rowcount)


def guarded(model: Any, send_id: int, job: str, deliver: Callable[[int], None]) -> None:
    """Run one delivery; if it raises after the claim, the row goes back to be tried again."""
    try:
        deliver(send_id)
    except Exception as exc:
        db.session.rollback()
        send = db.session.get(model, send_id)
        if send is not None and send.status == "sending" and send.claimed_by == worker_id():
            failed(send, "server", mail.classify(exc).reason, permanent=False, job=job)
            send.claimed_by = None
            db.session.commit()
        raise


def sent(send: Any, reply: str | None) -> None:
    send.status = "sent"
    send.sent_at = clock.utcnow()
    send.server_reply = reply
    send.next_attempt_at = None
    send.problem = None
    send.error = None


def failed(send: Any, problem: str, detail: str | None, permanent: bool, job: str) -> None:
    """Record a failed try: try again later, or give up.  `problem` says what kind of failure
    (the page words it in the reader's language); `detail` is what the server said."""
    delays = retry_delays()
    send.problem = problem
    send.error = detail
    send.handed_over_at = None
    if permanent or send.attempts > len(delays):
        send.status = "failed"
        send.next_attempt_at = None
        log.info("%s %s failed (%s)", job, send.id, "permanent" if permanent else "gave up")
        return
    delay = delays[send.attempts - 1]
    send.status = "retrying"
    send.next_attempt_at = clock.utcnow() + timedelta(seconds=delay)
    send.enqueued_at = send.next_attempt_at
    queue.later(job, send.id, delay=delay)
    log.info("%s %s: temporary failure, next try in %.0f s", job, send.id, delay)
