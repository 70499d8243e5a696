"""GET /healthz: the version, and whether the database answers."""

from __future__ import annotations

import logging

from flask import Blueprint, g, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from convo.core import storage
from convo.version import __version__

bp = Blueprint("health", __name__)
logger = logging.getLogger(__name__)


_SELECT_1 = text("SELECT 1")


@bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    """Asked often (by a load balancer or a monitor): as lean as a request here can be, so it
    costs no more than the live pages' polls it stands beside.  No account is loaded."""
    g.log_user = "-"
    try:
        storage.read_first(_SELECT_1, {})
        database = "ok"
    except SQLAlchemyError as exc:
        logger.warning("health check: database unavailable (%s)", type(exc).__name__)
        database = "unavailable"
    healthy = database == "ok"
    body = {"status": "ok" if healthy else "unavailable", "version": __version__, "database": database}
    return jsonify(body), 200 if healthy else 503
