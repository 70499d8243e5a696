"""Issuing a version in the background worker: the click records a request, the worker makes
the files (service.issue: build, render, write atomically, record) and the page follows.

One request per conversation and version number (a unique constraint), so double clicks and
two tabs make one version: a second click finds the first's request.  A failure is recorded
with its cause (a full disk, an archive folder convo can't write to, the renderer) and can be
tried again, which sets the same request back to pending.  Nothing partial is left: service.issue
removes what it wrote when it fails, and a request whose worker died part-way has its version's
folder removed before it is tried again (see recover_interrupted).
"""

from __future__ import annotations

import errno
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from convo.core import clock
from convo.extensions import db
from convo.jobs import queue
from convo.jobs.identity import worker_id
from convo.live import state
from convo.models import Conversation, Facilitator, SummaryIssue, SummaryVersion
from convo.summary import service
from convo.summary.build import build, content_hash

log = logging.getLogger(__name__)

JOB = "summary.issue"
ACTIVE = ("pending", "working")


@dataclass(frozen=True)
class Requested:
    issue: SummaryIssue | None  # the request now on its way (new, or one already waiting)
    version: SummaryVersion | None  # or: the version that already says exactly this
    already: bool = False  # a request for this version was already on its way


def current_request(conversation: Conversation) -> SummaryIssue | None:
    """The latest request that isn't done: waiting, under way, or failed (to show)."""
    found = db.session.scalar(select(SummaryIssue).where(
        SummaryIssue.conversation_id == conversation.id).order_by(SummaryIssue.number.desc())
        .limit(1))
    return found if found is not None and found.status != "done" else None


def request(conversation: Conversation, facilitator: Facilitator) -> Requested:
    """Check what can be checked at once (approvals, a correction's note in the approved
    draft), then record the request and hand the worker its job.  Raises service.IssueError
    as service.issue would."""
    summary = build(conversation)
    digest = content_hash(summary)
    if not all(a.approved for a in summary.approvals):
        raise service.IssueError("approvals")
    previous = service.latest(conversation)
    if previous is not None and previous.content_hash == digest:
        return Requested(None, previous)
    change_note = summary.change_note.strip()
    if previous is not None and (not change_note or
                                 change_note == (previous.change_note or "").strip()):
        raise service.IssueError("change_note")
    number = (previous.number if previous else 0) + 1
    now = clock.utcnow()
    issue = _request_row(conversation, number)
    if issue is not None and issue.status in ACTIVE:
        if issue.status == "pending":  # not started: it issues the words approved now
            issue.change_note, issue.content_hash = change_note.strip(), digest
        return Requested(issue, None, already=True)
    if issue is None:
        issue = SummaryIssue(conversation_id=conversation.id, number=number)
        try:
            with db.session.begin_nested():
                _fill(issue, facilitator, change_note, digest, now)
                db.session.add(issue)
        except IntegrityError:  # another tab's click got there first
            found = _request_row(conversation, number)
            assert found is not None
            return Requested(found, None, already=True)
    else:  # it failed before: this click tries again
        _fill(issue, facilitator, change_note, digest, now)
    db.session.flush()
    queue.later(JOB, issue.id)
    state.bump(conversation)
    return Requested(issue, None)


def _request_row(conversation: Conversation, number: int) -> SummaryIssue | None:
    return db.session.scalar(select(SummaryIssue).where(
        SummaryIssue.conversation_id == conversation.id, SummaryIssue.number == number))


def _fill(issue: SummaryIssue, facilitator: Facilitator, change_note: str, digest: str,
          now) -> None:  # type: ignore[no-untyped-def]
    issue.change_note = change_note.strip()
    issue.content_hash = digest
    issue.requested_by_id = facilitator.id
    issue.requested_at = now
    issue.enqueued_at = now
    issue.status = "pending"
    issue.problem = None
    issue.error = None
    issue.claimed_by = None
    issue.finished_at = None


# --- the worker's side -------------------------------------------------------------------


@queue.job(JOB)
def run(issue_id: int) -> None:
    """The job: issue the requested version, or record why it couldn't be."""
    claimed = db.session.execute(
        update(SummaryIssue).where(SummaryIssue.id == issue_id, SummaryIssue.status == "pending")
        .values(status="working", claimed_by=worker_id())
        .execution_options(synchronize_session=False)).rowcount
    if not claimed:
        db.session.rollback()
        return  # done, under way elsewhere, or deleted with its conversation
    issue = db.session.get(SummaryIssue, issue_id)
    assert issue is not None
    conversation = db.session.get(Conversation, issue.conversation_id)
    assert conversation is not None
    state.bump(conversation)
    db.session.commit()  # the page shows "Issuing version N…" from now on
    facilitator = (db.session.get(Facilitator, issue.requested_by_id) if issue.requested_by_id
                   else None) or db.session.get(Facilitator, conversation.facilitator_id)
    try:
        version = service.issue(conversation, facilitator)
    except Exception as exc:
        db.session.rollback()
        problem, detail = describe(exc)
        log.warning("issuing version %s of conversation %s failed: %s", issue.number,
                    conversation.id, problem)
        issue = db.session.get(SummaryIssue, issue_id)
        conversation = db.session.get(Conversation, issue.conversation_id)
        issue.status, issue.problem, issue.error = "failed", problem, detail
    else:
        issue.status = "done"
        issue.number = version.number
    issue.claimed_by = None
    issue.finished_at = clock.utcnow()
    state.bump(conversation)
    try:
        db.session.commit()
    except Exception:  # the record could not be kept: clear the files, let a worker try again
        db.session.rollback()
        discard_partial(conversation.id, issue.number)
        db.session.execute(update(SummaryIssue).where(
            SummaryIssue.id == issue_id, SummaryIssue.claimed_by == worker_id())
            .values(status="pending", claimed_by=None))
        db.session.commit()
        raise


def describe(exc: BaseException) -> tuple[str, str | None]:
    """Why issuing failed: a word the page explains, and the system's own words."""
    if isinstance(exc, service.IssueError):
        return str(exc), None
    if isinstance(exc, OSError):
        where = _relative(exc.filename)
        detail = f"{exc.strerror or type(exc).__name__}" + (f": {where}" if where else "")
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return "disk_full", detail
        return "archive", detail
    return "renderer", (type(exc).__name__ + (f": {exc}" if str(exc) else ""))[:500]


def _relative(filename: object) -> str | None:
    """A path inside the archive as the archive's own folder names it (no machine paths)."""
    if not filename:
        return None
    path = Path(str(filename))
    if path.suffix:  # a file (perhaps a temporary one): its folder is what to look at
        path = path.parent
    try:
        return str(path.relative_to(service.export_root()))
    except ValueError:
        return path.name


def discard_partial(conversation_id: int, number: int) -> None:
    """Remove what a worker that died while issuing version `number` left in the archive
    (only when that version was never recorded: an issued version's files are never touched)."""
    recorded = db.session.scalar(select(SummaryVersion.id).where(
        SummaryVersion.conversation_id == conversation_id, SummaryVersion.number == number))
    if recorded is not None:
        return
    folder = service.export_root() / f"conversation-{conversation_id}" / f"v{number}"
    if folder.is_dir() and not folder.is_symlink():
        shutil.rmtree(folder)
    service.remove_if_empty(folder.parent)
