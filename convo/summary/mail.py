"""Email for an issued summary: the message to one recipient (both files attached), and one
SMTP exchange with the configured server.

What to send, to whom and how far it has got is the outbox's business (sending.py); this
module only builds a message and talks to the server.  Recipients never see each other's
addresses: each message has one recipient.
"""

from __future__ import annotations

import hashlib
import json
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import formataddr, getaddresses

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup

from convo.conversations.naming import Public
from convo.core import languages
from convo.core.i18n import isolated
from convo.models import Conversation, SummaryVersion
from convo.summary.service import read_issued


@dataclass(frozen=True)
class Recipient:
    email: str
    label: str  # their name, or their role when they asked not to be named
    named: bool  # whether the name may appear in the To: header


def configured() -> bool:
    return bool(current_app.config.get("MAIL_HOST")) and bool(current_app.config.get("MAIL_FROM"))


def connect() -> smtplib.SMTP:
    config = current_app.config
    host, port = config["MAIL_HOST"], int(config["MAIL_PORT"])
    security = (config.get("MAIL_SECURITY") or "starttls").lower()
    timeout = float(config.get("MAIL_TIMEOUT", 20))
    context = ssl.create_default_context()
    if security == "tls":
        server: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        server = smtplib.SMTP(host, port, timeout=timeout)
        if security == "starttls":
            server.starttls(context=context)
    if config.get("MAIL_USERNAME"):
        server.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    return server


def _sender_domain() -> str:
    address = getaddresses([str(current_app.config["MAIL_FROM"])])[0][1]
    return address.rpartition("@")[2] or "convo.invalid"


def message_id(version: SummaryVersion, email: str) -> str:
    """The same Message-ID every time this version goes to this address, so a copy sent
    again after a lost answer is recognisably the same message (mail programs and servers
    that keep Message-IDs show it once).  The address is hashed: it isn't spelt out."""
    digest = hashlib.sha256(
        f"{version.conversation_id}:{version.number}:{version.content_hash}:"
        f"{email.strip().lower()}".encode()).hexdigest()[:24]
    return f"<convo.c{version.conversation_id}.v{version.number}.{digest}@{_sender_domain()}>"


@dataclass(frozen=True)
class Words:
    """What an email says of the issued summary, exactly as the summary says it: nobody who
    asked not to be named is named in the subject or the body either."""

    title: str
    change_note: str
    facilitator: str

    @classmethod
    def of(cls, conversation: Conversation, version: SummaryVersion) -> Words:
        """As recorded when the version was issued (building the summary again for each
        message would cost more than sending it), read through the not-named rule once more
        for versions issued before it reached correction notes."""
        public = Public(conversation)
        try:
            data = json.loads(version.summary_json or "")
            return cls(public(data["title"]), public(data.get("change_note") or ""),
                       public(data.get("facilitator") or ""))
        except (ValueError, KeyError, TypeError):
            from convo.summary.build import build

            summary = build(conversation, version)
            return cls(summary.title, summary.change_note, summary.facilitator)


def build_message(conversation: Conversation, version: SummaryVersion, words: Words,
                  recipient: Recipient) -> EmailMessage:
    config = current_app.config
    context = {"conversation": conversation, "version": version, "title": words.title,
               "recipient": recipient, "change_note": words.change_note,
               "facilitator_name": words.facilitator}
    subjects, texts, parts = [], [], []
    # In the conversation's language, then its second (as the summary itself is).
    codes = [code for code in dict.fromkeys((conversation.locale, conversation.second_locale))
             if languages.is_offered(code)] or [languages.SOURCE]
    for code in codes:
        with force_locale(code):
            subjects.append(_("Summary of our conversation: %(title)s (version %(number)d)",
                              title=isolated(words.title), number=version.number))
            texts.append(render_template("summary/email.txt", **context).strip())
            parts.append((languages.language(code),
                          Markup(render_template("summary/_email_body.html", **context))))
    subject = " / ".join(subjects)
    text = "\n\n* * *\n\n".join(texts) + "\n"
    html = render_template("summary/email.html", parts=parts, **context)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = config["MAIL_FROM"]
    message["To"] = formataddr((recipient.label, recipient.email)) if recipient.named \
        else recipient.email
    message["Message-ID"] = message_id(version, recipient.email)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    for kind, mime in (("pdf", ("application", "pdf")),
                       ("docx", ("application",
                                 "vnd.openxmlformats-officedocument.wordprocessingml.document"))):
        data, filename = read_issued(version, kind)
        message.add_attachment(data, maintype=mime[0], subtype=mime[1], filename=filename)
    return message


def exchange(message: EmailMessage, recipient: str, handing_over: Callable[[], None]) -> str:
    """Give one message for one recipient to the server; the server's acceptance ("250 ...").

    `handing_over()` is called after the server has agreed to take a message for this
    recipient and just before the message itself is sent: if convo dies after that, the
    server may have accepted it without convo hearing so.  Raises smtplib.SMTPException or
    OSError as the server or the network answered."""
    sender = getaddresses([str(message["From"])])[0][1]
    data = message.as_bytes(policy=policy.SMTP)
    server = connect()
    try:
        server.ehlo_or_helo_if_needed()
        code, answer = server.mail(sender)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, answer, sender)
        code, answer = server.rcpt(recipient)
        if code not in (250, 251):
            raise smtplib.SMTPRecipientsRefused({recipient: (code, answer)})
        handing_over()
        code, answer = server.data(data)
        if code != 250:
            raise smtplib.SMTPDataError(code, answer)
        return f"{code} {answer.decode(errors='replace')}"[:500]
    finally:
        try:
            server.quit()
        except (OSError, smtplib.SMTPException):
            server.close()


@dataclass(frozen=True)
class Failure:
    reason: str  # what the server or the network said, for the facilitator
    permanent: bool  # 5xx: trying again won't help


def classify(exc: BaseException) -> Failure:
    """A failed exchange: temporary (4xx, no connection, timeout) or permanent (5xx)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, answer = next(iter(exc.recipients.values()))
        return Failure(_answer(code, answer), code >= 500)
    if isinstance(exc, smtplib.SMTPResponseException):
        return Failure(_answer(exc.smtp_code, exc.smtp_error), exc.smtp_code >= 500)
    if isinstance(exc, (ssl.SSLCertVerificationError, smtplib.SMTPNotSupportedError)):
        return Failure(_described(exc), True)  # the server's set-up: trying again won't help
    return Failure(_described(exc), False)  # timeouts, refused or dropped connections


def _answer(code: int, answer: bytes | str) -> str:
    text = answer.decode(errors="replace") if isinstance(answer, bytes) else str(answer)
    return f"{code} {text}"[:500]


def _described(exc: BaseException) -> str:
    return (type(exc).__name__ + (f": {exc}" if str(exc) else ""))[:500]
