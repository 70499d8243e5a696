"""Sending an issued summary by email, as a transactional outbox.

The click records one row per recipient ("queued", in the same transaction as the click) and
hands the background worker one job per row once that transaction commits.  The worker claims
the row ("sending", committed before anything leaves convo), talks to the server, and records
its answer: "sent" only once the server has accepted the message; "retrying" after a temporary
failure (4xx, timeout, no connection), with a back-off (MAIL_RETRY_DELAYS); "failed" after a
permanent one (5xx), or when the tries run out, with the reason shown and a retry button.

A worker can die at any moment (kill -9, power cut).  Its row stays "sending" until the
sweeper (convo/jobs/worker.py) sees that the worker's heartbeat has stopped; then it is sent
again.  If the worker died after handing the message over and before hearing the answer
(`handed_over_at` is set), the server may have accepted it: the new try is marked
`maybe_duplicate`, and the page says this person may have two copies.  Each message carries
the same Message-ID for this version and this address, so the copies are recognisably one.
So: at most one extra copy per crash, only where the answer was lost, and recorded.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from sqlalchemy import select

from convo.core import clock
from convo.extensions import db
from convo.jobs import queue
from convo.live import state
from convo.models import Conversation, SummarySend, SummaryVersion
from convo.summary import mail, outbox
from convo.summary.service import FileDamaged

log = logging.getLogger(__name__)

JOB = "summary.send"
ACTIVE = ("queued", "sending", "retrying")  # still on its way
WAITING = outbox.WAITING  # for a worker to take


def new_request_key() -> str:
    """One per send form shown: the same form posted twice (a double click, the browser
    sending it again after a timeout) records its sends once."""
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class Recorded:
    queued: list[SummarySend]
    already: list[str]  # addresses already on their way from an earlier click
    repeated: bool  # this very form had been posted before: nothing new recorded


def record(version: SummaryVersion, recipients: list[mail.Recipient],
           request_key: str) -> Recorded:
    """Queue one send per recipient (the caller's transaction commits it and, with it, the
    jobs).  A recipient the version is already on its way to is not queued twice."""
    if request_key and db.session.scalar(select(SummarySend.id).where(
            SummarySend.version_id == version.id, SummarySend.request_key == request_key)
            .limit(1)) is not None:
        return Recorded([], [], repeated=True)
    on_the_way = {email.lower() for email in db.session.scalars(select(SummarySend.email).where(
        SummarySend.version_id == version.id, SummarySend.status.in_(ACTIVE)))}
    now = clock.utcnow()
    queued: list[SummarySend] = []
    already: list[str] = []
    for recipient in recipients:
        if recipient.email.lower() in on_the_way:
            already.append(recipient.email)
            continue
        send = SummarySend(version_id=version.id, email=recipient.email, label=recipient.label,
                           named=recipient.named, status="queued", attempted_at=now,
                           requested_at=now, request_key=request_key or None, attempts=0,
                           next_attempt_at=now, enqueued_at=now, maybe_duplicate=False)
        db.session.add(send)
        queued.append(send)
    db.session.flush()
    for send in queued:
        queue.later(JOB, send.id)
    if queued:
        state.bump(_conversation_of(version))
    return Recorded(queued, already, repeated=False)


def put_back(send: SummarySend, status: str) -> None:
    """Set a send waiting for a worker again, due now, and hand the worker its job once the
    transaction commits.  "queued" starts the back-off afresh; "retrying" carries on."""
    now = clock.utcnow()
    send.status = status
    if status == "queued":
        send.attempts = 0
    send.claimed_by = None
    send.handed_over_at = None
    send.next_attempt_at = now
    send.enqueued_at = now
    queue.later(JOB, send.id)


def retry(sends: list[SummarySend]) -> list[SummarySend]:
    """Try failed sends again, from the start of the back-off."""
    again = [s for s in sends if s.status == "failed"]
    for send in again:
        put_back(send, "queued")
    if again:
        db.session.flush()
        state.bump(_conversation_of(again[0].version))
    return again


def _conversation_of(version: SummaryVersion) -> Conversation:
    return db.session.get(Conversation, version.conversation_id)


# --- the worker's side -------------------------------------------------------------------


@queue.job(JOB)
def deliver(send_id: int) -> None:
    """The job: send one row of the outbox, if it is still waiting and due (outbox.guarded
    puts it back if anything unforeseen goes wrong after the claim)."""
    outbox.guarded(SummarySend, send_id, JOB, _deliver)


def _deliver(send_id: int) -> None:
    if not outbox.claim(SummarySend, send_id, attempted_at=clock.utcnow()):
        db.session.rollback()
        return  # sent, taken by another worker, not due yet, or deleted with its conversation
    send = db.session.get(SummarySend, send_id)
    assert send is not None
    version = send.version
    conversation = _conversation_of(version)
    state.bump(conversation)
    db.session.commit()  # the claim is on record before anything leaves convo

    def handing_over() -> None:
        send.handed_over_at = clock.utcnow()
        db.session.commit()

    try:
        if not mail.configured():
            raise outbox.NotConfigured()
        message = mail.build_message(conversation, version, mail.Words.of(conversation, version),
                                     mail.Recipient(send.email, send.label, send.named))
        reply = mail.exchange(message, send.email, handing_over)
    except FileDamaged as exc:
        _failed(send, "files", str(exc), permanent=True)
    except outbox.NotConfigured:
        _failed(send, "not_configured", None, permanent=False)
    except Exception as exc:  # what the server or the network said
        failure = mail.classify(exc)
        _failed(send, "server", failure.reason, failure.permanent)
    else:
        outbox.sent(send, reply)
        log.info("summary send %s accepted by the mail server", send.id)
    send.claimed_by = None
    state.bump(conversation)


def _failed(send: SummarySend, problem: str, detail: str | None, permanent: bool) -> None:
    outbox.failed(send, problem, detail, permanent, job=JOB)
