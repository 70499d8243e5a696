"""Database set-up: SQLite pragmas, one commit per request in one place, and the lock that
makes an edit see what others saved before it.

Views never call commit().  A request that succeeds (an answer below 400: a page, a redirect,
a "nothing new") is committed here; every other answer — a refused form (4xx), an error (5xx),
an exception — is rolled back, so a refused request stores nothing at all, not even the parts
of it that were acceptable.  (What must be kept even when the answer is an error, such as a
failed sign-in counted against its address, is written in a transaction of its own:
own_transaction().)

A database that stays busy (another writer holding its lock) longer than
DATABASE_BUSY_SECONDS is a passing state, not a fault: is_busy() tells it apart, and the
request is answered 503 with Retry-After (convo.core.errors), never 500.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask, Response
from sqlalchemy import event, select
from sqlalchemy.engine import Connection, Engine, Row
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.sql import Executable

from convo.core import files
from convo.extensions import db


@event.listens_for(Engine, "do_connect")
def _sqlite_file_private(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> None:
    """Create a new SQLite database file as 0600 before SQLite does (it would use 0644)."""
    if dialect.name != "sqlite" or cparams.get("uri"):
        return
    database = cargs[0] if cargs else cparams.get("database", "")
    if database and database != ":memory:":
        files.create_private_file(Path(database))


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
    database = cursor.execute("PRAGMA database_list").fetchone()
    cursor.close()
    files.tighten_sqlite(database[2] if database else "")  # an older install's looser files


def read_first(statement: Executable, params: dict[str, Any]) -> Row[Any] | None:
    """The first row of a read-only statement, asked on a connection of its own rather than
    through the request's ORM session: for the cheap questions live pages ask every second,
    where setting up a session and committing it cost more than the query itself."""
    with db.engine.connect() as connection:
        return connection.execute(statement, params).first()


def _begin_immediate(connection: Connection) -> None:
    """SQLite: take the database's write lock now (waiting for it up to busy_timeout), unless
    this connection already holds it.  Python's sqlite3 opens a transaction only before the
    first write statement, so a connection already in a transaction holds the lock."""
    raw = connection.connection.driver_connection
    if raw is not None and not raw.in_transaction:
        try:
            raw.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:  # as SQLAlchemy would raise it (see is_busy)
            raise OperationalError("BEGIN IMMEDIATE", None, exc) from exc


def lock_conversation(conversation_id: int) -> None:
    """Wait for anyone else changing this conversation, then hold it until this request ends.

    Every save that merges what a writer sent with what others saved since they looked calls
    this first and then reads the record afresh, so two saves can never both read the same
    old words and both think they are the only change (the lost update).  PostgreSQL locks
    the conversation's row (FOR NO KEY UPDATE: adding points, whose foreign key only shares
    the row, is not held up); SQLite has one writer at a time, so its write lock is taken.
    """
    from convo.models import Conversation

    session = db.session
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        _begin_immediate(connection)
    else:
        session.execute(select(Conversation.id).where(Conversation.id == conversation_id)
                        .with_for_update(key_share=True))


@contextmanager
def own_transaction() -> Iterator[Connection]:
    """A short transaction of its own, committed whatever the request's answer turns out to
    be: for bookkeeping that must survive a refused request (counting failed sign-ins).  On
    SQLite the write lock is taken at the start, so a read-then-write inside it is safe."""
    with db.engine.connect() as connection, connection.begin():
        if connection.dialect.name == "sqlite":
            _begin_immediate(connection)
        yield connection


# SQLite's result codes for "another connection holds the lock" (low byte of extended codes).
_SQLITE_BUSY_CODES = (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED
# PostgreSQL's SQLSTATE classes and codes for the same, and for a server that isn't answering:
# connection exceptions (08), rollback for a deadlock or serialisation failure (40),
# insufficient resources such as too many connections (53), lock_timeout (55P03),
# statement_timeout (57014) and a server shutting down (57P).
_POSTGRES_BUSY_STATES = ("08", "40", "53", "55P03", "57014", "57P")


def is_busy(exc: BaseException) -> bool:
    """Whether an error means "the database is busy or not answering: try again shortly",
    rather than a fault in convo (a missing table, a bad statement)."""
    if isinstance(exc, PoolTimeout):
        return True  # every pooled connection in use for longer than the pool waits
    if not isinstance(exc, OperationalError):
        return False
    original = exc.orig
    if isinstance(original, sqlite3.OperationalError):
        code = getattr(original, "sqlite_errorcode", None)
        return (code is not None and code & 0xFF in _SQLITE_BUSY_CODES) or (
            "locked" in str(original) or "busy" in str(original))
    state = getattr(original, "sqlstate", None)
    return state is None or state.startswith(_POSTGRES_BUSY_STATES)


def _wait_for_locks(seconds: float) -> Any:
    """How long a statement waits for another's lock before giving up (then is_busy)."""

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if isinstance(dbapi_connection, sqlite3.Connection):
            cursor.execute(f"PRAGMA busy_timeout={int(seconds * 1000)}")
        else:  # PostgreSQL would otherwise wait for a lock for ever
            cursor.execute(f"SET lock_timeout = {int(seconds * 1000)}")
            dbapi_connection.commit()
        cursor.close()

    return on_connect


def init_app(app: Flask) -> None:
    with app.app_context():
        event.listen(db.engine, "connect",
                     _wait_for_locks(float(app.config["DATABASE_BUSY_SECONDS"])))

    @app.after_request
    def commit_session(response: Response) -> Response:
        if not db.session.registry.has():
            return response  # nothing in this request used the session: nothing to commit
        if response.status_code >= 400:
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
