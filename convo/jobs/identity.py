"""Who this process is, as the queue's records name it: host:pid:random.

A claim on a job (a send being sent, a version being issued) names the worker holding it; the
worker's heartbeat row has the same name.  The random part tells a restarted process from an
earlier one that had the same process id."""

from __future__ import annotations

import os
import secrets
import socket

_identity: tuple[int, str] | None = None


def worker_id() -> str:
    """This process's name; a forked child gets a name of its own."""
    global _identity
    pid = os.getpid()
    if _identity is None or _identity[0] != pid:
        _identity = (pid, f"{socket.gethostname()[:100]}:{pid}:{secrets.token_hex(4)}")
    return _identity[1]


def parse(identity: str) -> tuple[str, int] | None:
    """(hostname, pid) from a worker's name, or None if it isn't one."""
    host, _, rest = identity.partition(":")
    pid, _, _token = rest.partition(":")
    return (host, int(pid)) if pid.isdigit() else None
