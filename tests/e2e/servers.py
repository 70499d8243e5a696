"""convo served for a real browser: in a thread of the test process, or as its own process.

Both serve one SQLite database, migrated to head by the Alembic migrations.  The browser
suite runs on SQLite only; the PostgreSQL paths are covered by the integration tests.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from tests.conftest import base_config, migrate_to_head
from tests.reaper import Reaper, watch
from tests.e2e.tools import ROOT, free_port

# Generous limits: every test signs in and joins from 127.0.0.1, and some mistype on purpose.
E2E_SETTINGS = {
    "TESTING": False,  # real error pages, as people see them
    "LOG_LEVEL": "WARNING",
    "SIGNIN_SLOW_AFTER": 1000,
    "SIGNIN_LOCK_AFTER": 2000,
    "SIGNIN_IP_LOCK_AFTER": 5000,
    "JOIN_SLOW_AFTER": 1000,
    "JOIN_LOCK_AFTER": 2000,
}


def prepare_database(folder: Path) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'convo.sqlite3'}"
    migrate_to_head(url, folder)
    return url


def e2e_config(folder: Path, database_url: str, secret: str) -> dict[str, Any]:
    config = base_config(folder, database_url)
    config.update(E2E_SETTINGS)
    config["SECRET_KEY"] = secret
    return config


class ServerErrors(logging.Handler):
    """Collects what the app logs at ERROR: an unhandled exception fails the test."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def take(self) -> list[str]:
        found = [self.format(r) for r in self.records]
        self.records.clear()
        return found


class LiveServer:
    """The app on a free loopback port, served by werkzeug threads inside the test process."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.errors = ServerErrors()
        self.errors.setFormatter(logging.Formatter("%(name)s: %(message)s"))
        logging.getLogger("convo").addHandler(self.errors)
        self._server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name="convo-live-server")
        self._thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)
        self._server.server_close()
        logging.getLogger("convo").removeHandler(self.errors)


class ProcessServer:
    """The app as a separate process (tests/e2e/serve.py) that a test can kill outright and
    start again on the same port and database, as after a power cut."""

    def __init__(self, folder: Path, database_url: str, secret: str) -> None:
        self.folder = folder
        self.port = free_port()
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "CONVO_INSTANCE_PATH": str(folder / "instance"),
            "CONVO_SECRET_KEY": secret,
            "CONVO_EXPORT_DIR": str(folder / "exports"),
            "CONVO_ARGON2_TIME_COST": "1",
            "CONVO_ARGON2_MEMORY_COST": "1024",
        }
        self.process: subprocess.Popen[str] | None = None
        self.reaper: Reaper | None = None
        self.log = folder / "server.log"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def start(self) -> None:
        assert self.process is None, "already running"
        with open(self.log, "a", encoding="utf-8") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.e2e.serve", str(self.port)], cwd=ROOT,
                env=self.env, stdout=subprocess.PIPE, stderr=log, text=True,
                start_new_session=True)
        self.reaper = watch(group=self.process.pid)  # ends it even if the tests are killed
        assert self.process.stdout is not None
        # serve.py prints one line once its socket is listening: wait for that line.
        line = self.process.stdout.readline()
        if not line.startswith("listening"):
            self.kill()
            raise AssertionError(f"the server did not start: {self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL to the server's whole process group: nothing gets to tidy up."""
        assert self.process is not None and self.reaper is not None, "not running"
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # it had already stopped
        self.process.wait(timeout=10)
        self.reaper.end()
        if self.process.stdout:
            self.process.stdout.close()
        self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.kill()
