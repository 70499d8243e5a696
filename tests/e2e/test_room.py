"""Running the room in a real browser (issue 16): clocks that move by themselves, a countdown
on the shared screen, and a shared screen that never needs scrolling — at 1920×1080 and on a
1280×720 projector, with 30 points of 300 characters and one of 3,000 — plus the welcome and
closing views.  Every new page state passes the harness's checks (axe, Nu, labels, overflow).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e import flows
from tests.e2e.harness import DESKTOP, PHONE, PROJECTOR, Harness

SMALL_PROJECTOR = {"width": 1280, "height": 720}
POINT = ("We need the surgery to tell us early when clinics change, so that volunteers can "
         "tell people at the hub and nobody turns up to a locked door. ")
HEIGHT_JS = "() => [document.documentElement.scrollHeight, window.innerHeight, " \
            "getComputedStyle(document.documentElement).getPropertyValue('--fit') || '1']"


def _set(e2e: Harness, conversation_id: int, **values: Any) -> None:
    """Change the conversation as the console would, and move its version on (the screen
    follows it within a second)."""
    from convo.extensions import db
    from convo.models import Conversation

    with e2e.server.app.app_context():
        conversation = db.session.get(Conversation, conversation_id)
        for key, value in values.items():
            setattr(conversation, key, value)
        conversation.version += 1
        conversation.phone_version = conversation.version  # as state.bump
        db.session.commit()


def _fill(e2e: Harness, conversation_id: int) -> None:
    """30 points of 300 characters and one of 3,000 in the current stage; ten long actions;
    words in the draft summary."""
    from convo.conversations import capture
    from convo.extensions import db
    from convo.models import Conversation

    with e2e.server.app.app_context():
        conversation = db.session.get(Conversation, conversation_id)
        stage = conversation.current_stage_id
        author = capture.Author(facilitator_id=conversation.facilitator_id)
        for n in range(30):
            text = f"Point {n + 1}: " + (POINT * 3)[:290]
            capture.add(conversation, client_id=f"p{n}", text=text,
                        kind=("challenge", "opportunity", "strength", "note")[n % 4],
                        raised_by=("partnership", "agency", "both")[n % 3], stage_id=stage,
                        question_id=None, author=author)
        capture.add(conversation, client_id="long", text="The long one: " + (POINT * 25)[:2985],
                    kind="note", raised_by="both", stage_id=stage, question_id=None,
                    author=author)
        for n in range(10):
            capture.add(conversation, client_id=f"a{n}", text=f"Action {n + 1}: " + POINT * 2,
                        kind="action", raised_by="both", stage_id="actions", question_id=None,
                        author=author)
        conversation.contacts = "Pat Okafor for the partnership; Dr Alex Moore for the PCN."
        db.session.commit()


def _fits(screen: Page, what: str) -> str:
    height, window, fit = screen.evaluate(HEIGHT_JS)
    assert height <= window, f"{what}: the screen scrolls ({height} > {window} px)"
    return fit.strip() or "1"


def _show(e2e: Harness, screen: Page, conversation_id: int, expected: str,
          **values: Any) -> None:
    _set(e2e, conversation_id, **values)
    expect(screen.locator("main")).to_contain_text(expected)
    screen.wait_for_timeout(300)  # screen.js fits the view as it swaps it in


def test_the_clocks_move_by_themselves(e2e: Harness) -> None:
    facilitator = e2e.facilitator()
    conversation, _code = e2e.conversation(facilitator)
    console = e2e.page("facilitator (console)", DESKTOP)
    flows.sign_in(e2e, console, facilitator)

    # The current stage entered 58 seconds ago: its minutes turn over with nothing else changing.
    from convo.core import clock
    from convo.extensions import db
    from convo.models import Conversation

    with e2e.server.app.app_context():
        row = next(s for s in db.session.get(Conversation, conversation).stages
                   if s.stage_id == db.session.get(Conversation, conversation).current_stage_id)
        row.entered_at = clock.utcnow() - timedelta(seconds=57)
        planned = row.minutes
        db.session.commit()
    console.goto(f"/conversations/{conversation}/console")
    stage_clock = console.locator(".console-plan__stage.is-current .console-plan__time")
    expect(stage_clock).to_have_text(f"0 of {planned} min")
    e2e.check(console, "console: the clocks, before the countdown")
    expect(stage_clock).to_have_text(f"1 of {planned} min")
    expect(console.locator("#whole-clock")).to_contain_text(
        re.compile(r"min left, ends at \d\d:\d\d"))

    # The countdown: started from the console, shown on the shared screen, moving by itself.
    console.get_by_label("Minutes").fill("10")
    console.get_by_role("button", name="Start the countdown").click()
    timer = console.locator("#console-timer-time")
    expect(timer).to_have_text(re.compile(r"^(10:00|9:5\d)$"))
    projector = e2e.context("shared screen (projector)", PROJECTOR,
                            storage_state=console.context.storage_state())
    screen = projector.new_page()
    screen.goto(f"/c/{conversation}/screen")
    on_screen = screen.locator(".screen-timer__time")
    expect(on_screen).to_have_text(re.compile(r"^(10:00|9:5\d)$"))
    first = on_screen.inner_text()
    screen.wait_for_timeout(2500)
    assert on_screen.inner_text() != first, "the screen's countdown stood still"
    e2e.check(screen, "shared screen: the countdown running")
    # Readable from the back of a room: digits at least 96 px tall at 1920×1080 and on a
    # 1280×720 projector, where the view still fits without scrolling.
    sizes = {"1920×1080": _countdown_size(screen)}
    small = e2e.context("shared screen (small projector)", SMALL_PROJECTOR,
                        storage_state=console.context.storage_state()).new_page()
    small.goto(f"/c/{conversation}/screen")
    expect(small.locator(".screen-timer__time")).to_have_text(re.compile(r"^\d+:\d\d$"))
    sizes["1280×720"] = _countdown_size(small)
    _fits(small, "1280×720 the question with the countdown")
    for label, (font, height) in sizes.items():
        assert font >= 96 and height >= 96, (label, font, height)
    print(f"countdown on the screen (font px, box px): {sizes}")
    e2e.check(console, "console: the countdown running")

    console.get_by_role("button", name="Pause").click()
    expect(screen.locator(".screen-timer__paused")).to_have_text("paused")
    held = on_screen.inner_text()
    screen.wait_for_timeout(2000)
    assert on_screen.inner_text() == held, "a paused countdown moved"
    e2e.check(screen, "shared screen: the countdown paused")
    console.get_by_role("button", name="Carry on").click()
    # Wait for the console to show the timer as it now is: a press on the older copy is
    # (rightly) refused as out of date.
    expect(console.get_by_role("button", name="Pause")).to_be_visible()
    console.get_by_role("button", name="Add 5 minutes").click()
    expect(on_screen).to_have_text(re.compile(r"^1[45]:\d\d$"))

    # Time up: a quiet visual cue (amber, "Time’s up"), no sound.
    with e2e.server.app.app_context():
        row = db.session.get(Conversation, conversation)
        row.timer_ends_at = clock.utcnow() + timedelta(seconds=2)
        row.version += 1
        row.phone_version = row.version  # as state.bump
        db.session.commit()
    expect(on_screen).to_have_text("Time’s up")
    expect(on_screen).to_have_class(re.compile(r"\bis-over\b"))
    assert screen.locator("audio").count() == 0
    e2e.check(screen, "shared screen: time is up")
    # Reloading the screen shows the same: the state is the server's.
    screen.reload()
    expect(screen.locator(".screen-timer__time")).to_have_text("Time’s up")
    console.get_by_role("button", name="Take it off the screen").click()
    expect(screen.locator(".screen-timer")).to_have_count(0)


def _countdown_size(screen: Page) -> tuple[float, float]:
    """The countdown's type size and the height of its digits' box, in CSS pixels."""
    return tuple(screen.locator(".screen-timer__time").evaluate(
        "el => [parseFloat(getComputedStyle(el).fontSize), el.getBoundingClientRect().height]"))


def test_every_screen_view_fits_without_scrolling(e2e: Harness) -> None:
    facilitator = e2e.facilitator()
    conversation, code = e2e.conversation(facilitator)
    _fill(e2e, conversation)
    console = e2e.page("facilitator (console)", DESKTOP)
    flows.sign_in(e2e, console, facilitator)
    console.goto(f"/conversations/{conversation}/console")
    fits: dict[str, str] = {}
    from convo.core import clock

    # Each view at both sizes, then at both again with a countdown running (its large digits
    # make the top band taller) and the join strip along the foot, turned on from the console.
    for size, extras in ((PROJECTOR, False), (SMALL_PROJECTOR, False),
                         (PROJECTOR, True), (SMALL_PROJECTOR, True)):
        countdown = extras
        label = f"{size['width']}×{size['height']}" + (
            " with the countdown and the join strip" if extras else "")
        _set(e2e, conversation, timer_state="running" if countdown else "off",
             timer_ends_at=clock.utcnow() + timedelta(minutes=30) if countdown else None)
        strip_button = console.locator("#screen-join-strip")
        if extras and strip_button.get_attribute("aria-pressed") == "false":
            strip_button.click()
            expect(console.locator("#screen-join-strip")).to_have_attribute("aria-pressed", "true")
            e2e.check(console, "console: the join strip on the shared screen")
        context = e2e.context(f"shared screen {label}", size,
                              storage_state=console.context.storage_state())
        screen = context.new_page()
        screen.goto(f"/c/{conversation}/screen")
        check = size is PROJECTOR  # the checks once; the height at both sizes
        if countdown:
            expect(screen.locator(".screen-timer__time")).to_be_visible()
            expect(screen.locator(".screen-strip")).to_contain_text(code)

        _show(e2e, screen, conversation, "What we have heard", screen_mode="items",
              screen_page=0, screen_item_id=None)
        expect(screen.locator(".screen-paging")).to_contain_text("of 31")
        pages = int(re.search(r"(\d+)–31 of 31", screen.locator(".screen-paging").inner_text())
                    .group(1))
        fits[f"{label} items, newest page"] = _fits(screen, f"{label} points, newest page")
        if check:
            e2e.check(screen, "shared screen: the newest page of 31 points")
        page = 1
        while True:
            _show(e2e, screen, conversation, "What we have heard", screen_page=page)
            paging = screen.locator(".screen-paging").inner_text()
            fits[f"{label} items page {page}"] = _fits(screen, f"{label} points page {page}")
            if "–31 of 31" in paging:
                break
            page += 1
            assert page < 20
        assert pages > 1

        from convo.extensions import db
        from convo.models import Item

        with e2e.server.app.app_context():
            long_id = db.session.query(Item.id).filter(
                Item.conversation_id == conversation,
                Item.text.like("The long one%")).scalar()
        _show(e2e, screen, conversation, "Point 31 of 31", screen_item_id=long_id,
              screen_page=0)
        fits[f"{label} long point"] = _fits(screen, f"{label} the long point opened")
        if check:
            e2e.check(screen, "shared screen: a 3,000-character point opened in full")
        _show(e2e, screen, conversation, "Part 2 of", screen_page=2)
        fits[f"{label} long point part 2"] = _fits(screen, f"{label} the long point, part 2")

        _show(e2e, screen, conversation, "Agreed actions", screen_mode="actions",
              screen_item_id=None, screen_page=0)
        fits[f"{label} actions"] = _fits(screen, f"{label} actions")
        if check:
            e2e.check(screen, "shared screen: ten long actions, first page")

        _show(e2e, screen, conversation, "Join on your own phone", screen_mode="join",
              screen_page=0)
        fits[f"{label} join"] = _fits(screen, f"{label} join")
        _show(e2e, screen, conversation, "Stage", screen_mode="question")
        fits[f"{label} question"] = _fits(screen, f"{label} question")
        _show(e2e, screen, conversation, "How well are we working together", screen_mode="ratings",
              ratings_revealed=True)
        fits[f"{label} ratings"] = _fits(screen, f"{label} ratings")
        if check:
            e2e.check(screen, "shared screen: ratings revealed")

        _show(e2e, screen, conversation, "Draft summary", screen_mode="summary",
              ratings_revealed=False, screen_page=0)
        summary_pages = int(re.search(r"Page 1 of (\d+)",
                                      screen.locator(".screen-paging").inner_text()).group(1))
        for number in range(1, summary_pages + 1):
            _show(e2e, screen, conversation, f"Page {number} of {summary_pages}",
                  screen_page=number)
            fits[f"{label} summary page {number}"] = _fits(
                screen, f"{label} the draft summary, page {number}")
            if check and number in (1, 2):
                e2e.check(screen, f"shared screen: the draft summary, page {number}")

        _show(e2e, screen, conversation, "Welcome", status="upcoming", screen_mode="question",
              screen_page=0)
        expect(screen.locator("main")).to_contain_text(code)
        fits[f"{label} welcome"] = _fits(screen, f"{label} welcome")
        if check:
            e2e.check(screen, "shared screen: welcome, before the start")
        _show(e2e, screen, conversation, "Thank you for taking part", status="closed")
        fits[f"{label} closing"] = _fits(screen, f"{label} closing")
        if check:
            e2e.check(screen, "shared screen: thanks, after the close")
        _set(e2e, conversation, status="live")
        context.close()
    # The type is shrunk (screen.js) only where paging alone did not fit; say where.
    shrunk = {k: v for k, v in fits.items() if v != "1"}
    print(f"views checked: {len(fits)}; type shrunk to fit in: {shrunk or 'none'}")


def test_the_console_pages_the_screen_with_keys(e2e: Harness) -> None:
    facilitator = e2e.facilitator()
    conversation, _code = e2e.conversation(facilitator)
    _fill(e2e, conversation)
    _set(e2e, conversation, screen_mode="items")
    console = e2e.page("facilitator (console)", DESKTOP)
    flows.sign_in(e2e, console, facilitator)
    console.goto(f"/conversations/{conversation}/console")
    where = console.locator(".screen-pages__where")
    expect(where).to_contain_text(re.compile(r"Showing \d+–31 of 31"))
    e2e.check(console, "console: paging the shared screen")
    newest = where.inner_text()
    console.keyboard.press("Alt+PageUp")
    expect(where).not_to_have_text(newest)
    expect(where).not_to_contain_text("–31 of 31")
    console.keyboard.press("Alt+PageDown")
    expect(where).to_have_text(newest)
    # A point opened in full from the console, then closed.
    console.locator("#live-items .item").first.locator("summary").first.click()
    console.locator("#live-items .item").first.get_by_role(
        "button", name="Show in full on the screen").click()
    expect(where).to_contain_text("is open in full on the screen")
    e2e.check(console, "console: a point open on the shared screen")
    console.get_by_role("button", name="Back to the list").click()
    expect(where).to_contain_text("Showing")


SMALL_PHONE = {"width": 320, "height": 640}
SMALLEST_TEXT_JS = """() => {
  const sizes = [...document.querySelectorAll("#summary-text *")]
    .filter(el => [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
    .map(el => [parseFloat(getComputedStyle(el).fontSize), el.textContent.trim().slice(0, 40)]);
  sizes.sort((a, b) => a[0] - b[0]);
  return sizes[0] || [0, "no text"];
}"""


def test_phones_keep_people_oriented(e2e: Harness) -> None:
    from convo.extensions import db
    from convo.live import state
    from convo.models import Conversation

    facilitator = e2e.facilitator()
    conversation, code = e2e.conversation(facilitator)
    _fill(e2e, conversation)
    phone = e2e.page("phone: Dr Alex Moore (320 px)", SMALL_PHONE, phone=True)
    flows.join(e2e, phone, code, "Dr Alex Moore")
    announce = phone.locator("#now-announce")
    expect(announce).to_have_attribute("aria-live", "polite")

    # A new question is said politely to screen readers.
    with e2e.server.app.app_context():
        from convo.conversations import service

        row = db.session.get(Conversation, conversation)
        stage = service.plan_for(row).included[0]
        state.go_to(row, stage.id, stage.questions[0].id)
        db.session.commit()
    expect(announce).to_contain_text("New question:")
    expect(announce).to_contain_text(stage.questions[0].text[:30])
    e2e.check(phone, "phone (320 px): a new question")

    # Scores given for the side: the phone says so rather than asking again.
    with e2e.server.app.app_context():
        from convo.models import Rating

        row = db.session.get(Conversation, conversation)
        row.screen_mode = "ratings"
        db.session.add(Rating(conversation_id=conversation, party="agency",
                              instrument_id="eight_criteria", criterion_id="trust",
                              column="now", score=3, entered_by="device"))
        row.version += 1
        row.phone_version = row.version  # as state.bump
        db.session.commit()
    expect(phone.locator(".now__done")).to_have_text("Your side's scores are in – thank you.")
    expect(phone.locator("#live-view").get_by_role(
        "link", name="Give your scores (private)")).to_have_count(0)
    e2e.check(phone, "phone (320 px): scores given")
    phone.reload()  # the rest of the page says the same once drawn again
    expect(phone.get_by_role("link", name="Give your scores (private)")).to_have_count(0)
    _set(e2e, conversation, ratings_revealed=True)
    expect(phone.locator(".now__done")).to_have_text("Scores are on the shared screen.")

    # After the close: the summary, readable on a 320 px phone, above the approve button.
    _set(e2e, conversation, status="closed")
    phone.goto("/p/summary")
    expect(phone.locator("#summary-text")).to_contain_text("Start a conversation about health")
    viewport = phone.evaluate(
        "() => document.querySelector('meta[name=viewport]').getAttribute('content')")
    assert "width=device-width" in viewport
    width = phone.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the summary is wider than the phone: {width}"
    smallest, where = phone.evaluate(SMALLEST_TEXT_JS)
    assert smallest >= 16, f"text at {smallest}px on a 320 px phone: {where!r}"
    text_top = phone.locator("#summary-text").bounding_box()["y"]
    button = phone.get_by_role("button", name=re.compile("Approve on behalf of"))
    button_top = button.bounding_box()["y"]
    assert text_top < button_top
    e2e.check(phone, "phone (320 px): the summary to read, then approve")
    phone.goto("/p/summary/document")  # an old link: the same page
    expect(phone).to_have_url(re.compile(r"/p/summary#summary-text$"))
    print(f"smallest summary text on a 320 px phone: {smallest}px")


def test_the_run_sheet_from_the_browser(e2e: Harness) -> None:
    from tests.documents import pdf_pages, pdf_text

    facilitator = e2e.facilitator()
    conversation, code = e2e.conversation(facilitator, status="upcoming")
    console = e2e.page("facilitator", DESKTOP)
    flows.sign_in(e2e, console, facilitator)
    console.goto(f"/conversations/{conversation}/plan")
    e2e.check(console, "plan: clock times and a live total")
    total = console.locator("[data-plan-total]")
    before = int(re.search(r"(\d+) minutes", total.inner_text()).group(1))
    first_minutes = console.locator("input[id^=minutes-]").first
    value = int(first_minutes.input_value())
    first_minutes.fill(str(value + 5))
    expect(total).to_have_text(f"Planned now: {before + 5} minutes.")  # before saving
    console.goto(f"/conversations/{conversation}/run-sheet")
    e2e.check(console, "run sheet: to make")
    console.get_by_role("button", name="Make the run sheet").click()
    download = console.get_by_role("link", name="Download the run sheet (PDF)")
    expect(download).to_be_visible()  # the worker drew it; the page followed
    e2e.check(console, "run sheet: ready")
    with console.expect_download() as info:
        download.click()
    from pathlib import Path

    data = Path(info.value.path()).read_bytes()
    assert 1 <= pdf_pages(data) <= 2
    text = " ".join(pdf_text(data).split())
    assert "Run sheet: Riverside Big Local and Exampletown Primary Care Network" in text
    assert code in text and "Ground rules to read out" in text
    assert "Jordan" not in text


def test_summary_points_move_without_a_page_reload(e2e: Harness) -> None:
    facilitator = e2e.facilitator()
    conversation, _code = e2e.conversation(facilitator, status="closed")
    _fill(e2e, conversation)
    page = e2e.page("facilitator: the summary", DESKTOP)
    flows.sign_in(e2e, page, facilitator)
    page.goto(f"/c/{conversation}/summary")
    page.evaluate("() => { window.__notReloaded = true; }")
    points = page.locator("section[aria-labelledby=heading-challenges] li.point")
    first = points.nth(0).get_attribute("id")
    second = points.nth(1).get_attribute("id")
    points.nth(0).get_by_role("button", name=re.compile("^Move down")).click()
    expect(points.nth(0)).to_have_id(second)
    expect(points.nth(1)).to_have_id(first)
    assert page.evaluate("() => window.__notReloaded === true"), "the page reloaded"
    expect(points.nth(1).get_by_role("button", name=re.compile("^Move down"))).to_be_focused()
    # Said to screen readers in the points' own status line, not in issuing's.
    expect(page.locator("#points-status")).to_have_text("The points under this heading are updated.")
    points.nth(1).get_by_role("button", name=re.compile("^Leave out")).click()
    expect(points.nth(1).locator(".tag")).to_have_text("left out")
    assert page.evaluate("() => window.__notReloaded === true"), "the page reloaded"
    e2e.check(page, "summary: a point moved and one left out, without a reload")


def test_plan_stages_move_up_and_down(e2e: Harness) -> None:
    """Moving a stage: the row moves at once, without a reload, the times follow, the focus
    stays on the moved stage's button and the move is said; saving keeps the order.  Without
    script the same buttons post the form and it comes back moved."""
    facilitator = e2e.facilitator()
    conversation, _code = e2e.conversation(facilitator, status="upcoming")
    page = e2e.page("facilitator: the plan", DESKTOP)
    flows.sign_in(e2e, page, facilitator)
    page.goto(f"/conversations/{conversation}/plan")
    page.evaluate("() => { window.__notReloaded = true; }")
    rows = page.locator("tr[data-plan-stage]")
    first, second = rows.nth(0).get_attribute("data-plan-stage"), rows.nth(1).get_attribute(
        "data-plan-stage")
    first_time = rows.nth(0).locator("[data-plan-time]").inner_text()
    title = rows.nth(0).locator("th label").inner_text()
    rows.nth(0).get_by_role("button", name=re.compile("^Move down")).click()
    expect(rows.nth(0)).to_have_attribute("data-plan-stage", second)
    expect(rows.nth(1)).to_have_attribute("data-plan-stage", first)
    assert page.evaluate("() => window.__notReloaded === true"), "the page reloaded"
    expect(rows.nth(1).get_by_role("button", name=re.compile("^Move down"))).to_be_focused()
    expect(page.locator("[data-plan-moved]")).to_have_text(
        f"{title} moved to place 2 of {rows.count()}. Save the plan to keep the new order.")
    # The first row's times now start where the old first row's did.
    assert rows.nth(0).locator("[data-plan-time]").inner_text().split("–")[0] == \
        first_time.split("–")[0]
    expect(rows.nth(0).get_by_role("button", name=re.compile("^Move up"))).to_be_disabled()
    e2e.check(page, "plan: a stage moved, not yet saved")
    # Up again from the top: focus moves to the one button that still does something.
    rows.nth(1).get_by_role("button", name=re.compile("^Move up")).click()
    expect(rows.nth(0)).to_have_attribute("data-plan-stage", first)
    expect(rows.nth(0).get_by_role("button", name=re.compile("^Move down"))).to_be_focused()
    page.keyboard.press("Enter")  # Move down, by keyboard
    expect(rows.nth(1)).to_have_attribute("data-plan-stage", first)
    page.get_by_role("button", name="Save plan").click()
    expect(page).to_have_url(re.compile(rf"/conversations/{conversation}#plan$"))
    page.goto(f"/conversations/{conversation}/plan")
    expect(rows.nth(0)).to_have_attribute("data-plan-stage", second)

    plain = e2e.page("facilitator: the plan without script", DESKTOP, java_script_enabled=False)
    flows.sign_in(e2e, plain, facilitator)
    plain.goto(f"/conversations/{conversation}/plan")
    plain_rows = plain.locator("tr[data-plan-stage]")
    plain_rows.nth(0).get_by_role("button", name=re.compile("^Move down")).click()
    expect(plain_rows.nth(1)).to_have_attribute("data-plan-stage", second)
    expect(plain_rows.nth(1).get_by_role("button", name=re.compile("^Move down"))).to_be_focused()
    expect(plain.locator("[data-plan-moved]")).to_contain_text("moved to place 2 of")
    # (No axe here: it runs as script.  The page is the same markup as the one checked above.)
    plain.locator("input[id^=minutes-]").first.press("Enter")  # Enter still saves the plan
    expect(plain).to_have_url(re.compile(rf"/conversations/{conversation}#plan$"))
    plain.goto(f"/conversations/{conversation}/plan")
    expect(plain_rows.nth(0)).to_have_attribute("data-plan-stage", first)


def test_more_exactly_offers_only_the_chosen_kind_of_agency(e2e: Harness) -> None:
    """"More exactly (optional)" lists the descriptions of the kind of agency chosen (a PCN
    or an ICB under "Health agency"), not every kind's, and a description of another kind
    chosen earlier is let go when the kind changes."""
    facilitator = e2e.facilitator()
    page = e2e.page("facilitator")
    flows.sign_in(e2e, page, facilitator)
    page.goto("/conversations/new")
    kind = page.get_by_label("Kind of agency")
    more = page.get_by_label("More exactly (optional)")
    shown = ("s => Array.from(s.querySelectorAll('optgroup'))"
             ".filter(g => !g.hidden && !g.disabled).map(g => g.label)")
    everything = more.evaluate("s => s.querySelectorAll('optgroup option').length")
    kinds = kind.evaluate("s => Array.from(s.options).filter(o => o.value).map(o => o.text)")
    with_descriptions = more.evaluate(
        "s => Array.from(s.querySelectorAll('optgroup')).map(g => g.label)")
    assert len(kinds) >= 4 and len(with_descriptions) >= 3
    for label in kinds:
        kind.select_option(label=label)
        assert more.evaluate(shown) == ([label] if label in with_descriptions else [])
        offered = more.evaluate(
            "s => Array.from(s.querySelectorAll('optgroup:not([disabled]) option')).length")
        assert offered < everything
    kind.select_option(label="Health agency")
    more.select_option(label="Primary Care Network (PCN)")
    e2e.check(page, "prepare: more exactly, for a health agency")
    kind.select_option(label=[k for k in with_descriptions if k != "Health agency"][0])
    expect(more).to_have_value("")  # the PCN doesn't stay chosen for another kind


def test_the_console_takes_only_what_a_new_point_changed(e2e: Harness) -> None:
    """A point from a phone reaches the console without the running order, the question or
    the agreement being drawn or swapped again (the server tells from the console's version
    that nothing else moved); moving on to the next question brings the whole console up to
    date."""
    facilitator = e2e.facilitator()
    conversation, code = e2e.conversation(facilitator)
    console = flows.open_console(e2e, facilitator, conversation)
    phone = e2e.page("phone: Pat Okafor", PHONE, phone=True)
    flows.join(e2e, phone, code, "Pat Okafor")
    expect(console.locator("#devices")).to_contain_text("Pat Okafor")  # the join is shown
    asked: list[str] = []
    console.on("request", lambda request: asked.append(request.url)
               if "/console/view" in request.url else None)
    mark = "() => ['live-plan', 'live-question', 'live-side', 'live-agreement'].forEach(" \
           "id => { document.getElementById(id).dataset.kept = '1'; })"
    kept = "() => ['live-plan', 'live-question', 'live-side', 'live-agreement'].map(" \
           "id => document.getElementById(id).dataset.kept || '')"
    console.evaluate(mark)

    phone.get_by_role("textbox", name="Your point").fill("The bus to the surgery stops at six.")
    phone.get_by_role("button", name="Add my point").click()
    expect(console.locator("#live-items")).to_contain_text("The bus to the surgery stops at six.")
    assert console.evaluate(kept) == ["1", "1", "1", "1"]  # not drawn again
    assert asked and not any("whole=1" in url for url in asked), asked

    asked_before = console.locator("#live-question h2").inner_text()
    console.locator("#go-next").click()
    expect(console.locator("#live-question h2")).not_to_have_text(asked_before)
    expect(console.locator("#live-plan")).not_to_have_attribute("data-kept", "1")
    assert console.evaluate(kept) == ["", "", "", ""]
    e2e.check(console, "console: after a phone's point and the next question")
