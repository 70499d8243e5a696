"""The summary's life: the draft's words, approvals, issuing versions to exports/, reading them.

Issuing writes each file completely under a temporary name and renames it into place, then
records the version; if anything fails before the version is recorded, the files are removed.
So a crash or a full disk leaves neither a partial file nor a version marked issued.  Two
requests issuing at once create one version: the second finds the first's.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from convo.conversations import history
from convo.core import clock, files
from convo.extensions import db
from convo.live import state
from convo.models import (Conversation, Facilitator, Item, SummaryApproval, SummaryDraft,
                          SummaryVersion)
from convo.summary.build import (NARRATIVE_KEYS, build, content_hash, draft_of, narratives_of,
                                 section_key)

log = logging.getLogger(__name__)

PARTIES = ("partnership", "agency")
NARRATIVE_MAX = 10_000


class IssueError(Exception):
    """Why a summary can't be issued now (shown to the facilitator)."""


def draft_for(conversation: Conversation) -> SummaryDraft:
    """The conversation's draft, made on the first save (callers hold the conversation's lock:
    storage.lock_conversation, so two first saves make one draft)."""
    draft = db.session.scalar(select(SummaryDraft).where(
        SummaryDraft.conversation_id == conversation.id))
    if draft is None:
        draft = SummaryDraft(conversation_id=conversation.id, introduction="", closing="",
                             narratives="{}", change_note="", appendix="asked")
        db.session.add(draft)
        db.session.flush()
    return draft


# The draft's fields as its form names them: the introduction, the closing words, the
# correction note, and a short text under each heading ("narrative-<heading>").
DRAFT_TEXTS = ("introduction", "closing", "change_note")


def draft_fields() -> tuple[str, ...]:
    return DRAFT_TEXTS + tuple(f"narrative-{key}" for key in NARRATIVE_KEYS)


def draft_values(conversation: Conversation) -> dict[str, str]:
    """The draft's words now, field by field (as the summary page's form names them); all
    empty before the first save (reading never makes a draft)."""
    draft = draft_of(conversation)
    narratives = narratives_of(draft)
    values = {name: getattr(draft, name) or "" for name in DRAFT_TEXTS}
    values.update({f"narrative-{key}": narratives.get(key, "") for key in NARRATIVE_KEYS})
    return values


def save_draft(conversation: Conversation, changes: dict[str, str], author_label: str) -> None:
    """The draft's fields that changed (already merged with what others saved: core.edits);
    each wording replaced is kept in the history."""
    if not changes:
        return
    draft = draft_for(conversation)
    narratives = narratives_of(draft)
    for name, value in changes.items():
        if name.startswith("narrative-"):
            key = name.removeprefix("narrative-")
            if key not in NARRATIVE_KEYS:
                continue
            history.keep(conversation.id, "summary_draft", draft.id, name,
                         narratives.get(key, ""), author_label)
            narratives[key] = value
        elif name in DRAFT_TEXTS:
            history.keep(conversation.id, "summary_draft", draft.id, name, getattr(draft, name),
                         author_label)
            setattr(draft, name, value)
    draft.narratives = json.dumps(narratives, ensure_ascii=False, sort_keys=True)
    draft.updated_at = clock.utcnow()
    state.bump(conversation)


def set_appendix(conversation: Conversation, choice: str, author_label: str) -> None:
    """Keep the appendix ("asked") or leave it out ("none")."""
    draft = draft_for(conversation)
    if draft.appendix != choice:
        history.keep(conversation.id, "summary_draft", draft.id, "appendix", draft.appendix,
                     author_label)
        draft.appendix = choice
        draft.updated_at = clock.utcnow()
    state.bump(conversation)


def set_in_summary(conversation: Conversation, item: Item, included: bool) -> None:
    item.in_summary = included
    state.bump(conversation)


def move_in_summary(conversation: Conversation, item: Item, direction: int) -> None:
    """Move a point up (-1) or down (+1) among the points under the same heading."""
    from convo.summary.build import summary_items

    group = [i for i in summary_items(conversation) if section_key(i) == section_key(item)]
    for position, member in enumerate(group):
        member.summary_position = position * 10
    index = next(n for n, member in enumerate(group) if member.id == item.id)
    other = index + direction
    if 0 <= other < len(group):
        group[index].summary_position, group[other].summary_position = (
            group[other].summary_position, group[index].summary_position)
    state.bump(conversation)


# --- approval --------------------------------------------------------------------------------


def approve(conversation: Conversation, party: str, recorded_by: str) -> None:
    """Record that a party approves the summary exactly as it now reads."""
    if party not in PARTIES:
        raise ValueError(party)
    digest = content_hash(build(conversation))
    record = db.session.scalar(select(SummaryApproval).where(
        SummaryApproval.conversation_id == conversation.id, SummaryApproval.party == party))
    if record is None:
        record = SummaryApproval(conversation_id=conversation.id, party=party)
        db.session.add(record)
    record.content_hash = digest
    record.approved_at = clock.utcnow()
    record.recorded_by = recorded_by
    state.bump(conversation)


def withdraw_approval(conversation: Conversation, party: str) -> None:
    record = db.session.scalar(select(SummaryApproval).where(
        SummaryApproval.conversation_id == conversation.id, SummaryApproval.party == party))
    if record is not None:
        db.session.delete(record)
        state.bump(conversation)


