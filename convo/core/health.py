"""GET /healthz: the version, whether the database answers, and whether a background worker
has been seen recently and how many jobs wait."""

from __future__ import annotations

import logging

from flask import Blueprint, g, jsonify
from sqlalchemy.exc import SQLAlchemyError

from convo.core import storage
from convo.jobs import status
from convo.version import __version__

bp = Blueprint("health", __name__)
logger = logging.getLogger(__name__)


@bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    """Asked often (by a load balancer or a monitor): as lean as a request here can be, so it
    costs no more than the live pages' polls it stands beside.  No account is loaded; the one
    query reads the workers' latest heartbeat (which also shows the database answers), and the
    queue's length is kept for a few seconds.

    503 only when the database does not answer: the web side works without a worker (work
    waits, and the pages say so), so a missing worker is reported, not failed on."""
    g.log_user = "-"
    try:
        row = storage.read_first(status.LAST_SEEN, {})
        database = "ok"
    except SQLAlchemyError as exc:
        logger.warning("health check: database unavailable (%s)", type(exc).__name__)
        database, row = "unavailable", None
    healthy = database == "ok"
    body: dict[str, object] = {"status": "ok" if healthy else "unavailable",
                               "version": __version__, "database": database}
    if healthy:
        worker = status.worker_status(row[0] if row else None, read=False)
        waiting = status.jobs_waiting()
        body.update({
            "worker": "ok" if worker.running else "not seen",
            "worker_seen_seconds_ago": worker.seconds_ago,
            "queue": "ok" if waiting is not None else "unavailable",
            "jobs_waiting": waiting[0] if waiting is not None else None,
            "jobs_scheduled": waiting[1] if waiting is not None else None,
        })
    return jsonify(body), 200 if healthy else 503
