"""A throwaway Redis server on loopback for the test run (the queue's scale-out back-end).

Like tests/pgserver.py: Debian's redis-server, started on a free port bound to 127.0.0.1, as
the unprivileged `redis` user when the tests run as root, from a folder under the system temp
folder that user owns; nothing saved to disk; stopped and removed afterwards.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


class RedisUnavailable(RuntimeError):
    pass


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_binary() -> str:
    found = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None)
    if not found:
        raise RedisUnavailable("redis-server is not installed. `make test` installs it with "
                               "apt-get (Debian package: redis-server).")
    return found


def _unprivileged_user() -> str | None:
    if os.geteuid() != 0:
        return None
    for name in ("redis", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise RedisUnavailable("no unprivileged user (redis, nobody) to run redis-server as")


@dataclass
class RedisServer:
    base: Path
    port: int
    process: subprocess.Popen[bytes]

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    @classmethod
    def start(cls) -> RedisServer:
        binary = _server_binary()
        user = _unprivileged_user()
        base = Path(tempfile.mkdtemp(prefix="convo-redis-", dir=tempfile.gettempdir()))
        if user:
            shutil.chown(base, user=user)
        port = _free_port()
        command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(base),
                   "--save", "", "--appendonly", "no", "--protected-mode", "yes",
                   "--daemonize", "no", "--logfile", str(base / "server.log")]
        if user:
            command = ["runuser", "-u", user, "--", *command]
        process = subprocess.Popen(command, cwd=base, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, start_new_session=True)
        server = cls(base=base, port=port, process=process)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                log = (base / "server.log").read_text(errors="replace") if (
                    base / "server.log").exists() else ""
                shutil.rmtree(base, ignore_errors=True)
                raise RedisUnavailable(f"redis-server exited: {log[-2000:]}")
            if server.ping():
                return server
            time.sleep(0.05)
        server.stop()
        raise RedisUnavailable("redis-server did not answer in 30 s")

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        try:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
            if self.process.stderr:
                self.process.stderr.close()
        finally:
            shutil.rmtree(self.base, ignore_errors=True)
