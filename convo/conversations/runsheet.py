"""The run sheet: the facilitator's printed plan for the day (A4 PDF, one or two pages).

    build(conversation) -> RunSheet     plain data: the timed plan with clock times, each
                                        stage's core questions and notes, the join code and
                                        address, the ground rules to read out, who is coming
    render_pdf(sheet) -> bytes          WeasyPrint, from templates/conversations/run_sheet.html

Rendering is slow work, so it runs in the background worker (the job "runsheet.render"): the
page asks for it and shows progress; the file is kept under the export folder, named by the
conversation and a fingerprint of the sheet's content, so a changed plan makes a new file and
an unchanged one is never drawn twice.  People who asked not to be named are listed by role.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app, render_template
from flask_babel import force_locale, format_date, format_time
from flask_babel import gettext as _

from convo.conversations import service
from convo.conversations.naming import Public
from convo.core import files
from convo.jobs import queue
from convo.jobs.identity import worker_id
from convo.models import Conversation

log = logging.getLogger(__name__)

LONDON = ZoneInfo("Europe/London")
JOB = "runsheet.render"


@dataclass(frozen=True)
class RunStage:
    number: int
    title: str
    starts: str  # "10:00", or "0:00" (minutes from the start) when no start time is set
    ends: str
    minutes: int
    core_questions: tuple[str, ...]
    other_questions: int  # how many optional questions there are besides
    notes: str


@dataclass(frozen=True)
class RunSheet:
    lang: str
    title: str  # "Riverside Big Local and Exampletown PCN"
    when: str  # "Tuesday 14 September 2021, 10:00 to 11:40", or ""
    place: str
    purpose: str
    join_url: str
    join_code: str
    ground_rules: str
    stages: tuple[RunStage, ...]
    total_minutes: int
    people: tuple[tuple[str, tuple[str, ...]], ...]  # (party, ("Pat Okafor, chair", ...))
    clock_times: bool  # False: times are minutes from the start (no start time set)


def _clock(start: datetime | None, minutes: int) -> str:
    if start is None:
        return f"{minutes // 60}:{minutes % 60:02d}"
    return format_time((start + timedelta(minutes=minutes)).astimezone(LONDON), "HH:mm")


def join_url(code: str) -> str:
    """The join address as people type it: the app's public address (BASE_URL, as reminders'
    links use), so the page and the worker make the same sheet."""
    return str(current_app.config.get("BASE_URL") or "").rstrip("/") + "/j/" + code


def build(conversation: Conversation) -> RunSheet:
    """The sheet, in the conversation's language whoever asks (the page that checks whether
    it is made, in the facilitator's own language, and the worker that draws it must agree
    on its fingerprint)."""
    with force_locale(conversation.locale or "en_GB"):
        return _build(conversation)


def _build(conversation: Conversation) -> RunSheet:
    plan = service.plan_for(conversation)
    public = Public(conversation)
    start = conversation.starts_at
    stages = []
    elapsed = 0
    for number, stage in enumerate(plan.included, start=1):
        core = stage.core_questions
        stages.append(RunStage(
            number=number, title=stage.title, starts=_clock(start, elapsed),
            ends=_clock(start, elapsed + stage.minutes), minutes=stage.minutes,
            core_questions=tuple(public(q.text) if q.added else q.text for q in core),
            other_questions=len(stage.questions) - len(core),
            notes=stage.facilitator_notes or ""))
        elapsed += stage.minutes
    when = ""
    if start is not None:
        local = start.astimezone(LONDON)
        when = _("%(date)s, %(start)s to %(end)s", date=format_date(local, "EEEE d MMMM y"),
                 start=format_time(local, "HH:mm"), end=_clock(start, elapsed))
    people = tuple(
        (public.party(party), tuple(
            public.person(p) + ("" if not p.may_be_named else f", {public(p.role)}")
            for p in conversation.participants if p.party == party))
        for party in ("partnership", "agency"))
    code = conversation.join_code or ""
    return RunSheet(
        lang=(conversation.locale or "en_GB").replace("_", "-"),
        title=_("%(partnership)s and %(agency)s", partnership=public.partnership,
                agency=public.agency),
        when=when, place=public(conversation.place or conversation.video_link or ""),
        purpose=public(conversation.purpose), join_url=join_url(code) if code else "",
        join_code=service.display_code(code) if code else "",
        ground_rules=public(conversation.ground_rules or ""), stages=tuple(stages),
        total_minutes=elapsed, people=people, clock_times=start is not None)


def digest(sheet: RunSheet) -> str:
    body = json.dumps(asdict(sheet), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()[:24]


def folder(conversation_id: int) -> Path:
    """Beside the conversation's issued summaries, so deleting it removes them too."""
    return _root() / f"conversation-{conversation_id}" / "run-sheets"


