"""Never lose a word, in real browsers: the facilitator in two browsers at once, and a phone
saving its scores every way at once.

- Two consoles edit the agreement: different fields both survive, and each console comes to
  show the other's words; the same field changed in both shows the later writer both
  wordings, with theirs kept in the box until they choose.
- The same for the summary's words under a heading.
- A participant chooses scores and presses "Save my scores" at once, without waiting: no
  error, one score each.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e import flows
from tests.e2e.harness import PHONE, Harness

pytestmark = pytest.mark.e2e


def two_consoles(e2e: Harness, status: str = "live") -> tuple[int, str, Page, Page]:
    facilitator = e2e.facilitator()
    conversation, code = e2e.conversation(facilitator)
    pages = []
    for n in (1, 2):
        page = e2e.page(f"facilitator (browser {n})")
        flows.sign_in(e2e, page, facilitator)
        pages.append(page)
    return conversation, code, pages[0], pages[1]


def test_two_browsers_on_the_agreement(e2e: Harness) -> None:
    conversation, _code, one, two = two_consoles(e2e)
    for page in (one, two):
        page.goto(f"/conversations/{conversation}/console")
    first, second = one.locator("#live-agreement"), two.locator("#live-agreement")

    # Different fields: both kept, and each browser comes to show the other's.
    second.get_by_label("How often we will meet or talk").fill("Every six weeks")
    expect(second.locator("[data-save-status]")).to_have_text("Saved.")
    first.get_by_label("Points of contact").fill("Pat for the partnership")
    expect(first.locator("[data-save-status]")).to_have_text("Saved.")
    expect(first.get_by_label("How often we will meet or talk")).to_have_value("Every six weeks")
    expect(second.get_by_label("Points of contact")).to_have_value("Pat for the partnership")

    # The same field at once: browser one is cut off while it types, browser two saves.
    one.context.set_offline(True)
    first.get_by_label("Points of contact").fill("Pat, and Alex at the practice")
    expect(first.locator("[data-save-status]")).to_contain_text("can’t be reached")
    second.get_by_label("Points of contact").fill("Pat and the practice manager")
    expect(second.locator("[data-save-status]")).to_have_text("Saved.")
    one.context.set_offline(False)
    notice = first.locator(".conflict")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Someone else changed this at the same time")
    expect(notice.locator("blockquote")).to_have_text("Pat and the practice manager")
    expect(first.get_by_label("Points of contact")).to_have_value("Pat, and Alex at the practice")
    e2e.check(one, "console: the agreement, changed in another browser at the same time")
    notice.get_by_role("button", name="Keep my words").click()
    expect(first.locator("[data-save-status]")).to_have_text("Saved.")
    expect(notice).to_have_count(0)
    # Browser two's cursor is still in the box it typed in: the newer words come in as it
    # moves on.
    second.get_by_label("Next conversation").focus()
    expect(second.get_by_label("Points of contact")).to_have_value(
        "Pat, and Alex at the practice")

    # And the other way: take theirs.
    one.context.set_offline(True)
    first.get_by_label("Next conversation").fill("March")
    expect(first.locator("[data-save-status]")).to_contain_text("can’t be reached")
    second.get_by_label("Next conversation").fill("April, at the hub")
    expect(second.locator("[data-save-status]")).to_have_text("Saved.")
    one.context.set_offline(False)
    first.locator(".conflict").get_by_role("button", name="Use their words").click()
    expect(first.get_by_label("Next conversation")).to_have_value("April, at the hub")
    expect(first.locator("[data-save-status]")).to_have_text("Saved.")

    one.reload()
    agreement = one.locator("#live-agreement")
    expect(agreement.get_by_label("Points of contact")).to_have_value(
        "Pat, and Alex at the practice")
    expect(agreement.get_by_label("How often we will meet or talk")).to_have_value(
        "Every six weeks")
    expect(agreement.get_by_label("Next conversation")).to_have_value("April, at the hub")


def test_two_browsers_on_the_summarys_words(e2e: Harness) -> None:
    conversation, _code, one, two = two_consoles(e2e)
    for page in (one, two):
        page.goto(f"/c/{conversation}/summary")
    label = "Your words under “Challenges”"
    one.context.set_offline(True)
    one.get_by_label(label).fill("Two challenges stood out: waiting times and parking.")
    expect(one.locator("#writing-form [data-save-status]")).to_contain_text("can’t be reached")
    two.get_by_label(label).fill("Waiting times stood out for everyone.")
    two.get_by_label("Your words under “Introduction”").fill("Our first conversation.")
    expect(two.locator("#writing-form [data-save-status]")).to_have_text("Saved.")
    one.context.set_offline(False)
    notice = one.locator(".conflict")
    expect(notice).to_be_visible()
    expect(notice.locator("blockquote")).to_have_text("Waiting times stood out for everyone.")
    expect(one.get_by_label(label)).to_have_value(
        "Two challenges stood out: waiting times and parking.")
    e2e.check(one, "summary: the same words changed in another browser")
    notice.get_by_role("button", name="Keep my words").click()
    expect(one.locator("#writing-form [data-save-status]")).to_have_text("Saved.")
    two.reload()
    expect(two.get_by_label(label)).to_have_value(
        "Two challenges stood out: waiting times and parking.")
    # Browser two's introduction, a different field, was never in question.
    expect(two.get_by_label("Your words under “Introduction”")).to_have_value(
        "Our first conversation.")


def test_scores_chosen_and_saved_at_once_on_a_phone(e2e: Harness) -> None:
    facilitator = e2e.facilitator()
    conversation, code = e2e.conversation(facilitator)
    phone = e2e.page("phone: Pat Okafor", PHONE, phone=True)
    flows.join(e2e, phone, code, "Pat Okafor")
    phone.goto("/p/ratings")
    rates = phone.locator("fieldset.rate").filter(has=phone.locator(".scale"))
    for n in range(rates.count()):
        rates.nth(n).get_by_role("radio", name=re.compile(r"^3\b")).check()
    # No waiting for "Saved.": the button at once, twice.
    button = phone.get_by_role("button", name="Save my scores")
    button.click()
    button.click()
    expect(phone.locator("[data-save-status]")).to_have_text("Saved.")
    expect(phone.locator("body")).not_to_contain_text("Something went wrong")
    phone.reload()
    expect(phone.locator("input[type=radio][value='3']:checked")).to_have_count(rates.count())
    e2e.check(phone, "phone: scores saved at once")
    from sqlalchemy import func, select

    from convo.extensions import db
    from convo.models import Rating

    with e2e.server.app.app_context():
        stored = db.session.scalar(select(func.count()).select_from(Rating).where(
            Rating.conversation_id == conversation))
    assert stored == rates.count()


def test_a_choice_not_yet_saved_survives_the_console_refreshing(e2e: Harness) -> None:
    """The facilitator chooses an action's owner; before they press Save, someone's point
    arrives and the console refreshes its regions: the choice stays, and is what is saved."""
    conversation, _code, one, _two = two_consoles(e2e)
    from convo.conversations import capture
    from convo.extensions import db
    from convo.models import Conversation

    app = e2e.server.app

    def add_point(text: str, kind: str = "note") -> None:
        with app.app_context():
            found = db.session.get(Conversation, conversation)
            capture.add(found, client_id=text[:60].replace(" ", "-"), text=text, kind=kind,
                        raised_by="both", stage_id=found.current_stage_id, question_id=None,
                        author=capture.Author(facilitator_id=found.facilitator_id))
            db.session.commit()

    add_point("Walk the estate with the new housing officer.", kind="action")
    one.goto(f"/conversations/{conversation}/console")
    card = one.locator(".action-card", has_text="Walk the estate")
    card.locator("summary").click()
    card.get_by_label("Or choose someone taking part").select_option(
        label="Dr Alex Moore (Clinical director)")
    card.get_by_label("Both sides agreed this").check()
    add_point("Parking at the surgery is a problem.")  # the console refreshes meanwhile
    expect(one.locator("#live-items")).to_contain_text("Parking at the surgery")
    expect(card.get_by_label("Or choose someone taking part")).to_have_value(
        str(_participant_id(app, conversation, "Dr Alex Moore")))
    card.get_by_role("button", name="Save action").click()
    expect(one.locator(".action-card", has_text="Walk the estate").locator(".hint").first
           ).to_contain_text("Dr Alex Moore")


def _participant_id(app, conversation: int, name: str) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from convo.extensions import db
    from convo.models import Participant

    with app.app_context():
        return db.session.scalar(select(Participant.id).where(
            Participant.conversation_id == conversation, Participant.name == name))
