"""The job queue with its real parts: a real worker process (`python -m convo worker`) on both
queue back-ends (SQLite in the instance folder, and a real redis-server) and both databases;
real SMTP servers on loopback that are slow, fail (4xx, then 5xx) or hold a conversation while
the worker is killed; the exact number of messages each recipient received."""

from __future__ import annotations

import json
import os
import stat
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests import smtp
from tests.conftest import page_text
from tests.integration.test_summary import _approve_both, _fill, words
from tests.queueing import WorkerProcess, run_jobs, wait_for
from tests.redisserver import RedisServer

QUEUES = ["sqlite-queue", "redis-queue"]
FAST = {  # a worker that notices things within a second or two, for tests
    "QUEUE_HEARTBEAT_SECONDS": 0.3, "QUEUE_STALE_SECONDS": 2, "QUEUE_REQUEUE_SECONDS": 1,
    "QUEUE_POLL_SECONDS": 0.1, "QUEUE_WORKERS": 4,
}


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=QUEUES)
def queue_kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def inbox() -> Iterator[smtp.Inbox]:
    yield from smtp.serve()


@pytest.fixture
def config_overrides(request: pytest.FixtureRequest, queue_kind: str, inbox: smtp.Inbox,
                     tmp_path: Path) -> dict[str, Any]:
    config: dict[str, Any] = {**FAST, **smtp.mail_settings(inbox),
                              "MAIL_RETRY_DELAYS": [1, 1, 1],
                              "QUEUE_NAME": f"convo-test-{os.getpid()}-{tmp_path.name}"}
    if queue_kind == "redis-queue":
        config["QUEUE_URL"] = request.getfixturevalue("redis_server").url()
    return config


@pytest.fixture
def worker(app, tmp_path: Path) -> Iterator[WorkerProcess]:  # type: ignore[no-untyped-def]
    process = WorkerProcess(app, tmp_path / "worker.log")
    try:
        yield process
    finally:
        if process.process is not None:
            process.stop()
        app.extensions["convo.queue"].huey.flush()  # nothing left for another test


def _sends(app) -> list[Any]:  # type: ignore[no-untyped-def]
    from convo.extensions import db
    from convo.models import SummarySend

    with app.app_context():
        found = db.session.scalars(select(SummarySend).order_by(SummarySend.id)).all()
        db.session.expunge_all()
        return list(found)


def _issued(app, ref, auth) -> str:  # type: ignore[no-untyped-def]
    """Approve and ask for version 1; the summary page's address."""
    _fill(app, ref)
    auth.sign_in_as(ref.facilitator)
    url = f"/c/{ref.id}/summary"
    _approve_both(auth, url)
    assert auth.post(f"{url}/issue", data={}, form_page=url).status_code == 302
    return url


def _version_ready(client, url: str) -> bool:  # type: ignore[no-untyped-def]
    return "Version 1 issued" in page_text(client.get(url))


def _timed_post(auth, url: str, data: dict[str, Any], form_page: str) -> tuple[Any, float]:  # type: ignore[no-untyped-def]
    token = auth.csrf(form_page)
    started = time.monotonic()
    response = auth.client.post(url, data={**data, "csrf_token": token})
    return response, time.monotonic() - started


# --- the worker, both queues, both databases --------------------------------------------------


@pytest.mark.slow
def test_a_worker_process_issues_and_sends(app, client, auth, make_conversation, inbox, worker,
                                           queue_kind):
    ref = make_conversation()
    worker.start()
    url = _issued(app, ref, auth)
    assert "Issuing version 1…" in page_text(client.get(url))
    wait_for(lambda: _version_ready(client, url), 60, 0.2, "version 1 to be issued")
    health = client.get("/healthz").get_json()
    assert health["worker"] == "ok" and health["queue"] == "ok"
    assert health["worker_seen_seconds_ago"] <= 2

    chosen = [str(pid) for pid in ref.participant_ids[:3]]
    response, seconds = _timed_post(auth, f"{url}/v1/send", {"participant": chosen}, url)
    assert response.status_code == 302 and seconds < 1.0
    wait_for(lambda: words(client.get(url)).count(": sent ") == 3, 60, 0.2, "three sent")
    assert inbox.counts() == {"okafor@example.org": 1, "reid@example.org": 1,
                              "moore@example.org": 1}
    sends = _sends(app)
    assert [(s.status, s.attempts, s.maybe_duplicate) for s in sends] == [("sent", 1, False)] * 3
    assert all(s.server_reply.startswith("250") for s in sends)
    # The same Message-ID for this version and this address, every time it is built.
    message = inbox.messages_to("okafor@example.org")[0]
    assert message["Message-ID"].startswith(f"<convo.c{ref.id}.v1.")
    assert message["Message-ID"].endswith("@example.org>")

    # A double click (the same form posted twice) sends nothing more.
    token = auth.csrf(url)
    for _ in range(2):
        auth.client.post(f"{url}/v1/send", data={"participant": [str(ref.participant_ids[3])],
                                                 "request_key": "one-form", "csrf_token": token})
    wait_for(lambda: inbox.count("lee@example.org") == 1, 30, 0.2, "Jordan's copy")
    time.sleep(1.0)
    assert inbox.count("lee@example.org") == 1
    assert worker.stop() == 0  # SIGTERM: stops cleanly
    health = wait_for(lambda: (h := client.get("/healthz").get_json())["worker"] == "not seen"
                      and h, 10, 0.2, "the worker's heartbeat to go")
    assert health["worker_seen_seconds_ago"] is None  # it said goodbye


