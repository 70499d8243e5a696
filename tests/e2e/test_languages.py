"""Languages in the browser (issue 19): a conversation run in English, one phone in Welsh and
one in Urdu at 390 and 320 px, the shared screen in two languages, and the facilitator's pages
in Welsh — every state held to the harness's bar (Nu HTML Checker, axe WCAG 2.2 A/AA, labels,
nothing spilling out sideways, no script error)."""

from __future__ import annotations

import re

from flask_babel import force_locale, gettext
from playwright.sync_api import Page, expect

from tests.e2e import flows
from tests.e2e.harness import DESKTOP, PHONE, PROJECTOR, SMALL_PHONE, Harness


def _words(e2e: Harness, code: str, text: str) -> str:
    with e2e.server.app.test_request_context(), force_locale(code):
        found = gettext(text)
    assert found != text, f"{text!r} has no {code} translation"
    return found


def _question(e2e: Harness, conversation: int, code: str) -> str:
    from convo.conversations import service
    from convo.extensions import db
    from convo.models import Conversation

    with e2e.server.app.app_context():
        row = db.session.get(Conversation, conversation)
        return service.plan_for(row, code).question(row.current_stage_id,
                                                    row.current_question_id).text


def _go_to_first_question(e2e: Harness, conversation: int, **settings: object) -> None:
    from convo.extensions import db
    from convo.live import state
    from convo.models import Conversation

    with e2e.server.app.app_context():
        row = db.session.get(Conversation, conversation)
        for name, value in settings.items():
            setattr(row, name, value)
        state.go_to(row, "open", "open_ground_rules")
        db.session.commit()


def _set_status(e2e: Harness, conversation: int, status: str) -> None:
    from convo.extensions import db
    from convo.live import state
    from convo.models import Conversation

    with e2e.server.app.app_context():
        row = db.session.get(Conversation, conversation)
        row.status = status
        state.bump(row)
        db.session.commit()


def _choose(phone: Page, language_name: str) -> None:
    phone.locator("#language-choice").select_option(label=language_name)
    phone.locator(".language-switch button").click()


def _phone_in(e2e: Harness, code: str, language: str, name: str, viewport: dict[str, int],
              person: str, conversation: int) -> Page:
    label = f"phone in {language} ({viewport['width']} px)"
    phone = e2e.page(label, viewport, phone=True)
    phone.goto("/join")
    _choose(phone, name)
    expect(phone.locator("html")).to_have_attribute("lang", language.replace("_", "-"))
    e2e.check(phone, f"{label}: join")
    phone.locator(".join-form input[name=code]").fill(code.lower().replace("-", ""))
    phone.locator(".join-form button[type=submit]").click()
    expect(phone.locator(".pick-button").first).to_be_visible()
    e2e.check(phone, f"{label}: who are you")
    phone.locator(".pick-button", has_text=person).click()
    expect(phone).to_have_url(re.compile(r"/p$"))
    expect(phone.locator(".now-box")).to_contain_text(_question(e2e, conversation, language))
    e2e.check(phone, f"{label}: the question")
    return phone


