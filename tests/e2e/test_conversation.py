"""A whole conversation as people run it, in real browsers.

A facilitator prepares a conversation with a health agency through the forms, runs it from
the console (1440×900) with the shared screen open on a projector (1920×1080), and two
participants follow and take part on their phones (390×844), joining by code.  They add
points and rate privately; the facilitator reveals the ratings, records actions with an
owner and a date, closes, writes the summary's words, records both sides' approval and
issues it; the PDF and Word files downloaded say what was agreed.

Every page state on the way is checked by harness.check: Nu HTML Checker, axe-core WCAG 2.2
A/AA, labelled fields, no script errors, no server errors.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import docx
import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.e2e import flows
from tests.e2e.flows import AGENCY, PARTNERSHIP, PEOPLE
from tests.e2e.harness import DESKTOP, PHONE, PROJECTOR, Harness

pytestmark = pytest.mark.e2e

POINTS = {
    "console_strength": "The partnership already runs a weekly walking group for 40 residents.",
    "pat_challenge": "People wait weeks for a GP appointment and feel nobody listens.",
    "alex_opportunity": "Our social prescribing link worker could hold a drop-in at the hub.",
    "console_challenge": "Neither side knows who to call when a project needs clinical advice.",
}
ACTIONS = (
    # what, owner (someone taking part), side, due date (ISO), due date as people read it
    ("Share the list of community health groups with the Primary Care Network.",
     "Pat Okafor", "Riverside Big Local", "2026-12-15", "15 December 2026"),
    ("Invite the social prescribing link worker to the January partnership meeting.",
     "Dr Alex Moore", AGENCY, "2027-01-12", "12 January 2027"),
)
INTRODUCTION = ("Riverside Big Local and the Primary Care Network met at the Riverside "
                "Community Hub to start working together on health in Riverside.")
CLOSING = "Both sides take away two small actions and a date to meet again."
PAT_SCORES = [2, 2, 3, 4, 2, 4, 3, 2]
ALEX_SCORES = [4, 3, 3, 4, 3, 4, 2, 4]


def capture(console: Page, text: str, kind_key: str, by_key: str) -> None:
    """Type a point in the console's capture box, pick kind and side by shortcut, Enter."""
    box = console.get_by_label("What was said")
    box.fill(text)
    box.press(f"Alt+{kind_key}")
    box.press(f"Alt+{by_key}")
    box.press("Enter")
    expect(box).to_have_value("")
    expect(console.locator("#live-items")).to_contain_text(text)


def go_to_stage(console: Page, title: str) -> None:
    console.locator("#live-plan").get_by_role(
        "button", name=re.compile(rf"^\d+\. {re.escape(title)}")).click()
    expect(console.locator(".console-question__stage")).to_contain_text(title)


def show_on_screen(console: Page, mode: str) -> None:
    button = console.locator("#screen").get_by_role("button", name=mode)
    button.click()
    expect(console.locator("#screen").get_by_role("button", name=mode)).to_have_attribute(
        "aria-pressed", "true")


def add_phone_point(phone: Page, text: str, kind: str) -> None:
    phone.get_by_role("textbox", name="Your point").fill(text)
    phone.get_by_role("radio", name=kind).check()
    phone.get_by_role("button", name="Add my point").click()
    expect(phone.locator("#my-items")).to_contain_text(text)
    expect(phone.locator("#add-status")).to_have_text("Thank you. Your point is saved.")


def rate_privately(phone: Page, scores: list[int], now: str, wanted: str) -> None:
    rates = phone.locator("fieldset.rate").filter(has=phone.locator(".scale"))
    expect(rates).to_have_count(len(scores))
    for n, score in enumerate(scores):
        rates.nth(n).get_by_role("radio", name=re.compile(rf"^{score}\b")).check()
    phone.get_by_role("group", name="What kind of relationship is it now?").get_by_role(
        "radio", name=re.compile(f"^{now}")).check()
    phone.get_by_role("group", name="What would you like it to become?").get_by_role(
        "radio", name=re.compile(f"^{wanted}")).check()
    expect(phone.locator("[data-save-status]")).to_have_text("Saved.")
    phone.get_by_role("button", name="Save my scores").click()
    expect(phone.locator("[data-save-status]")).to_have_text("Saved.")


