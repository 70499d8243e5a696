"""The next conversation in people's calendars: an iCalendar (.ics) file made with the
`icalendar` library, to download from the console or sent to each participant by email.

One event per conversation's next meeting, with a UID that never changes (made from the
conversation's id and the moment it was prepared), so a calendar that already has it replaces
it when the time changes (METHOD:REQUEST with a higher SEQUENCE) and removes it when the date
is taken away (METHOD:CANCEL).  Times are in Europe/London with its VTIMEZONE.  Everything an
invitation says — the summary, the description, the attendees' names — has passed the
not-named rule: a person who asked not to be named is written by role, or by address alone.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText
from sqlalchemy import select

from convo.conversations.naming import Public
from convo.core import clock
from convo.extensions import db
from convo.jobs import queue
from convo.live import state
from convo.models import CalendarInvite, Conversation, Participant
from convo.summary import mail

log = logging.getLogger(__name__)

LONDON = ZoneInfo("Europe/London")
JOB = "calendar.send"
LENGTH = timedelta(minutes=90)


def uid(conversation: Conversation) -> str:
    """Stable for the conversation: the same event, however often it is sent or changed."""
    made = conversation.created_at.strftime("%Y%m%d%H%M%S") if conversation.created_at else "0"
    digest = hashlib.sha256(f"{conversation.id}:{made}".encode()).hexdigest()[:16]
    return f"convo-next-{conversation.id}-{digest}@{_domain()}"


def _domain() -> str:
    try:
        return mail._sender_domain()
    except Exception:  # no mail set up: a download still needs a UID
        return "convo.invalid"


def length(conversation: Conversation) -> timedelta:
    """As long as this conversation's plan, as a guess at the next one's (90 minutes if none)."""
    minutes = sum(s.minutes for s in conversation.stages if s.included)
    return timedelta(minutes=minutes) if minutes else LENGTH


def ics(conversation: Conversation, method: str, sequence: int,
        attendees: list[Participant] | None = None) -> bytes:
    """The next conversation as an iCalendar file.  method: PUBLISH (a download), REQUEST
    (an invitation or its change) or CANCEL."""
    public = Public(conversation)
    calendar = Calendar()
    calendar.add("prodid", "-//convo//next conversation//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", uid(conversation))
    event.add("sequence", sequence)
    event.add("dtstamp", clock.utcnow())
    starts = (conversation.next_at or clock.utcnow()).astimezone(LONDON)
    event.add("dtstart", starts)
    event.add("dtend", starts + length(conversation))
    with force_locale(conversation.locale):
        event.add("summary", _("Conversation: %(partnership)s and %(agency)s",
                               partnership=public.partnership, agency=public.agency))
        description = [public(conversation.next_conversation or "")] if \
            conversation.next_conversation else []
        if conversation.contacts:
            description.append(_("Points of contact: %(contacts)s",
                                 contacts=public(conversation.contacts)))
        description.append(_("Arranged in convo by your facilitator."))
    event.add("description", "\n\n".join(description))
    if conversation.place:
        event.add("location", public(conversation.place))
    elif conversation.video_link:
        event.add("location", conversation.video_link)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    sender = _sender_address()
    if sender:
        organizer = vCalAddress(f"mailto:{sender}")
        organizer.params["cn"] = vText("convo")
        event.add("organizer", organizer)
    for person in attendees or []:
        attendee = vCalAddress(f"mailto:{person.email}")
        attendee.params["cn"] = vText(public.person(person))
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("NEEDS-ACTION")
        event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _sender_address() -> str:
    from email.utils import getaddresses

    sender = current_app.config.get("MAIL_FROM")
    return getaddresses([str(sender)])[0][1] if sender else ""


def invitees(conversation: Conversation) -> list[Participant]:
    return [p for p in conversation.participants if p.email]


def latest_sent(conversation: Conversation) -> CalendarInvite | None:
    """The last invitation recorded for this conversation (any person)."""
    return db.session.scalar(select(CalendarInvite).where(
        CalendarInvite.conversation_id == conversation.id).order_by(CalendarInvite.id.desc())
        .limit(1))


def invite(conversation: Conversation) -> int:
    """Send the next conversation to everyone taking part with an email address: a REQUEST
    for its date and time now, or a CANCEL if the date was taken away after invitations went;
    how many are queued (the worker sends them once the request commits)."""
    last = latest_sent(conversation)
    if conversation.next_at is None:
        if last is None or last.method == "CANCEL":
            return 0
        method = "CANCEL"
    else:
        method = "REQUEST"
    conversation.invite_sequence = (conversation.invite_sequence or 0) + (1 if last else 0)
    now = clock.utcnow()
    queued = 0
    for person in invitees(conversation):
        row = CalendarInvite(conversation_id=conversation.id, participant_id=person.id,
                             email=person.email or "", method=method,
                             sequence=conversation.invite_sequence,
                             starts_at=conversation.next_at, status="queued", attempts=0,
                             created_at=now)
        db.session.add(row)
        db.session.flush()
        queue.later(JOB, row.id)
        queued += 1
    state.bump(conversation)
    return queued


def changed_since_sent(conversation: Conversation) -> bool:
    """Invitations went, and the date or time is not what they said."""
    last = latest_sent(conversation)
    return last is not None and last.method == "REQUEST" and last.starts_at != conversation.next_at


@queue.job(JOB)
def deliver(invite_id: int) -> None:
    row = db.session.get(CalendarInvite, invite_id)
    if row is None or row.status not in ("queued", "retrying"):
        return
    conversation = db.session.get(Conversation, row.conversation_id)
    person = db.session.get(Participant, row.participant_id)
    if conversation is None or person is None:
        return
    row.status = "sending"
    row.attempts += 1
    db.session.commit()
    try:
        message = build_message(conversation, person, row)
        mail.exchange(message, row.email, lambda: None)
    except Exception as exc:
        failure = mail.classify(exc)
        row.error = failure.reason
        delays = [float(d) for d in current_app.config["MAIL_RETRY_DELAYS"]]
        if failure.permanent or row.attempts > len(delays):
            row.status = "failed"
        else:
            row.status = "retrying"
            queue.later(JOB, row.id, delay=delays[row.attempts - 1])
    else:
        row.status = "sent"
        row.sent_at = clock.utcnow()
        row.error = None
    state.bump(conversation)


def build_message(conversation: Conversation, person: Participant,
                  row: CalendarInvite) -> EmailMessage:
    public = Public(conversation)
    attachment = ics(conversation, row.method, row.sequence, [person])
    with force_locale(conversation.locale):
        when = format_datetime(row.starts_at.astimezone(LONDON), "EEEE d MMMM y, HH:mm",
                               locale=conversation.locale) if row.starts_at else ""
        if row.method == "CANCEL":
            subject = _("Cancelled: the next conversation between %(partnership)s and "
                        "%(agency)s", partnership=public.partnership, agency=public.agency)
        else:
            subject = _("The next conversation between %(partnership)s and %(agency)s: "
                        "%(when)s", partnership=public.partnership, agency=public.agency,
                        when=when)
        text = render_template("reminders/invitation.txt", name=public.person(person),
                               when=when, cancelled=row.method == "CANCEL",
                               partnership=public.partnership, agency=public.agency,
                               place=public(conversation.place or ""))
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = (formataddr((public.person(person), row.email)) if person.may_be_named
                     else row.email)
    message.set_content(text)
    message.add_attachment(attachment, maintype="text", subtype="calendar",
                           filename="invite.ics", params={"method": row.method})
    return message


def ics_filename(conversation: Conversation) -> str:
    return f"next-conversation-{conversation.id}.ics"


def next_local(conversation: Conversation) -> datetime | None:
    return conversation.next_at.astimezone(LONDON) if conversation.next_at else None
