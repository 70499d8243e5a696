"""Reminders to action owners without accounts, as an outbox the background worker sends.

Who gets one: for each open action of a partnership whose reminders are on, its owner when the
owner is someone taking part with an email address who agreed to reminders; when the owner is
not (a name or a role typed in), the people on the owning side who agreed.  An address that
opted out of this partnership's reminders gets nothing.

When: one `due_soon` reminder once the action is due within the partnership's number of days,
and one `overdue` reminder once its date has passed (if the partnership wants those); never
once it is done or dropped.  scan() records what is due (one row per action, address and kind:
never twice, however often it runs) and hands the worker a job per row once that commits; the
worker scans every REMINDER_SCAN_MINUTES (a periodic task) and straight after reminders are
turned on.  deliver() checks again at the moment of sending (done meanwhile, opted out,
reminders off: cancelled), makes the email's two links (report progress; stop these emails)
and sends it as the summary's outbox does: a temporary failure is tried again after
MAIL_RETRY_DELAYS, a permanent one (5xx, a bounce) is recorded and shown to the facilitator,
and nothing is tried for ever.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date, timedelta
from email.message import EmailMessage
from email.utils import formataddr

from babel.dates import format_date
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from huey import crontab
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from convo.conversations.naming import Public
from convo.core import clock
from convo.extensions import db
from convo.jobs import queue
from convo.models import (Conversation, Item, Participant, Partnership, ReminderOptOut,
                          ReminderSend)
from convo.models.capture import OPEN_STATUSES
from convo.reminders import tokens
from convo.summary import mail
from convo.summary import outbox

log = logging.getLogger(__name__)

JOB = "reminders.send"
SCAN_JOB = "reminders.scan"
PERIODIC = "reminders.periodic"
WAITING = outbox.WAITING


def today() -> date:
    from convo.partnerships.tracker import today as uk_today

    return uk_today()


def opted_out(partnership_id: int, email: str) -> bool:
    return db.session.scalar(select(ReminderOptOut.id).where(
        ReminderOptOut.partnership_id == partnership_id,
        ReminderOptOut.email == email.strip().lower())) is not None


def recipients(partnership: Partnership, conversation: Conversation, item: Item
               ) -> list[Participant]:
    """Who is reminded of this action (see the module's docstring)."""
    def may(person: Participant) -> bool:
        return bool(person.email) and person.reminders and not opted_out(partnership.id,
                                                                          person.email or "")
    owner = next((p for p in conversation.participants if p.id == item.owner_participant_id),
                 None)
    if owner is not None and owner.email:
        return [owner] if may(owner) else []
    side = item.owner_party
    if side not in ("partnership", "agency", "both"):
        return []
    return [p for p in conversation.participants
            if (side == "both" or p.party == side) and may(p)]


def kind_due(partnership: Partnership, item: Item, on: date) -> str | None:
    """Which reminder this action is due, today: "overdue", "due_soon" or None."""
    if item.status not in OPEN_STATUSES or item.due_date is None or not item.is_live:
        return None
    if item.due_date < on:
        return "overdue" if partnership.remind_overdue else None
    if item.due_date - timedelta(days=partnership.remind_days_before) <= on:
        return "due_soon"
    return None


def scan(partnership_id: int | None = None) -> int:
    """Record every reminder now due (the caller's transaction commits it and, with it, the
    jobs); how many were recorded."""
    on = today()
    statement = select(Partnership).where(Partnership.reminders_on.is_(True))
    if partnership_id:
        statement = statement.where(Partnership.id == partnership_id)
    count = 0
    for partnership in db.session.scalars(statement):
        horizon = on + timedelta(days=partnership.remind_days_before)
        rows = db.session.execute(select(Item, Conversation).join(
            Conversation, Conversation.id == Item.conversation_id).where(
            Conversation.partnership_id == partnership.id, Item.kind == "action",
            Item.deleted_at.is_(None), Item.merged_into_id.is_(None),
            Item.status.in_(OPEN_STATUSES), Item.due_date.is_not(None),
            Item.due_date <= horizon)).all()
        for item, conversation in rows:
            kind = kind_due(partnership, item, on)
            if kind is None:
                continue
            for person in recipients(partnership, conversation, item):
                count += _record(partnership, item, person, kind)
    return count


def _record(partnership: Partnership, item: Item, person: Participant, kind: str) -> int:
    email = (person.email or "").strip()
    taken = db.session.scalar(select(ReminderSend.id).where(
        ReminderSend.item_id == item.id, func.lower(ReminderSend.email) == email.lower(),
        ReminderSend.kind == kind))
    if taken is not None:
        return 0
    now = clock.utcnow()
    send = ReminderSend(partnership_id=partnership.id, item_id=item.id,
                        participant_id=person.id, email=email, kind=kind, status="queued",
                        attempts=0, created_at=now, next_attempt_at=now, enqueued_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(send)
    except IntegrityError:  # another scan recorded it at the same moment
        return 0
    queue.later(JOB, send.id)
    return 1


@queue.job(SCAN_JOB)
def scan_job(partnership_id: int = 0) -> None:
    count = scan(partnership_id or None)
    if count:
        log.info("reminders: %d due", count)


def scan_soon(partnership_id: int) -> None:
    """Look for this partnership's due reminders as soon as this request commits."""
    queue.later(SCAN_JOB, partnership_id)


@queue.periodic(PERIODIC, lambda app: crontab(
    minute=f"*/{max(1, min(59, int(app.config.get('REMINDER_SCAN_MINUTES', 15))))}"))
def periodic_scan() -> None:
    scan_job(0)


# --- the worker's side -------------------------------------------------------------------------


class Cancelled(Exception):
    pass


@queue.job(JOB)
def deliver(send_id: int) -> None:
    """Send one reminder, if it is still waiting and due (see the module's docstring)."""
    outbox.guarded(ReminderSend, send_id, JOB, _deliver)


def _deliver(send_id: int) -> None:
    if not outbox.claim(ReminderSend, send_id):
        db.session.rollback()
        return
    send = db.session.get(ReminderSend, send_id)
    assert send is not None
    db.session.commit()
    item = db.session.get(Item, send.item_id)
    partnership = db.session.get(Partnership, send.partnership_id)
    person = db.session.get(Participant, send.participant_id)
    conversation = db.session.get(Conversation, item.conversation_id) if item else None
    if (item is None or partnership is None or person is None or conversation is None
            or not partnership.reminders_on or item.status not in OPEN_STATUSES
            or not item.is_live or not person.reminders or not person.email
            or opted_out(partnership.id, send.email)):
        send.status = "cancelled"
        send.claimed_by = None
        send.next_attempt_at = None
        return

    def handing_over() -> None:
        send.handed_over_at = clock.utcnow()
        db.session.commit()  # the links exist before anyone can open them

    try:
        if not mail.configured():
            raise outbox.NotConfigured()
        message = build_message(partnership, conversation, item, person, send)
        reply = mail.exchange(message, send.email, handing_over)
    except outbox.NotConfigured:
        _failed(send, "not_configured", None, permanent=False)
    except Exception as exc:
        failure = mail.classify(exc)
        _failed(send, "server", failure.reason, failure.permanent)
    else:
        outbox.sent(send, reply)
    send.claimed_by = None


def _failed(send: ReminderSend, problem: str, detail: str | None, permanent: bool) -> None:
    """A failed try: again after MAIL_RETRY_DELAYS, or given up (as the summary's sends)."""
    outbox.failed(send, problem, detail, permanent, job=JOB)


def sweep(alive: set[str], lost_before: object) -> int:
    """For the worker's sweeper: reminders held by a worker that stopped go back (a message
    that may have reached the server is not sent again: it is marked failed, and said so),
    and reminders whose job the queue lost are handed to it again."""
    count = 0
    now = clock.utcnow()
    for send in db.session.scalars(select(ReminderSend).where(
            ReminderSend.status == "sending",
            or_(ReminderSend.claimed_by.is_(None), ReminderSend.claimed_by.not_in(alive)))):
        send.claimed_by = None
        if send.handed_over_at is not None:
            send.status, send.problem, send.next_attempt_at = "failed", "interrupted", None
        else:
            send.status, send.next_attempt_at, send.enqueued_at = "retrying", now, now
            queue.later(JOB, send.id)
        count += 1
    for send in db.session.scalars(select(ReminderSend).where(
            ReminderSend.status.in_(WAITING), ReminderSend.next_attempt_at <= lost_before,
            or_(ReminderSend.enqueued_at.is_(None), ReminderSend.enqueued_at <= lost_before))):
        send.enqueued_at = now
        queue.later(JOB, send.id)
        count += 1
    return count


# --- the email ---------------------------------------------------------------------------------


def link_url(path: str) -> str:
    return str(current_app.config.get("BASE_URL") or "").rstrip("/") + path


def build_message(partnership: Partnership, conversation: Conversation, item: Item,
                  person: Participant, send: ReminderSend) -> EmailMessage:
    """One reminder to one person, in the conversation's language.  It may be forwarded, so
    everyone who asked not to be named is written by role, the person it goes to included."""
    public = Public(conversation)
    days = partnership.link_days
    update_token = tokens.new_link("update", partnership_id=partnership.id, item_id=item.id,
                                   participant_id=person.id, send_id=send.id, days=days)
    stop_token = tokens.new_link("stop", partnership_id=partnership.id, item_id=item.id,
                                 participant_id=person.id, send_id=send.id, days=365)
    update_url = link_url(f"/r/{update_token}")
    stop_url = link_url(f"/r/stop/{stop_token}")
    with force_locale(conversation.locale):
        due = format_date(item.due_date, "EEEE d MMMM y", locale=conversation.locale) \
            if item.due_date else ""
        what = public(item.text)
        if send.kind == "overdue":
            subject = _("An action from your conversation was due on %(date)s", date=due)
        else:
            subject = _("Reminder: an action from your conversation is due on %(date)s",
                        date=due)
        context = {"name": public.person(person), "what": what, "due": due, "kind": send.kind,
                   "partnership": public.partnership, "agency": public.agency,
                   "update_url": update_url, "stop_url": stop_url, "days": days}
        text = render_template("reminders/email.txt", **context)
        html = render_template("reminders/email.html", **context)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = (formataddr((public.person(person), send.email)) if person.may_be_named
                     else send.email)
    digest = hashlib.sha256(f"{send.id}:{send.email.lower()}".encode()).hexdigest()[:24]
    domain = mail._sender_domain()
    message["Message-ID"] = f"<convo.reminder.{send.id}.{digest}@{domain}>"
    message["List-Unsubscribe"] = f"<{stop_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


# --- for the facilitator's page ----------------------------------------------------------------


def sends_of(partnership: Partnership, limit: int = 200) -> list[tuple[ReminderSend, Item | None]]:
    rows = db.session.execute(select(ReminderSend, Item).join(
        Item, Item.id == ReminderSend.item_id, isouter=True).where(
        ReminderSend.partnership_id == partnership.id)
        .order_by(ReminderSend.id.desc()).limit(limit)).all()
    return [(send, item) for send, item in rows]


def recipients_of(partnership: Partnership) -> list[tuple[str, str, bool]]:
    """Everyone with an email address in the partnership's conversations: (name, address,
    agreed and not opted out), for the facilitator to see who would be reminded."""
    seen: dict[str, tuple[str, str, bool]] = {}
    for person in db.session.scalars(select(Participant).join(
            Conversation, Conversation.id == Participant.conversation_id).where(
            Conversation.partnership_id == partnership.id, Participant.email.is_not(None))
            .order_by(Participant.id.desc())):
        key = (person.email or "").lower()
        if key and key not in seen:
            seen[key] = (person.name, person.email or "",
                         person.reminders and not opted_out(partnership.id, key))
    return sorted(seen.values(), key=lambda r: r[0].casefold())
