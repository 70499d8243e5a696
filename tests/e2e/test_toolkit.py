"""The second edition of the question sets, in the browser: core and optional questions on
the console and the shared screen, the printable toolkit, and the LTO review's 1 to 10
scale on a phone.  Every page state passes axe-core and the Nu HTML Checker."""

from __future__ import annotations

import io
import re

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e import flows
from tests.e2e.harness import PHONE, Harness


def test_core_questions_and_the_toolkit_at_the_console_and_on_the_screen(e2e: Harness) -> None:
    facilitator = e2e.facilitator()
    conversation_id, _code = e2e.conversation(facilitator)
    page = e2e.page("facilitator")
    flows.sign_in(e2e, page, facilitator)
    page.goto(f"/conversations/{conversation_id}/console")
    plan = page.locator("#live-plan")
    expect(plan.get_by_role("button", name=re.compile("how are you arriving today"))
           ).to_contain_text("core")
    expect(plan.get_by_role("button", name=re.compile("brought each of you"))
           ).not_to_contain_text("core")
    toolkit = page.get_by_role("region", name="Toolkit")
    toolkit.get_by_text("When the room is stuck").click()
    expect(toolkit).to_contain_text("15% Solutions")
    e2e.check(page, "console: the toolkit's notes at hand")

    plan.get_by_role("button", name=re.compile("how are you arriving today")).click()
    expect(page.locator("#live-question")).to_contain_text("Core question")
    screen = page.context.new_page()  # signed in, as a second window is
    e2e.watch(screen, "shared screen")
    screen.goto(f"/c/{conversation_id}/screen")
    expect(screen.locator(".screen-eyebrow")).to_contain_text("Key question")
    e2e.check(screen, "shared screen: a core question")

    page.locator("#live-plan").get_by_role("button", name=re.compile("brought each of you")
                                           ).click()
    expect(page.locator("#live-question")).to_contain_text("Optional: if time allows")
    e2e.check(page, "console: an optional question")
    expect(screen.locator(".screen-eyebrow")).to_contain_text("Extra question, if time allows")


def test_the_toolkit_prints_each_preparation_call_on_its_own_pages(e2e: Harness) -> None:
    facilitator = e2e.facilitator()
    conversation_id, _code = e2e.conversation(facilitator, status="upcoming")
    page = e2e.page("facilitator")
    flows.sign_in(e2e, page, facilitator)
    page.goto(f"/conversations/{conversation_id}")
    page.get_by_role("link", name="Toolkit and preparation calls (to print)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The facilitator's toolkit")
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    e2e.check(page, "toolkit: to print")

    pdf = PdfReader(io.BytesIO(page.pdf(format="A4")))
    pages = [" ".join(p.extract_text().split()) for p in pdf.pages]
    partnership = next(i for i, t in enumerate(pages)
                       if f"Preparation call with {flows.PARTNERSHIP}" in t)
    agency = next(i for i, t in enumerate(pages) if f"Preparation call with {flows.AGENCY}" in t)
    assert agency > partnership
    assert pages[agency].startswith(f"Preparation call with {flows.AGENCY}")
    assert any("What is said here stays here" in t for t in pages)
    assert all("Sign out" not in t for t in pages)  # the site's header is not printed


def test_the_lto_review_scores_one_to_ten_on_a_phone(e2e: Harness) -> None:
    facilitator = e2e.facilitator()
    _conversation_id, code = e2e.conversation(facilitator, set_id="lto_review", subtype="lto")
    phone = e2e.page("phone", viewport=PHONE, phone=True)
    flows.join(e2e, phone, code, flows.PEOPLE[0].name)
    phone.goto("/p/ratings")
    first = phone.locator(".scale").first
    options = first.locator(".scale__option")
    expect(options).to_have_count(10)
    expect(options.first).to_contain_text("Least")
    expect(options.last).to_contain_text("Most")
    boxes = [options.nth(n).bounding_box() for n in range(10)]
    assert len({round(box["y"]) for box in boxes}) == 2  # two rows...
    assert len({round(box["x"]) for box in boxes}) == 5  # ...of five
    assert all(box["width"] >= 44 and box["height"] >= 44 for box in boxes)  # easy to tap
    options.nth(8).click()
    expect(options.nth(8).locator("input")).to_be_checked()
    e2e.check(phone, "phone: the LTO review's ten-point scale")
