"""Running the queue's jobs in tests: in this process (run_jobs), or in a real worker process
(WorkerProcess, `python -m convo worker`) that a test can kill outright and start again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


class JobFailed(AssertionError):
    pass


def run_jobs(app: Flask, *, scheduled: bool = False, limit: int = 200) -> int:
    """Run every job waiting on the app's queue here, as a worker's thread would, until none
    is left (with scheduled=True, also those scheduled for later); how many ran.  A job that
    raises fails the test."""
    from huey import signals

    huey = app.extensions["convo.queue"].huey
    failures: list[str] = []

    @huey.signal(signals.SIGNAL_ERROR)
    def failed(signal_name: str, task: Any, exc: BaseException | None = None) -> None:
        failures.append(f"{task.name}: {exc!r}")

    ran = 0
    try:
        while ran < limit:
            if scheduled:
                for task in huey.read_schedule(datetime(9999, 1, 1, tzinfo=timezone.utc)
                                               .replace(tzinfo=None)):
                    task.eta = None
                    huey.enqueue(task)
            task = huey.dequeue()
            if task is None:
                break
            task.eta = None if scheduled else task.eta
            huey.execute(task)
            ran += 1
    finally:
        huey.disconnect_signal(failed, signals.SIGNAL_ERROR)
    if failures:
        raise JobFailed("; ".join(failures))
    return ran


def worker_environment(app: Flask, **extra: str) -> dict[str, str]:
    """The environment a worker process needs to share this app's database, queue, archive
    and mail settings."""
    config = app.config
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONVO_")}
    env.update({
        "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
        "CONVO_INSTANCE_PATH": app.instance_path,
        "CONVO_SECRET_KEY": config["SECRET_KEY"],
        "CONVO_EXPORT_DIR": config["EXPORT_DIR"],
        "CONVO_QUESTION_SETS_DIR": config["QUESTION_SETS_DIR"],
        "CONVO_QUEUE_URL": app.extensions["convo.queue"].url,
    })
    for key in ("MAIL_HOST", "MAIL_PORT", "MAIL_SECURITY", "MAIL_FROM", "MAIL_TIMEOUT",
                "MAIL_RETRY_DELAYS", "QUEUE_HEARTBEAT_SECONDS", "QUEUE_STALE_SECONDS",
                "QUEUE_REQUEUE_SECONDS", "QUEUE_POLL_SECONDS", "QUEUE_WORKERS"):
        if config.get(key) is not None:
            value = config[key]
            env[f"CONVO_{key}"] = value if isinstance(value, str) else __import__("json").dumps(value)
    env.update(extra)
    return env


class WorkerProcess:
    """`python -m convo worker` on the app's database and queue, in its own process group."""

    def __init__(self, app: Flask, log: Path, **extra: str) -> None:
        self.env = worker_environment(app, **extra)
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert self.process is None, "already running"
        with open(self.log, "ab") as out:
            # --stop-with-parent: if the test run itself is killed, its worker stops too.
            self.process = subprocess.Popen(
                [sys.executable, "-m", "convo", "worker", "--stop-with-parent"], cwd=ROOT,
                env=self.env, stdout=out, stderr=out, start_new_session=True)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def kill(self) -> None:
        """SIGKILL: nothing gets to tidy up."""
        assert self.process is not None, "not running"
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def stop(self, timeout: float = 60) -> int:
        """SIGTERM, as systemd stops it: jobs under way finish first."""
        if self.process is None:
            return 0
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"the worker did not stop: {self.log_text()[-3000:]}")
        self.process = None
        return code

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def wait_for(condition: Any, timeout: float = 30, interval: float = 0.1,
             message: str = "condition") -> Any:
    """Poll until condition() is truthy; its value.  Fails after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message}")
        time.sleep(interval)


def map_file(app: Flask, auth: Any, partnership_id: int, kind: str) -> Any:
    """The relationship map's PDF or Word file as a facilitator gets it: asked for on its page,
    made by the worker (run here), then downloaded from the same address."""
    page = f"/partnerships/{partnership_id}/map.{kind}"
    asked = auth.post(page, form_page="/account")
    assert asked.status_code == 303, asked.status_code
    run_jobs(app)
    response = auth.client.get(page)
    assert response.status_code == 200 and response.mimetype != "text/html", page
    return response
