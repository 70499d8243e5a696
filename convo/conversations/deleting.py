"""Deleting a conversation for good: everything recorded in it and its issued summaries.

A conversation holds frank views about named people, so a facilitator must be able to erase
it (a practice run, a request from someone in it, the end of a retention period).  The
database deletes every row that belongs to it through its foreign keys (ON DELETE CASCADE:
people, devices, points and their earlier versions, ratings, the summary's draft, approvals,
versions and sends); a conversation that followed on from it keeps going without the link.

Its issued files live in one folder of the export archive.  The folder is first moved aside
(one rename), then the rows are deleted and committed, then the moved folder is removed.  If
the database refuses, the folder is moved back and nothing has changed; if removing the files
fails after the commit, the conversation is still gone and the error is logged with the
folder's name so an administrator can remove it.

So delete_conversation() commits itself: the one exception to "one commit per request, in
convo.core.storage", because the files may only go once the rows are surely gone.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, func, select

from convo.extensions import db
from convo.models import Conversation
from convo.summary import service as summary_service

log = logging.getLogger(__name__)


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


def delete_conversation(conversation: Conversation) -> Deleted:
    """Delete the conversation, every row that belongs to it and its issued files; commits."""
    conversation_id = conversation.id
    folder = archive_folder(conversation_id)
    parked: Path | None = None
    if folder.exists():
        parked = folder.with_name(f".deleting-{folder.name}-{secrets.token_hex(4)}")
        os.replace(folder, parked)
    try:
        db.session.execute(delete(Conversation).where(Conversation.id == conversation_id))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        if parked is not None:
            os.replace(parked, folder)
        raise
    if conversation in db.session:
        db.session.expunge(conversation)  # it is gone: never refreshed or flushed again
    log.info("conversation %s deleted", conversation_id)
    if parked is None:
        return Deleted(conversation_id, None)
    try:
        shutil.rmtree(parked)
    except OSError:
        log.exception("conversation %s deleted, but its issued files could not be removed: %s",
                      conversation_id, parked.name)
        return Deleted(conversation_id, parked)
    return Deleted(conversation_id, None)
