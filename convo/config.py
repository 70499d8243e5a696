"""Configuration: defaults, then instance/config.py, then CONVO_* variables and DATABASE_URL.

Every setting is documented in README.md ("Configuration").  Nothing secret has a default:
the secret key comes from the environment or is generated once into the instance folder.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

from flask import Flask

from convo.core import files

SECRET_KEY_FILE = "secret_key"


class Defaults:
    """Safe defaults for a single-machine install on SQLite."""

    # Storage.  SQLALCHEMY_DATABASE_URI is filled in from the instance folder when unset.
    SQLALCHEMY_DATABASE_URI: str | None = None
    # hide_parameters keeps typed text out of error messages and so out of logs.
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True, "hide_parameters": True}
    # How long a request waits for another's hold on the database before answering 503
    # ("busy, try again") rather than waiting on.
    DATABASE_BUSY_SECONDS = 10
    RETRY_AFTER_SECONDS = 5  # what a 503 asks the client to wait before trying again
    EXPORT_DIR: str | None = None  # None: the repository's exports/ folder
    QUESTION_SETS_DIR: str | None = None  # None: question_sets/ inside the instance folder
    # How often a running app looks for custom sets added, changed or removed (0: every use).
    QUESTION_SETS_RECHECK_SECONDS = 30

    # Sessions and cookies.  HTTPS=True marks cookies Secure (set it whenever served over HTTPS).
    HTTPS = False
    PROXY_FIX = 0  # number of trusted proxies in front of the app (X-Forwarded-*)
    SESSION_COOKIE_NAME = "convo_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 12 * 60 * 60  # a long facilitation day, in seconds
    # A facilitator's sign-in unused for this long ends (an open console's polls count as use).
    SESSION_IDLE_MINUTES = 120
    # A response sets the session cookie only when the session changed.  Re-signing it on
    # every answer (Flask's default for a phone's lasting session) let a poll that was under
    # way overwrite a cookie just set, losing the "saved" message the next page was to show.
    SESSION_REFRESH_EACH_REQUEST = False
    WTF_CSRF_TIME_LIMIT = 12 * 60 * 60

    # Requests.  Form fields larger than this are refused with 413 before parsing.
    MAX_CONTENT_LENGTH = 4 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 2 * 1024 * 1024

    # Sign-in throttling: after SIGNIN_SLOW_AFTER failures each further attempt must wait
    # longer (doubling from 2 s); after SIGNIN_LOCK_AFTER failures the address is locked.
    SIGNIN_SLOW_AFTER = 3
    SIGNIN_LOCK_AFTER = 10
    SIGNIN_LOCK_MINUTES = 15
    SIGNIN_WINDOW_MINUTES = 15
    SIGNIN_IP_LOCK_AFTER = 50
    # A browser where an account signed in is "known" for it this long: there, only its own
    # failures count, so floods from elsewhere or from the same address can't lock it out.
    KNOWN_DEVICE_DAYS = 90

    # Join codes (convo/live/guessing.py): one browser's wrong codes slow it after
    # JOIN_SLOW_AFTER and lock it after JOIN_LOCK_AFTER, within JOIN_WINDOW_MINUTES; never
    # other phones on the same network.  JOIN_ALERT_AFTER wrong codes from anywhere within
    # the window warn every open console; JOIN_CODE_BUDGET wrong codes since a code was issued
    # retire it for new joiners until the facilitator issues another.
    JOIN_SLOW_AFTER = 5
    JOIN_LOCK_AFTER = 20
    JOIN_LOCK_MINUTES = 15
    JOIN_WINDOW_MINUTES = 15
    JOIN_ALERT_AFTER = 100
    JOIN_CODE_BUDGET = 100_000

    # Points one participant may add in any minute, from all their devices together (a
    # person typing by hand adds a few; a phone sending hundreds is refused with "slow down").
    PARTICIPANT_POINTS_PER_MINUTE = 20

    # Argon2 cost (OWASP's second recommended profile).  Tests lower it.
    ARGON2_TIME_COST = 2
    ARGON2_MEMORY_COST = 19 * 1024
    ARGON2_PARALLELISM = 1

    # One-time links for setting a password or setting up the first account.
    SETUP_TOKEN_HOURS = 24
    PASSWORD_LINK_HOURS = 72

    # Language and time.
    BABEL_DEFAULT_LOCALE = "en_GB"
    BABEL_DEFAULT_TIMEZONE = "Europe/London"
    LANGUAGES = ["en_GB", "cy", "ur"]

    # Email for sending summaries.  MAIL_SECURITY: "starttls" (port 587), "tls" (port 465)
    # or "none" (only for a server on this machine).  Unset MAIL_HOST: sending is switched off.
    MAIL_HOST: str | None = None
    MAIL_PORT = 587
    MAIL_SECURITY = "starttls"
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_FROM: str | None = None
    MAIL_TIMEOUT = 20
    # Seconds before each new try after a temporary failure (4xx, timeout, no connection);
    # after the last, the send is marked failed (about 16 hours in all).
    MAIL_RETRY_DELAYS = [30, 120, 600, 1800, 3600, 7200, 14400, 28800]

    # The job queue (README, "Background work").  QUEUE_URL unset: SQLite in the instance
    # folder (queue.sqlite3); redis://host:port/db for several web and worker machines.
    QUEUE_URL: str | None = None
    QUEUE_NAME = "convo"
    QUEUE_WORKERS = 4  # threads per `convo worker` process
    QUEUE_POLL_SECONDS = 0.5  # an idle worker looks at an SQLite queue this often at least
    QUEUE_HEARTBEAT_SECONDS = 5  # how often a worker says it is alive and sweeps
    QUEUE_STALE_SECONDS = 30  # a worker not heard from for this long is taken to be gone
    QUEUE_REQUEUE_SECONDS = 60  # work due this long with no worker on it goes back on the queue
    QUEUE_SHUTDOWN_SECONDS = 60  # on stopping, how long jobs under way may take to finish

    # Reminders between conversations (README, "Reminders and calendars").  BASE_URL: the
    # address people open convo at, for the links in emails (no request to take it from in
    # the worker).  Due reminders are looked for every REMINDER_SCAN_MINUTES.
    BASE_URL = "http://127.0.0.1:5000"
    REMINDER_SCAN_MINUTES = 15

    LOG_LEVEL = "INFO"


def _normalise_database_url(url: str) -> str:
    """Accept the usual postgres:// spellings and use psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill app.config in the documented order."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("CONVO")
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if test_config:
        app.config.update(test_config)

    instance = files.private_folder(Path(app.instance_path))
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'convo.sqlite3'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = _normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    if not app.config.get("EXPORT_DIR"):
        app.config["EXPORT_DIR"] = str(Path(app.root_path).parent / "exports")
    if Path(app.config["EXPORT_DIR"]).is_dir():
        # The archive's file names name the parties: nobody else may list it.
        files.private_folder(Path(app.config["EXPORT_DIR"]))
    if not app.config.get("QUESTION_SETS_DIR"):
        app.config["QUESTION_SETS_DIR"] = str(instance / "question_sets")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(instance)
    app.config["SESSION_COOKIE_SECURE"] = bool(app.config["HTTPS"])
    app.config["PREFERRED_URL_SCHEME"] = "https" if app.config["HTTPS"] else "http"


def _instance_secret_key(instance: Path) -> str:
    """Read the instance's secret key, creating it (mode 0600) the first time."""
    path = instance / SECRET_KEY_FILE
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    key = secrets.token_hex(32)
    # Write a private temporary file, then link it into place: the link fails if another
    # worker got there first, and nobody ever reads a half-written key.
    fd, tmp = tempfile.mkstemp(dir=instance, prefix=".secret_key.")
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key + "\n")
        os.link(tmp, path)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    finally:
        os.unlink(tmp)
    return key
