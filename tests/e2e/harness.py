"""What every browser test uses: contexts sized as people's screens, and `check(page, name)`,
which treats the page as it stands as one *page state* and holds it to the issue's bar:

- the HTML the server sent (the navigation's response, and every HTML fragment fetched since
  the last check) passes the Nu HTML Checker with no errors;
- axe-core finds no WCAG 2.2 A or AA violation in the page as it is now;
- every form field has a visible label;
- nothing spills out of the window sideways, and no box cuts its text off;
- the browser logged no script error or Content-Security-Policy refusal;
- the server logged no unhandled exception.

Each state is also screenshotted (full page): kept when a test fails, and written to
screenshots/ by `make screenshots` (CONVO_SCREENSHOTS=folder).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Response

from tests.e2e.servers import LiveServer
from tests.e2e.tools import HtmlError, Validator

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
# How long a browser step may wait for what it waits on (a page, a button, a text): generous,
# because every wait is for a condition and ends as soon as it holds.  A quiet machine needs a
# second or two; a machine busy with other work can need far longer, and a fixed 15 s failed
# tests that had done nothing wrong.  CONVO_E2E_TIMEOUT (seconds) changes it.
TIMEOUT_MS = int(float(os.environ.get("CONVO_E2E_TIMEOUT", "120")) * 1000)
PASSWORD = "a long and memorable passphrase"
DESKTOP = {"width": 1440, "height": 900}
PROJECTOR = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 320, "height": 640}

# Browser console lines that are not faults: a request that failed because a test cut the
# network or stopped the server, or a form answered 4xx on purpose.
EXPECTED_CONSOLE = re.compile(r"^Failed to load resource")

UNLABELLED_FIELDS_JS = """() => {
  const skip = new Set(["hidden", "submit", "button", "reset", "image"]);
  const text = el => (el && el.textContent || "").trim();
  return [...document.querySelectorAll("input, select, textarea")]
    .filter(el => !skip.has(el.type))
    .filter(el => {
      if (el.labels && [...el.labels].some(label => text(label))) { return false; }
      const ids = (el.getAttribute("aria-labelledby") || "").split(/\\s+/).filter(Boolean);
      return !ids.some(id => text(document.getElementById(id)));
    })
    .map(el => el.outerHTML.slice(0, 160));
}"""

# Boxes whose content is cut off or needs sideways scrolling: text people can't read whole.
# A data table may scroll sideways inside a named region that takes focus (WCAG 1.4.10's
# exception for data tables; tests/e2e/test_wcag22.py checks the region).
CLIPPED_JS = """() => [...document.querySelectorAll("body *")].filter(el => {
  if (/^(INPUT|TEXTAREA|SELECT|svg|OPTION)$/i.test(el.tagName)) { return false; }
  if (el.matches('[role=region][tabindex="0"]') && el.querySelector("table")
      && (el.getAttribute("aria-label") || el.getAttribute("aria-labelledby"))) { return false; }
  const style = getComputedStyle(el);
  if (style.overflowX === "visible" || el.clientWidth < 4 || el.closest("[hidden]")) {
    return false;
  }
  return el.scrollWidth - el.clientWidth > 1 && style.display !== "none";
}).map(el => `${el.tagName.toLowerCase()}.${[...el.classList].join(".")} is cut off or scrolls `
  + `sideways (${el.scrollWidth} > ${el.clientWidth} px): ${el.textContent.trim().slice(0, 60)}`)"""

FRAGMENT_PAGE = ('<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
                 "<title>fragment</title></head><body>{}</body></html>")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "state"


@dataclass
class Watched:
    """What one page has been sent and has logged since its last check."""

    page: Page
    label: str
    document: Response | None = None
    fragments: list[Response] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    def attach(self) -> None:
        self.page.on("response", self._response)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.console.append(f"script error: {error}"))

    def _response(self, response: Response) -> None:
        request = response.request
        if not response.headers.get("content-type", "").startswith("text/html"):
            return
        if request.is_navigation_request():
            if request.frame == self.page.main_frame and not 300 <= response.status < 400:
                self.document = response
                self.fragments.clear()
        elif request.resource_type in ("fetch", "xhr") and response.status == 200:
            self.fragments.append(response)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and not EXPECTED_CONSOLE.match(message.text):
            self.console.append(f"console: {message.text}")


@dataclass(frozen=True)
class State:
    number: int
    name: str
    page_label: str
    url: str
    screenshot: Path


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    name: str
    password: str = PASSWORD


class Harness:
    """One test's browser contexts, page watchers and page states."""

    def __init__(self, browser: Browser, server: LiveServer, validator: Validator,
                 axe_source: str, folder: Path, keep: Path | None) -> None:
        self.browser = browser
        self.server = server
        self.validator = validator
        self.axe_source = axe_source
        self.folder = folder  # this test's screenshots
        self.keep = keep  # `make screenshots`: the folder that keeps them
        self.contexts: list[BrowserContext] = []
        self.watched: dict[int, Watched] = {}
        self.states: list[State] = []
        self.checked_fragments = 0
        self.checked_languages = 0  # page states checked again in another language

    # --- browsers -----------------------------------------------------------------------------

    def context(self, label: str, viewport: dict[str, int] = DESKTOP, phone: bool = False,
                base_url: str | None = None, **options: Any) -> BrowserContext:
        if phone:
            options.update(is_mobile=True, has_touch=True, device_scale_factor=2)
        context = self.browser.new_context(
            viewport=viewport, base_url=base_url or self.server.base,
            locale=options.pop("locale", "en-GB"),
            timezone_id="Europe/London", accept_downloads=True, **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("page", lambda page: self.watch(page, label))
        self.contexts.append(context)
        return context

    def page(self, label: str, viewport: dict[str, int] = DESKTOP, phone: bool = False,
             base_url: str | None = None, **options: Any) -> Page:
        return self.context(label, viewport, phone, base_url, **options).new_page()

    def watch(self, page: Page, label: str) -> None:
        if id(page) not in self.watched:
            watched = Watched(page, label)
            watched.attach()
            self.watched[id(page)] = watched

    # --- people ---------------------------------------------------------------------------------

    def facilitator(self, name: str = "Morgan Facilitator", app: Any = None) -> Person:
        from convo.auth.service import create_facilitator
        from convo.extensions import db

        email = f"{slug(name)}-{secrets.token_hex(4)}@example.org"
        with (app or self.server.app).app_context():
            person = create_facilitator(email, name, PASSWORD)
            db.session.commit()
            return Person(person.id, email, name)

    def conversation(self, owner: Person, status: str = "live", app: Any = None,
                     set_id: str = "health", subtype: str | None = "pcn") -> tuple[int, str]:
        """A conversation (by default with a health agency) with four people, made directly
        (for tests whose subject is not preparing one).  Returns (id, join code as shown)."""
        from tests.e2e.flows import make_conversation

        return make_conversation(app or self.server.app, owner.id, status, set_id, subtype)

    # --- page states ----------------------------------------------------------------------------

    def check(self, page: Page, name: str) -> State:
        """Record this page state, and fail the test if it falls short anywhere."""
        watched = self.watched[id(page)]
        number = len(self.states) + 1
        shot = self.folder / f"{number:02d}-{slug(name)}.png"
        page.screenshot(path=str(shot), full_page=True)
        state = State(number, name, watched.label, page.url, shot)
        self.states.append(state)
        if self.keep is not None:
            self.keep.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(shot, self.keep / shot.name)

        problems: list[str] = []
        if watched.document is not None:
            problems += [f"HTML: {e}" for e in self._html_errors(watched.document.text())]
        for fragment in watched.fragments:
            problems += [f"HTML fragment {fragment.url}: {e}"
                         for e in self._html_errors(FRAGMENT_PAGE.format(fragment.text()))]
        self.checked_fragments += len(watched.fragments)
        watched.fragments.clear()
        problems += [f"axe: {v}" for v in self.axe(page)]
        problems += [f"field without a visible label: {html}"
                     for html in page.evaluate(UNLABELLED_FIELDS_JS)]
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1]:
            problems.append(f"the page is wider than the window ({width[0]} > {width[1]} px): "
                            "something spills out sideways")
        problems += page.evaluate(CLIPPED_JS)
        problems += watched.console
        watched.console = []
        problems += self._in_other_languages(page, watched)
        problems += [f"server: {e}" for e in self.server.errors.take()]
        if problems:
            raise AssertionError(f"page state {name!r} ({page.url}) has problems:\n  "
                                 + "\n  ".join(problems))
        return state

    def _in_other_languages(self, page: Page, watched: Watched) -> list[str]:
        """The same page state in every other shipped language it is offered in: Welsh for
        every page, Urdu for the pages of people without an account.  A page reached by a
        GET is opened again, as it stands, in a browser asking for that language (with the
        same cookies), and held to the same bar: the Nu HTML Checker, axe, visible labels,
        nothing spilling out or cut off (longer Welsh words, right-to-left Urdu), no script
        error.  States reached by a form post are checked in English only (their languages'
        words and layout are those of the GET states around them).  CONVO_E2E_LANGUAGES
        (codes, comma-separated; empty for none) changes which."""
        from urllib.parse import urlsplit

        from convo.core.i18n import on_participant_path

        document = watched.document
        if (document is None or document.request.method != "GET" or document.status != 200
                or urlsplit(document.url).path != urlsplit(page.url).path):
            return []
        wanted = [c for c in os.environ.get("CONVO_E2E_LANGUAGES", "cy,ur").split(",") if c]
        path = urlsplit(document.url).path
        problems: list[str] = []
        for code in wanted:
            if code != "cy" and not on_participant_path(path):
                continue  # languages for participants only
            context = self.browser.new_context(
                viewport=page.viewport_size, base_url=self.server.base, locale=code,
                timezone_id="Europe/London", storage_state=page.context.storage_state())
            context.set_default_timeout(TIMEOUT_MS)
            pending: set[Any] = set()
            finished = {"done": False}

            def route(request_route: Any) -> None:
                # Once checked, the page goes nowhere else (a refreshing page would load again
                # while the browser closes, leaving the server a half-sent file).
                if finished["done"] and request_route.request.is_navigation_request():
                    request_route.abort()
                else:
                    request_route.continue_()

            context.route("**/*", route)
            context.on("request", lambda request: pending.add(request))
            context.on("requestfinished", lambda request: pending.discard(request))
            context.on("requestfailed", lambda request: pending.discard(request))
            try:
                other = context.new_page()
                console: list[str] = []
                other.on("pageerror", lambda error: console.append(f"script error: {error}"))
                other.on("console", lambda m: console.append(f"console: {m.text}") if (
                    m.type == "error" and not EXPECTED_CONSOLE.match(m.text)) else None)
                response = other.goto(document.url)
                if response is None or response.status != 200:
                    continue  # the page has moved on (a one-off state): nothing to compare
                if other.evaluate("() => document.documentElement.lang") != code:
                    continue  # this person chose their own language: not offered in `code`
                found = [f"HTML: {e}" for e in self._html_errors(response.text())]
                found += [f"axe: {v}" for v in self.axe(other)]
                found += [f"field without a visible label: {html}"
                          for html in other.evaluate(UNLABELLED_FIELDS_JS)]
                width = other.evaluate(
                    "() => [document.documentElement.scrollWidth, window.innerWidth]")
                if width[0] > width[1]:
                    found.append(f"the page is wider than the window ({width[0]} > "
                                 f"{width[1]} px): something spills out sideways")
                found += other.evaluate(CLIPPED_JS)
                found += console
                problems += [f"in {code}: {problem}" for problem in found]
                self.checked_languages += 1
            finally:
                finished["done"] = True
                for _ in range(100):  # what is still loading finishes first (at most 10 s)
                    if not pending:
                        break
                    other.wait_for_timeout(100)
                context.close()
        return problems

    def _html_errors(self, html: str) -> list[HtmlError]:
        return self.validator.errors(html)

    def axe(self, page: Page) -> list[str]:
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(self.axe_source)
        result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
        found = []
        for violation in result["violations"]:
            for node in violation["nodes"]:
                found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} "
                             f"at {node['target']}: {node.get('failureSummary', '')!r}"
                             f" html={node.get('html', '')[:160]!r}")
        return found

    # --- failures and clean-up ------------------------------------------------------------------

    def save_failure(self, folder: Path) -> Path:
        """Every state this test reached, and every page still open as it stands now."""
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        lines = []
        for state in self.states:
            if state.screenshot.exists():
                shutil.copyfile(state.screenshot, folder / state.screenshot.name)
            lines.append(f"{state.screenshot.name}\t{state.page_label}\t{state.url}")
        for n, watched in enumerate(self.watched.values(), 1):
            if watched.page.is_closed():
                continue
            name = f"zz-open-{n:02d}-{slug(watched.label)}.png"
            try:
                watched.page.screenshot(path=str(folder / name), full_page=True,
                                        timeout=TIMEOUT_MS)
                lines.append(f"{name}\t{watched.label}\t{watched.page.url}")
            except Exception as exc:  # a crashed page: say so and carry on
                lines.append(f"{name}\t{watched.label}\tno screenshot: {exc}")
        (folder / "index.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        return folder

    def close(self) -> None:
        for context in self.contexts:
            try:
                context.close()
            except Exception:  # already gone with its browser
                pass
        self.contexts.clear()
