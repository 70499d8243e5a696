"""Deleting a conversation for good: everything recorded in it and its issued summaries.

A conversation holds frank views about named people, so a facilitator must be able to erase
it (a practice run, a request from someone in it, the end of a retention period).  The
database deletes every row that belongs to it through its foreign keys (ON DELETE CASCADE:
people, devices, points and their earlier versions, ratings, the summary's draft, approvals,
versions and sends); a conversation that followed on from it keeps going without the link,
and its screens and phones are told to look again (its version moves on).

Its issued files live in one folder of the export archive.  The rows are deleted first (which
takes the database's write lock, so nothing can issue a summary for it meanwhile), then the
folder is moved aside (one rename), then the deletion is committed and the moved folder
removed.  If the folder cannot be moved, nothing is committed and ArchiveError says why; if
the commit fails, the folder is moved back and nothing has changed; if removing the files
fails after the commit, the conversation is still gone and the folder's name is reported so
an administrator can remove it.

So delete_conversation() commits itself: the one exception to "one commit per request, in
convo.core.storage", because the files may only go once the rows are surely gone.

From the web page, removing the moved folder (which can take a while for a large archive on a
slow disk) is a job for the background worker (`archive.remove`); a folder a worker never got
to is removed when a worker next starts.  The command line removes it at once.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, func, select, update

from convo.core import clock
from convo.extensions import db
from convo.jobs import queue
from convo.live import state
from convo.models import Conversation
from convo.summary import service as summary_service

log = logging.getLogger(__name__)


class ArchiveError(Exception):
    """The conversation's issued files could not be moved: nothing was deleted."""


@dataclass(frozen=True)
class Deleted:
    conversation_id: int
    files_left: Path | None  # a folder that could not be removed, or None


def archive_folder(conversation_id: int) -> Path:
    """Where a conversation's issued summaries are kept (see summary.service.issue)."""
    return summary_service.export_root() / f"conversation-{conversation_id}"


def later_conversations(conversation: Conversation) -> int:
    """How many conversations follow on from this one."""
    return db.session.scalar(select(func.count()).select_from(Conversation).where(
        Conversation.follows_id == conversation.id)) or 0


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


PARKED = ".deleting-"
REMOVE_JOB = "archive.remove"


def delete_conversation(conversation: Conversation, files_now: bool = True) -> Deleted:
    """Delete the conversation, every row that belongs to it and its issued files; commits.
    Raises ArchiveError (having changed nothing) if its files cannot be moved.  With
    files_now=False the moved folder is removed by the background worker."""
    conversation_id = conversation.id
    parked = _delete_rows_and_park_files(conversation_id)
    if conversation in db.session:
        db.session.expunge(conversation)  # it is gone: never refreshed or flushed again
    log.info("conversation %s deleted", conversation_id)
    if parked is None:
        return Deleted(conversation_id, None)
    if not files_now:
        queue.enqueue_now(queue.current(), REMOVE_JOB, (parked.name,), None)
        return Deleted(conversation_id, None)
    try:
        _remove(parked)
    except OSError:
        log.exception("conversation %s deleted, but its issued files could not be removed: %s",
                      conversation_id, parked.name)
        return Deleted(conversation_id, parked)
    return Deleted(conversation_id, None)


def _delete_rows_and_park_files(conversation_id: int) -> Path | None:
    """Delete the rows, move the archive folder aside, commit: the moved folder, if any."""
    # Conversations that follow on from it lose their "last time": their views look again.
    db.session.execute(update(Conversation).where(Conversation.follows_id == conversation_id)
                       .values(**state.moved_for_phones(),
                               updated_at=clock.utcnow()))
    db.session.execute(delete(Conversation).where(Conversation.id == conversation_id))
    folder = archive_folder(conversation_id)
    parked: Path | None = None
    if folder.exists() or folder.is_symlink():
        parked = folder.with_name(f"{PARKED}{folder.name}-{secrets.token_hex(4)}")
        try:
            os.replace(folder, parked)
        except OSError as exc:
            db.session.rollback()
            log.error("conversation %s not deleted: its archive folder cannot be moved (%s)",
                      conversation_id, type(exc).__name__)
            raise ArchiveError(folder.name) from exc
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        if parked is not None:
            os.replace(parked, folder)
        raise
    return parked


@queue.job(REMOVE_JOB)
def remove_parked(name: str) -> None:
    """The job: remove a deleted conversation's moved-aside archive folder."""
    if not name.startswith(PARKED) or "/" in name or name in (".", ".."):
        raise ValueError("not a folder moved aside by deleting")
    path = summary_service.export_root() / name
    if not (path.exists() or path.is_symlink()):
        return
    try:
        _remove(path)
    except OSError:
        log.exception("a deleted conversation's issued files could not be removed: remove the "
                      "folder %s from the archive by hand", name)


def remove_parked_folders() -> None:
    """Remove every folder that deleting moved aside and nothing removed (a worker stopped)."""
    root = summary_service.export_root()
    if not root.is_dir():
        return
    for path in root.glob(f"{PARKED}*"):
        remove_parked(path.name)
