"""The hardening, as people meet it in a browser (each page state held to harness.check):

- a second phone choosing someone already joined waits, and the facilitator lets it in from
  the console, which shows it by itself;
- wrong codes from anywhere make the console warn of guessing, and a new code is one click;
- a busy database, met by a phone without JavaScript: the typed point comes back on a plain
  page and is sent again with one button;
- "Sign out everywhere" on the account page.

The guessing and busy-database tests run on a server and database of their own: what they do
(wrong codes counted across the site, a database held locked) must not reach other tests.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from convo import create_app
from tests.e2e import flows
from tests.e2e.harness import PHONE, Harness
from tests.e2e.servers import LiveServer, e2e_config, prepare_database

pytestmark = pytest.mark.e2e


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[tuple[LiveServer, Path]]:
    """A server of its own on a fresh database: a short wait for a busy database, and a low
    line for the guessing warning."""
    folder = tmp_path / "server"
    database = prepare_database(folder)
    config = e2e_config(folder, database, secrets.token_hex(32))
    config.update({"DATABASE_BUSY_SECONDS": 0.5, "JOIN_ALERT_AFTER": 15})
    server = LiveServer(create_app(config))
    try:
        yield server, folder / "convo.sqlite3"
    finally:
        server.stop()
        with server.app.app_context():
            from convo.extensions import db

            db.engine.dispose()


def test_a_second_phone_waits_until_the_facilitator_lets_it_in(e2e: Harness) -> None:
    facilitator = e2e.facilitator()
    conversation, code = e2e.conversation(facilitator)
    console = flows.open_console(e2e, facilitator, conversation)
    first = e2e.page("phone: Sam Reid", PHONE, phone=True)
    flows.join(e2e, first, code, "Sam Reid")

    second = e2e.page("another phone, choosing Sam Reid", PHONE, phone=True)
    flows.join_as_someone_joined(second, code, "Sam Reid")
    e2e.check(second, "phone: waiting to be let in")

    devices = console.locator("#devices")
    expect(devices).to_contain_text("Waiting for you to let it in")  # without a reload
    e2e.check(console, "console: a device waiting to be let in")
    devices.get_by_role("button", name=re.compile("^Let in")).click()
    expect(devices).not_to_contain_text("Waiting for you to let it in")

    second.get_by_role("link", name="Check again").click()
    expect(second.locator(".who")).to_contain_text("Sam Reid")
    e2e.check(second, "phone: let in")


def test_guessing_shows_on_the_console_and_a_new_code_is_one_click(
        e2e: Harness, own_server: tuple[LiveServer, Path]) -> None:
    server, _database = own_server
    facilitator = e2e.facilitator(app=server.app)
    conversation, old_code = e2e.conversation(facilitator, app=server.app)
    console = flows.open_console(e2e, facilitator, conversation, base_url=server.base)
    for n in range(15):  # a guesser who keeps no cookies: a fresh request each time
        try:
            urllib.request.urlopen(server.url(f"/j/WRONG{n:03d}"), timeout=30)
        except urllib.error.HTTPError as error:
            assert error.code == 404
    warning = console.locator("#code-guessing")
    expect(warning).to_contain_text("Someone may be guessing join codes")  # by itself
    e2e.check(console, "console: join codes under guessing")
    console.get_by_role("button", name="Issue a new join code").click()
    expect(console.locator("#join .code")).not_to_have_text(old_code)
    expect(warning).to_have_count(0)
    new_code = flows.join_code_on(console)
    e2e.check(console, "console: a new join code")
    phone = e2e.page("phone: Pat Okafor", PHONE, phone=True, base_url=server.base)
    flows.join(e2e, phone, new_code, "Pat Okafor")


def test_a_busy_database_keeps_a_phones_point_without_javascript(
        e2e: Harness, own_server: tuple[LiveServer, Path]) -> None:
    server, database = own_server
    facilitator = e2e.facilitator(app=server.app)
    _conversation, code = e2e.conversation(facilitator, app=server.app)
    # convo's scripts don't load on this phone (Playwright's own checks still run: turning
    # JavaScript off altogether would stop them too).
    phone = e2e.page("phone without convo's scripts: Pat Okafor", PHONE, phone=True,
                     base_url=server.base)
    phone.context.route(re.compile(r".*\.js(\?.*)?$"), lambda route: route.abort())
    flows.join(e2e, phone, code, "Pat Okafor")
    point = "The surgery's phone line is engaged every morning at eight."
    phone.get_by_label("Your point", exact=True).fill(point)

    holder = sqlite3.connect(database, isolation_level=None)  # a long write elsewhere
    holder.execute("BEGIN IMMEDIATE")
    try:
        phone.get_by_role("button", name="Add my point").click()
        expect(phone.get_by_role("heading", level=1)).to_have_text("convo is busy just now")
        expect(phone.get_by_label(re.compile("What you typed"))).to_have_value(point)
        server.errors.take()  # the busy moment is logged as a warning, not an error
        e2e.check(phone, "phone without JavaScript: database busy, the point kept")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    phone.get_by_role("button", name="Try again").click()
    expect(phone.locator("#your-points")).to_contain_text(point)
    e2e.check(phone, "phone without JavaScript: the point sent again")


def test_a_busy_database_keeps_the_consoles_point_and_sends_it_by_itself(
        e2e: Harness, own_server: tuple[LiveServer, Path]) -> None:
    server, database = own_server
    facilitator = e2e.facilitator(app=server.app)
    conversation, _code = e2e.conversation(facilitator, app=server.app)
    console = flows.open_console(e2e, facilitator, conversation, base_url=server.base)
    point = "Ask the practice to open the hub room on Thursday evenings."
    holder = sqlite3.connect(database, isolation_level=None)  # a long write elsewhere
    holder.execute("BEGIN IMMEDIATE")
    try:
        box = console.get_by_label("What was said")
        box.fill(point)
        box.press("Enter")
        expect(box).to_have_value("")
        expect(console.locator("[data-capture-status]")).to_have_text(
            "The server is busy just now. Your points are kept on this computer and will be "
            "sent in a moment.")
        store = console.locator("[data-console]").get_attribute("data-store")
        assert console.evaluate("k => JSON.parse(localStorage.getItem(k))[0].text",
                                f"convo:queue:{store}") == point
        server.errors.take()  # the busy moment is logged as a warning, not an error
        e2e.check(console, "console: database busy, the point kept")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    expect(console.locator("#live-items")).to_contain_text(point)  # by itself
    expect(console.locator("[data-capture-status]")).to_have_text("Saved.")
    console.reload()
    expect(console.locator("#live-items .item__text", has_text=point)).to_have_count(1)


def test_sign_out_everywhere(e2e: Harness) -> None:
    facilitator = e2e.facilitator()
    laptop = e2e.page("facilitator (laptop)")
    flows.sign_in(e2e, laptop, facilitator)
    other = e2e.page("facilitator (another computer)")
    flows.sign_in(e2e, other, facilitator)
    laptop.goto("/account")
    expect(laptop.locator("main")).to_contain_text("You are signed in on 2 phones and computers")
    e2e.check(laptop, "account: where you are signed in")
    laptop.get_by_role("button", name="Sign out everywhere").click()
    expect(laptop.locator(".notices")).to_contain_text("You have signed out everywhere")
    e2e.check(laptop, "sign-in: signed out everywhere")
    other.goto("/conversations")
    expect(other).to_have_url(re.compile(r"/sign-in"))
