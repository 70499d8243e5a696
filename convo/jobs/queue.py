"""The job queue: Huey, on SQLite in the instance folder by default, or Redis at scale.

The queue only says "there is work"; what the work is, and how far it has got, is recorded in
the app's database (the outbox rows: summary_send, summary_issue), in the same transaction as
the click that asked for it.  So a job is handed to the queue only after that transaction has
committed (`later()` collects it; the session's after_commit event sends it), a worker never
finds a job whose row it cannot see, and a job lost with the queue (a Redis flushed, a queue
file deleted, a queue down at the moment of the click) is put back by the worker's sweeper from
the rows still waiting.

    CONVO_QUEUE_URL unset           SqliteHuey in <instance>/queue.sqlite3 (mode 0600)
    sqlite:////path/to/queue.db     SqliteHuey in that file
    redis://host:6379/0             RedisHuey, for several web and worker machines
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey
from sqlalchemy import event
from sqlalchemy.orm import Session

from convo.extensions import db

log = logging.getLogger(__name__)

EXTENSION = "convo.queue"
PENDING = "convo.jobs"  # db.session.info key: jobs waiting for the transaction to commit
QUEUE_FILE = "queue.sqlite3"

# name -> plain function taking plain arguments; filled by convo.jobs.tasks.
_registry: dict[str, Callable[..., None]] = {}
# name -> (plain function without arguments, its schedule from the app's config)
_periodic: dict[str, tuple[Callable[[], None], Callable[[Flask], Any]]] = {}


def periodic(name: str, schedule: Callable[[Flask], Any]
             ) -> Callable[[Callable[[], None], ], Callable[[], None]]:
    """Register a plain function the worker runs on a schedule (`schedule(app)` gives a
    huey.crontab; the worker's consumer runs periodic tasks)."""

    def register(fn: Callable[[], None]) -> Callable[[], None]:
        _periodic[name] = (fn, schedule)
        return fn

    return register


def job(name: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register a plain function as the job `name` (run in an app context, committed after)."""

    def register(fn: Callable[..., None]) -> Callable[..., None]:
        _registry[name] = fn
        return fn

    return register


@dataclass
class Queue:
    """One app's queue: the Huey instance and its task wrappers, by job name."""

    huey: Huey
    tasks: dict[str, Any]
    url: str

    @property
    def kind(self) -> str:
        return "redis" if isinstance(self.huey, RedisHuey) else "sqlite"


def current() -> Queue:
    return current_app.extensions[EXTENSION]


def _private_file(path: Path) -> None:
    """Create the queue's SQLite file readable by convo's user alone, before SQLite does."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def make_huey(app: Flask) -> tuple[Huey, str]:
    url = app.config.get("QUEUE_URL") or ""
    name = app.config.get("QUEUE_NAME") or "convo"
    if url.startswith(("redis://", "rediss://", "unix://")):
        from redis import ConnectionPool

        # Bounded waits: a Redis that can't be reached makes a click record its work (the
        # sweeper hands it over later) and /healthz say so, rather than hang.  The socket
        # timeout is longer than the worker's blocking read (1 s).
        pool = ConnectionPool.from_url(url, socket_connect_timeout=5, socket_timeout=10,
                                       health_check_interval=30)
        return RedisHuey(name, connection_pool=pool, results=False, utc=True), url
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
    elif url:
        raise ValueError(f"QUEUE_URL must start with redis://, rediss://, unix:// or sqlite:///"
                         f" (got {url.split(':', 1)[0]}:...)")
    else:
        path = Path(app.instance_path) / QUEUE_FILE
    _private_file(path)
    # Huey's own connection: autocommit, WAL, and a generous wait for the lock (several web
    # workers and a worker process share the file).
    return SqliteHuey(name, filename=str(path), results=False, utc=True, timeout=10), \
        f"sqlite:///{path}"


def init_app(app: Flask) -> None:
    """Build this app's queue and bind every registered job to it."""
    from convo.jobs import tasks  # noqa: F401  (registers the jobs)

    huey, url = make_huey(app)
    wrappers = {name: huey.task(name=name)(_in_app_context(app, name, fn))
                for name, fn in _registry.items()}
    for name, (fn, schedule) in _periodic.items():
        huey.periodic_task(schedule(app), name=name)(_in_app_context(app, name, fn))
    app.extensions[EXTENSION] = Queue(huey=huey, tasks=wrappers, url=url)


def _in_app_context(app: Flask, name: str, fn: Callable[..., None]) -> Callable[..., None]:
    """Run a job as a request would: in an app context, committed once at the end if it
    returns, rolled back if it raises."""

    def run(*args: Any) -> None:
        with app.app_context():
            try:
                fn(*args)
                db.session.commit()
            except BaseException:
                db.session.rollback()
                log.exception("job %s failed", name)
                raise

    run.__name__ = name.replace(".", "_")
    return run


# --- handing jobs over once the transaction has committed -----------------------------------


def later(name: str, *args: Any, delay: float | None = None) -> None:
    """Hand the job to the queue once the current transaction commits (never if it rolls
    back).  `delay`: seconds to wait before it may run."""
    if name not in _registry:
        raise KeyError(name)
    db.session.info.setdefault(PENDING, []).append((name, args, delay))


def enqueue_now(queue: Queue, name: str, args: tuple[Any, ...], delay: float | None) -> bool:
    """Put one job on the queue; False (logged) if the queue can't be reached: its row still
    says it waits, and the sweeper will put it back."""
    try:
        task = queue.tasks[name]
        if delay:
            task.schedule(args=args, delay=delay)
        else:
            task(*args)
        return True
    except Exception as exc:  # the queue is down: the outbox row is the record
        log.warning("queue: could not hand over job %s (%s); the worker's sweeper will",
                    name, type(exc).__name__)
        return False


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    jobs = session.info.pop(PENDING, None)
    if not jobs:
        return
    queue = current()
    for name, args, delay in jobs:
        enqueue_now(queue, name, args, delay)


@event.listens_for(Session, "after_rollback")
def _forget_on_rollback(session: Session) -> None:
    session.info.pop(PENDING, None)


def waiting() -> tuple[int, int]:
    """(jobs ready to run, jobs scheduled for later) on this app's queue."""
    huey = current().huey
    return huey.pending_count(), huey.scheduled_count()