def set_action(console: Page, what: str, owner: str, side: str, due: str) -> None:
    card = console.locator(".action-card", has_text=what)
    card.locator("summary").click()
    role = next(p.role for p in PEOPLE if p.name == owner)
    card.get_by_label("Or choose someone taking part").select_option(label=f"{owner} ({role})")
    card.get_by_label("Which side").select_option(label=side)
    card.get_by_label("By when").fill(due)
    card.get_by_label("Both sides agreed this").check()
    card.get_by_role("button", name="Save action").click()


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_a_whole_conversation_with_a_health_agency(e2e: Harness) -> None:
    facilitator = e2e.facilitator("Morgan Ellis")

    # --- the facilitator prepares the conversation ----------------------------------------------
    console = e2e.page("facilitator (console)", DESKTOP)
    flows.sign_in(e2e, console, facilitator, check=True)
    e2e.check(console, "conversations: none yet")
    console.get_by_role("link", name="Prepare a conversation").first.click()
    e2e.check(console, "prepare: empty form")
    console.get_by_role("button", name="Prepare conversation").click()
    errors = console.locator(".error-summary")
    expect(errors).to_be_focused()
    expect(errors.get_by_role("link")).to_have_count(3)
    e2e.check(console, "prepare: form with errors")
    conversation = flows.prepare_conversation(console)
    e2e.check(console, "conversation: details")
    for person in PEOPLE:
        flows.add_participant(console, person)
    for person in PEOPLE:
        expect(console.locator(".people__name", has_text=person.name)).to_be_visible()
    e2e.check(console, "conversation: details and people")

    console.locator(".site-nav").get_by_role("link", name="Conversations").click()
    expect(console.get_by_role("table")).to_contain_text(f"{PARTNERSHIP} and {AGENCY}")
    e2e.check(console, "conversations: the list")
    console.get_by_role("link", name=f"{PARTNERSHIP} and {AGENCY}").click()
    console.get_by_role("link", name="Open the console").click()
    e2e.check(console, "console: before the start")
    console.get_by_role("button", name="Start the conversation").click()
    expect(console.locator(".console-bar .status")).to_have_text("Live")
    code = flows.join_code_on(console)
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code), code

    # --- the shared screen, on the projector ---------------------------------------------------
    projector = e2e.context("shared screen (projector)", PROJECTOR,
                            storage_state=console.context.storage_state())
    screen = projector.new_page()
    screen.goto(f"/c/{conversation}/screen")
    question = console.locator("#current-heading").inner_text()
    expect(screen.locator("main")).to_contain_text(question)
    e2e.check(screen, "shared screen: the question")
    show_on_screen(console, "How to join")
    expect(screen.locator(".screen-join__code")).to_have_text(code)
    e2e.check(screen, "shared screen: how to join")

    # --- two participants join on their phones ----------------------------------------------------
    pat = e2e.page("phone: Pat Okafor (partnership)", PHONE, phone=True)
    flows.join(e2e, pat, code, "Pat Okafor", check=True)
    e2e.check(pat, "phone: following the conversation")
    alex = e2e.page("phone: Dr Alex Moore (agency)", PHONE, phone=True)
    flows.join(e2e, alex, code, "Dr Alex Moore")
    expect(console.locator("#join")).to_contain_text("Pat Okafor")
    expect(console.locator("#join")).to_contain_text("Dr Alex Moore")

    # --- the conversation moves on; everyone follows ---------------------------------------------
    show_on_screen(console, "The question")
    go_to_stage(console, "Get to know each other")
    console.get_by_role("button", name=re.compile("^Next")).click()
    expect(console.locator("#live-question")).not_to_have_attribute("data-question", "")
    question = console.locator("#current-heading").inner_text()
    expect(pat.locator(".now__question")).to_have_text(question)
    expect(alex.locator(".now__question")).to_have_text(question)
    expect(screen.locator("main")).to_contain_text(question)
    e2e.check(screen, "shared screen: a question to both parties")

    capture(console, POINTS["console_strength"], "s", "1")
    add_phone_point(pat, POINTS["pat_challenge"], "A challenge")
    e2e.check(pat, "phone: a point added")
    add_phone_point(alex, POINTS["alex_opportunity"], "An opportunity")
    items = console.locator("#live-items")
    for text in (POINTS["pat_challenge"], POINTS["alex_opportunity"]):
        expect(items.locator(".item", has_text=text)).to_contain_text("from a phone")
    e2e.check(console, "console: points from the room and from phones")
    show_on_screen(console, "What we've captured")
    for text in (POINTS["console_strength"], POINTS["pat_challenge"], POINTS["alex_opportunity"]):
        expect(screen.locator("main")).to_contain_text(text)
    e2e.check(screen, "shared screen: what we've captured")

    # --- private ratings, then both revealed together --------------------------------------------
    go_to_stage(console, "How well are we working together")
    show_on_screen(console, "The question")
    pat.get_by_role("link", name="Give your scores (private)").first.click()
    e2e.check(pat, "phone: private scores, none yet")
    rate_privately(pat, PAT_SCORES, "Clients and contractors", "Powerful allies")
    e2e.check(pat, "phone: private scores saved")
    alex.get_by_role("link", name="Give your scores (private)").first.click()
    rate_privately(alex, ALEX_SCORES, "Friends and acquaintances", "Powerful allies")
    expect(alex.locator("#both-sides")).to_have_count(0)  # Pat's scores stay private
    ratings_box = console.locator("#ratings")
    expect(ratings_box.locator("strong", has_text="ratings given")).to_have_count(2)
    e2e.check(console, "console: both sides have rated")
    console.get_by_role("link", name="enter for them").first.click()
    e2e.check(console, "ratings entered by the facilitator: partnership")
    console.get_by_role("link", name="Back to the console").click()

    console.get_by_role("button", name="Share both sides' scores on the screen").click()
    expect(ratings_box.get_by_role("table")).to_contain_text("Mutual knowledge")
    show_on_screen(console, "Ratings side by side")
    expect(screen.locator("main")).to_contain_text("Mutual knowledge")
    expect(screen.locator("main")).to_contain_text(AGENCY)
    e2e.check(screen, "shared screen: ratings side by side")
    e2e.check(console, "console: ratings revealed")
    pat.reload()
    both = pat.locator("#both-sides")
    expect(both).to_contain_text("Mutual knowledge")
    expect(both.locator(".compare__big").first).to_contain_text("Biggest difference")
    e2e.check(pat, "phone: both sides' scores")
    pat.get_by_role("link", name="Back to the conversation").click()

    # --- challenges, then actions with an owner and a date -------------------------------------
    go_to_stage(console, "Challenges")
    capture(console, POINTS["console_challenge"], "c", "3")
    go_to_stage(console, "Agreed actions")
    for what, *_rest in ACTIONS:
        capture(console, what, "a", "3")
    for what, owner, side, due, _readable in ACTIONS:
        set_action(console, what, owner, side, due)
    for what, owner, _side, _due, readable in ACTIONS:
        card = console.locator(".action-card", has_text=what)
        expect(card.locator(".hint").first).to_contain_text(owner)
        expect(card.locator(".hint").first).to_contain_text(readable)
        expect(card.locator(".hint").first).to_contain_text("agreed by both")
    e2e.check(console, "console: actions with owners and dates")
    show_on_screen(console, "Agreed actions")
    for what, owner, *_rest in ACTIONS:
        expect(screen.locator("main")).to_contain_text(what)
        expect(screen.locator("main")).to_contain_text(owner)
    e2e.check(screen, "shared screen: agreed actions")

    agreement = console.locator("#live-agreement")
    agreement.get_by_label("Points of contact").fill(
        "Pat Okafor for the partnership; Dr Alex Moore for the Primary Care Network.")
    agreement.get_by_label("Next conversation").fill("March 2027, at the hub")
    expect(agreement.locator("[data-save-status]")).to_have_text("Saved.")

    # --- close: the facilitator goes on to the summary; phones stop taking points -----------
    flows.close_conversation(console)
    expect(console).to_have_url(re.compile(rf"/c/{conversation}/summary$"))
    e2e.check(console, "summary: the draft")
    expect(pat.locator(".notice--closed")).to_be_visible()
    expect(pat.locator("#add-form")).to_have_count(0)
    e2e.check(pat, "phone: the conversation has closed")

    # --- the summary's words, both approvals, issue ---------------------------------------------
    console.get_by_label("Your words under “Introduction”").fill(INTRODUCTION)
    console.get_by_label("Your words under “To close”").fill(CLOSING)
    expect(console.locator("#writing-form [data-save-status]")).to_have_text("Saved.")
    with console.context.expect_page() as opened:
        console.get_by_role("link", name="Read it as a document").click()
    document = opened.value
    expect(document.locator("body")).to_contain_text(INTRODUCTION)
    e2e.check(document, "summary: read as a document")
    document.close()
    console.get_by_role("button", name="Show it on the shared screen").click()
    expect(screen.locator("main")).to_contain_text("Page 1 of")
    # The screen reads it a section at a time; the facilitator turns the pages (issue 16).
    console.get_by_role("button", name="Next page").click()
    expect(screen.locator("main")).to_contain_text(INTRODUCTION)
    e2e.check(screen, "shared screen: the draft summary")
    console.get_by_role("button", name=f"Record approval by {PARTNERSHIP}").click()
    expect(console.locator(".notices")).to_contain_text(f"{PARTNERSHIP} approves")
    console.get_by_role("button", name=f"Record approval by {AGENCY}").click()
    expect(console.locator(".notices")).to_contain_text(f"{AGENCY} approves")
    expect(console.locator(".approval.is-approved")).to_have_count(2)
    e2e.check(console, "summary: approved by both sides")
    pat.get_by_role("link", name="Read and approve the summary").click()
    expect(pat.get_by_role("heading", level=1)).to_have_text("The summary")
    e2e.check(pat, "phone: the summary and its approval")
    # The summary's words are on that page, before the approval (issue 16).
    expect(pat.locator("#summary-text")).to_contain_text(CLOSING)

    console.get_by_role("button", name="Issue the summary").click()
    # The background worker makes the files; the page follows it and offers them when ready.
    expect(console.locator(".notices")).to_contain_text("Issuing version 1")
    expect(console.locator("#versions ~ table")).to_be_visible()
    e2e.check(console, "summary: version 1 issued")

    files = {}
    for link, kind in (("PDF", "pdf"), ("Word", "docx")):
        with console.expect_download() as download:
            console.locator("#versions ~ table").get_by_role("link", name=link).click()
        path = Path(download.value.path())
        files[kind] = path.read_bytes()
        assert download.value.suggested_filename.endswith(f".{kind}")
    assert files["pdf"].startswith(b"%PDF")
    for kind, text in (("PDF", pdf_text(files["pdf"])), ("Word", docx_text(files["docx"]))):
        flat = squash(text)
        for expected in (PARTNERSHIP, AGENCY, "22 November 2026", "Morgan Ellis",
                         INTRODUCTION, CLOSING, POINTS["pat_challenge"],
                         POINTS["alex_opportunity"], POINTS["console_challenge"],
                         "Mutual knowledge", "March 2027, at the hub"):
            assert squash(expected) in flat, f"{kind} summary lacks {expected!r}"
        for what, owner, _side, _due, readable in ACTIONS:
            assert squash(what) in flat, f"{kind} summary lacks the action {what!r}"
            assert owner in flat and readable in flat, f"{kind}: {owner} / {readable}"
        # Jordan Lee asked not to be named: the summary gives the role only.
        assert "Jordan Lee" not in flat, f"{kind} summary names someone who asked not to be"
        assert "Primary Care Network manager" in flat

    # --- and a page that isn't there -------------------------------------------------------------
    response = console.goto("/conversations/999999")
    assert response is not None and response.status == 404
    expect(console.get_by_role("heading", level=1)).to_have_text("We can't find that page")
    e2e.check(console, "error page: not found")
