"""The background workers, as the web side sees them: each running `convo worker` process
writes a heartbeat row here every few seconds.

The heartbeat lives in the app's database (not in the queue) so that `/healthz` and the
facilitator's pages learn whether anything is processing jobs from the one query they already
make, whichever queue back-end is in use, and so that a worker which died holding a job can be
recognised by the others (its row stops moving on).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from convo.core.clock import utcnow
from convo.extensions import db
from convo.models.types import UTCDateTime


class QueueWorker(db.Model):
    """One running worker process: who it is and when it was last seen alive."""

    __tablename__ = "queue_worker"

    # hostname:pid:random, so a restarted process with a reused pid is a different worker.
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    hostname: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<QueueWorker {self.id}>"
