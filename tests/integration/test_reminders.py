"""Reminders to action owners without accounts, end to end: the loopback SMTP server, the
clock moved day by day (due soon, overdue, done, opted out, bounced), the no-account link page
and every way its link can fail, the update reaching the tracker, the next conversation's
console and its summary; then the same with a real worker process; and the .ics of the next
conversation parsed back."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests import smtp
from tests.conftest import AuthActions, ConversationRef, page_text
from tests.forms import form_fields, with_changes
from tests.queueing import WorkerProcess, map_file, run_jobs, wait_for

JSON = {"X-Requested-With": "fetch", "Accept": "application/json"}
DUE = date(2027, 3, 15)


@pytest.fixture
def inbox() -> Iterator[smtp.Inbox]:
    yield from smtp.serve()


@pytest.fixture
def config_overrides(inbox: smtp.Inbox, tmp_path: Path) -> dict[str, Any]:
    return {**smtp.mail_settings(inbox), "MAIL_RETRY_DELAYS": [1, 1],
            "BASE_URL": "https://convo.example.org"}


class Clock:
    """convo's clock, moved: every module reads the time through convo.core.clock.  A session
    left idle for days ends (the hardening issue), so each move of the clock has the
    facilitator who was signed in sign in again, as they would coming back days later."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, auth: AuthActions) -> None:
        self.now = datetime(2027, 3, 1, 9, 0, tzinfo=timezone.utc)
        self.auth = auth
        self.person = None
        monkeypatch.setattr("convo.core.clock.utcnow", lambda: self.now)
        sign_in_as = auth.sign_in_as

        def remembered(person):  # type: ignore[no-untyped-def]
            self.person = person
            return sign_in_as(person)

        monkeypatch.setattr(auth, "sign_in_as", remembered)

    def day(self, value: date, hour: int = 9) -> None:
        self.now = datetime(value.year, value.month, value.day, hour, tzinfo=timezone.utc)
        if self.person is not None and self.auth.client.get("/account").status_code != 200:
            self.auth.sign_in_as(self.person)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch, auth: AuthActions) -> Clock:
    return Clock(monkeypatch, auth)


def _db():  # type: ignore[no-untyped-def]
    from convo.extensions import db

    return db


def _setup(app, auth: AuthActions, ref: ConversationRef, owner_index: int = 3,
           due: date = DUE, consent: bool = True,
           sign_in: bool = True) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """An action owned by a participant (by default Jordan Lee, who asked not to be named),
    who agreed to reminders; reminders turned on for the partnership.  (action id,
    partnership id)"""
    from convo.models import Conversation, Participant

    if sign_in:
        auth.sign_in_as(ref.facilitator)
    base = f"/conversations/{ref.id}"
    console = f"{base}/console"
    owner = ref.participant_ids[owner_index]
    person_page = f"{base}/participants/{owner}"
    assert auth.submit(person_page, person_page, {"reminders": "y" if consent else None}
                       ).status_code == 302
    item = auth.post(f"{base}/items", data={"text": "Send Jordan Lee's survey to the hub",
                                            "kind": "action", "raised_by": "agency"},
                     form_page=console, headers=JSON).get_json()["item_id"]
    assert auth.submit(console, f"{base}/items/{item}/action-details", {
        "owner_participant": str(owner), "due_date": due.isoformat()}).status_code == 302
    with app.app_context():
        pid = _db().session.get(Conversation, ref.id).partnership_id
        assert _db().session.get(Participant, owner).reminders is consent
    settings = f"/partnerships/{pid}/reminders"
    assert auth.submit(settings, settings, {"reminders_on": "y", "remind_days_before": "3"}
                       ).status_code == 302
    return item, pid


def _scan(app) -> int:  # type: ignore[no-untyped-def]
    from convo.reminders import sending

    with app.app_context():
        count = sending.scan()
        _db().session.commit()
    run_jobs(app)
    return count


def _link(message: Any, kind: str) -> str:
    body = message.get_body(("plain",)).get_content()
    pattern = r"https://convo\.example\.org(/r/stop/\S+)" if kind == "stop" else \
        r"https://convo\.example\.org(/r/(?!stop/)\S+)"
    return re.search(pattern, body).group(1)


