"""convo's benchmarks: `make bench` (about 5 minutes) or `make bench QUICK=1` (under a minute).

    .venv/bin/python bench/run.py [--quick] [--out bench/results.json]

QUICK=1 in the environment is the same as --quick.  Prints a table and writes every figure
to bench/results.json: each headline figure is a ratio, or an absolute figure, measured in
this run on this machine; the absolute figures behind each ratio are written beside it.

Everything runs on a throwaway instance folder (SQLite in WAL mode, the database a
single-machine `make serve` uses) under the system's temporary folder.  The server is gunicorn
as `make serve` starts it, on 127.0.0.1; every load comes from bench/loadgen.py in its own
process, bounded in requests and time.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (BENCH, Instance, Settings, cpu_pressure_total,  # noqa: E402
                          make_app)

# key: (goal, "max" when the figure must stay at or under it / "min" at or over, unit, label)
GOALS: dict[str, tuple[float, str, str, str]] = {
    "pdf_overhead_ratio": (1.10, "max", "x", "PDF: convo ÷ WeasyPrint alone"),
    "pdf_vs_libreoffice_speedup": (2.0, "min", "x", "PDF: LibreOffice ÷ convo"),
    "docx_seconds_median": (0.30, "max", "s", "Word file, demo conversation"),
    "live_throughput_ratio": (0.70, "min", "x", "follow endpoint ÷ /healthz, req/s"),
    "live_max_conversations": (300, "min", "", "live conversations, 6 devices each"),
    "live_capacity_ratio": (0.70, "min", "x", "polls/s within the goal ÷ /healthz, req/s"),
    "capture_p95_ms": (100, "max", "ms", "saving a point under live load, p95"),
    "list_p95_ms_10k": (100, "max", "ms", "list and search of 10,000, p95"),
    "queue_send_of_goal": (1.0, "max", "x", "send to 10 via the worker ÷ (1.2 × directly + poll)"),
    "queue_issue_of_goal": (1.0, "max", "x", "issue to download via worker ÷ (1.2 × directly + poll)"),
    "partnership_map_p95_ms": (300, "max", "ms", "map page, 50 agencies, 40 conversations, p95"),
    "partnership_history_p95_ms": (500, "max", "ms", "a relationship's history, 20 conversations, p95"),
}
# Every figure each part writes (the goals' and the details behind them).
FIGURES = {
    "documents": ("pdf_overhead_ratio", "pdf_vs_libreoffice_speedup", "docx_seconds_median",
                  "run_sheet_pdf_seconds_median",
                  "large_pdf_seconds", "large_pdf_peak_python_mb", "large_pdf_maxrss_mb",
                  "large_docx_seconds", "large_docx_peak_python_mb", "large_docx_maxrss_mb"),
    "server": ("live_throughput_ratio", "live_max_conversations", "capture_p95_ms",
               "list_p95_ms_10k", "live_capacity_ratio", "partnership_map_p95_ms",
               "partnership_history_p95_ms", "partnership_tracker_p95_ms",
               "partnership_map_pdf_seconds_median"),
}
DETAILS = {
    "pdf_overhead_ratio": ("pdf_cpu_seconds_median", "weasyprint_alone_cpu_seconds_median",
                           "s CPU"),
    "pdf_vs_libreoffice_speedup": ("libreoffice_seconds_median", "pdf_seconds_median", "s"),
    "live_throughput_ratio": ("live_rps", "trivial_rps", "req/s"),
    "live_capacity_ratio": ("live_capacity_polls_per_second", "trivial_rps", "req/s"),
    "list_p95_ms_10k": ("list_only_p95_ms", "list_search_p95_ms", "ms"),
    "queue_send_of_goal": ("queue_send_seconds_median", "direct_send_seconds_median", "s"),
    "queue_issue_of_goal": ("queue_issue_seconds_median", "direct_issue_seconds_median", "s"),
}


def meets(key: str, value: float) -> bool:
    goal, direction, _unit, _label = GOALS[key]
    return value <= goal if direction == "max" else value >= goal


def table(results: dict[str, Any]) -> str:
    lines = [f"{'figure':29s} {'value':>9s}  {'goal':>8s}  {'':4s}  details",
             "-" * 100]
    for key, (goal, direction, unit, label) in GOALS.items():
        value = results[key]
        sign = "<=" if direction == "max" else ">="
        shown = f"{value:.0f}" if key == "live_max_conversations" else (
            f"{value:.1f}" if unit == "ms" else f"{value:.3f}")
        detail = label
        if key in DETAILS:
            a, b, u = DETAILS[key]
            fmt = ".0f" if u == "req/s" else (".1f" if u == "ms" else ".3f")
            if key == "pdf_overhead_ratio":
                detail += f" [wall {results['pdf_overhead_ratio_wall']:.3f}]"
            if key.startswith("queue_"):
                detail += f" [÷ directly {results[key.replace('_of_goal', '_ratio')]:.2f}]"
            if key == "live_throughput_ratio":
                detail += f" [by server CPU/request {results['live_throughput_ratio_cpu']:.3f}]"
            detail += f" ({results[a]:{fmt}} vs {results[b]:{fmt}} {u})"
        if key.startswith("partnership_"):
            detail += (f" (p50 {results[key.replace('_p95_', '_p50_')]:.1f} ms; tracker p95 "
                       f"{results['partnership_tracker_p95_ms']:.1f} ms; map PDF "
                       f"{results['partnership_map_pdf_seconds_median']:.2f} s)")
        if key == "capture_p95_ms":
            detail += f" (at {results['capture_measured_at_conversations']} conversations)"
        lines.append(f"{key:29s} {shown:>9s}  {sign}{goal:<6g}  "
                     f"{'ok' if meets(key, value) else 'MISS':4s}  {detail}")
    lines.append("-" * 100)
    lines.append(
        f"large conversation (300 points, 40 actions): PDF {results['large_pdf_seconds']:.2f} s"
        f" ({results['large_pdf_pages']} pages, Python peak {results['large_pdf_peak_python_mb']:.0f}"
        f" MB, process peak RSS {results['large_pdf_maxrss_mb']:.0f} MB); Word "
        f"{results['large_docx_seconds']:.2f} s (Python peak "
        f"{results['large_docx_peak_python_mb']:.0f} MB, process peak RSS "
        f"{results['large_docx_maxrss_mb']:.0f} MB)")
    levels = results.get("live_levels", {})
    for count, level in levels.items():
        lines.append(
            f"live {int(count):4d} conversations ({level['devices']} devices): "
            f"{level['poll_rps']:.0f} polls/s, p95 {level['poll_p95_ms']:.1f} ms, changes seen "
            f"within {level['visible_max_s']:.2f} s, capture p95 {level['capture_p95_ms']:.1f} ms,"
            f" CPU server {level['server_cpu']:.2f} + loadgen {level['loadgen_cpu']:.2f} cores,"
            f" others {level['other_cpu']:.2f}, pressure {level['cpu_pressure']:.0%}"
            f" {'pass' if level['passed'] else 'FAIL'}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run under a minute (also QUICK=1)")
    parser.add_argument("--out", type=Path, default=BENCH / "results.json")
    parser.add_argument("--only", choices=("documents", "server", "queue"), default=None,
                        help="run one part (the other's keys are then missing)")
    args = parser.parse_args()
    quick = args.quick or os.environ.get("QUICK", "").strip() not in ("", "0", "false", "no")
    settings = Settings(quick=quick)
    results: dict[str, Any] = {"quick": quick}
    started = time.perf_counter()
    pressure_before = cpu_pressure_total()
    work = Path(tempfile.mkdtemp(prefix="convo-bench-"))
    try:
        if args.only in (None, "documents"):
            from bench import documents

            results.update(documents.run(settings, work))
        if args.only in (None, "server"):
            from bench import listing, live
            from bench.server import Server

            instance = Instance(work / "server")
            instance.path.mkdir()
            app = make_app(instance, migrate=True)
            server = Server(instance)
            server.start()
            try:
                results.update(listing.run(settings, app, server))
                from bench import partnership

                results.update(partnership.run(settings, app, server))
                results.update(live.run(settings, app, server))
            finally:
                server.stop()
                with app.app_context():
                    from convo.extensions import db

                    db.session.remove()
                    db.engine.dispose()
        if args.only in (None, "queue"):
            from bench import background

            results.update(background.run(settings, work))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["seconds"] = time.perf_counter() - started
    pressure_after = cpu_pressure_total()
    if pressure_before is not None and pressure_after is not None:
        # How much of the run some task waited for a CPU: high means a busy machine.
        results["cpu_pressure_during_run"] = (pressure_after - pressure_before) / results["seconds"]
    results["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "platform": platform.platform(),
                          "loadavg_at_end": list(os.getloadavg())}
    results["database"] = "SQLite (WAL) in a throwaway instance folder"
    results["server"] = ("gunicorn -c gunicorn.conf.py --workers 4 (sync) "
                         "'convo:create_app()', as `make serve`")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    if all(key in results for key in GOALS):
        print(table(results))
    print(f"\n{'quick' if quick else 'full'} run took {results['seconds']:.0f} s; "
          f"wrote {args.out}")
    missing = missing_figures(results, args.only)
    if missing:
        print(f"figures missing or not numbers: {', '.join(missing)}", file=sys.stderr)
        return 1
    return 0


def missing_figures(results: dict[str, Any], only: str | None) -> list[str]:
    """Every figure the run should have written, that it didn't (or not as a finite number):
    `make bench QUICK=1` is the benchmarks' smoke test, and fails on any."""
    wanted = [*(FIGURES["documents"] if only in (None, "documents") else ()),
              *(FIGURES["server"] if only in (None, "server") else ())]
    return [key for key in wanted
            if not isinstance(results.get(key), (int, float)) or isinstance(results[key], bool)
            or not math.isfinite(results[key])]


if __name__ == "__main__":
    sys.exit(main())
