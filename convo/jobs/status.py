"""Is anything processing background work?  For /healthz and the facilitator's pages.

A worker is "seen" when its heartbeat (convo/jobs/worker.py) is more recent than
QUEUE_STALE_SECONDS.  The heartbeat is one row per worker in the app's database, so the
question costs one small query; how many jobs wait is asked of the queue, and kept for a few
seconds per process, so /healthz stays as cheap as a live page's poll.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from convo.core import clock
from convo.extensions import db
from convo.jobs import queue
from convo.models import QueueWorker

log = logging.getLogger(__name__)

LAST_SEEN = select(func.max(QueueWorker.seen_at))
WAITING_CACHE_SECONDS = 5.0


@dataclass(frozen=True)
class WorkerStatus:
    last_seen: datetime | None

    @property
    def seconds_ago(self) -> int | None:
        if self.last_seen is None:
            return None
        return max(0, int((clock.utcnow() - self.last_seen).total_seconds()))

    @property
    def running(self) -> bool:
        ago = self.seconds_ago
        return ago is not None and ago <= float(current_app.config["QUEUE_STALE_SECONDS"])


def worker_status(last_seen: datetime | None = None, *, read: bool = True) -> WorkerStatus:
    """From a value already read (the health check's one query), or read now."""
    if read and last_seen is None:
        last_seen = db.session.scalar(LAST_SEEN)
    return WorkerStatus(last_seen)


_cache_lock = threading.Lock()
_cache: dict[str, tuple[float, tuple[int, int] | None]] = {}


def jobs_waiting() -> tuple[int, int] | None:
    """(ready, scheduled) jobs on the queue, or None if the queue can't be reached; asked of
    the queue at most once every WAITING_CACHE_SECONDS per process and queue."""
    key = queue.current().url
    now = time.monotonic()
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None and now - cached[0] < WAITING_CACHE_SECONDS:
            return cached[1]
    try:
        value: tuple[int, int] | None = queue.waiting()
    except Exception as exc:  # the queue is down: say so, don't fail the health check
        log.warning("health check: queue unavailable (%s)", type(exc).__name__)
        value = None
    with _cache_lock:
        _cache[key] = (now, value)
    return value
