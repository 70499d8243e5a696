"""Database set-up: SQLite pragmas, and one commit per request in one place.

Views never call commit().  A request that ends without an exception and without a 5xx
status is committed here; anything else is rolled back, so nothing is stored half-way.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from flask import Flask, Response
from sqlalchemy import event
from sqlalchemy.engine import Engine, Row
from sqlalchemy.sql import Executable

from convo.extensions import db


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL for readers alongside a writer, foreign keys on, and wait rather than fail on a lock."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Deleted rows' bytes are zeroed where that costs no extra writing ("FAST"; "ON" would
    # also rewrite freed pages and slowed every write under load): a deleted conversation's
    # words do not linger in the file.
    cursor.execute("PRAGMA secure_delete=FAST")
    cursor.close()


def read_first(statement: Executable, params: dict[str, Any]) -> Row[Any] | None:
    """The first row of a read-only statement, asked on a connection of its own rather than
    through the request's ORM session: for the cheap questions live pages ask every second,
    where setting up a session and committing it cost more than the query itself."""
    with db.engine.connect() as connection:
        return connection.execute(statement, params).first()


def init_app(app: Flask) -> None:
    @app.after_request
    def commit_session(response: Response) -> Response:
        if not db.session.registry.has():
            return response  # nothing in this request used the session: nothing to commit
        if response.status_code >= 500:
            db.session.rollback()
        else:
            try:
                db.session.commit()
            except Exception:
                db.session.rollback()
                raise
        return response

    @app.teardown_request
    def rollback_on_error(exc: BaseException | None) -> None:
        if exc is not None:
            db.session.rollback()