@pytest.mark.slow
def test_a_failing_mail_server_4xx_then_5xx(app, client, auth, make_conversation, inbox, worker):
    """A temporary failure is tried again after a pause; a permanent one is shown with the
    server's reason and a retry button; nothing is marked sent that wasn't."""
    ref = make_conversation()
    inbox.answers["okafor@example.org"] = ["451 4.3.0 Mailbox busy, try later",
                                           "554 5.7.1 Message refused"]
    inbox.answers["reid@example.org"] = ["421 4.7.0 Too many connections"]  # then accepted
    worker.start()
    url = _issued(app, ref, auth)
    wait_for(lambda: _version_ready(client, url), 60, 0.2, "version 1 to be issued")
    auth.post(f"{url}/v1/send", data={"participant": [str(p) for p in ref.participant_ids[:2]]},
              form_page=url)

    def settled() -> bool:
        return all(s.status in ("sent", "failed") for s in _sends(app))

    wait_for(settled, 60, 0.2, "both to settle")
    okafor, reid = _sends(app)
    assert (okafor.status, okafor.attempts, okafor.error) == (
        "failed", 2, "554 5.7.1 Message refused")
    assert okafor.sent_at is None
    assert (reid.status, reid.attempts) == ("sent", 2)
    assert inbox.counts() == {"reid@example.org": 1}
    assert sorted(inbox.rejected) == [("okafor@example.org", "451 4.3.0 Mailbox busy, try later"),
                                      ("okafor@example.org", "554 5.7.1 Message refused"),
                                      ("reid@example.org", "421 4.7.0 Too many connections")]
    page = words(client.get(url))
    assert "not sent – 554 5.7.1 Message refused (after 2 tries)" in page
    assert "Try again: Pat Okafor" in page
    # The facilitator tries again once the server is happy: it goes.
    auth.post(f"{url}/v1/sends/{okafor.id}/retry", form_page=url)
    wait_for(lambda: inbox.count("okafor@example.org") == 1, 30, 0.2, "the retried send")
    assert inbox.counts() == {"reid@example.org": 1, "okafor@example.org": 1}


@pytest.mark.slow
def test_a_worker_killed_mid_send_is_restarted(app, client, auth, make_conversation, inbox,
                                               worker):
    """kill -9 while one message is with the server (its answer not yet heard) and another
    is still being addressed: after a restart each goes again; only the first can have
    arrived twice, and its record says so."""
    import threading

    ref = make_conversation()
    worker.start()
    url = _issued(app, ref, auth)
    wait_for(lambda: _version_ready(client, url), 60, 0.2, "version 1 to be issued")
    lost, stuck, fine = "okafor@example.org", "reid@example.org", "moore@example.org"
    inbox.hold_data[lost] = threading.Event()  # received in full, the answer held back
    inbox.hold_rcpt[stuck] = threading.Event()  # held before the message was handed over
    auth.post(f"{url}/v1/send", data={"participant": [str(p) for p in ref.participant_ids[:3]]},
              form_page=url)
    wait_for(lambda: lost in inbox.reached and stuck in inbox.reached
             and inbox.count(fine) == 1, 30, 0.1, "both holds to be reached")
    wait_for(lambda: [s.status for s in _sends(app)].count("sending") == 2, 10, 0.1,
             "two sends under way")
    worker.kill()
    for gate in (inbox.hold_data.get(lost), inbox.hold_rcpt.get(stuck)):
        if gate is not None:
            gate.set()
    by_email = {s.email: s for s in _sends(app)}
    assert by_email[lost].status == "sending" and by_email[lost].handed_over_at is not None
    assert by_email[stuck].status == "sending" and by_email[stuck].handed_over_at is None
    assert "sending now…" in words(client.get(url))

    worker.start()  # the new worker sees the old one is gone and puts its work back
    wait_for(lambda: all(s.status == "sent" for s in _sends(app)), 60, 0.2, "all sent")
    assert inbox.counts() == {lost: 2, stuck: 1, fine: 1}
    by_email = {s.email: s for s in _sends(app)}
    assert by_email[lost].maybe_duplicate and by_email[lost].attempts == 2
    assert not by_email[stuck].maybe_duplicate and by_email[stuck].attempts == 2
    assert not by_email[fine].maybe_duplicate and by_email[fine].attempts == 1
    first, second = inbox.messages_to(lost)
    assert first["Message-ID"] == second["Message-ID"]  # recognisably one message
    page = words(client.get(url))
    assert page.count("this person may have two copies") == 1