def test_a_conversation_with_phones_in_welsh_and_urdu(e2e: Harness) -> None:
    facilitator = e2e.facilitator()
    conversation, code = e2e.conversation(facilitator)
    _go_to_first_question(e2e, conversation, second_locale="cy")

    welsh = _phone_in(e2e, code, "cy", "Cymraeg", PHONE, "Pat Okafor", conversation)
    urdu = _phone_in(e2e, code, "ur", "اردو", PHONE, "Dr Alex Moore", conversation)
    small = _phone_in(e2e, code, "ur", "اردو", SMALL_PHONE, "Sam Reid", conversation)

    # Urdu reads right to left: the page's direction, the heading against the right edge.
    for phone in (urdu, small):
        assert phone.evaluate("() => getComputedStyle(document.body).direction") == "rtl"
        box = phone.locator(".phone h1").bounding_box()
        width = phone.viewport_size["width"]
        assert box["x"] + box["width"] > width - 40, "the heading should start at the right"
        assert phone.locator(".now-box").get_attribute("aria-label") == _words(
            e2e, "ur", "Where the conversation is now")

    # A point added in Urdu, saved and shown in the words typed.
    typed = "بس کا راستہ بند ہو گیا ہے، 12 لوگ متاثر"
    urdu.locator("#add-form textarea").fill(typed)
    urdu.locator("#add-form input[type=radio]").first.check()
    urdu.locator("#add-form button[type=submit]").click()
    expect(urdu.locator(".my-items, #my-items").first).to_contain_text(typed)
    e2e.check(urdu, "phone in ur (390 px): a point added")

    # Changing that point, in Urdu.
    urdu.locator(".my-item__change a").first.click()
    expect(urdu.locator("main textarea")).to_have_value(typed)
    e2e.check(urdu, "phone in ur (390 px): changing a point")
    urdu.goto("/p")

    # A code that doesn't work, and a person already joined on another phone, in Urdu.
    other = e2e.page("another phone in ur (390 px)", PHONE, phone=True)
    other.goto("/join")
    _choose(other, "اردو")
    other.locator(".join-form input[name=code]").fill("ZZZZZZZZ")
    other.locator(".join-form button[type=submit]").click()
    expect(other.locator("main h1")).to_have_text(_words(e2e, "ur", "That code doesn't work"))
    e2e.check(other, "phone in ur: a code that doesn't work")
    other.locator(".join-form input[name=code]").fill(code.lower().replace("-", ""))
    other.locator(".join-form button[type=submit]").click()
    other.locator(".pick-button", has_text="Pat Okafor").click()  # joined on the Welsh phone
    expect(other.locator("main h1")).to_have_text(_words(
        e2e, "ur", "Waiting for the facilitator to let you in"))
    e2e.check(other, "phone in ur: waiting to be let in")

    # The scores, in Welsh and in Urdu.
    for phone, language in ((welsh, "cy"), (small, "ur")):
        phone.goto("/p/ratings")
        expect(phone.locator("html")).to_have_attribute("lang", language)
        e2e.check(phone, f"phone in {language}: the scores")

    # The shared screen, in English with the question in Welsh beneath.
    console = e2e.page("console", DESKTOP)
    flows.sign_in(e2e, console, facilitator)
    screen = e2e.context("shared screen (projector)", PROJECTOR,
                         storage_state=console.context.storage_state()).new_page()
    screen.goto(f"/c/{conversation}/screen")
    second = screen.locator(".screen-second")
    expect(second).to_have_attribute("lang", "cy")
    expect(second).to_contain_text(_question(e2e, conversation, "cy"))
    expect(screen.locator(".screen-question").first).to_contain_text(
        _question(e2e, conversation, "en_GB"))
    e2e.check(screen, "screen: the question in English and Welsh")

    # After the close: the summary to approve, in each phone's language.
    _set_status(e2e, conversation, "closed")
    for phone, language, label in ((welsh, "cy", "390 px"), (small, "ur", "320 px")):
        phone.goto("/p/summary")
        expect(phone.locator("html")).to_have_attribute("lang", language)
        expect(phone.locator("#summary-text")).to_contain_text(
            "Start a conversation about health")  # the facilitator's own words, as written
        e2e.check(phone, f"phone in {language} ({label}): the summary to approve")

    # Leaving, in Urdu: the join page says so.
    small.goto("/p")
    small.locator(".leave-form button[type=submit]").click()
    expect(small).to_have_url(re.compile(r"/join$"))
    expect(small.locator("html")).to_have_attribute("dir", "rtl")
    e2e.check(small, "phone in ur (320 px): left the conversation")


