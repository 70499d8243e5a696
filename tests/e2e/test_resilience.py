"""Real rooms have bad Wi-Fi and servers get restarted: convo carries on and loses nothing.

- The shared screen loses the network, says so, and catches up by itself when it is back.
- The server process is killed outright mid-conversation and started again: everything typed
  before is there, and a point typed on the console while it was down is sent afterwards
  (a participant's too).
- A phone asked to slow down (too many points in a minute) keeps the point, says when it will
  go, and sends it by itself (outbox.js, the one queue the console and the phones share).
- A participant's join code stops working when the conversation closes.
- A deleted conversation leaves the projector and the phones at once, and what a browser
  kept for it can never reach a later conversation that is given the same number.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from convo import create_app
from tests.e2e import flows
from tests.e2e.harness import PHONE, PROJECTOR, Harness
from tests.e2e.servers import ProcessServer, e2e_config, prepare_database

pytestmark = pytest.mark.e2e


def capture(console: Page, text: str) -> None:
    box = console.get_by_label("What was said")
    box.fill(text)
    box.press("Enter")
    expect(box).to_have_value("")


def at_the_console(e2e: Harness) -> tuple[int, str, Page]:
    """A new conversation, its facilitator signed in at its console: (id, join code, console)."""
    facilitator = e2e.facilitator()
    conversation, code = e2e.conversation(facilitator)
    console = flows.open_console(e2e, facilitator, conversation)
    return conversation, code, console


def open_screen(e2e: Harness, console: Page, conversation: int) -> Page:
    """The shared screen on a projector of its own, signed in as the console is."""
    projector = e2e.context("shared screen (projector)", PROJECTOR,
                            storage_state=console.context.storage_state())
    screen = projector.new_page()
    screen.goto(f"/c/{conversation}/screen")
    return screen


def test_the_shared_screen_catches_up_by_itself_after_losing_the_network(e2e: Harness) -> None:
    conversation, _code, console = at_the_console(e2e)
    screen = open_screen(e2e, console, conversation)
    projector = screen.context
    expect(screen.locator("main")).to_contain_text("Open: agree the space")
    screen.evaluate("() => { window.stillTheSamePage = true; }")

    projector.set_offline(True)
    reconnecting = screen.locator("#screen-reconnecting")
    expect(reconnecting).to_be_visible()
    e2e.check(screen, "shared screen: reconnecting")

    # The conversation moves on while the screen is cut off.
    console.get_by_role("button", name=re.compile("^Next")).click()
    expect(console.locator("#live-question")).not_to_have_attribute("data-question", "")
    question = console.locator("#current-heading").inner_text()
    capture(console, "We want fewer people to wait alone for an appointment.")
    console.locator("#screen").get_by_role("button", name="The question").click()
    expect(screen.locator("main")).not_to_contain_text(question)

    projector.set_offline(False)
    expect(screen.locator("main")).to_contain_text(question)
    expect(reconnecting).to_be_hidden()
    assert screen.evaluate("() => window.stillTheSamePage === true"), "the screen reloaded"
    console.locator("#screen").get_by_role("button", name="What we've captured").click()
    expect(screen.locator("main")).to_contain_text(
        "We want fewer people to wait alone for an appointment.")
    e2e.check(screen, "shared screen: caught up after the network came back")


def test_a_server_restarted_mid_conversation_loses_nothing(e2e: Harness,
                                                          tmp_path: Path) -> None:
    # Its own server process and database, so that it can be killed.
    folder = tmp_path / "server"
    database = prepare_database(folder)
    secret = secrets.token_hex(32)
    setup_app = create_app(e2e_config(folder, database, secret))
    facilitator = e2e.facilitator(app=setup_app)
    conversation, code = e2e.conversation(facilitator, app=setup_app)
    with setup_app.app_context():
        from convo.extensions import db

        db.engine.dispose()
    server = ProcessServer(folder, database, secret)
    server.start()
    try:
        console = flows.open_console(e2e, facilitator, conversation, base_url=server.base)
        phone = e2e.page("phone: Pat Okafor", PHONE, phone=True, base_url=server.base)
        flows.join(e2e, phone, code, "Pat Okafor")

        # Typed before the power cut.
        before = ["Residents want a health drop-in at the hub.",
                  "The practice has a patient group that rarely meets."]
        for text in before:
            capture(console, text)
            expect(console.locator("#live-items")).to_contain_text(text)
        phone.get_by_role("textbox", name="Your point").fill("Evening appointments matter.")
        phone.get_by_role("button", name="Add my point").click()
        expect(phone.locator("#add-status")).to_have_text("Thank you. Your point is saved.")
        agreement = console.locator("#live-agreement")
        agreement.get_by_label("Points of contact").fill("Pat Okafor and Dr Alex Moore")
        expect(agreement.locator("[data-save-status]")).to_have_text("Saved.")

        server.kill()

        # Typed while the server is down: kept in the browser and shown as waiting.
        during = "Ask the practice manager to come next time."
        capture(console, during)
        expect(console.locator("[data-connection]")).to_contain_text("Not connected")
        expect(console.locator("[data-capture-status]")).to_contain_text("kept on this computer")
        store = console.locator("[data-console]").get_attribute("data-store")
        queue_key = f"convo:queue:{store}"
        assert console.evaluate("k => JSON.parse(localStorage.getItem(k)).length",
                                queue_key) == 1
        phone.get_by_role("textbox", name="Your point").fill("Bus times to the surgery.")
        phone.get_by_role("button", name="Add my point").click()
        expect(phone.locator("#unsent")).to_be_visible()
        expect(phone.locator("#unsent-items")).to_contain_text("Bus times to the surgery.")

        server.start()

        # Both are sent by themselves once the server answers again.
        expect(console.locator("#live-items")).to_contain_text(during)
        # Nothing left waiting (the key goes once its queue is empty).
        console.wait_for_function("k => localStorage.getItem(k) === null", arg=queue_key)
        expect(console.locator("[data-connection]")).to_have_text("")
        expect(phone.locator("#unsent")).to_be_hidden()
        expect(phone.locator("#my-items")).to_contain_text("Bus times to the surgery.")

        # A fresh page load shows everything, stored once each.
        console.reload()
        items = console.locator("#live-items")
        for text in [*before, during, "Evening appointments matter.",
                     "Bus times to the surgery."]:
            expect(items.locator(".item__text", has_text=text)).to_have_count(1)
        expect(console.locator("#live-agreement").get_by_label("Points of contact")).to_have_value(
            "Pat Okafor and Dr Alex Moore")
        e2e.check(console, "console: after the server restarted")
    finally:
        server.stop()


def test_a_phone_asked_to_slow_down_keeps_the_point_and_sends_it_by_itself(
        e2e: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    facilitator = e2e.facilitator()
    conversation, code = e2e.conversation(facilitator)
    monkeypatch.setitem(e2e.server.app.config, "PARTICIPANT_POINTS_PER_MINUTE", 2)
    phone = e2e.page("phone: Pat Okafor", PHONE, phone=True)
    phone.clock.install()  # the page's own timers, so the wait can be skipped
    flows.join(e2e, phone, code, "Pat Okafor")
    box = phone.get_by_role("textbox", name="Your point")
    for text in ["The surgery's phone line is engaged from 8am.",
                 "Online booking works well for some of us."]:
        box.fill(text)
        phone.get_by_role("button", name="Add my point").click()
        expect(phone.locator("#my-items")).to_contain_text(text)

    third = "Evening clinics would suit carers."
    box.fill(third)
    phone.get_by_role("button", name="Add my point").click()
    status = phone.locator("#add-status")
    expect(status).to_contain_text("You’re adding points faster than convo accepts")
    expect(status).to_contain_text("will be sent by itself in")
    expect(phone.locator("#unsent-items")).to_contain_text(third)
    expect(phone.locator("#connection")).to_be_hidden()  # busy, not "no connection"
    e2e.check(phone, "phone: asked to slow down, the point kept")

    # The minute passes (on the page's clock; the server is told the limit is lifted).
    monkeypatch.setitem(e2e.server.app.config, "PARTICIPANT_POINTS_PER_MINUTE", 20)
    phone.clock.fast_forward(61_000)
    expect(phone.locator("#my-items")).to_contain_text(third)
    expect(phone.locator("#unsent")).to_be_hidden()
    expect(status).to_have_text("Thank you. Your point is saved.")
    phone.reload()
    expect(phone.locator("#my-items .my-item", has_text=third)).to_have_count(1)


def test_a_join_code_stops_working_when_the_conversation_closes(e2e: Harness) -> None:
    conversation, code, console = at_the_console(e2e)
    pat = e2e.page("phone: Pat Okafor", PHONE, phone=True)
    flows.join(e2e, pat, code, "Pat Okafor")
    expect(pat.get_by_role("button", name="Add my point")).to_be_visible()

    flows.close_conversation(console)
    expect(console).to_have_url(re.compile(rf"/c/{conversation}/summary$"))

    # The phone that had joined sees the close by itself, and can add nothing more.
    expect(pat.locator(".notice--closed")).to_be_visible()
    expect(pat.get_by_role("button", name="Add my point")).to_have_count(0)

    # Nobody can join with the code any more: typed, or by the QR code's link.
    late = e2e.page("phone: someone arriving late", PHONE, phone=True)
    late.goto("/join")
    late.get_by_label("Join code").fill(code)
    late.get_by_role("button", name="Join").click()
    expect(late.get_by_role("heading", level=1)).to_have_text("That code doesn't work")
    e2e.check(late, "phone: join code no longer works")
    response = late.goto(f"/j/{code.replace('-', '')}")
    assert response is not None and response.status == 404
    expect(late.get_by_role("heading", level=1)).to_have_text("That code doesn't work")
    console.goto(f"/conversations/{conversation}/console")
    expect(console.locator("#join")).to_contain_text(
        "The join code stopped working when the conversation closed.")


def test_a_deleted_conversation_leaves_the_projector_and_the_phones(e2e: Harness) -> None:
    conversation, code, console = at_the_console(e2e)
    store = console.locator("[data-console]").get_attribute("data-store") or ""
    assert re.fullmatch(rf"{conversation}-\d{{20}}", store), store
    capture(console, "Who else should hear about the walking group?")
    screen = open_screen(e2e, console, conversation)
    console.locator("#screen").get_by_role("button", name="What we've captured").click()
    expect(screen.locator("main")).to_contain_text("Who else should hear about the walking group?")
    pat = e2e.page("phone: Pat Okafor", PHONE, phone=True)
    flows.join(e2e, pat, code, "Pat Okafor")
    expect(pat.get_by_role("button", name="Add my point")).to_be_visible()

    console.goto(f"/conversations/{conversation}/delete")
    console.get_by_label("I understand that this deletes").check()
    console.get_by_role("button", name="Delete this conversation").click()
    expect(console.locator(".notices")).to_contain_text("is deleted")

    # The projector takes it all down by itself and says so; the phone stops too.
    expect(screen.locator("#screen-gone")).to_be_visible()
    expect(screen.locator("#screen-view")).to_have_text("")
    expect(screen.locator("#screen-stopped")).to_be_hidden()
    e2e.check(screen, "shared screen: the conversation was deleted")
    expect(pat.get_by_text("It can't follow the conversation or add anything to it now.")
           ).to_be_visible()
    expect(pat.get_by_text("Who else should hear")).to_have_count(0)
