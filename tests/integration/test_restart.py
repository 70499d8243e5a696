"""A real server (gunicorn, two workers) killed mid-conversation and started again loses nothing."""

from __future__ import annotations

import http.cookiejar
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import csrf_from

GUNICORN = Path(sys.executable).with_name("gunicorn")
CONFIG = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"  # as `make serve`


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, database_url: str, instance: Path, secret: str) -> None:
        self.port = _free_port()
        self.env = {**os.environ, "DATABASE_URL": database_url,
                    "CONVO_INSTANCE_PATH": str(instance), "CONVO_SECRET_KEY": secret,
                    "CONVO_ARGON2_TIME_COST": "1", "CONVO_ARGON2_MEMORY_COST": "1024"}
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(GUNICORN), "-c", str(CONFIG), "--workers", "2",
             "--bind", f"127.0.0.1:{self.port}", "convo:create_app()"],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("server did not start")

    def kill(self) -> None:
        """As hard as a power cut: SIGKILL to the whole process group's master and workers."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        subprocess.run(["pkill", "-9", "-f", f"127.0.0.1:{self.port}"], check=False)


class Browser:
    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, url: str) -> str:
        with self.opener.open(url, timeout=10) as response:
            return response.read().decode()

    def post(self, url: str, data: dict[str, str], page: str) -> int:
        data = {**data, "csrf_token": csrf_from(self.get(page))}
        request = urllib.request.Request(url, data=urllib.parse.urlencode(data).encode(),
                                         headers={"X-Requested-With": "fetch"})
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


@pytest.mark.slow
def test_server_killed_and_restarted_loses_nothing(database_url, tmp_path, make_conversation,
                                                   app):
    ref = make_conversation()
    server = Server(database_url, tmp_path / "instance", app.config["SECRET_KEY"])
    server.start()
    try:
        browser = Browser()
        status = browser.post(server.base + "/sign-in", {"email": ref.facilitator.email,
                                                         "password": ref.facilitator.password},
                              server.base + "/sign-in")
        assert status == 200  # followed the redirect to the conversations list
        console = f"{server.base}/conversations/{ref.id}/console"
        for i in range(5):
            assert browser.post(f"{server.base}/conversations/{ref.id}/items", {
                "text": f"Point {i} typed before the power cut", "kind": "challenge",
                "raised_by": "partnership", "client_id": f"before-{i}"}, console) == 200
        server.kill()
        server.start()
        exported = json.loads(browser.get(f"{server.base}/conversations/{ref.id}/export.json"))
        texts = [item["text"] for item in exported["items"]]
        assert texts == [f"Point {i} typed before the power cut" for i in range(5)]
        # The console's queue resends after a restart; the server stores each point once.
        assert browser.post(f"{server.base}/conversations/{ref.id}/items", {
            "text": "Point 4 typed before the power cut", "kind": "challenge",
            "raised_by": "partnership", "client_id": "before-4"}, console) == 200
        exported = json.loads(browser.get(f"{server.base}/conversations/{ref.id}/export.json"))
        assert len(exported["items"]) == 5
    finally:
        server.kill()