def test_due_soon_overdue_done_and_the_update_reaching_the_next_conversation(
        app, client, auth, make_conversation, inbox, clock):  # type: ignore[no-untyped-def]
    ref = make_conversation()
    item, pid = _setup(app, auth, ref)
    run_jobs(app)  # turning reminders on looked straight away: nothing due yet
    assert inbox.count("lee@example.org") == 0

    clock.day(DUE - timedelta(days=5))
    assert _scan(app) == 0
    clock.day(DUE - timedelta(days=2))
    assert _scan(app) == 1
    assert _scan(app) == 0  # one due-soon reminder, however often it looks
    [message] = inbox.messages_to("lee@example.org")
    raw = message.as_string()
    assert "Jordan Lee" not in raw and "Jordan" not in message["To"]
    assert "Primary Care Network manager" in message.get_body(("plain",)).get_content()
    assert "15 March 2027" in message["Subject"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    clock.day(DUE + timedelta(days=1))
    assert _scan(app) == 1
    assert inbox.count("lee@example.org") == 2
    overdue = inbox.messages_to("lee@example.org")[-1]
    assert "was due on" in overdue["Subject"]

    # The owner, without an account, says it is done from the link on their phone.
    phone = app.test_client()
    link = _link(overdue, "update")
    page = phone.get(link)
    assert page.status_code == 200
    text = page_text(page)
    assert "Jordan Lee" not in text and "the Primary Care Network manager" in text.replace(
        "The Primary", "the Primary")
    fields = form_fields(page.get_data(as_text=True), link, link)
    done = phone.post(link, data=with_changes(fields, status="done",
                                              note="Sent to the hub on Friday"))
    assert done.status_code == 200 and "Thank you" in page_text(done)
    again = phone.post(link, data=with_changes(fields, status="dropped"))
    assert again.status_code == 409 and "already been used" in page_text(again)
    assert phone.get(link).status_code == 409
    from convo.models import ActionUpdate, Item

    with app.app_context():
        assert _db().session.get(Item, item).status == "done"
        updates = list(_db().session.scalars(select(ActionUpdate)))
        assert [(u.status, u.author_label) for u in updates] == [
            ("done", "Primary Care Network manager")]
    # Nothing more once it is done.
    clock.day(DUE + timedelta(days=3))
    assert _scan(app) == 0
    # The tracker, the next conversation's console and its summary show the update.
    assert "Sent to the hub on Friday" in page_text(client.get(f"/partnerships/{pid}/actions"))
    follow = auth.post(f"/conversations/{ref.id}/follow-up",
                       form_page=f"/conversations/{ref.id}")
    new_id = int(re.search(r"/conversations/(\d+)/edit", follow.headers["Location"]).group(1))
    console = page_text(client.get(f"/conversations/{new_id}/console"))
    assert "Sent to the hub on Friday" in console and "Latest update: Done" in console
    auth.post(f"/conversations/{ref.id}/close", form_page=f"/conversations/{ref.id}/console")
    from convo.models import Conversation
    from convo.summary.build import build

    with app.app_context():
        summary = build(_db().session.get(Conversation, new_id))
        row = summary.earlier_actions[0]
        assert row.status == "Done" and row.update == "Sent to the hub on Friday"


def test_opted_out_and_not_agreed_get_nothing(app, client, auth, make_conversation, inbox,
                                              clock):  # type: ignore[no-untyped-def]
    ref = make_conversation()
    item, pid = _setup(app, auth, ref)
    clock.day(DUE - timedelta(days=1))
    assert _scan(app) == 1
    stop = _link(inbox.messages_to("lee@example.org")[0], "stop")
    phone = app.test_client()
    assert "Stop the emails" in page_text(phone.get(stop))  # a GET changes nothing
    # One click, as a mail program sends it (RFC 8058): no cookie, no CSRF token.
    assert phone.post(stop, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert phone.post(stop).status_code == 200  # again: the same answer
    clock.day(DUE + timedelta(days=1))
    assert _scan(app) == 0
    assert inbox.count("lee@example.org") == 1
    # Someone who never agreed gets nothing either, even as the owner of an overdue action.
    other = make_conversation(facilitator=ref.facilitator)
    _setup(app, auth, other, owner_index=0, consent=False, sign_in=False)
    assert _scan(app) == 0
    assert inbox.count("okafor@example.org") == 0
    # And with reminders off, nothing at all.
    settings = f"/partnerships/{pid}/reminders"
    assert auth.submit(settings, settings, {"reminders_on": None}).status_code == 302
    assert item


def test_a_bounce_is_recorded_shown_and_not_retried(app, client, auth, make_conversation,
                                                    inbox, clock):  # type: ignore[no-untyped-def]
    ref = make_conversation()
    _item, pid = _setup(app, auth, ref)
    inbox.refuse.add("lee@example.org")
    clock.day(DUE - timedelta(days=1))
    assert _scan(app) == 1
    run_jobs(app, scheduled=True)
    from convo.models import ReminderSend

    with app.app_context():
        [send] = _db().session.scalars(select(ReminderSend)).all()
        assert send.status == "failed" and send.attempts == 1 and "550" in send.error
    assert "550 5.1.1 No such mailbox" in page_text(client.get(f"/partnerships/{pid}/reminders"))


def test_a_link_that_does_not_work_changes_nothing(app, client, auth, make_conversation, inbox,
                                                   clock):  # type: ignore[no-untyped-def]
    ref = make_conversation()
    item, pid = _setup(app, auth, ref)
    clock.day(DUE - timedelta(days=1))
    _scan(app)
    link = _link(inbox.messages_to("lee@example.org")[0], "update")
    phone = app.test_client()
    assert phone.get(link[:-3] + "xyz").status_code == 400  # tampered
    assert phone.get("/r/" + "a" * 43).status_code == 400
    clock.day(DUE + timedelta(days=20))  # links work for 14 days
    expired = phone.get(link)
    assert expired.status_code == 410 and "expired" in page_text(expired)
    clock.day(DUE)
    from convo.conversations import capture
    from convo.models import ActionUpdate, Conversation, Item

    with app.app_context():
        conversation = _db().session.get(Conversation, ref.id)
        capture.delete(conversation, _db().session.get(Item, item))
        _db().session.commit()
    gone = phone.get(link)
    assert gone.status_code == 410 and "removed" in page_text(gone)
    with app.app_context():
        assert _db().session.scalars(select(ActionUpdate)).all() == []
    # Deleting the conversation takes its reminders and links.
    auth.submit(f"/conversations/{ref.id}/delete", f"/conversations/{ref.id}/delete",
                {"confirm": "y"})
    from convo.models import ReminderLink, ReminderSend

    with app.app_context():
        assert _db().session.scalars(select(ReminderLink)).all() == []
        assert _db().session.scalars(select(ReminderSend)).all() == []
    unknown = phone.get(link)
    assert unknown.status_code == 404 and "no longer works" in page_text(unknown)
    assert pid


@pytest.mark.slow
def test_a_real_worker_sends_reminders(app, client, auth, make_conversation, inbox,
                                       tmp_path):  # type: ignore[no-untyped-def]
    """Turning reminders on asks the worker to look at once: an action due in two days and
    one overdue get a reminder each; one done, one of someone opted out, none; one to an
    address that bounces is recorded as not sent."""
    from convo.core import clock as real_clock

    today = real_clock.utcnow().date()
    ref = make_conversation()
    auth.sign_in_as(ref.facilitator)
    base = f"/conversations/{ref.id}"
    console = f"{base}/console"
    for index in range(4):
        person = f"{base}/participants/{ref.participant_ids[index]}"
        assert auth.submit(person, person, {"reminders": "y"}).status_code == 302
    plan = [(0, today + timedelta(days=2), None), (1, today - timedelta(days=3), None),
            (2, today + timedelta(days=1), "done"), (3, today + timedelta(days=1), None)]
    for index, due, status in plan:
        item = auth.post(f"{base}/items", data={"text": f"Action {index}", "kind": "action",
                                                "raised_by": "both"},
                         form_page=console, headers=JSON).get_json()["item_id"]
        changes = {"owner_participant": str(ref.participant_ids[index]),
                   "due_date": due.isoformat()}
        if status:
            changes["status"] = status
        assert auth.submit(console, f"{base}/items/{item}/action-details", changes
                           ).status_code == 302
    inbox.refuse.add("lee@example.org")
    from convo.models import Conversation, ReminderSend

    with app.app_context():
        pid = _db().session.get(Conversation, ref.id).partnership_id
    worker = WorkerProcess(app, tmp_path / "worker.log")
    worker.start()
    try:
        settings = f"/partnerships/{pid}/reminders"
        assert auth.submit(settings, settings, {"reminders_on": "y"}).status_code == 302

        def settled() -> bool:
            with app.app_context():
                rows = _db().session.scalars(select(ReminderSend)).all()
                return len(rows) == 3 and all(r.status in ("sent", "failed") for r in rows)

        wait_for(settled, timeout=60, message="three reminders sent or failed")
        assert inbox.counts() == {"okafor@example.org": 1, "reid@example.org": 1}
        with app.app_context():
            failed = _db().session.scalar(select(ReminderSend).where(
                ReminderSend.email == "lee@example.org"))
            assert failed.status == "failed" and "550" in failed.error
    finally:
        worker.stop()
        app.extensions["convo.queue"].huey.flush()


def test_the_next_conversation_as_ics(app, client, auth, make_conversation, inbox):  # type: ignore[no-untyped-def]
    from icalendar import Calendar

    ref = make_conversation()
    auth.sign_in_as(ref.facilitator)
    base = f"/conversations/{ref.id}"
    console = f"{base}/console"
    # A summer date: British Summer Time, UTC+1.
    assert auth.submit(console, f"{base}/agreement", {
        "next_date": "2027-07-01", "next_time": "14:30",
        "next_conversation": "At the hub; Jordan Lee will bring the figures"}).status_code == 302
    response = client.get(f"{base}/next.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    [event] = calendar.walk("VEVENT")
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    start = event.decoded("DTSTART")
    assert str(start.tzinfo) == "Europe/London" and (start.hour, start.minute) == (14, 30)
    assert start.utcoffset() == timedelta(hours=1)
    uid = str(event["UID"])
    assert "Jordan Lee" not in response.get_data(as_text=True)
    # Sent as invitations: every participant with an address, REQUEST, the same UID; the not-
    # named person's name nowhere (SUMMARY, DESCRIPTION, ATTENDEE).
    assert auth.post(f"{base}/invitations", form_page=console).status_code == 302
    run_jobs(app)
    assert set(inbox.counts()) == {"okafor@example.org", "reid@example.org",
                                   "moore@example.org", "lee@example.org"}
    message = inbox.messages_to("lee@example.org")[0]
    assert "Jordan Lee" not in message.as_string()
    ics = next(p for p in message.iter_attachments() if p.get_content_type() == "text/calendar")
    sent = Calendar.from_ical(ics.get_content())
    assert str(sent["METHOD"]) == "REQUEST"
    [invite] = sent.walk("VEVENT")
    assert str(invite["UID"]) == uid and int(invite["SEQUENCE"]) == 0
    assert "Primary Care Network manager" in invite["ATTENDEE"].params["CN"]
    # The date taken away: a cancellation with the same UID and a higher sequence.
    assert auth.submit(console, f"{base}/agreement", {"next_date": "", "next_time": ""}
                       ).status_code == 302
    assert auth.post(f"{base}/invitations", form_page=console).status_code == 302
    run_jobs(app)
    cancel = inbox.messages_to("lee@example.org")[-1]
    ics = next(p for p in cancel.iter_attachments() if p.get_content_type() == "text/calendar")
    cancelled = Calendar.from_ical(ics.get_content())
    [event] = cancelled.walk("VEVENT")
    assert str(cancelled["METHOD"]) == "CANCEL" and str(event["UID"]) == uid
    assert int(event["SEQUENCE"]) == 1 and str(event["STATUS"]) == "CANCELLED"


def test_deleting_a_partnership_removes_its_reminders_and_links(app, client, auth,
                                                                make_conversation, inbox,
                                                                clock):  # type: ignore[no-untyped-def]
    ref = make_conversation()
    _item, pid = _setup(app, auth, ref)
    clock.day(DUE - timedelta(days=1))
    _scan(app)
    link = _link(inbox.messages_to("lee@example.org")[0], "update")
    map_file(app, auth, pid, "pdf")  # the map's file, kept until the partnership goes
    page = f"/partnerships/{pid}/delete"
    assert auth.submit(page, page, {"confirm": None}).status_code == 422
    assert auth.submit(page, page, {"confirm": "y"}).status_code == 302
    from convo.models import (Conversation, MapPrint, Partnership, ReminderLink,
                              ReminderOptOut, ReminderSend)

    with app.app_context():
        for model in (Partnership, Conversation, ReminderLink, ReminderSend, ReminderOptOut,
                      MapPrint):
            assert _db().session.scalars(select(model)).all() == [], model
    assert app.test_client().get(link).status_code == 404
    assert client.get(f"/partnerships/{pid}").status_code == 404
