"""Background work: sending and issuing through the queue, against the same work done directly.

The server is gunicorn as `make serve` starts it, with a worker process beside it (`convo
worker`, the default SQLite queue in the instance folder), a mail server on loopback (aiosmtpd,
accepting at once) and the demo conversation (the research's health example).

- Sending: from the POST of "Send by email" to 10 recipients until the page's live part
  (/summary/progress, as summary.js asks for it) shows all 10 sent; against building and
  sending the same 10 messages directly, one after another, in this process (what the request
  used to do).
- Issuing: from the POST of "Issue" until the new version's PDF downloads; against
  service.issue() on the same words in this process (what the request used to do).

Each ratio is the queued time / the direct time (`queue_send_ratio`, `queue_issue_ratio`).
The goal is at most 1.2 times the direct time plus the worker's poll interval (the time an idle
worker may take to look at an SQLite queue, QUEUE_POLL_SECONDS); `queue_*_of_goal` is the queued
time as a share of that allowance (at most 1.0 meets it).  The page here is asked every 20 ms; a person's page asks every
second (summary.js), which adds up to a second more to what they see, queue or no queue.
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.common import ROOT, VENV_BIN, Instance, Settings, log, make_app, median
from bench.server import HOST, Server, free_port

PASSWORD = "a long bench password for the queue test"
RECIPIENTS = 10
POLL_SECONDS = 0.5  # the worker's QUEUE_POLL_SECONDS here (the default)
CHECK_EVERY = 0.02


class Inbox:
    """An SMTP server on loopback that accepts everything at once and counts it."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        with self.lock:
            self.count += len(envelope.rcpt_tos)
        return "250 2.0.0 Message accepted"


@dataclass(frozen=True)
class QueueInstance(Instance):
    """The bench instance, with the mail server and the worker's settings."""

    mail_port: int = 0

    def mail(self) -> dict[str, Any]:
        return {"MAIL_HOST": HOST, "MAIL_PORT": self.mail_port, "MAIL_SECURITY": "none",
                "MAIL_FROM": "convo <convo@example.org>", "QUEUE_POLL_SECONDS": POLL_SECONDS}

    def config(self) -> dict[str, Any]:
        return {**super().config(), **self.mail()}

    def environment(self) -> dict[str, str]:
        env = super().environment()
        env.update({f"CONVO_{k}": str(v) for k, v in self.mail().items()})
        return env


def run(settings: Settings, work: Path) -> dict[str, Any]:
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    mail_port = free_port()
    controller = Controller(inbox, hostname=HOST, port=mail_port)
    controller.start()
    instance = QueueInstance(work / "queue", mail_port=mail_port)
    instance.path.mkdir()
    app = make_app(instance, migrate=True)
    app.config.update(instance.mail())
    conversation_id, email = _demo(app)
    server = Server(instance)
    server.start()
    worker = subprocess.Popen([str(VENV_BIN / "convo"), "worker"], cwd=ROOT,
                              env=instance.environment(), stdout=subprocess.DEVNULL,
                              stderr=open(instance.path / "logs" / "worker.log", "ab"),
                              start_new_session=True)
    try:
        client = Client(server, email)
        reps = settings.pick(5, 2)
        issue_queued, issue_direct = [], []
        number = 0
        for rep in range(reps + 1):  # the first of each is a warm-up, not counted
            number += 1
            _reword(app, conversation_id, f"queued {rep}")
            queued = client.issue(conversation_id, number)
            number += 1
            _reword(app, conversation_id, f"direct {rep}")
            direct = _issue_directly(app, conversation_id)
            if rep:
                issue_queued.append(queued)
                issue_direct.append(direct)
            log(f"queue: issue v{number - 1} queued {queued:.3f} s, v{number} direct "
                f"{direct:.3f} s{' (warm-up)' if not rep else ''}")
        send_queued, send_direct = [], []
        for rep in range(settings.pick(3, 1) + 1):
            before = inbox.count
            queued = client.send(conversation_id, number, rep)
            assert inbox.count - before == RECIPIENTS, (inbox.count, before)
            direct = _send_directly(app, conversation_id, rep)
            assert inbox.count - before == 2 * RECIPIENTS
            if rep:
                send_queued.append(queued)
                send_direct.append(direct)
            log(f"queue: send to {RECIPIENTS} queued {queued:.3f} s, direct {direct:.3f} s"
                f"{' (warm-up)' if not rep else ''}")
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        server.stop()
        controller.stop()
        with app.app_context():
            from convo.extensions import db

            db.session.remove()
            db.engine.dispose()
    results = {
        "queue_issue_seconds_median": median(issue_queued),
        "direct_issue_seconds_median": median(issue_direct),
        "queue_send_seconds_median": median(send_queued),
        "direct_send_seconds_median": median(send_direct),
        "queue_poll_seconds": POLL_SECONDS,
        "queue_recipients": RECIPIENTS,
    }
    for work in ("send", "issue"):
        queued = results[f"queue_{work}_seconds_median"]
        direct = results[f"direct_{work}_seconds_median"]
        results[f"queue_{work}_ratio"] = queued / direct
        # The goal: at most 1.2 times the direct time plus the worker's poll interval.
        results[f"queue_{work}_of_goal"] = queued / (1.2 * direct + POLL_SECONDS)
    return results


