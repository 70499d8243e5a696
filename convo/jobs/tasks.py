"""Every job there is, registered with convo.jobs.queue by importing the module it lives in.

    summary.send     send one row of the outbox              convo/summary/sending.py
    summary.issue    issue one requested version              convo/summary/issuing.py
    archive.remove   remove a deleted conversation's files    convo/conversations/deleting.py
    runsheet.render  draw a conversation's run sheet (PDF)     convo/conversations/runsheet.py
    reminders.scan   record the reminders now due (also every  convo/reminders/sending.py
                     REMINDER_SCAN_MINUTES, a periodic task)
    reminders.send   send one reminder                        convo/reminders/sending.py
    calendar.send    send one calendar invitation             convo/reminders/calendar.py
    map.print        make the relationship map's PDF or Word  convo/partnerships/printing.py
"""

from __future__ import annotations

from convo.conversations import deleting, runsheet  # noqa: F401
from convo.partnerships import printing  # noqa: F401
from convo.reminders import calendar, sending as reminder_sending  # noqa: F401
from convo.summary import issuing, sending  # noqa: F401
