"""A throwaway PostgreSQL server on loopback for the test run.

PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user from a
folder directly under the system temp folder that that user owns.  Stopped and removed
afterwards by a reaper (tests/reaper.py), even when the test process is killed.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tests.reaper import Reaper, watch


class PostgresUnavailable(RuntimeError):
    pass


def _bin_dir() -> Path:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    if candidates:
        return candidates[-1].parent
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise PostgresUnavailable(
        "PostgreSQL server programs (initdb, pg_ctl) are not installed. "
        "`make test` installs them with apt-get (Debian package: postgresql)."
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PostgresServer:
    base: Path
    port: int
    bin_dir: Path
    as_user: str | None
    reaper: Reaper | None = field(default=None, repr=False)

    @property
    def admin_url(self) -> str:
        user = self.as_user or os.environ.get("USER", "postgres")
        return f"postgresql+psycopg://{user}@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        user = self.as_user or os.environ.get("USER", "postgres")
        return f"postgresql+psycopg://{user}@127.0.0.1:{self.port}/{database}"

    def _command(self, *args: str) -> list[str]:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.as_user:
            command = ["runuser", "-u", self.as_user, "--", *command]
        return command

    def _run(self, *args: str) -> None:
        result = subprocess.run(self._command(*args), cwd=self.base, capture_output=True,
                                text=True, timeout=120)
        if result.returncode != 0:
            raise PostgresUnavailable(f"{args[0]} failed: {result.stderr.strip() or result.stdout.strip()}")

    @classmethod
    def start(cls) -> PostgresServer:
        bin_dir = _bin_dir()
        as_user = "postgres" if os.geteuid() == 0 else None
        base = Path(tempfile.mkdtemp(prefix="convo-pg-", dir=tempfile.gettempdir()))
        if as_user:
            shutil.chown(base, user=as_user)
        server = cls(base=base, port=_free_port(), bin_dir=bin_dir, as_user=as_user)
        data = base / "data"
        # From here on, the server is stopped and its folder removed even if this process
        # is killed (pg_ctl leaves the server running on its own, in a session of its own).
        server.reaper = watch(commands=[server._command("pg_ctl", "-D", str(data), "-m",
                                                        "immediate", "stop")], remove=[base])
        try:
            server._run("initdb", "-D", str(data), "-A", "trust", "-E", "UTF8",
                        "--locale=C.UTF-8", "--no-sync", "-U", as_user or os.environ.get("USER", "postgres"))
            server._run(
                "pg_ctl", "-D", str(data), "-l", str(base / "server.log"), "-w", "-t", "60",
                "-o", f"-p {server.port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
                      "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
                "start",
            )
        except Exception:
            server.stop()
            raise
        return server

    def stop(self) -> None:
        """Stop the server and remove its folder (the reaper's work, here and when killed)."""
        if self.reaper is not None:
            self.reaper.end()
            self.reaper = None
        shutil.rmtree(self.base, ignore_errors=True)
