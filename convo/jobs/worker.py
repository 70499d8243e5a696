"""The background worker: `convo worker` (and `make run`, beside the web server).

It runs Huey's consumer (QUEUE_WORKERS threads taking jobs), and beside it a heartbeat thread
that every QUEUE_HEARTBEAT_SECONDS
  - records that this worker is alive (a queue_worker row: /healthz and the facilitator's pages
    read it to say whether anything is processing jobs), and
  - sweeps: work claimed by a worker that has stopped beating (killed, machine lost) is put
    back, and work whose job the queue lost (or never got, because the queue was down at the
    click) is handed to the queue again.  The outbox rows in the database are the truth; the
    queue is only the prompt.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import delete, or_, select

from convo.core import clock
from convo.extensions import db
from convo.jobs import queue
from convo.jobs.identity import parse, worker_id
from convo.live import state
from convo.models import Conversation, QueueWorker, SummaryIssue, SummarySend

log = logging.getLogger(__name__)

FORGET_AFTER = timedelta(days=1)  # heartbeat rows of workers gone this long are removed


def beat() -> None:
    """Record that this worker is alive (its own row: no other process writes it)."""
    now = clock.utcnow()
    me = db.session.get(QueueWorker, worker_id())
    if me is None:
        host, pid = parse(worker_id()) or (socket.gethostname(), os.getpid())
        db.session.add(QueueWorker(id=worker_id(), hostname=host, pid=pid, started_at=now,
                                   seen_at=now))
    else:
        me.seen_at = now


def leave() -> None:
    db.session.execute(delete(QueueWorker).where(QueueWorker.id == worker_id()))


def _alive_workers() -> set[str]:
    since = clock.utcnow() - timedelta(seconds=float(current_app.config["QUEUE_STALE_SECONDS"]))
    alive = set(db.session.scalars(select(QueueWorker.id).where(QueueWorker.seen_at >= since)))
    here = socket.gethostname()[:100]
    for identity in list(alive):
        parsed = parse(identity)
        if parsed and parsed[0] == here and identity != worker_id() and not _pid_alive(parsed[1]):
            alive.discard(identity)  # on this machine and gone: no need to wait for staleness
    return alive


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep() -> int:
    """Put back work held by dead workers and work the queue lost; how many rows were put back."""
    from convo.conversations import runsheet
    from convo.partnerships import printing
    from convo.reminders import sending as reminders
    from convo.summary import issuing, sending

    now = clock.utcnow()
    alive = _alive_workers()
    grace = timedelta(seconds=float(current_app.config["QUEUE_REQUEUE_SECONDS"]))
    touched: set[int] = set()
    count = 0

    for send in db.session.scalars(select(SummarySend).where(
            SummarySend.status == "sending",
            or_(SummarySend.claimed_by.is_(None), SummarySend.claimed_by.not_in(alive)))):
        if send.handed_over_at is not None:
            # The message went to the server, and the answer was lost with the worker.
            send.maybe_duplicate = True
        send.problem = "interrupted"
        send.error = None
        sending.put_back(send, "retrying")
        touched.add(send.version.conversation_id)
        count += 1
        log.warning("summary send %s: its worker stopped during the try; sending again", send.id)

    for issue in db.session.scalars(select(SummaryIssue).where(
            SummaryIssue.status == "working",
            or_(SummaryIssue.claimed_by.is_(None), SummaryIssue.claimed_by.not_in(alive)))):
        issuing.discard_partial(issue.conversation_id, issue.number)
        issue.status = "pending"
        issue.claimed_by = None
        issue.enqueued_at = now
        queue.later(issuing.JOB, issue.id)
        touched.add(issue.conversation_id)
        count += 1
        log.warning("issuing version %s of conversation %s: its worker stopped; issuing again",
                    issue.number, issue.conversation_id)

    lost = now - grace
    for send in db.session.scalars(select(SummarySend).where(
            SummarySend.status.in_(sending.WAITING), SummarySend.next_attempt_at <= lost,
            or_(SummarySend.enqueued_at.is_(None), SummarySend.enqueued_at <= lost))):
        send.enqueued_at = now
        queue.later(sending.JOB, send.id)
        count += 1
    for issue in db.session.scalars(select(SummaryIssue).where(
            SummaryIssue.status == "pending",
            or_(SummaryIssue.enqueued_at.is_(None), SummaryIssue.enqueued_at <= lost))):
        issue.enqueued_at = now
        queue.later(issuing.JOB, issue.id)
        count += 1

    count += reminders.sweep(alive, lost)
    count += printing.sweep(alive, lost)
    count += runsheet.sweep(alive, lost)
    db.session.execute(delete(QueueWorker).where(QueueWorker.seen_at < now - FORGET_AFTER))
    for conversation_id in touched:
        conversation = db.session.get(Conversation, conversation_id)
        if conversation is not None:
            state.bump(conversation)
    return count


class Heartbeat(threading.Thread):
    """Beats and sweeps every QUEUE_HEARTBEAT_SECONDS until stopped."""

    def __init__(self, app: Flask) -> None:
        super().__init__(name="convo-heartbeat", daemon=True)
        self.app = app
        self.stopping = threading.Event()
        self.interval = float(app.config["QUEUE_HEARTBEAT_SECONDS"])

    def once(self) -> None:
        with self.app.app_context():
            try:
                beat()
                sweep()
                db.session.commit()
            except Exception:
                db.session.rollback()
                log.exception("worker heartbeat failed; trying again in %.0f s", self.interval)

    def run(self) -> None:
        while not self.stopping.wait(self.interval):
            self.once()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=self.interval + 10)
        with self.app.app_context():
            try:
                leave()
                db.session.commit()
            except Exception:
                db.session.rollback()
                log.exception("could not remove this worker's heartbeat")


def run(app: Flask, threads: int | None = None) -> None:
    """Run a worker in this process until SIGTERM or SIGINT (either lets the jobs under way
    finish; a second one stops at once)."""
    from convo.conversations import deleting

    threads = threads or int(app.config["QUEUE_WORKERS"])
    with app.app_context():
        q = queue.current()
        deleting.remove_parked_folders()  # removals a stopped worker never got to
    heartbeat = Heartbeat(app)
    heartbeat.once()  # seen from the start; and work left by a killed worker goes back now
    heartbeat.start()
    consumer = q.huey.create_consumer(
        workers=threads, worker_type="thread", periodic=True, initial_delay=0.05,
        backoff=1.15, max_delay=float(app.config["QUEUE_POLL_SECONDS"]), scheduler_interval=1,
        check_worker_health=True, graceful_signal="TERM")
    # SIGINT (Ctrl-C) as gentle as SIGTERM: jobs under way finish first.
    consumer._signal_actions[signal.SIGINT] = (False, True)
    log.info("convo worker %s: %d threads on the %s queue", worker_id(), threads, q.kind)
    try:
        consumer.run()
    finally:
        heartbeat.stop()
