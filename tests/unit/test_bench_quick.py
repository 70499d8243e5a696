"""The benchmarks still run: `bench/run.py --quick` finishes and writes every figure.

Only that it works is checked here, never how fast anything is: speed is measured by
`make bench`, on a quiet machine, not in timed tests.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KEYS = (
    "pdf_overhead_ratio",
    "pdf_vs_libreoffice_speedup",
    "docx_seconds_median",
    "live_throughput_ratio",
    "live_max_conversations",
    "capture_p95_ms",
    "list_p95_ms_10k",
    "large_pdf_seconds",
    "large_pdf_peak_python_mb",
    "large_pdf_maxrss_mb",
    "large_docx_seconds",
    "large_docx_peak_python_mb",
    "large_docx_maxrss_mb",
    "queue_send_ratio",
    "queue_issue_ratio",
    "queue_send_of_goal",
    "queue_issue_of_goal",
    "queue_send_seconds_median",
    "direct_send_seconds_median",
    "queue_issue_seconds_median",
    "direct_issue_seconds_median",
)


@pytest.mark.slow
def test_quick_bench_writes_every_key(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONVO_")}
    env.pop("DATABASE_URL", None)
    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--out", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert completed.returncode == 0, completed.stderr[-4000:]
    results = json.loads(out.read_text())
    assert results["quick"] is True
    for key in KEYS:
        value = results.get(key)
        assert isinstance(value, (int, float)) and not isinstance(value, bool), (key, value)
        assert math.isfinite(value), (key, value)
