"""Sending an issued summary by email: one message to each recipient, both files attached.

The SMTP server comes from configuration (MAIL_*).  Every attempt is recorded per recipient
as sent or failed with the server's reason, so a failure is shown and can be retried and
nothing is marked sent that wasn't.  Recipients never see each other's addresses.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from convo.core import clock
from convo.core.i18n import isolated
from convo.extensions import db
from convo.models import Conversation, SummarySend, SummaryVersion
from convo.summary.model import Summary
from convo.summary.service import read_issued


@dataclass(frozen=True)
class Recipient:
    email: str
    label: str  # their name, or their role when they asked not to be named
    named: bool  # whether the name may appear in the To: header


class MailNotConfigured(Exception):
    pass


def configured() -> bool:
    return bool(current_app.config.get("MAIL_HOST")) and bool(current_app.config.get("MAIL_FROM"))


def _connect() -> smtplib.SMTP:
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


def build_message(conversation: Conversation, version: SummaryVersion, summary: Summary,
                  recipient: Recipient) -> EmailMessage:
    """One recipient's message.  Every word from the conversation comes from the issued
    summary (summary.build), so nobody who asked not to be named is named in the subject or
    the body either."""
    config = current_app.config
    with force_locale(conversation.locale):
        subject = _("Summary of our conversation: %(title)s (version %(number)d)",
                    title=isolated(summary.title), number=version.number)
        context = {"conversation": conversation, "version": version, "title": summary.title,
                   "recipient": recipient, "change_note": summary.change_note,
                   "facilitator_name": summary.facilitator}
        text = render_template("summary/email.txt", **context)
        html = render_template("summary/email.html", **context)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = config["MAIL_FROM"]
    message["To"] = formataddr((recipient.label, recipient.email)) if recipient.named \
        else recipient.email
    message["Message-ID"] = make_msgid(domain=str(config["MAIL_FROM"]).rpartition("@")[2]
                                       .strip(">") or None)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    for kind, mime in (("pdf", ("application", "pdf")),
                       ("docx", ("application",
                                 "vnd.openxmlformats-officedocument.wordprocessingml.document"))):
        data, filename = read_issued(version, kind)
        message.add_attachment(data, maintype=mime[0], subtype=mime[1], filename=filename)
    return message


def send(conversation: Conversation, version: SummaryVersion, summary: Summary,
         recipients: list[Recipient]) -> list[SummarySend]:
    """Send to each recipient; record every attempt.  Returns the new records."""
    if not configured():
        raise MailNotConfigured()
    records: list[SummarySend] = []
    server: smtplib.SMTP | None = None
    try:
        try:
            server = _connect()
        except (OSError, smtplib.SMTPException) as exc:
            reason = _reason(exc)
            for recipient in recipients:
                records.append(_record(version, recipient, "failed", reason))
            return records
        for recipient in recipients:
            try:
                message = build_message(conversation, version, summary, recipient)
                refused = server.send_message(message)
                if refused:
                    records.append(_record(version, recipient, "failed",
                                           _reason(next(iter(refused.values())))))
                else:
                    records.append(_record(version, recipient, "sent", None))
            except (OSError, smtplib.SMTPException) as exc:
                records.append(_record(version, recipient, "failed", _reason(exc)))
    finally:
        if server is not None:
            try:
                server.quit()
            except (OSError, smtplib.SMTPException):
                pass
    return records


def _reason(exc: object) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {exc.smtp_error.decode(errors='replace')}"[:500]
    if isinstance(exc, tuple) and len(exc) == 2:
        return f"{exc[0]} {exc[1].decode(errors='replace') if isinstance(exc[1], bytes) else exc[1]}"[:500]
    return (type(exc).__name__ + (f": {exc}" if str(exc) else ""))[:500]


def _record(version: SummaryVersion, recipient: Recipient, status: str,
            error: str | None) -> SummarySend:
    record = SummarySend(version=version, email=recipient.email, label=recipient.label,
                         status=status, error=error, attempted_at=clock.utcnow())
    db.session.add(record)
    return record
