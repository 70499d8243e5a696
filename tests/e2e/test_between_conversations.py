"""Between conversations, in Chromium: the reminder link's page on a 390 px phone (axe, the
HTML checker, nothing spilling sideways), used to say an action is done, then used again; the
stop page; and the facilitator's map, a relationship's history and the action tracker."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e import flows
from tests.e2e.harness import PHONE, Harness

pytestmark = pytest.mark.e2e


def _action_with_links(app, conversation_id: int) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    """An action owned by the person who asked not to be named, with an update link and a
    stop link as a reminder email carries them."""
    from convo.conversations import capture
    from convo.extensions import db
    from convo.models import Conversation
    from convo.reminders import tokens

    with app.app_context():
        conversation = db.session.get(Conversation, conversation_id)
        owner = next(p for p in conversation.participants if not p.may_be_named)
        owner.reminders = True
        item, _ = capture.add(conversation, client_id="e2e-action",
                              text=f"Send {owner.name}'s figures to the community hub",
                              kind="action", raised_by="agency", stage_id="open",
                              question_id=None,
                              author=capture.Author(facilitator_id=conversation.facilitator_id))
        from datetime import date

        item.owner_participant_id = owner.id
        item.due_date = date(2027, 3, 15)
        db.session.flush()
        update = tokens.new_link("update", partnership_id=conversation.partnership_id,
                                 item_id=item.id, participant_id=owner.id, send_id=None,
                                 days=14)
        stop = tokens.new_link("stop", partnership_id=conversation.partnership_id,
                               item_id=item.id, participant_id=owner.id, send_id=None,
                               days=365)
        db.session.commit()
        return conversation.partnership_id, update, stop


def test_the_reminder_page_on_a_phone(e2e: Harness) -> None:
    owner = e2e.facilitator()
    conversation_id, _code = e2e.conversation(owner)
    _pid, update, stop = _action_with_links(e2e.server.app, conversation_id)
    phone = e2e.page("action owner's phone", PHONE, phone=True)
    phone.goto(f"/r/{update}")
    expect(phone.get_by_role("heading", name="How is your action going?")).to_be_visible()
    e2e.check(phone, "reminder link: how is it going")
    text = phone.locator("main").inner_text()
    assert "Jordan Lee" not in text and "Primary Care Network manager" in text
    phone.get_by_role("button", name="Send").click()  # nothing chosen: told what to do
    expect(phone.locator(".error-summary")).to_be_focused()
    e2e.check(phone, "reminder link: nothing chosen")
    phone.get_by_label("Done").check()
    phone.get_by_label("Anything to add? (optional)").fill("Sent on Friday.")
    phone.get_by_role("button", name="Send").click()
    expect(phone.get_by_role("heading", name="Thank you")).to_be_visible()
    e2e.check(phone, "reminder link: thank you")
    phone.goto(f"/r/{update}")
    expect(phone.get_by_text("already been used")).to_be_visible()
    e2e.check(phone, "reminder link: used already")
    phone.goto(f"/r/stop/{stop}")
    e2e.check(phone, "stop reminders")
    phone.get_by_role("button", name="Stop the emails").click()
    expect(phone.get_by_role("heading", name="You won't get any more reminders")).to_be_visible()
    e2e.check(phone, "stop reminders: done")


def test_the_map_the_history_and_the_tracker(e2e: Harness) -> None:
    owner = e2e.facilitator()
    conversation_id, _code = e2e.conversation(owner)
    pid, _update, _stop = _action_with_links(e2e.server.app, conversation_id)
    page = e2e.page("facilitator")
    flows.sign_in(e2e, page, owner)
    page.goto(f"/partnerships/{pid}/edit")
    for name in ("Trust", "Shared goals"):
        page.get_by_label(name, exact=True).check()
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Add an agency to the map").click()
    e2e.check(page, "map: add an agency")
    page.get_by_label("Public agency").fill("Exampletown Borough Council")
    page.get_by_label("Kind of agency").select_option("local_authority")
    page.get_by_label("Co-design and co-delivery").check()
    page.get_by_label("What kind of relationship it is now").select_option("powerful_allies")
    page.get_by_label("Trust").select_option("4")
    page.get_by_label("Mark on the map").select_option("good")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("svg.relationship-map")).to_be_visible()
    e2e.check(page, "the relationship map")
    # The map as PDF: the worker makes it, the page follows without a reload and offers it.
    page.get_by_role("link", name="The map as PDF").click()
    e2e.check(page, "the map as PDF: to make")
    page.get_by_role("button", name="Make the PDF").click()
    expect(page.get_by_text("The file is being made")).to_be_visible()
    download_link = page.get_by_role("link", name="Download the PDF")
    expect(download_link).to_be_visible(timeout=60_000)
    e2e.check(page, "the map as PDF: ready")
    with page.expect_download() as download:
        download_link.click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    page.goto(f"/partnerships/{pid}")
    page.get_by_role("link", name=re.compile("Exampletown Borough Council")).first.click()
    e2e.check(page, "a relationship's history")
    page.goto(f"/partnerships/{pid}/actions")
    expect(page.get_by_text("community hub")).to_be_visible()
    e2e.check(page, "the action tracker")
    page.goto(f"/partnerships/{pid}/reminders")
    e2e.check(page, "reminders' settings")
    page.goto("/partnerships")
    e2e.check(page, "partnerships")
