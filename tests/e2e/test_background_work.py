"""Issuing and sending as the facilitator sees them, in a real browser: the summary page with a
version that could not be issued and sends in each state passes every check (Nu HTML Checker,
axe-core, nothing spilling sideways, on a laptop and a phone); trying the version again, the
page follows the background worker without a reload until the new version can be downloaded."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.harness import PHONE, Harness, Person

pytestmark = pytest.mark.e2e


def _states(app, conversation_id: int, owner_id: int) -> None:  # type: ignore[no-untyped-def]
    """Version 1 issued and sent to people in every settled state; version 2 failed (a full
    disk).  Nothing here is due for the worker, so the page holds still while it is checked."""
    from convo.core import clock
    from convo.extensions import db
    from convo.models import Conversation, Facilitator, SummaryIssue, SummarySend
    from convo.summary import service

    with app.app_context():
        conversation = db.session.get(Conversation, conversation_id)
        for party in service.PARTIES:
            service.approve(conversation, party, f"facilitator:{owner_id}")
        version = service.issue(conversation, db.session.get(Facilitator, owner_id))
        now = clock.utcnow()
        later = now + timedelta(hours=1)
        for label, email, status, problem, error, duplicate, attempts in (
                ("Pat Okafor", "pat@example.org", "sent", None, None, False, 1),
                ("Sam Reid", "sam@example.org", "sent", None, None, True, 2),
                ("Dr Alex Moore", "alex@example.org", "retrying", "server",
                 "451 4.3.0 Mailbox busy, try later", False, 1),
                ("Primary Care Network manager", "jordan@example.org", "failed", "server",
                 "550 5.1.1 No such mailbox for this very long address", False, 3),
                ("a.very.long.address.for.a.partnership.board.member@example.org",
                 "a.very.long.address.for.a.partnership.board.member@example.org", "queued",
                 None, None, False, 0)):
            db.session.add(SummarySend(
                version_id=version.id, email=email, label=label, status=status, problem=problem,
                error=error, maybe_duplicate=duplicate, attempts=attempts, attempted_at=now,
                sent_at=now if status == "sent" else None,
                next_attempt_at=later if status in ("queued", "retrying") else None,
                enqueued_at=later))
        service.save_draft(conversation, {"closing": "Corrected: the next meeting is in March.",
                                          "change_note": "The next meeting's month."},
                           f"facilitator:{owner_id}")
        for party in service.PARTIES:
            service.approve(conversation, party, f"facilitator:{owner_id}")
        db.session.add(SummaryIssue(
            conversation_id=conversation_id, number=2, change_note="The next meeting's month.",
            content_hash="0" * 64, requested_by_id=owner_id, status="failed",
            problem="disk_full", error=f"No space left on device: conversation-{conversation_id}/v2"))
        db.session.commit()


def _approved_by_both(e2e: Harness, owner: Person, issue: bool = False) -> int:
    """A closed conversation whose summary both sides have approved (and, with `issue`,
    issued as version 1 directly): its id."""
    from convo.extensions import db
    from convo.models import Conversation, Facilitator
    from convo.summary import service

    conversation, _code = e2e.conversation(owner, status="closed")
    with e2e.server.app.app_context():
        row = db.session.get(Conversation, conversation)
        for party in service.PARTIES:
            service.approve(row, party, f"facilitator:{owner.id}")
        if issue:
            service.issue(row, db.session.get(Facilitator, owner.id))
        db.session.commit()
    return conversation


def _pressed_once_it_says_it_is_busy(e2e: Harness, page: Page, button: Locator,
                                     busy_words: str, state: str) -> None:
    """Press `button` once: it says `busy_words`, is marked unavailable, says so politely
    (checked as page state `state`), and a second press doesn't reach the server.  The form is
    held where it is (the page's own handler runs first) while the presses are counted."""
    page.evaluate("""() => {
        window.__sent = 0;
        document.addEventListener("submit", (event) => {
            if (!event.defaultPrevented) { window.__sent += 1; }
            event.preventDefault();
        });
    }""")
    button.click()
    busy = page.locator("button[data-busy].is-busy")
    expect(busy).to_have_text(busy_words)
    expect(busy).to_have_attribute("aria-disabled", "true")
    expect(page.locator("#summary-said")).to_have_text(busy_words)
    e2e.check(page, state)
    expect(busy).to_be_disabled()  # as assistive technology is told (aria-disabled)
    busy.evaluate("(button) => button.click()")  # pressed again all the same
    assert page.evaluate("() => window.__sent") == 1


def test_issuing_and_sending_as_the_facilitator_sees_them(e2e: Harness) -> None:
    from tests.e2e import flows

    owner = e2e.facilitator("Morgan Ellis")
    conversation, _code = e2e.conversation(owner, status="closed")
    _states(e2e.server.app, conversation, owner.id)
    page = e2e.page("facilitator (summary)")
    flows.sign_in(e2e, page, owner)
    page.goto(f"/c/{conversation}/summary")
    failed = page.locator("#issue-failed")
    expect(failed).to_contain_text("Version 2 could not be issued.")
    expect(failed).to_contain_text("The disk that holds the archive of issued summaries is full.")
    sends = page.locator(".sends")
    expect(sends).to_contain_text("this person may have two copies")
    expect(sends).to_contain_text("not sent yet – 451 4.3.0 Mailbox busy, try later.")
    expect(sends).to_contain_text("waiting to be sent")
    expect(page.get_by_role("button", name=re.compile(r"^Try again\W+Primary Care Network manager$"))
           ).to_be_visible()
    expect(page.get_by_label("What changed since the last version")).to_have_value(
        "The next meeting's month.")  # in the draft, approved with the rest
    e2e.check(page, "summary: a version that failed, sends in each state")

    phone = e2e.page("facilitator (summary, phone)", PHONE, phone=True,
                     storage_state=page.context.storage_state())
    phone.goto(f"/c/{conversation}/summary#versions")
    e2e.check(phone, "summary on a phone: versions and sends")
    phone.close()

    # Trying again: the request returns at once, and the page follows the worker.
    page.get_by_role("button", name="Try issuing version 2 again").click()
    expect(page.locator(".notices")).to_contain_text("Issuing version 2")
    expect(page.get_by_role("link", name="PDF")).to_have_count(2, timeout=60_000)
    expect(page.locator("#issue-failed")).to_have_count(0)
    e2e.check(page, "summary: version 2 issued while the page watched")



def test_issue_says_it_is_busy_and_a_double_click_issues_once(e2e: Harness) -> None:
    """Pressed once, Issue says "Issuing…", is marked unavailable, says so politely and lets
    no second press through; a real double click makes one version, not two."""
    from tests.e2e import flows

    from convo.extensions import db
    from convo.models import SummaryVersion

    owner = e2e.facilitator("Morgan Ellis")
    conversation = _approved_by_both(e2e, owner)
    page = e2e.page("facilitator (summary, issuing)")
    flows.sign_in(e2e, page, owner)
    page.goto(f"/c/{conversation}/summary")
    issue = page.get_by_role("button", name="Issue the summary")
    expect(issue).to_be_visible()

    _pressed_once_it_says_it_is_busy(e2e, page, issue, "Issuing…", "summary: Issue pressed, busy")

    # The real thing: a double click on a fresh page makes one version.
    page.reload()
    page.get_by_role("button", name="Issue the summary").dblclick()
    expect(page.get_by_role("link", name="PDF")).to_have_count(1, timeout=60_000)
    with e2e.server.app.app_context():
        versions = db.session.scalars(db.select(SummaryVersion).where(
            SummaryVersion.conversation_id == conversation)).all()
        assert len(versions) == 1


def test_send_says_it_is_busy_and_a_double_click_sends_once(
        e2e: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    """Send by email, like Issue: "Sending…", marked unavailable, said politely, no second
    press let through; a real double click asks for one email to each person, not two."""
    from contextlib import contextmanager

    from convo.extensions import db
    from convo.models import SummarySend, SummaryVersion
    from tests import smtp
    from tests.e2e import flows

    with contextmanager(smtp.serve)() as inbox:
        for key, value in smtp.mail_settings(inbox).items():
            monkeypatch.setitem(e2e.server.app.config, key, value)
        owner = e2e.facilitator("Morgan Ellis")
        conversation = _approved_by_both(e2e, owner, issue=True)
        page = e2e.page("facilitator (summary, sending)")
        flows.sign_in(e2e, page, owner)
        page.goto(f"/c/{conversation}/summary#versions")
        page.get_by_label("Other email addresses").fill("board@example.org")
        _pressed_once_it_says_it_is_busy(e2e, page, page.get_by_role("button", name="Send by email"),
                                         "Sending…", "summary: Send pressed, busy")

        page.reload()
        page.get_by_label("Other email addresses").fill("board@example.org")
        page.get_by_role("button", name="Send by email").dblclick()
        expect(page.locator(".sends")).to_contain_text("board@example.org")
        with e2e.server.app.app_context():
            sends = db.session.scalars(
                db.select(SummarySend.email).join(
                    SummaryVersion, SummaryVersion.id == SummarySend.version_id)
                .where(SummaryVersion.conversation_id == conversation)).all()
        assert sends.count("board@example.org") == 1, sends
