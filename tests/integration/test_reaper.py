"""Servers a test starts end with it, even when the test's process is killed outright (as a
CI timeout or a Ctrl-C to the wrong process does): gunicorn as the benchmark runs it, the
throwaway PostgreSQL server, and any process group a test guards."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.reaper import _members, guarded

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 90.0  # generous: a loaded machine may take a while to end a server


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


def _wait_until(condition, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + LIMIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still {what} after {LIMIT:.0f} s")
        time.sleep(0.2)


def _start_and_kill(script: str) -> list[str]:
    """Run a script that starts a server and prints a line about it, then SIGKILL the script
    (nothing in it gets to tidy up); the printed line's words."""
    process = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, text=True,
                               stdout=subprocess.PIPE, start_new_session=True)
    assert process.stdout is not None
    line = process.stdout.readline().split()
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    process.stdout.close()
    assert line, "the script started nothing"
    return line


@pytest.mark.slow
def test_a_killed_benchmark_leaves_no_gunicorn_behind(tmp_path: Path) -> None:
    port, group = _start_and_kill(f"""
import sys, time
sys.path.insert(0, {str(ROOT)!r})
from pathlib import Path
from bench.common import Instance, make_app
from bench.server import Server
instance = Instance(Path({str(tmp_path)!r}))
make_app(instance, migrate=True)  # /healthz answers 200 only over a migrated database
server = Server(instance)
server.start()
print(server.port, server.process.pid, flush=True)
time.sleep(600)
""")
    assert _members(int(group)), "gunicorn was not running"
    _wait_until(lambda: not _answers(int(port)), "listening")
    _wait_until(lambda: not _members(int(group)), "running")


@pytest.mark.slow
def test_a_killed_test_leaves_no_postgresql_behind() -> None:
    port, base = _start_and_kill(f"""
import sys, time
sys.path.insert(0, {str(ROOT)!r})
from tests.pgserver import PostgresServer
server = PostgresServer.start()
print(server.port, server.base, flush=True)
time.sleep(600)
""")
    _wait_until(lambda: not _answers(int(port)), "listening")
    _wait_until(lambda: not Path(base).exists(), "on disk")


def test_leaving_a_guarded_block_ends_the_whole_group() -> None:
    process = subprocess.Popen(["sh", "-c", "sleep 300 & sleep 300 & wait"],
                               start_new_session=True)
    with guarded(process, grace=1.0):
        _wait_until(lambda: len(_members(process.pid)) == 3, "starting")
    assert process.returncode is not None
    _wait_until(lambda: not _members(process.pid), "running")
