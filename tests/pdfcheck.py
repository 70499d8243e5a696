"""Run the two independent PDF/UA checkers from PyPI (`outloud`, `pdfua`) on a PDF file and
return their findings as plain data.  Both are in the `test` extra; they run as the command
line tools they ship, with JSON output, from this interpreter's scripts folder."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

SCRIPTS = Path(sys.executable).parent


@dataclass(frozen=True)
class Finding:
    checker: str
    rule: str
    severity: str  # "error", "warning" or "info"
    message: str
    where: str


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...]
    skipped: tuple[str, ...]  # rules the checker could not evaluate, with its reason

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def of(self, severity: str) -> list[Finding]:
        return [f for f in self.findings if f.severity == severity]


def outloud(path: Path) -> Report:
    run = subprocess.run([str(SCRIPTS / "outloud"), "--json", "-", "--fail-on", "never", str(path)],
                         capture_output=True, text=True, timeout=300, check=True)
    result = json.loads(run.stdout)["results"][0]
    assert result["error"] is None, result["error"]
    findings = []
    for f in result["findings"]:
        # a finding may stand for several elements: count each, as the checker's totals do
        for _ in range(max(1, int(f.get("count") or 1))):
            findings.append(Finding("outloud", f["rule"], f["severity"], f["message"],
                                    json.dumps(f.get("location"))))
    report = Report(tuple(findings), ())
    counts = result["counts"]
    assert (report.count("error"), report.count("warning")) == (counts["error"], counts["warning"])
    return report


def pdfua(path: Path) -> Report:
    run = subprocess.run([str(SCRIPTS / "pdfua"), "check", "--format", "json", str(path)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode in (0, 1, 2, 3), run.stderr
    result = json.loads(run.stdout)
    result = result[0] if isinstance(result, list) else result
    findings = tuple(Finding("pdfua", f["rule_id"], f["severity"], f["message"],
                             str(f.get("location"))) for f in result["findings"])
    skipped = tuple(f"{s.get('rule_id')}: {s.get('reason')}" if isinstance(s, dict) else str(s)
                    for s in result.get("skipped", result.get("rules_skipped_detail", [])))
    return Report(findings, skipped)