def test_the_facilitators_pages_in_welsh(e2e: Harness) -> None:
    from convo.extensions import db
    from convo.models import Facilitator

    facilitator = e2e.facilitator()
    with e2e.server.app.app_context():
        row = db.session.get(Facilitator, facilitator.id)
        row.locale, row.is_admin = "cy", True
        db.session.commit()
    conversation, _code = e2e.conversation(facilitator)
    _go_to_first_question(e2e, conversation, locale="cy", second_locale="en_GB")
    with e2e.server.app.app_context():
        from convo.models import Conversation

        partnership = db.session.get(Conversation, conversation).partnership_id

    # Before signing in, a browser that asks for Welsh gets Welsh.
    page = e2e.page("facilitator in Welsh", DESKTOP, locale="cy")
    page.goto("/sign-in")
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    e2e.check(page, "in Welsh: sign in")
    page.locator("input[name=email]").fill(facilitator.email)
    page.locator("input[name=password]").fill(facilitator.password)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/conversations$"))
    for url, what in (("/conversations", "conversations"),
                      (f"/conversations/{conversation}", "the conversation"),
                      (f"/conversations/{conversation}/edit", "edit details"),
                      (f"/conversations/{conversation}/plan", "the plan"),
                      (f"/conversations/{conversation}/console", "the console"),
                      (f"/c/{conversation}/summary", "the summary"),
                      ("/partnerships", "partnerships"),
                      ("/question-sets", "question sets"),
                      ("/question-sets/health", "a question set"),
                      (f"/conversations/{conversation}/toolkit", "the toolkit"),
                      (f"/conversations/{conversation}/run-sheet", "the run sheet"),
                      (f"/partnerships/{partnership}", "a partnership"),
                      (f"/partnerships/{partnership}/actions", "the action tracker"),
                      ("/admin/facilitators", "admin: facilitators"),
                      ("/account", "account")):
        page.goto(url)
        expect(page.locator("html")).to_have_attribute("lang", "cy")
        e2e.check(page, f"in Welsh: {what}")
    missing = page.goto("/conversations/99999")
    assert missing is not None and missing.status == 404
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    e2e.check(page, "in Welsh: a page that isn't there")
    page.goto(f"/conversations/{conversation}/console")
    expect(page.locator("#current-heading")).to_have_text(_question(e2e, conversation, "cy"))
    expect(page.get_by_role("link", name=_words(e2e, "cy", "Conversations"))).to_be_visible()


def test_residents_other_pages_in_welsh_and_urdu(e2e: Harness) -> None:
    """The pages residents open without an account follow their own language too: an
    action's reminder page, and a relationship mapping's phone pages."""
    from convo.extensions import db
    from convo.models import Conversation, Facilitator, Partnership
    from convo.partnerships import mapping
    from tests.e2e.test_between_conversations import _action_with_links

    owner = e2e.facilitator()
    conversation, _code = e2e.conversation(owner)
    _pid, update, stop = _action_with_links(e2e.server.app, conversation)

    welsh = e2e.page("reminder in Welsh", PHONE, phone=True, locale="cy")
    welsh.goto(f"/r/{update}")  # the browser asks for Welsh: no choosing needed
    expect(welsh.locator("html")).to_have_attribute("lang", "cy")
    e2e.check(welsh, "reminder link in Welsh")
    welsh.locator("main form button[type=submit]").click()  # nothing chosen: told what to do
    expect(welsh.locator(".error-summary")).to_be_focused()
    e2e.check(welsh, "reminder link in Welsh: nothing chosen")
    welsh.goto(f"/r/stop/{stop}")
    e2e.check(welsh, "stop reminders in Welsh")

    urdu = e2e.page("reminder in Urdu (320 px)", SMALL_PHONE, phone=True)
    urdu.goto(f"/r/{update}")
    _choose(urdu, "اردو")
    expect(urdu.locator("html")).to_have_attribute("dir", "rtl")
    expect(urdu.locator("main h1")).to_have_text(_words(e2e, "ur", "How is your action going?"))
    e2e.check(urdu, "reminder link in Urdu (320 px)")

    with e2e.server.app.app_context():
        row = db.session.get(Conversation, conversation)
        partnership = db.session.get(Partnership, row.partnership_id)
        partnership.criteria = "trust,respect"
        code = mapping.start(partnership, db.session.get(Facilitator, owner.id)).code
        db.session.commit()
    member = e2e.page("mapping in Urdu (390 px)", PHONE, phone=True)
    member.goto(f"/m/{code}")
    _choose(member, "اردو")
    expect(member.locator("html")).to_have_attribute("lang", "ur")
    e2e.check(member, "mapping in Urdu: join")
    member.locator("main input[name=name]").fill("پروین")
    member.locator("main form button[type=submit]").click()
    expect(member.locator("main h1")).to_have_text(_words(e2e, "ur", "Your scores"))
    e2e.check(member, "mapping in Urdu: scores to give")