@pytest.mark.slow
def test_without_a_worker_the_page_and_healthz_say_so(app, client, auth, make_conversation,
                                                      inbox, worker):
    ref = make_conversation()
    url = _issued(app, ref, auth)
    page = words(client.get(url))
    assert "Sending is waiting for the background worker." in page
    assert "It has not been seen yet." in page and "convo worker" in page
    health = client.get("/healthz").get_json()
    assert health["worker"] == "not seen" and health["jobs_waiting"] >= 1
    worker.start()
    wait_for(lambda: _version_ready(client, url), 60, 0.2, "version 1 to be issued")
    assert "background worker" not in words(client.get(url))
    worker.stop()
    page = wait_for(lambda: (w := words(client.get(url))) and "isn’t running just now" in w
                    and w, 15, 0.3, "the page to notice")
    assert "It was last seen at" not in page  # it said goodbye when stopped
    assert "Issuing and sending will wait until it runs again; nothing is lost." in page


@pytest.mark.slow
def test_jobs_the_queue_lost_are_put_back(app, client, auth, make_conversation, inbox, worker):
    """The database is the record: sends whose jobs vanished (a queue emptied, or down at the
    click) are handed to the queue again by the worker's sweeper."""
    ref = make_conversation()
    url = _issued(app, ref, auth)
    run_jobs(app)  # issued here, in-process
    auth.post(f"{url}/v1/send", data={"participant": [str(ref.participant_ids[0])]},
              form_page=url)
    app.extensions["convo.queue"].huey.flush()  # the queue loses the job
    assert app.extensions["convo.queue"].huey.pending_count() == 0
    worker.start()
    wait_for(lambda: inbox.count("okafor@example.org") == 1, 30, 0.2, "the lost send")
    time.sleep(1.5)  # and once only
    assert inbox.counts() == {"okafor@example.org": 1}


def test_the_queue_file_is_private(app, queue_kind):
    queue = app.extensions["convo.queue"]
    assert queue.kind == queue_kind.removesuffix("-queue")
    if queue_kind == "sqlite-queue":
        path = Path(app.instance_path) / "queue.sqlite3"
        assert queue.url == f"sqlite:///{path}"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


# --- units of the outbox -----------------------------------------------------------------


def test_failures_are_temporary_or_permanent():
    import smtplib
    import socket

    from convo.summary.mail import classify

    busy = classify(smtplib.SMTPDataError(451, b"4.3.0 busy"))
    assert (busy.reason, busy.permanent) == ("451 4.3.0 busy", False)
    assert classify(smtplib.SMTPDataError(554, b"5.7.1 no")).permanent
    assert classify(smtplib.SMTPRecipientsRefused({"a@b.c": (550, b"5.1.1 unknown")})).reason \
        == "550 5.1.1 unknown"
    assert not classify(smtplib.SMTPRecipientsRefused({"a@b.c": (452, b"full")})).permanent
    assert not classify(socket.timeout("timed out")).permanent
    assert not classify(ConnectionRefusedError(111, "Connection refused")).permanent
    assert not classify(smtplib.SMTPServerDisconnected("gone")).permanent
    assert classify(smtplib.SMTPConnectError(554, b"no service")).permanent


# --- make run, and the "done when" of the issue ------------------------------------------------


def _get_json(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


@pytest.mark.slow
def test_make_run_serves_and_sends_with_nothing_else_to_start(app, auth, make_conversation,
                                                              inbox, tmp_path, queue_kind):
    """`convo run-with-worker` (what `make run` runs): the web app and a worker as one; an
    email goes through its worker; Ctrl-C (SIGINT) stops both."""
    import signal
    import subprocess
    import sys

    from tests.queueing import ROOT, worker_environment

    ref = make_conversation()
    url = _issued(app, ref, auth)
    port = smtp.free_port()
    log = tmp_path / "run.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "convo", "run-with-worker", "--port", str(port)], cwd=ROOT,
            env=worker_environment(app), stdout=out, stderr=out, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: _try_json(base + "/healthz").get("worker") == "ok", 60, 0.3,
                 "the web app and its worker")
        wait_for(lambda: _version_ready(auth.client, url), 60, 0.2, "version 1 to be issued")
        auth.post(f"{url}/v1/send", data={"participant": [str(ref.participant_ids[1])]},
                  form_page=url)
        wait_for(lambda: inbox.count("reid@example.org") == 1, 30, 0.2, "the email")
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        assert len(children) == 1  # its worker
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C in the terminal
        assert process.wait(timeout=60) == 0
        assert not Path(f"/proc/{children[0]}").exists()
        assert "stopping the background worker" in log.read_text()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _try_json(url: str) -> dict[str, Any]:
    try:
        return _get_json(url)
    except OSError:
        return {}
