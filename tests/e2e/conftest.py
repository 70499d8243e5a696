"""Browser tests: convo in Debian's Chromium, driven by Playwright for Python.

Session-wide (per test worker): one live server on a fresh migrated SQLite database, one
headless Chromium, one Nu HTML Checker service.  Per test: the `e2e` harness (see
harness.py) with its own browser contexts.  Every test here is marked `e2e`:
`pytest -m "not e2e"` runs the rest without a browser.

When a test fails, screenshots of every page state it reached, and of every page still open,
are saved under screenshots/failures/<test>/ and named in the report.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from convo import create_app
from tests.e2e import tools
from tests.e2e.harness import TIMEOUT_MS, Harness, slug
from tests.e2e.servers import LiveServer, e2e_config, prepare_database
from tests.queueing import WorkerProcess

FAILURES = tools.ROOT / "screenshots" / "failures"

expect.set_options(timeout=TIMEOUT_MS)  # every expect waits on a condition, generously


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "e2e: browser tests (Chromium, Playwright, axe-core, Nu HTML Checker)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)
            # One worker takes the browser tests (with --dist loadgroup), so one Chromium
            # and one Java checker start, not two.
            item.add_marker(pytest.mark.xdist_group("e2e"))


@pytest.fixture(scope="session")
def e2e_tools() -> None:
    try:
        tools.check_system_tools()
        tools.ensure_npm_tools()
    except tools.ToolMissing as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def validator(e2e_tools: None,
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[tools.Validator]:
    checker = tools.Validator(tmp_path_factory.mktemp("vnu"))
    try:
        yield checker
    finally:
        checker.stop()


@pytest.fixture(scope="session")
def axe_source(e2e_tools: None) -> str:
    return tools.axe_source()


@pytest.fixture(scope="session")
def browser(e2e_tools: None, validator: tools.Validator) -> Iterator[Browser]:
    # Depends on `validator` only so that Java starts first and warms up while Chromium does.
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(tools.CHROMIUM),
                                              headless=True, args=tools.CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def server_secret() -> str:
    return secrets.token_hex(32)


@pytest.fixture(scope="session")
def e2e_database(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("e2e-db")
    return folder, prepare_database(folder)


@pytest.fixture(scope="session")
def live_server(e2e_database: tuple[Path, str], server_secret: str) -> Iterator[LiveServer]:
    folder, url = e2e_database
    server = LiveServer(create_app(e2e_config(folder, url, server_secret)))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def e2e_worker(live_server: LiveServer,
               e2e_database: tuple[Path, str]) -> Iterator[WorkerProcess]:
    """A background worker process beside the live server (as `make run` runs one): it
    issues the summaries the browser asks for."""
    folder, _url = e2e_database
    worker = WorkerProcess(live_server.app, folder / "worker.log")
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()


def _keep_folder(request: pytest.FixtureRequest) -> Path | None:
    target = os.environ.get("CONVO_SCREENSHOTS")
    if not target:
        return None
    return Path(target).resolve() / slug(request.node.name)


@pytest.fixture
def e2e(request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer,
        e2e_worker: WorkerProcess, validator: tools.Validator, axe_source: str,
        tmp_path: Path) -> Iterator[Harness]:
    folder = tmp_path / "states"
    folder.mkdir()
    harness = Harness(browser, live_server, validator, axe_source, folder,
                      _keep_folder(request))
    live_server.errors.take()  # anything logged before this test belongs to another
    request.node.e2e_harness = harness
    try:
        yield harness
        problems = live_server.errors.take()
        assert not problems, "the server logged errors:\n" + "\n".join(problems)
    finally:
        harness.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item,
                               call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    harness: Harness | None = getattr(item, "e2e_harness", None)
    if harness is None or not report.failed:
        return
    folder = harness.save_failure(FAILURES / slug(item.nodeid))
    report.sections.append(("screenshots", f"every page state and open page: {folder}"))
