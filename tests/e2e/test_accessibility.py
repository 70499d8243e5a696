"""Accessibility beyond what axe can see (axe and the HTML checker run on every page state in
every browser test, through harness.check):

- the facilitator's whole flow with the keyboard alone, focus visible at every stop;
- form errors summarised at the top of the page, each linked to its field;
- the shared screen's text large enough to read from four metres at 1920×1080.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e import flows
from tests.e2e.flows import AGENCY, PARTNERSHIP
from tests.e2e.harness import PHONE, PROJECTOR, Harness
from tests.e2e.keyboard import Keys

pytestmark = pytest.mark.e2e

SCORES = {
    "partnership": [2, 2, 3, 4, 2, 4, 3, 2],
    "agency": [4, 3, 3, 4, 3, 4, 2, 4],
}
CRITERIA = ["mutual_knowledge", "understanding", "trust", "respect", "common_language",
            "shared_goals", "roles_and_flexibility", "capacity_to_follow_through"]


def focused_id(page: Page) -> str:
    return str(page.evaluate("() => document.activeElement ? document.activeElement.id : ''"))


def value_of(page: Page, selector: str) -> str:
    return str(page.locator(selector).input_value())


def test_the_facilitators_whole_flow_by_keyboard_alone(e2e: Harness) -> None:
    """Tab, Shift+Tab, Enter, Space and the arrow keys only (and typing words): no clicks."""
    facilitator = e2e.facilitator("Kim Keyboard")
    page = e2e.page("facilitator (keyboard only)")
    keys = Keys(page)

    # Sign in.
    page.goto("/sign-in")
    keys.tab_to("#email")
    keys.type(facilitator.email)
    keys.tab_to("#password")
    keys.type(facilitator.password)
    keys.follow("Enter")
    expect(page).to_have_url(re.compile(r"/conversations$"))

    # Prepare: first with nothing filled in, to meet the errors, then properly.
    keys.tab_to('main a[href$="/conversations/new"]')
    keys.follow("Enter")
    keys.tab_to('main form button[type="submit"]')
    keys.follow("Enter")
    expect(page.locator(".error-summary")).to_be_focused()
    keys.tab_to('.error-summary a[href="#partnership_name"]')
    keys.press("Enter")
    assert focused_id(page) == "partnership_name"
    keys.type(PARTNERSHIP)
    keys.tab_to("#agency_name")
    keys.type(AGENCY)
    keys.tab_to("#agency_type")
    keys.arrow_to("health")
    keys.tab_to("#agency_subtype")
    keys.arrow_to("health:pcn")
    keys.tab_to("#purpose")
    keys.type("Start a conversation about health in Riverside.")
    keys.tab_to("#date")
    # Debian's headless Chromium lays a date field out month/day/year whatever the locale.
    keys.type("11222026")
    assert value_of(page, "#date") == "2026-11-22"
    keys.tab_to("#time")
    keys.type("1000A")
    assert value_of(page, "#time") == "10:00"
    keys.tab_to("#place")
    keys.type("Riverside Community Hub")
    keys.tab_to('main form button[type="submit"]')
    keys.follow("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(PARTNERSHIP)
    conversation = flows.conversation_id(page)

    # Add two people: the disclosure opens with Enter, the side is chosen with the arrows.
    for name, role, party in (("Pat Okafor", "Partnership chair", "partnership"),
                              ("Dr Alex Moore", "Clinical director", "agency")):
        keys.tab_to("details.disclosure > summary")
        keys.press("Enter")
        keys.tab_to("#name")
        keys.type(name)
        keys.tab_to("#role")
        keys.type(role)
        keys.tab_to('input[name="party"]')
        keys.press("Space")
        keys.arrow_to(party)
        keys.tab_to("#email")
        keys.type(f"{name.split()[-1].lower()}@example.org")
        keys.tab_to('form[action$="/participants"] button[type="submit"]')
        keys.follow("Enter")
        expect(page.locator(".notices")).to_contain_text(f"{name} added")

    # The console: start, capture points, move on, say who does what.
    keys.tab_to(f'a[href$="/conversations/{conversation}/console"]')
    keys.follow("Enter")
    keys.tab_to('form[action$="/start"] button')
    keys.follow("Enter")
    expect(page.locator(".console-bar .status")).to_have_text("Live")

    def capture(text: str, kind: str, raised_by: str) -> None:
        keys.tab_to("#text")
        keys.type(text)
        keys.tab_to('input[name="kind"]')
        keys.arrow_to(kind, "ArrowRight")
        keys.tab_to('input[name="raised_by"]')
        keys.arrow_to(raised_by, "ArrowRight")
        keys.tab_to("form[data-capture] button[type=submit]")
        keys.press("Enter")
        expect(page.locator("#live-items")).to_contain_text(text)

    capture("People wait weeks for an appointment.", "challenge", "partnership")
    keys.tab_to("button[data-shortcut=next]")
    keys.press("Enter")
    expect(page.locator("#live-question")).not_to_have_attribute("data-question", "")
    # The region was redrawn: focus is back on the button, not lost to the top of the page.
    expect(page.locator("#go-next")).to_be_focused()
    keys.tab_to("#screen-mode-items")
    keys.press("Space")
    expect(page.locator("#screen-mode-items")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#screen-mode-items")).to_be_focused()
    capture("Share the list of community health groups.", "action", "both")
    keys.tab_to("#live-actions details > summary")
    keys.press("Enter")
    keys.tab_to('#live-actions [id^="owner_name-"]')
    keys.type("Pat Okafor")
    keys.tab_to('#live-actions [id^="owner_party-"]')
    keys.arrow_to("partnership")
    keys.tab_to('#live-actions [id^="due_date-"]')
    keys.type("12152026")
    keys.tab_to('#live-actions [id^="agreed_by_both-"]')
    keys.press("Space")
    keys.tab_to("#live-actions form button[type=submit]")
    keys.press("Enter")
    expect(page.locator("#live-actions .action-card .hint").first).to_contain_text(
        "15 December 2026")

    # Ratings each side gave aloud, entered by the facilitator; then both revealed.
    for party in ("partnership", "agency"):
        keys.tab_to(f'#ratings a[href$="/ratings/{party}"]')
        keys.follow("Enter")
        for criterion, score in zip(CRITERIA, SCORES[party]):
            keys.tab_to(f'input[name="eight_criteria.{criterion}.now"]')
            keys.arrow_to(str(score))
        keys.tab_to('input[name="now_type"]')
        keys.arrow_to("friends_acquaintances")
        keys.tab_to('input[name="wanted_type"]')
        keys.arrow_to("powerful_allies")
        keys.tab_to('main form button[type="submit"]')
        keys.follow("Enter")
        expect(page.locator(".notices")).to_contain_text("Ratings saved")
    keys.tab_to("#reveal-ratings")
    keys.press("Enter")
    expect(page.locator("#ratings table")).to_contain_text("Mutual knowledge")
    expect(page.locator("#reveal-ratings")).to_be_focused()

    # Close, write, approve, issue, download.
    keys.tab_to(".close-confirm > summary")  # closing asks first
    keys.press("Enter")
    keys.tab_to('form[action$="/close"] button')
    keys.follow("Enter")
    expect(page).to_have_url(re.compile(rf"/c/{conversation}/summary$"))
    keys.tab_to("#introduction")
    keys.type("We met to start working together on health in Riverside.")
    expect(page.locator("#writing-form [data-save-status]")).to_have_text("Saved.")
    for party in ("partnership", "agency"):
        keys.tab_to(f'form[action$="/approval/{party}"] button')
        keys.follow("Enter")
        expect(page.locator(".notices")).to_contain_text("approves the summary")
    keys.tab_to('form[action$="/issue"] button')
    keys.follow("Enter")
    expect(page.locator(".notices")).to_contain_text("Issuing version 1")
    expect(page.locator('a[href$="/v1.pdf"]')).to_be_visible()  # the page follows the worker
    keys.tab_to('a[href$="/v1.pdf"]')
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    # Hundreds of focus stops; each kind of control also compared pixel by pixel.
    assert keys.stops > 300, keys.stops
    assert len(keys.pixel_checked) > 20, sorted(keys.pixel_checked)
    keys.assert_focus_always_visible()


ERROR_SUMMARY_JS = """() => {
  const summary = document.querySelector(".error-summary");
  if (!summary) { return {problem: "no error summary"}; }
  const main = document.querySelector("main");
  const heading = main.querySelector("h1");
  const before = heading ? !!(summary.compareDocumentPosition(heading)
                              & Node.DOCUMENT_POSITION_FOLLOWING) : false;
  const links = [...summary.querySelectorAll("a")].map(a => {
    const id = decodeURIComponent(a.hash.slice(1));
    const field = document.getElementById(id);
    return {
      text: a.textContent.trim(), id: id, exists: !!field,
      isField: !!field && /^(INPUT|SELECT|TEXTAREA)$/.test(field.tagName),
      invalid: !!field && (field.getAttribute("aria-invalid") === "true"
                           || !!field.closest(".field--error")),
      describedByError: !!field && [field, field.type === "radio" && field.closest("fieldset")]
        .filter(Boolean).flatMap(node => (node.getAttribute("aria-describedby") || "")
        .split(/\\s+/)).some(ref => {
          const node = document.getElementById(ref);
          const said = node ? node.textContent.replace("Error:", "").trim() : "";
          const link = a.textContent.trim();
          return !!said && (said.includes(link) || link.includes(said));
        }),
    };
  });
  return {before: before, focused: document.activeElement === summary, links: links};
}"""


def assert_error_summary(page: Page, expected_links: int) -> list[str]:
    """The summary sits above the heading, has focus, and links to each field in error;
    following a link by keyboard puts focus in that field."""
    expect(page.locator(".error-summary")).to_be_focused()
    found = page.evaluate(ERROR_SUMMARY_JS)
    assert "problem" not in found, found
    assert found["before"], "the error summary is not at the top, above the heading"
    assert found["focused"], "the error summary does not have focus when the page loads"
    assert len(found["links"]) == expected_links, found["links"]
    for link in found["links"]:
        assert link["exists"] and link["isField"], f"error link goes nowhere: {link}"
        assert link["invalid"], f"field not marked as in error: {link}"
        assert link["describedByError"], f"field doesn't point to its error message: {link}"
    keys = Keys(page)
    for link in found["links"]:
        keys.tab_to(f'.error-summary a[href="#{link["id"]}"]')
        keys.press("Enter")
        assert focused_id(page) == link["id"], f"{link['text']!r} did not move focus there"
        page.locator(".error-summary").focus()
    keys.assert_focus_always_visible()
    return [link["id"] for link in found["links"]]


def test_form_errors_are_summarised_at_the_top_and_linked_to_their_fields(
        e2e: Harness) -> None:
    facilitator = e2e.facilitator()
    page = e2e.page("facilitator")

    page.goto("/sign-in")
    page.get_by_role("button", name="Sign in").click()
    assert assert_error_summary(page, 2) == ["email", "password"]
    e2e.check(page, "sign-in: nothing filled in")
    page.get_by_label("Email address").fill(facilitator.email)
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".error-summary")).to_be_visible()
    e2e.check(page, "sign-in: wrong password")

    flows.sign_in(e2e, page, facilitator)
    page.goto("/conversations/new")
    page.get_by_label("Video call link (optional)").fill("not a link")
    page.get_by_role("button", name="Prepare conversation").click()
    assert assert_error_summary(page, 4) == ["partnership_name", "agency_name", "purpose",
                                             "video_link"]

    conversation = flows.prepare_conversation(page)
    page.get_by_text("Add someone", exact=True).click()
    page.get_by_label("Email address (optional)").fill("not an email")
    page.get_by_role("button", name="Add to the list").click()
    ids = assert_error_summary(page, 4)
    assert ids == ["name", "role", "party-0", "email"], ids
    e2e.check(page, "conversation: adding someone, with errors")

    page.goto(f"/conversations/{conversation}/plan")
    e2e.check(page, "plan the stages")
    page.locator(".plan-table input[type=number]").first.fill("0")
    page.get_by_role("button", name="Save plan").click()
    assert assert_error_summary(page, 1) == ["minutes-open"]
    e2e.check(page, "plan the stages: with an error")

    page.goto(f"/conversations/{conversation}")
    page.get_by_role("link", name="Delete this conversation").click()
    e2e.check(page, "delete a conversation: are you sure")
    page.get_by_role("button", name="Delete this conversation").click()
    assert assert_error_summary(page, 1) == ["confirm"]
    e2e.check(page, "delete a conversation: not confirmed")
    page.get_by_label("I understand that this deletes").check()
    page.get_by_role("button", name="Delete this conversation").click()
    expect(page.locator(".notices")).to_contain_text(
        "Riverside Big Local and Exampletown Primary Care Network is deleted.")
    e2e.check(page, "conversations: one deleted")

    phone = e2e.page("phone", PHONE, phone=True)
    phone.goto("/join")
    phone.get_by_role("button", name="Join").click()
    assert assert_error_summary(phone, 1) == ["code"]
    e2e.check(phone, "phone: join with no code")


def test_the_lists_and_the_question_sets_pass_the_checks(e2e: Harness) -> None:
    facilitator = e2e.facilitator()
    page = e2e.page("facilitator")
    flows.sign_in(e2e, page, facilitator)
    e2e.conversation(facilitator, status="upcoming")
    e2e.conversation(facilitator, status="closed")
    page.goto("/conversations")
    expect(page.get_by_role("table").get_by_role("row")).to_have_count(3)
    e2e.check(page, "conversations: the list")
    page.goto("/conversations?q=nothing+like+this")
    e2e.check(page, "conversations: no match")
    page.locator(".site-nav").get_by_role("link", name="Question sets").click()
    e2e.check(page, "question sets: the list")
    page.get_by_role("link", name=re.compile("Health agency")).first.click()
    e2e.check(page, "question sets: the health agency set")
    page.locator(".site-nav").get_by_role("link", name="Your account").click()
    e2e.check(page, "your account")
    response = page.goto("/c/999999/screen")
    assert response is not None and response.status == 404
    e2e.check(page, "error page: not found")


SCREEN_TEXT_JS = """() => {
  const px = el => parseFloat(getComputedStyle(el).fontSize);
  // Text as drawn: an SVG chart's text is scaled with its drawing.
  const drawn = el => el instanceof SVGElement && el.getScreenCTM()
    ? px(el) * el.getScreenCTM().a : px(el);
  const visible = el => el.getClientRects().length > 0
    && getComputedStyle(el).visibility !== "hidden" && !el.closest(".visually-hidden");
  const texts = [...document.querySelectorAll("body *")]
    .filter(el => [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
    .filter(visible)
    .map(el => ({px: Math.round(drawn(el) * 10) / 10, text: el.textContent.trim().slice(0, 40)}))
    .sort((a, b) => a.px - b.px);
  return {root: px(document.documentElement), body: px(document.body), smallest: texts[0]};
}"""

MODES = {"The question": "question", "How to join": "join", "What we've captured": "items",
         "Ratings side by side": "ratings", "Agreed actions": "actions",
         "Draft summary": "summary"}


def test_the_shared_screen_is_readable_from_the_back_of_the_room(e2e: Harness) -> None:
    """At 1920×1080 the base text is at least 32 px, in every mode, with real content in it."""
    facilitator = e2e.facilitator()
    conversation, _code = e2e.conversation(facilitator)
    console = e2e.page("facilitator (console)")
    flows.sign_in(e2e, console, facilitator)
    for party, scores in SCORES.items():
        console.goto(f"/conversations/{conversation}/ratings/{party}")
        for criterion, score in zip(CRITERIA, scores):
            console.check(f'input[name="eight_criteria.{criterion}.now"][value="{score}"]')
        console.check('input[name="now_type"][value="friends_acquaintances"]')
        console.check('input[name="wanted_type"][value="powerful_allies"]')
        console.get_by_role("button", name="Save ratings").click()
        expect(console.locator(".notices")).to_contain_text("Ratings saved")
    console.get_by_role("button", name="Share both sides' scores on the screen").click()
    for text, key in (("Evening appointments would help working parents.", "c"),
                      ("Use the hub for a weekly health drop-in.", "o"),
                      ("Share the list of community health groups.", "a")):
        box = console.get_by_label("What was said")
        box.fill(text)
        box.press(f"Alt+{key}")
        box.press("Enter")
        expect(console.locator("#live-items")).to_contain_text(text)

    screen = e2e.context("shared screen (projector)", PROJECTOR,
                         storage_state=console.context.storage_state()).new_page()
    screen.goto(f"/c/{conversation}/screen")
    for label, mode in MODES.items():
        console.locator(f"#screen-mode-{mode}").click()
        expect(console.locator(f"#screen-mode-{mode}")).to_have_attribute("aria-pressed", "true")
        expect(screen.locator(f"main.screen-main--{mode}")).to_be_visible()
        found = screen.evaluate(SCREEN_TEXT_JS)
        assert found["root"] >= 32, f"{label}: base font {found['root']} px at 1920×1080"
        assert found["body"] >= 32, f"{label}: body text {found['body']} px at 1920×1080"
        # Nothing at all, not even a chart's scale, below 24 px (about 18 pt on a projector).
        assert found["smallest"]["px"] >= 24, f"{label}: {found['smallest']} at 1920×1080"
        e2e.check(screen, f"shared screen: {label.lower()}")
