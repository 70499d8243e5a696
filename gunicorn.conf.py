"""gunicorn's settings for serving convo: `make serve` and the benchmark both start
`gunicorn -c gunicorn.conf.py ...`, so the benchmark measures what is served.

Workers and the address stay on the command line (`make serve WORKERS=… HOST=… PORT=…`).
This file is read by path, not imported from the convo package: gunicorn's master process
then never imports convo, so a reload (`kill -HUP`) starts workers on the new code.
"""

from __future__ import annotations

import gc
import socket
from typing import Any

# A request that takes longer than this is stopped and its worker replaced.  Nothing convo
# serves should come near it: anything that can take seconds (making the summary's files,
# sending email, removing a deleted conversation's archive) is a job for the background worker
# (`convo worker`), and a request only records it.  Set here, not left to gunicorn's default.
timeout = 30
# On a restart or stop, requests under way get this long to finish.
graceful_timeout = 30

# convo logs one line per request itself (convo/core/requestlog.py), so gunicorn's access log
# is left off.  If it is turned on (--access-logfile), its lines name no path, query or
# referrer: those can hold join codes and one-time tokens.
access_log_format = '%(h)s "%(m)s" %(s)s %(L)ss'


# Whether the request just answered was read to its end (set by post_request, used by the
# worker's closing of the connection; a sync worker serves one request at a time).
_answered: dict[str, bool] = {}


def post_request(worker: Any, req: Any, environ: Any, resp: Any) -> None:
    """Note whether the request's body was read to its end: then there is nothing more the
    client will send, and its connection can be closed without waiting for it."""
    reader = getattr(getattr(req, "body", None), "reader", None)
    _answered["read"] = type(reader).__name__ == "LengthReader" and reader.length == 0


def _close_promptly(graceful: Any) -> Any:
    """gunicorn's sync worker closes each connection "gracefully" (RFC 9112 section 9.6): it
    sends its end, then waits, up to 2 s, for the client to close its own, reading whatever
    the client still sends, so that unread request data can't make the kernel reset the
    connection and cut the answer short.  That wait held each worker for about half a
    millisecond per request, idle, and far longer when many clients were answered at once
    (the polls after a slow moment come in waves): the worker could serve no one meanwhile.

    When the whole request was read (every GET, and every POST whose body the app read: the
    polls, nearly every request), there is nothing left to reset it, so the connection is
    closed at once.  Anything else (a body left unread, an error before the request was
    parsed) is closed gracefully as before."""

    def close(sock: socket.socket, *args: Any, **kwargs: Any) -> None:
        if not _answered.pop("read", False):
            graceful(sock, *args, **kwargs)
            return
        try:
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        sock.close()

    return close


def post_worker_init(worker: Any) -> None:
    """Once the worker has loaded the app, set aside everything loaded so far (modules, the
    question sets, templates: about 130,000 objects) from Python's garbage collector.

    Without this, each full collection walks all of them: 30 ms on a quiet machine and over
    100 ms on a busy one, stalling whichever request the worker is serving.  Objects made
    while serving requests are still collected as usual; what is set aside stays for the
    worker's life (a question set replaced after start-up keeps its old copy: a bounded,
    one-off cost)."""
    gc.collect()
    gc.freeze()
    from gunicorn import util
    from gunicorn.workers.sync import SyncWorker

    if isinstance(worker, SyncWorker) and hasattr(util, "close_graceful"):
        util.close_graceful = _close_promptly(util.close_graceful)
