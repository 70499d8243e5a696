"""gunicorn's settings for serving convo: `make serve` and the benchmark both start
`gunicorn -c gunicorn.conf.py ...`, so the benchmark measures what is served.

Workers and the address stay on the command line (`make serve WORKERS=… HOST=… PORT=…`).
This file is read by path, not imported from the convo package: gunicorn's master process
then never imports convo, so a reload (`kill -HUP`) starts workers on the new code.
"""

from __future__ import annotations

import gc
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
