"""Steps people take, written once and used by several browser tests.

They find things the way people do: by the words on buttons, links and labels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.harness import Harness, Person

PARTNERSHIP = "Riverside Big Local"
AGENCY = "Exampletown Primary Care Network"


@dataclass(frozen=True)
class Attendee:
    name: str
    role: str
    party: str  # "partnership" or "agency"
    email: str
    may_be_named: bool = True


PEOPLE = (
    Attendee("Pat Okafor", "Partnership chair", "partnership", "pat@example.org"),
    Attendee("Sam Reid", "Community worker", "partnership", "sam@example.org"),
    Attendee("Dr Alex Moore", "Clinical director", "agency", "alex@example.org"),
    Attendee("Jordan Lee", "Primary Care Network manager", "agency", "jordan@example.org",
             may_be_named=False),
)


def sign_in(e2e: Harness, page: Page, person: Person, check: bool = False) -> None:
    page.goto("/sign-in")
    if check:
        e2e.check(page, "sign-in")
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password").fill(person.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/conversations$"))


def open_console(e2e: Harness, facilitator: Person, conversation: int,
                 base_url: str | None = None) -> Page:
    """The facilitator signed in, in a browser of their own, at the conversation's console."""
    console = e2e.page("facilitator (console)", base_url=base_url)
    sign_in(e2e, console, facilitator)
    console.goto(f"/conversations/{conversation}/console")
    return console


def conversation_id(page: Page) -> int:
    match = re.search(r"/conversations/(\d+)", page.url)
    assert match, page.url
    return int(match.group(1))


def prepare_conversation(page: Page, place: str = "Riverside Community Hub") -> int:
    """Fill in the prepare form for a health-agency conversation; returns its id."""
    page.get_by_label("Community partnership").fill(PARTNERSHIP)
    page.get_by_label("Area (optional)").fill("Riverside, Exampletown")
    page.get_by_label("Public agency").fill(AGENCY)
    page.get_by_label("Kind of agency").select_option(label="Health agency")
    page.get_by_label("More exactly (optional)").select_option(label="Primary Care Network (PCN)")
    page.get_by_label("Why this conversation, and why now").fill(
        "Start a conversation about health and wellbeing in Riverside: what each of us does "
        "and where we could work together.")
    page.get_by_label("Date (optional)").fill("2026-11-22")
    page.get_by_label("Start time (optional)").fill("10:00")
    page.get_by_label("Place (optional)").fill(place)
    page.get_by_label("Video call link (optional)").fill("")
    page.get_by_role("button", name="Prepare conversation").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(PARTNERSHIP)
    return conversation_id(page)


def add_participant(page: Page, person: Attendee) -> None:
    page.get_by_text("Add someone", exact=True).click()
    form = page.locator("form", has=page.get_by_role("button", name="Add to the list"))
    form.get_by_label("Name", exact=True).fill(person.name)
    form.get_by_label("Role", exact=True).fill(person.role)
    form.get_by_label(PARTNERSHIP if person.party == "partnership" else AGENCY,
                      exact=True).check()
    form.get_by_label("Email address (optional)").fill(person.email)
    named = form.get_by_label("They are happy to be named in the summary")
    if person.may_be_named:
        named.check()
    else:
        named.uncheck()
    form.get_by_role("button", name="Add to the list").click()
    expect(page.locator(".notices")).to_contain_text(f"{person.name} added")


def join_code_on(page: Page) -> str:
    """The join code as the console shows it."""
    return page.locator("#join .code").inner_text().strip()


def join(e2e: Harness, phone: Page, code: str, name: str, check: bool = False) -> None:
    """A participant types the code on their phone and picks their name."""
    phone.goto("/join")
    if check:
        e2e.check(phone, "phone: join")
    phone.get_by_label("Join code").fill(code.lower().replace("-", ""))
    phone.get_by_role("button", name="Join").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Who are you?")
    if check:
        e2e.check(phone, "phone: who are you")
    phone.get_by_role("button", name=re.compile(f"I am {re.escape(name)}")).click()
    expect(phone).to_have_url(re.compile(r"/p$"))
    expect(phone.locator(".who")).to_contain_text(name)


def join_as_someone_joined(phone: Page, code: str, name: str) -> None:
    """A second phone picks a person already joined on another: it waits for the facilitator's
    OK (nobody takes a listed person's place unnoticed)."""
    phone.goto("/join")
    phone.get_by_label("Join code").fill(code)
    phone.get_by_role("button", name="Join").click()
    phone.get_by_role("button", name=re.compile(f"I am {re.escape(name)}")).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        "Waiting for the facilitator to let you in")


def close_conversation(console: Page) -> None:
    """Close from the console: it asks first (a second, deliberate click)."""
    console.locator(".close-confirm > summary").click()
    console.get_by_role("button", name="Yes, close the conversation").click()


def make_conversation(app: Any, owner_id: int, status: str = "live", set_id: str = "health",
                      subtype: str | None = "pcn") -> tuple[int, str]:
    """Prepare a conversation through the service layer, as the forms would."""
    from convo.conversations import service
    from convo.extensions import db
    from convo.models import Facilitator
    from convo.questions.registry import registry

    with app.app_context():
        question_set = registry().get(set_id)
        details = service.Details(
            partnership_name=PARTNERSHIP, partnership_area="Riverside, Exampletown",
            agency_name=AGENCY, agency_type=question_set.agency_type, agency_subtype=subtype,
            purpose="Start a conversation about health in Riverside.", starts_at=None,
            place="Riverside Community Hub", video_link=None, question_set_id=set_id)
        conversation = service.create(db.session.get(Facilitator, owner_id), details,
                                      question_set)
        for person in PEOPLE:
            service.add_participant(conversation, name=person.name, role=person.role,
                                    party=person.party, email=person.email,
                                    may_be_named=person.may_be_named)
        if status in ("live", "closed"):
            service.start(conversation)
        if status == "closed":
            service.close(conversation)
        db.session.commit()
        return conversation.id, service.display_code(conversation.join_code)