# --- the conversation, and the work done directly ------------------------------------------


def _demo(app: Any) -> tuple[int, str]:
    """The demo conversation, closed, with its facilitator able to sign in."""
    from convo.auth import service as accounts
    from convo.demo.build import create_demo_conversation, draft_words, load_demo
    from convo.extensions import db
    from convo.models import Facilitator
    from convo.summary import service

    with app.app_context():
        conversation = create_demo_conversation()
        words = load_demo()["summary"]
        service.save_draft(conversation, draft_words(words), "facilitator:bench")
        facilitator = db.session.get(Facilitator, conversation.facilitator_id)
        accounts.set_password(facilitator, PASSWORD)
        db.session.commit()
        return conversation.id, facilitator.email


def _reword(app: Any, conversation_id: int, words: str) -> None:
    """A correction both sides approve, so that the next issue is a new version."""
    from convo.extensions import db
    from convo.models import Conversation
    from convo.summary import service

    with app.app_context():
        conversation = db.session.get(Conversation, conversation_id)
        service.save_draft(conversation, {
            "closing": f"Both sides take away two actions ({words}).",
            "change_note": f"The closing words reworded ({words})."}, "facilitator:bench")
        for party in service.PARTIES:
            service.approve(conversation, party, "facilitator:bench")
        db.session.commit()


def _issue_directly(app: Any, conversation_id: int) -> float:
    from convo.extensions import db
    from convo.models import Conversation, Facilitator
    from convo.summary import service

    with app.app_context():
        db.session.remove()
        started = time.perf_counter()
        conversation = db.session.get(Conversation, conversation_id)
        service.issue(conversation, db.session.get(Facilitator, conversation.facilitator_id))
        db.session.commit()
        return time.perf_counter() - started


def _send_directly(app: Any, conversation_id: int, rep: int) -> float:
    """The same messages, built and sent one after another in this process."""
    from convo.extensions import db
    from convo.models import Conversation
    from convo.summary import mail, service
    from convo.summary.build import build

    with app.app_context():
        db.session.remove()
        started = time.perf_counter()
        conversation = db.session.get(Conversation, conversation_id)
        version = service.latest(conversation)
        summary = build(conversation, version)
        for n in range(RECIPIENTS):
            address = f"direct{rep}-{n}@example.org"
            words = mail.Words(summary.title, summary.change_note, summary.facilitator)
            message = mail.build_message(conversation, version, words,
                                         mail.Recipient(address, address, False))
            mail.exchange(message, address, lambda: None)
        return time.perf_counter() - started


class Client:
    """The facilitator's browser, as far as issuing and sending go."""

    def __init__(self, server: Server, email: str) -> None:
        self.server = server
        self.cookie = server.sign_in(email, PASSWORD)

    def _post(self, path: str, form: dict[str, Any], token: str) -> int:
        connection = http.client.HTTPConnection(HOST, self.server.port, timeout=30)
        try:
            connection.request("POST", path, body=urlencode({**form, "csrf_token": token},
                                                            doseq=True),
                               headers={"Cookie": self.cookie,
                                        "Content-Type": "application/x-www-form-urlencoded"})
            response = connection.getresponse()
            response.read()
            return response.status
        finally:
            connection.close()

    def _until(self, check: Any, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise RuntimeError("the queued work did not finish in time")
            time.sleep(CHECK_EVERY)

    def issue(self, conversation_id: int, number: int) -> float:
        page = f"/c/{conversation_id}/summary"
        token, self.cookie = self.server.csrf_token(page, self.cookie)  # the page, loaded
        started = time.perf_counter()
        status = self._post(f"{page}/issue", {}, token)
        if status != 302:
            raise RuntimeError(f"issue answered {status}")
        self._until(lambda: self.server.request("GET", f"{page}/v{number}.pdf",
                                                self.cookie)[0] == 200)
        return time.perf_counter() - started

    def send(self, conversation_id: int, number: int, rep: int) -> float:
        page = f"/c/{conversation_id}/summary"
        addresses = "\n".join(f"queued{rep}-{n}@example.org" for n in range(RECIPIENTS))
        token, self.cookie = self.server.csrf_token(page, self.cookie)
        started = time.perf_counter()
        status = self._post(f"{page}/v{number}/send", {"others": addresses}, token)
        if status != 302:
            raise RuntimeError(f"send answered {status}")
        self._until(lambda: self.server.request("GET", f"{page}/progress", self.cookie)[2]
                    .count("send send--sent") >= RECIPIENTS * (rep + 1))
        return time.perf_counter() - started
