"""The browser suite's outside tools: Debian's Chromium and Java, and two npm packages.

axe-core (accessibility rules) and vnu-jar (the Nu HTML Checker) come from the npm registry
into .test-tools/ (git-ignored) the first time the suite runs; later runs reuse them.  Nothing
is skipped: a missing tool fails the run with a message saying how to get it.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.reaper import watch

ROOT = Path(__file__).resolve().parents[2]
TOOLS = Path(os.environ.get("CONVO_TEST_TOOLS") or ROOT / ".test-tools")
# Pinned: a new axe release adds rules, so it arrives by changing this line on purpose.
NPM_PACKAGES = {"axe-core": "4.14", "vnu-jar": "26"}
AXE_JS = TOOLS / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = TOOLS / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM = Path(os.environ.get("CONVO_CHROMIUM") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # the suite runs as root
    "--disable-gpu",
    # Keep the browser off the network: it talks only to the servers the tests start.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class ToolMissing(RuntimeError):
    """A tool the browser suite needs can't be found or installed."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(condition: Callable[[], bool], timeout: float, what: str,
               every: float = 0.05) -> None:
    """Poll a condition that no event announces (a port opening), up to `timeout` seconds."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what} after {timeout:.0f} s")
        pause.wait(every)


def _installed_version(package: str) -> str | None:
    manifest = TOOLS / "node_modules" / package / "package.json"
    try:
        return str(json.loads(manifest.read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError):
        return None


def _wanted(package: str, version: str | None) -> bool:
    pin = NPM_PACKAGES[package]
    return version is not None and (version == pin or version.startswith(pin + "."))


def ensure_npm_tools() -> None:
    """Install axe-core and vnu-jar into .test-tools/ unless the pinned versions are there.

    A lock file keeps two test workers from installing at once."""
    TOOLS.mkdir(parents=True, exist_ok=True)
    with open(TOOLS / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        missing = [name for name in NPM_PACKAGES
                   if not _wanted(name, _installed_version(name))]
        if not missing and AXE_JS.is_file() and VNU_JAR.is_file():
            return
        npm = shutil.which("npm")
        if npm is None:
            raise ToolMissing(
                "The browser tests need npm to fetch axe-core and vnu-jar into .test-tools/. "
                "Install it (Debian: apt-get install npm) or put the packages there yourself: "
                f"npm install --prefix {TOOLS} --ignore-scripts "
                + " ".join(f"{n}@{v}" for n, v in NPM_PACKAGES.items()))
        command = [npm, "install", "--prefix", str(TOOLS), "--no-audit", "--no-fund",
                   # vnu-jar's install script would download a Java runtime: Debian's is used.
                   "--ignore-scripts", "--loglevel=error",
                   *(f"{name}@{version}" for name, version in NPM_PACKAGES.items())]
        result = subprocess.run(command, capture_output=True, text=True, timeout=600)
        if result.returncode != 0 or not AXE_JS.is_file() or not VNU_JAR.is_file():
            raise ToolMissing(
                "npm could not install the browser tests' tools into .test-tools/ "
                f"({' '.join(command)}):\n{result.stdout}\n{result.stderr}")


def check_system_tools() -> None:
    if not CHROMIUM.is_file():
        raise ToolMissing(f"Chromium is not at {CHROMIUM}. Install Debian's package "
                          "(apt-get install chromium; `make test` does it) or set CONVO_CHROMIUM.")
    if shutil.which("java") is None:
        raise ToolMissing("Java is needed for the Nu HTML Checker. Install Debian's "
                          "default-jre-headless (`make test` does it).")


# --- the Nu HTML Checker, as a service on loopback --------------------------------------------


@dataclass(frozen=True)
class HtmlError:
    message: str
    line: int | None
    extract: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.message}  «{self.extract.strip()[:160]}»"


class Validator:
    """One Nu HTML Checker for the session: started at once, waited for on first use."""

    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        self.log = open(log_dir / "vnu.log", "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            ["java", "-Dnu.validator.servlet.bind-address=127.0.0.1", "-cp", str(VNU_JAR),
             "nu.validator.servlet.Main", str(self.port)],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
        self.reaper = watch(group=self.process.pid)  # ends it even if the tests are killed
        self._ready = False
        self._seen: dict[str, list[HtmlError]] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/?out=json&level=error"

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            raise ToolMissing(f"the Nu HTML Checker stopped (exit {self.process.returncode}); "
                              f"see {self.log.name}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=2):
                return True
        except (urllib.error.URLError, OSError):
            return False

    def wait_ready(self) -> None:
        if not self._ready:
            wait_until(self._answers, 90, "the Nu HTML Checker to start")
            self._ready = True

    def errors(self, html: str) -> list[HtmlError]:
        """The checker's errors for this document (each distinct document is checked once)."""
        if html in self._seen:
            return self._seen[html]
        self.wait_ready()
        request = urllib.request.Request(
            self.url, data=html.encode("utf-8"), method="POST",
            headers={"Content-Type": "text/html; charset=utf-8"})
        with urllib.request.urlopen(request, timeout=60) as response:
            report: dict[str, Any] = json.load(response)
        found = [HtmlError(m.get("message", ""), m.get("lastLine"), m.get("extract", ""))
                 for m in report.get("messages", [])
                 if m.get("type") in ("error", "non-document-error")]
        self._seen[html] = found
        return found

    def stop(self) -> None:
        self.reaper.end()
        self.process.wait(timeout=30)
        self.log.close()


def axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")
