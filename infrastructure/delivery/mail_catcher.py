"""The development mail catcher: an SMTP server (aiosmtpd) on loopback, on a port of its own
choosing, that keeps what it receives in memory for the `/dev/mailbox` page. `serve` starts it
in development when ``CXL_SMTP_URL`` is unset, so a first run shows its mail without any mail
server; tests use it as the real server the sender talks to."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from infrastructure.delivery.addresses import SmtpEndpoint

KEPT = 500
"""Messages the mailbox keeps (the oldest go first)."""


@dataclass(frozen=True, slots=True)
class CaughtMail:
    """One message as the catcher received it."""

    received_at: datetime
    envelope_to: tuple[str, ...]
    message: EmailMessage = field(repr=False)

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    def body(self, subtype: str) -> str:
        part = self.message.get_body(preferencelist=(subtype,))
        return "" if part is None else str(part.get_content())


class Mailbox:
    """What the catcher received, newest last; safe to read from other threads."""

    def __init__(self, kept: int = KEPT) -> None:
        self._mails: deque[CaughtMail] = deque(maxlen=kept)
        self._lock = threading.Lock()

    def add(self, mail: CaughtMail) -> None:
        with self._lock:
            self._mails.append(mail)

    def all(self) -> list[CaughtMail]:
        with self._lock:
            return list(self._mails)


class CatchingHandler:
    """Accepts every message and puts it in the mailbox."""

    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.mailbox.add(CaughtMail(datetime.now(UTC), tuple(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class _LoopbackController(Controller):
    """aiosmtpd's controller on a socket bound before it starts: the port is known and free."""

    def __init__(self, handler: Any) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        super().__init__(handler, hostname="127.0.0.1", port=self._socket.getsockname()[1])

    def _create_server(self) -> Any:
        return self.loop.create_server(self._factory_invoker, sock=self._socket)


class MailCatcher:
    """An SMTP server on 127.0.0.1 (plain, no authentication), running in its own thread."""

    def __init__(self, handler: Any | None = None) -> None:
        self.mailbox = Mailbox()
        self._controller = _LoopbackController(handler or CatchingHandler(self.mailbox))

    @property
    def endpoint(self) -> SmtpEndpoint:
        return SmtpEndpoint("127.0.0.1", self._controller.port, use_tls=False, start_tls=False)

    def start(self) -> MailCatcher:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> MailCatcher:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