def _root() -> Path:
    from convo.summary.service import export_root

    return export_root()


def path_for(conversation_id: int, fingerprint: str) -> Path:
    return folder(conversation_id) / f"run-sheet-{fingerprint}.pdf"


def _pending(conversation_id: int, fingerprint: str) -> Path:
    return folder(conversation_id) / f"run-sheet-{fingerprint}.waiting"


def render_html(sheet: RunSheet) -> str:
    with force_locale(sheet.lang.replace("-", "_")):
        return render_template("conversations/run_sheet.html", sheet=sheet)


def render_pdf(sheet: RunSheet) -> bytes:
    """A4, the plan first; WeasyPrint may fetch nothing but the app's own files."""
    from weasyprint import HTML

    from convo.summary.render_pdf import BASE_URL, pdf_options, url_fetcher

    options = pdf_options()
    options.pop("stylesheets", None)  # the run sheet carries its own print styles
    return HTML(string=render_html(sheet), base_url=BASE_URL,
                url_fetcher=url_fetcher()).write_pdf(**options)


@dataclass(frozen=True)
class Status:
    fingerprint: str
    ready: bool
    waiting: bool


def status(conversation: Conversation) -> Status:
    fingerprint = digest(build(conversation))
    return Status(fingerprint, path_for(conversation.id, fingerprint).is_file(),
                  _pending(conversation.id, fingerprint).is_file())


def request(conversation: Conversation) -> Status:
    """Ask the worker for the run sheet as the plan stands (once: asking again while it is
    being made, or once it is made, changes nothing)."""
    found = status(conversation)
    if found.ready or found.waiting:
        return found
    files.private_folder(folder(conversation.id), _root())
    marker = _pending(conversation.id, found.fingerprint)
    marker.write_text("", encoding="utf-8")
    # Straight onto the queue: nothing in the database waits for it (the file is the record).
    if not queue.enqueue_now(queue.current(), JOB, (conversation.id, found.fingerprint), None):
        marker.unlink(missing_ok=True)
        return Status(found.fingerprint, False, False)
    return Status(found.fingerprint, False, True)


@queue.job(JOB)
def run(conversation_id: int, fingerprint: str) -> None:
    """Draw the run sheet.  The plan may have changed since it was asked for: the file is
    named by what was drawn, and the page asks again for the newer plan if need be."""
    from convo.extensions import db

    conversation = db.session.get(Conversation, conversation_id)
    if conversation is None:
        return
    marker = _pending(conversation_id, fingerprint)
    if marker.is_file():
        # Claimed: if this worker stops before the file is made, the sweeper sees a claim by
        # a worker no longer beating and puts the job back.
        marker.write_text(worker_id(), encoding="utf-8")
    sheet = build(conversation)
    drawn = digest(sheet)
    target = path_for(conversation_id, drawn)
    try:
        if not target.is_file():
            data = render_pdf(sheet)
            files.private_folder(folder(conversation_id), _root())
            partial = target.with_suffix(".part")
            files.create_private_file(partial)
            partial.write_bytes(data)
            os.replace(partial, target)
    finally:
        for name in {fingerprint, drawn}:
            _pending(conversation_id, name).unlink(missing_ok=True)


def sweep(alive: set[str], lost_before: datetime) -> int:
    """For the worker's sweeper: run sheets asked for and never made.  The waiting file is
    the record (there is no row): one claimed by a worker that stopped, or never claimed and
    older than the queue's grace (the queue lost it), is handed to the queue again."""
    root = _root()
    if not root.is_dir():
        return 0
    count = 0
    now = time.time()
    lost = lost_before.timestamp()
    for marker in root.glob("conversation-*/run-sheets/run-sheet-*.waiting"):
        try:
            claimed_by = marker.read_text(encoding="utf-8").strip()
            waited_since = marker.stat().st_mtime
        except OSError:
            continue  # made meanwhile
        if claimed_by in alive or (not claimed_by and waited_since > lost):
            continue
        conversation_id = marker.parent.parent.name.removeprefix("conversation-")
        fingerprint = marker.name.removeprefix("run-sheet-").removesuffix(".waiting")
        if not conversation_id.isdigit():
            continue
        try:
            marker.write_text("", encoding="utf-8")  # waiting again, from now
            os.utime(marker, (now, now))
        except OSError:
            continue
        queue.later(JOB, int(conversation_id), fingerprint)
        count += 1
        if claimed_by:
            log.warning("the run sheet of conversation %s: its worker stopped; making it again",
                        conversation_id)
    return count
