"""Servers a test or the benchmark starts end with it, even when that process is killed.

Each server (gunicorn, PostgreSQL, the HTML checker, a test's own app process) runs in a
process group of its own, and beside it runs a small reaper, started in a session of its own
so that a signal to the test's group doesn't reach it.  The reaper waits on a pipe from the
process that started it: "end" on the pipe, or the pipe closing because that process died
(even by SIGKILL, which no clean-up code sees), makes it end the group (SIGTERM, then SIGKILL
after a grace period), run any stop commands and remove any folders.  Normal stops go the same
way, so the path a killed test needs is the one every run uses.

    python -m tests.reaper '{"group": 1234, "commands": [[...]], "remove": ["/tmp/x"]}'
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
GRACE_SECONDS = 10.0


@dataclass
class Reaper:
    """The parent's handle on one reaper: end() stops what it guards and waits for that."""

    process: subprocess.Popen[bytes]
    pipe: IO[bytes] = field(repr=False)

    def end(self, timeout: float = GRACE_SECONDS + 60) -> None:
        if self.process.poll() is None:
            try:
                self.pipe.write(b"end\n")
                self.pipe.flush()
            except (BrokenPipeError, ValueError):
                pass
        try:
            self.pipe.close()
        except BrokenPipeError:
            pass
        self.process.wait(timeout=timeout)


def watch(group: int | None = None, commands: list[list[str]] | None = None,
          remove: list[Path] | None = None, grace: float = GRACE_SECONDS) -> Reaper:
    """Start a reaper for a process group, stop commands and folders to remove."""
    spec = {"group": group, "commands": commands or [], "grace": grace,
            "remove": [str(p) for p in remove or []]}
    process = subprocess.Popen([sys.executable, "-m", "tests.reaper", json.dumps(spec)],
                               cwd=ROOT, stdin=subprocess.PIPE, start_new_session=True)
    assert process.stdin is not None
    return Reaper(process, process.stdin)


@contextmanager
def guarded(process: subprocess.Popen[Any], grace: float = GRACE_SECONDS) -> Iterator[
        subprocess.Popen[Any]]:
    """A process started with start_new_session=True, ended with its whole group on leaving
    the block, or by its reaper if this process dies first."""
    reaper = watch(group=process.pid, grace=grace)
    try:
        yield process
    finally:
        reaper.end()
        process.wait(timeout=30)


# --- the reaper itself ----------------------------------------------------------------------


def _members(group: int) -> list[int]:
    """Processes of the group that are still running (zombies don't count: their parent
    collects them)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def _end_group(group: int, grace: float) -> None:
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10.0)):
        try:
            os.killpg(group, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while _members(group) and time.monotonic() < deadline:
            time.sleep(0.05)
        if not _members(group):
            return


def main(argv: list[str]) -> int:
    spec = json.loads(argv[1])
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C to the test must not skip this
    sys.stdin.buffer.readline()  # "end", or nothing when the parent has died
    if spec.get("group"):
        _end_group(int(spec["group"]), float(spec.get("grace", GRACE_SECONDS)))
    for command in spec.get("commands", []):
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=120, check=False)
    for folder in spec.get("remove", []):
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
