"""The relationship map as PDF or Word, made in the background worker.

Drawing the picture and laying out a large map takes a second or more (`make bench`:
map_pdf_50), too long to hold a request.  The click records a request (MapPrint, one row per
partnership and kind, so a double click or a second tab finds the first's), the worker makes
the file and keeps it on the row, and the page shows how far it has got and then offers the
file.  The row remembers which state of the map the file shows (a hash of everything printed,
in the language asked for): a later visit gets the same file while the map is unchanged, and
is offered a fresh copy once it has changed.  A failure is recorded with its cause and can be
tried again; work held by a worker that stopped is put back by the worker's sweeper.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import astuple

from flask_babel import force_locale
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from convo.core import clock
from convo.extensions import db
from convo.jobs import queue
from convo.jobs.identity import worker_id
from convo.models import Facilitator, MapPrint, Partnership
from convo.partnerships import documents

log = logging.getLogger(__name__)

JOB = "map.print"
KINDS = ("pdf", "docx")
ACTIVE = ("pending", "working")
# Bumped when the files' layout changes, so copies made before are made again.
LAYOUT = "1"


def digest(document: documents.MapDocument) -> str:
    """Which state of the map a file shows: everything printed, and the language."""
    printed = (LAYOUT, document.locale, document.title, document.svg, document.description,
               sorted(document.labels.items()), astuple(document.view))
    return hashlib.sha256(repr(printed).encode("utf-8")).hexdigest()


def find(partnership: Partnership, kind: str) -> MapPrint | None:
    return db.session.scalar(select(MapPrint).where(
        MapPrint.partnership_id == partnership.id, MapPrint.kind == kind))


def is_current(row: MapPrint | None, partnership: Partnership, locale: str) -> bool:
    """Whether the row's file (made or on its way) shows the map as it is now."""
    return (row is not None and row.locale == locale
            and row.content_hash == digest(documents.build(partnership, locale)))


def request(partnership: Partnership, kind: str, facilitator: Facilitator,
            locale: str) -> MapPrint:
    """Ask for the file showing the map as it is now, unless it is made or on its way."""
    wanted = digest(documents.build(partnership, locale))
    row = find(partnership, kind)
    if (row is not None and row.status != "failed" and row.locale == locale
            and row.content_hash == wanted):
        return row
    if row is None:
        row = MapPrint(partnership_id=partnership.id, kind=kind)
        try:
            with db.session.begin_nested():
                _fill(row, facilitator, locale, wanted)
                db.session.add(row)
        except IntegrityError:  # another tab's click got there first: that one stands
            found = find(partnership, kind)
            assert found is not None
            return found
    elif row.status == "working":
        # Being made from an older state of the map: once done it is offered as out of date,
        # and a click then asks again (nothing to gain by making two at once).
        return row
    else:
        _fill(row, facilitator, locale, wanted)
    db.session.flush()
    queue.later(JOB, row.id)
    return row


def _fill(row: MapPrint, facilitator: Facilitator, locale: str, wanted: str) -> None:
    now = clock.utcnow()
    row.locale, row.content_hash, row.status = locale, wanted, "pending"
    row.body = row.error = row.claimed_by = row.finished_at = None
    row.requested_by_id, row.requested_at, row.enqueued_at = facilitator.id, now, now


# --- the worker's side -------------------------------------------------------------------


@queue.job(JOB)
def run(print_id: int) -> None:
    """The job: make the file from the map as it is now, or record why it couldn't be."""
    claimed = db.session.execute(
        update(MapPrint).where(MapPrint.id == print_id, MapPrint.status == "pending")
        .values(status="working", claimed_by=worker_id())
        .execution_options(synchronize_session=False)).rowcount
    if not claimed:
        db.session.rollback()
        return  # done, under way elsewhere, or deleted with its partnership
    db.session.commit()  # the page shows "being made" from now on
    row = db.session.get(MapPrint, print_id)
    assert row is not None
    partnership = db.session.get(Partnership, row.partnership_id)
    assert partnership is not None
    try:
        with force_locale(row.locale):
            document = documents.build(partnership, row.locale)
            body = (documents.render_pdf(document) if row.kind == "pdf"
                    else documents.render_docx(document))
    except Exception as exc:
        db.session.rollback()
        log.warning("making the map's %s for partnership %s failed: %s", row.kind,
                    row.partnership_id, type(exc).__name__)
        row = db.session.get(MapPrint, print_id)
        if row is None:
            return
        row.status, row.error = "failed", (type(exc).__name__ + (
            f": {exc}" if str(exc) else ""))[:500]
    else:
        # What the file shows is the map as the worker read it, perhaps newer than the click's.
        row.status, row.body, row.content_hash = "done", body, digest(document)
    row.claimed_by = None
    row.finished_at = clock.utcnow()
    db.session.commit()


def sweep(alive: set[str], lost_before: object) -> int:
    """For the worker's sweeper: files being made by a worker that stopped, and requests the
    queue lost, are handed to the queue again."""
    count = 0
    now = clock.utcnow()
    for row in db.session.scalars(select(MapPrint).where(
            MapPrint.status == "working",
            or_(MapPrint.claimed_by.is_(None), MapPrint.claimed_by.not_in(alive)))):
        row.status, row.claimed_by, row.enqueued_at = "pending", None, now
        queue.later(JOB, row.id)
        count += 1
        log.warning("the map's %s for partnership %s: its worker stopped; making it again",
                    row.kind, row.partnership_id)
    for row in db.session.scalars(select(MapPrint).where(
            MapPrint.status == "pending",
            or_(MapPrint.enqueued_at.is_(None), MapPrint.enqueued_at <= lost_before))):
        row.enqueued_at = now
        queue.later(JOB, row.id)
        count += 1
    return count