# --- versions --------------------------------------------------------------------------------


def export_root() -> Path:
    return Path(current_app.config["EXPORT_DIR"])


def versions(conversation: Conversation) -> list[SummaryVersion]:
    return list(db.session.scalars(select(SummaryVersion).where(
        SummaryVersion.conversation_id == conversation.id).order_by(SummaryVersion.number)))


def latest(conversation: Conversation) -> SummaryVersion | None:
    found = versions(conversation)
    return found[-1] if found else None


def version_or_none(conversation: Conversation, number: int) -> SummaryVersion | None:
    return db.session.scalar(select(SummaryVersion).where(
        SummaryVersion.conversation_id == conversation.id, SummaryVersion.number == number))


def _write_atomically(path: Path, data: bytes) -> None:
    """The whole file or nothing: write a temporary file beside it, sync, rename."""
    files.private_folder(path.parent, root=export_root())
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".partial-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    docx: bytes


def render(summary, *more) -> Rendered:  # type: ignore[no-untyped-def]
    from convo.summary.render_docx import render_docx
    from convo.summary.render_pdf import render_pdf

    return Rendered(pdf=render_pdf(summary, *more), docx=render_docx(summary, *more))


def in_second_language(conversation: Conversation, version: SummaryVersion | None = None
                       ) -> list:
    """The summary in the conversation's second language, if it has one this deployment
    offers (a bilingual summary has both, the conversation's own language first)."""
    from convo.core import languages

    code = conversation.second_locale
    if not languages.is_offered(code):
        return []
    return [build(conversation, version, locale=code)]


def issue(conversation: Conversation, facilitator: Facilitator) -> SummaryVersion:
    """Issue the approved summary as the next version, or return the version just issued by
    a simultaneous request for the same words.  A correction carries the draft's note of what
    changed — words both sides approved with the rest (and written as the summary writes
    everything, with nobody named who asked not to be)."""
    summary = build(conversation)
    digest = content_hash(summary)
    if not all(a.approved for a in summary.approvals):
        raise IssueError("approvals")
    previous = latest(conversation)
    if previous is not None and previous.content_hash == digest:
        return previous
    note = summary.change_note.strip()
    if previous is not None and (not note or note == (previous.change_note or "").strip()):
        raise IssueError("change_note")
    number = (previous.number if previous else 0) + 1
    version = SummaryVersion(conversation_id=conversation.id, number=number,
                             change_note=note, issued_at=clock.utcnow(),
                             issued_by_id=facilitator.id, content_hash=digest)
    final = build(conversation, version)
    files = render(final, *in_second_language(conversation, version))
    folder = Path(f"conversation-{conversation.id}") / f"v{number}"
    written: list[Path] = []
    try:
        for kind, data in (("pdf", files.pdf), ("docx", files.docx)):
            sha = hashlib.sha256(data).hexdigest()
            relative = folder / f"{final.file_stem}-{sha[:12]}.{kind}"
            target = export_root() / relative
            _write_atomically(target, data)
            written.append(target)
            setattr(version, f"{kind}_file", str(relative))
            setattr(version, f"{kind}_sha256", sha)
        version.summary_json = json.dumps(asdict(final), ensure_ascii=False, default=str)
        with db.session.begin_nested():
            db.session.add(version)
    except IntegrityError:
        # Another request issued this number first; if it issued these same words, that's
        # the version to return, and its files are the ones now on disk.
        existing = version_or_none(conversation, number)
        if existing is not None and existing.content_hash == digest:
            return existing
        _remove_unreferenced(written)
        _remove_empty_folders(export_root() / folder)
        raise IssueError("conflict") from None
    except BaseException:
        _remove_unreferenced(written)
        _remove_empty_folders(export_root() / folder)
        raise
    state.bump(conversation)
    return version


def _remove_unreferenced(paths: list[Path]) -> None:
    root = export_root()
    for path in paths:
        relative = str(path.relative_to(root))
        used = db.session.scalar(select(func.count()).select_from(SummaryVersion).where(
            (SummaryVersion.pdf_file == relative) | (SummaryVersion.docx_file == relative)))
        if not used:
            try:
                path.unlink()
            except FileNotFoundError:
                pass


def remove_if_empty(folder: Path) -> None:
    """Remove a folder of the archive if nothing is in it (it may not exist)."""
    try:
        folder.rmdir()
    except OSError:  # not empty, not there, or not ours to remove: left as it is
        pass


def _remove_empty_folders(version_folder: Path) -> None:
    """After a failed issue: no empty v<N>/ (nor an empty conversation-<id>/) is left."""
    remove_if_empty(version_folder)
    remove_if_empty(version_folder.parent)


class FileDamaged(Exception):
    pass


def read_issued(version: SummaryVersion, kind: str) -> tuple[bytes, str]:
    """The issued file's bytes and its download name, checked against the recorded hash."""
    relative = version.pdf_file if kind == "pdf" else version.docx_file
    expected = version.pdf_sha256 if kind == "pdf" else version.docx_sha256
    path = export_root() / relative
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FileDamaged(relative) from None
    if hashlib.sha256(data).hexdigest() != expected:
        log.error("issued file %s does not match its recorded hash", relative)
        raise FileDamaged(relative)
    name = Path(relative).name
    stem = name.rsplit("-", 1)[0]
    return data, f"{stem}.{kind}"
