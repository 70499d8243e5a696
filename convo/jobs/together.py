"""`make run`: the web app and a background worker, started and stopped as one.

The worker runs as a child process (`python -m convo worker --stop-with-parent`) in a session
of its own, so the terminal's Ctrl-C reaches this process only: it stops serving, then asks the
worker to stop (SIGTERM: jobs under way finish first, for up to QUEUE_SHUTDOWN_SECONDS) and
waits for it.  If this process is killed outright, the worker notices its parent has gone and
stops by itself.  A worker that stops on its own is started again.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from typing import Any

import click
from werkzeug.serving import run_simple


class WorkerChild:
    """The worker process beside the web server: started, watched, restarted, stopped."""

    def __init__(self, shutdown_seconds: float) -> None:
        self.shutdown_seconds = shutdown_seconds
        self.process: subprocess.Popen[bytes] | None = None
        self.stopping = threading.Event()
        self.watcher = threading.Thread(target=self._watch, name="convo-worker-watch",
                                        daemon=True)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "convo", "worker", "--stop-with-parent"],
            start_new_session=True)
        if not self.watcher.is_alive():
            self.watcher.start()

    def _watch(self) -> None:
        delay = 1.0
        while not self.stopping.is_set():
            assert self.process is not None
            code = self.process.poll()
            if code is not None and not self.stopping.is_set():
                click.echo(f"convo: the background worker stopped (exit code {code}); "
                           f"starting it again in {delay:.0f} s.", err=True)
                if self.stopping.wait(delay):
                    return
                delay = min(delay * 2, 60.0)
                self.start()
            self.stopping.wait(0.5)

    def stop(self) -> None:
        self.stopping.set()
        process = self.process
        if process is None or process.poll() is not None:
            return
        click.echo("convo: stopping the background worker (jobs under way finish first)...",
                   err=True)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=self.shutdown_seconds + 5)
        except (subprocess.TimeoutExpired, KeyboardInterrupt):
            process.kill()
            process.wait()


def serve(app: Any, host: str, port: int) -> None:
    """Serve the app on host:port with a worker beside it until Ctrl-C or SIGTERM."""
    worker = WorkerChild(float(app.config["QUEUE_SHUTDOWN_SECONDS"]))

    def terminate(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    # Ctrl-C and SIGTERM both stop the pair, even where SIGINT was ignored when this started
    # (a background job of a script).
    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGINT, terminate)
    worker.start()
    try:
        click.echo(f"convo: serving on http://{host}:{port}/ with a background worker "
                   "(Ctrl-C stops both).", err=True)
        run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)
    except KeyboardInterrupt:
        pass
    finally:
        worker.stop()


def watch_parent(parent: int, stop: threading.Event, interval: float = 1.0) -> None:
    """In a worker started by serve(): stop (as on SIGTERM) once the parent has gone."""
    import os

    def watch() -> None:
        while not stop.wait(interval):
            if os.getppid() != parent:
                os.kill(os.getpid(), signal.SIGTERM)
                return

    threading.Thread(target=watch, name="convo-parent-watch", daemon=True).start()
    time.sleep(0)  # let it start
