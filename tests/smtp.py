"""A real SMTP server on loopback (aiosmtpd) that keeps what it accepts, and can be slow,
refuse, answer 4xx or 5xx, or hold a conversation at a chosen point (to kill a worker there)."""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


class Inbox:
    def __init__(self) -> None:
        self.port = 0
        self.lock = threading.Lock()
        self.accepted: list[tuple[str, list[str], bytes]] = []
        self.refuse: set[str] = set()  # 550 at RCPT
        self.answers: dict[str, list[str]] = {}  # address -> answers to DATA, one per try
        self.delay = 0.0  # seconds before accepting each message
        # One-shot holds: the first time an address reaches RCPT (or its message has been
        # received in full), the server waits until the event is set before answering.
        self.hold_rcpt: dict[str, threading.Event] = {}
        self.hold_data: dict[str, threading.Event] = {}
        self.reached: dict[str, threading.Event] = {}  # set when a hold is reached
        self.rejected: list[tuple[str, str]] = []

    async def _hold(self, holds: dict[str, threading.Event], address: str) -> None:
        with self.lock:
            gate = holds.pop(address, None)
        if gate is None:
            return
        self.reached.setdefault(address, threading.Event()).set()
        await asyncio.get_running_loop().run_in_executor(None, gate.wait, 120)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        await self._hold(self.hold_rcpt, address)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        rcpt = envelope.rcpt_tos[0]
        with self.lock:
            planned = self.answers.get(rcpt)
            answer = planned.pop(0) if planned else None
        if answer and not answer.startswith("250"):
            self.rejected.append((rcpt, answer))
            return answer
        with self.lock:  # from here on the message is the server's: it counts as delivered
            self.accepted.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        await self._hold(self.hold_data, rcpt)
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 2.0.0 Message accepted"

    # --- reading what arrived ------------------------------------------------------------

    def count(self, address: str) -> int:
        with self.lock:
            return sum(1 for _f, rcpts, _c in self.accepted if address in rcpts)

    def counts(self) -> dict[str, int]:
        with self.lock:
            found: dict[str, int] = {}
            for _f, rcpts, _c in self.accepted:
                for rcpt in rcpts:
                    found[rcpt] = found.get(rcpt, 0) + 1
            return found

    def messages_to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            raw = [c for _f, rcpts, c in self.accepted if address in rcpts]
        return [email.message_from_bytes(r, policy=policy.default) for r in raw]  # type: ignore[misc]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve() -> Iterator[Inbox]:
    handler = Inbox()
    handler.port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    try:
        yield handler
    finally:
        for gate in list(handler.hold_rcpt.values()) + list(handler.hold_data.values()):
            gate.set()
        controller.stop()


def mail_settings(inbox: Inbox) -> dict[str, Any]:
    return {"MAIL_HOST": "127.0.0.1", "MAIL_PORT": inbox.port, "MAIL_SECURITY": "none",
            "MAIL_FROM": "convo <convo@example.org>", "MAIL_TIMEOUT": 30}
