"""convo served as in production (`make serve`): gunicorn with convo's gunicorn settings
(gunicorn.conf.py), 4 sync workers, the app factory, convo's own request log on (one
line a request, in logs/server.log); bound to 127.0.0.1 on a free port, on the bench's own
instance folder.  gunicorn runs in a process group of its own, with a reaper beside it
(tests/reaper.py): it ends with the bench, even when the bench is killed."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from bench.common import ROOT, VENV_BIN, Instance
from tests.reaper import Reaper, watch

HOST = "127.0.0.1"
WORKERS = 4
CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"'
                        r'|name="csrf_token" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    instance: Instance
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None  # type: ignore[type-arg]
    reaper: Reaper | None = None

    def start(self, timeout: float = 60.0) -> None:
        logs = self.instance.path / "logs"
        logs.mkdir(exist_ok=True)
        command = [str(VENV_BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"),
                   "--workers", str(WORKERS), "--bind", f"{HOST}:{self.port}",
                   "convo:create_app()"]
        self._stderr = open(logs / "server.log", "ab")
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.instance.environment(),
                                        stdout=self._stderr, stderr=self._stderr,
                                        start_new_session=True)
        self.reaper = watch(group=self.process.pid)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}); see "
                                   f"{logs / 'server.log'}")
            try:
                status, _headers, _body = self.request("GET", "/healthz")
                if status == 200 and len(self.worker_pids()) == WORKERS:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not answer /healthz in time")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # graceful: the master stops its workers
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass  # the reaper ends the whole group
        if self.reaper is not None:
            self.reaper.end()
            self.reaper = None
        self.process.wait(timeout=30)
        self._stderr.close()
        self.process = None

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        try:
            text = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        except OSError:
            return []
        return [int(p) for p in text.split()]

    def cpu_seconds(self) -> float:
        """User and system CPU seconds used so far by the master and its workers."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for pid in [self.process.pid if self.process else 0, *self.worker_pids()]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / ticks
        return total

    # --- a plain client for setting things up (not for load) --------------------------------

    def request(self, method: str, path: str, cookie: str | None = None,
                form: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
        headers = {"Cookie": cookie} if cookie else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read().decode("utf-8", "replace")
            headers = {k.lower(): v for k, v in response.getheaders()}
            # Several cookies may be set at once (a sign-in sets the known-device cookie too):
            # keep the session's.
            sessions = [v for k, v in response.getheaders()
                        if k.lower() == "set-cookie" and v.startswith("convo_session=")]
            if sessions:
                headers["set-cookie"] = sessions[-1]
            return response.status, headers, data
        finally:
            connection.close()

    def sign_in(self, email: str, password: str) -> str:
        """Sign in through the real form; the session cookie, also holding a CSRF token."""
        status, headers, page = self.request("GET", "/sign-in")
        cookie = session_cookie(headers)
        status, headers, _ = self.request("POST", "/sign-in", cookie,
                                          {"email": email, "password": password,
                                           "csrf_token": csrf_from(page)})
        if status != 302:
            raise RuntimeError(f"sign-in failed: {status}")
        return session_cookie(headers) or cookie

    def csrf_token(self, path: str, cookie: str) -> tuple[str, str]:
        """A form page's CSRF token, and the session cookie that goes with it."""
        status, headers, page = self.request("GET", path, cookie)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        return csrf_from(page), session_cookie(headers) or cookie


def session_cookie(headers: dict[str, str]) -> str:
    raw = headers.get("set-cookie", "")
    return raw.split(";", 1)[0] if raw.startswith("convo_session=") else ""


def csrf_from(html: str) -> str:
    match = CSRF_FIELD.search(html)
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1) or match.group(2)
