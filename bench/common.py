"""What every benchmark shares: a throwaway instance, the app, statistics, timing."""

from __future__ import annotations

import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VENV_BIN = Path(sys.executable).parent


@dataclass
class Settings:
    quick: bool
    started: float = field(default_factory=time.perf_counter)

    def pick(self, full: Any, quick: Any) -> Any:
        return quick if self.quick else full


@dataclass(frozen=True)
class Instance:
    """A throwaway instance folder with its own SQLite database (WAL), exports and key."""

    path: Path

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.path / 'convo.sqlite3'}"

    @property
    def secret_key(self) -> str:
        key_file = self.path / "bench_secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
        return key_file.read_text().strip()

    def config(self) -> dict[str, Any]:
        return {
            "INSTANCE_PATH": str(self.path),
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "EXPORT_DIR": str(self.path / "exports"),
            "QUESTION_SETS_DIR": str(self.path / "question_sets"),
            "SECRET_KEY": self.secret_key,
            "LOG_LEVEL": "WARNING",
        }

    def environment(self) -> dict[str, str]:
        """The same settings as environment variables, for gunicorn (convo/config.py)."""
        env = dict(os.environ)
        env.update({
            "CONVO_INSTANCE_PATH": str(self.path),
            "DATABASE_URL": self.database_url,
            "CONVO_EXPORT_DIR": str(self.path / "exports"),
            "CONVO_QUESTION_SETS_DIR": str(self.path / "question_sets"),
            "CONVO_SECRET_KEY": self.secret_key,
        })
        return env


def make_app(instance: Instance, migrate: bool = False):  # type: ignore[no-untyped-def]
    import logging

    from convo import create_app

    app = create_app(instance.config())
    logging.getLogger("convo.request").setLevel(logging.WARNING)
    if migrate:
        from flask_migrate import upgrade

        with app.app_context():
            upgrade()
    logging.getLogger("alembic").setLevel(logging.WARNING)
    return app


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def run_loadgen(spec: dict[str, Any], timeout: float) -> dict[str, Any]:
    """Run bench/loadgen.py as its own process with this spec; its JSON answer."""
    completed = subprocess.run(
        [sys.executable, str(BENCH / "loadgen.py")], input=json.dumps(spec),
        capture_output=True, text=True, timeout=timeout, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"loadgen failed ({completed.returncode}): {completed.stderr[-2000:]}")
    return json.loads(completed.stdout)


def cpu_pressure_total() -> float | None:
    """Seconds, so far, in which some runnable task waited for a CPU (Linux PSI), or None."""
    try:
        with open("/proc/pressure/cpu") as handle:
            for line in handle:
                if line.startswith("some"):
                    return int(line.rsplit("total=", 1)[1]) / 1e6
    except (OSError, ValueError, IndexError):
        return None
    return None


def busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has spent busy so far (all processes, /proc/stat)."""
    with open("/proc/stat") as handle:
        fields = [int(v) for v in handle.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle and iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
