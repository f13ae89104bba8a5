"""The mail sender: takes the outbox's due messages, opens each one's address and token from
its sealed cause, writes it (:mod:`infrastructure.delivery.compose`) and hands it to the SMTP
server, recording each step in ``notification_deliveries`` (:mod:`infrastructure.delivery.store`).

It runs in the worker (`serve` and `project`) as a scheduled job: one process at a time holds
its advisory lock, so two senders never send the same message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

from psycopg import Connection

from domain.shared.application import LedgerCore
from infrastructure.delivery.addresses import SmtpEndpoint
from infrastructure.delivery.compose import UNSUBSCRIBABLE, MailComposer, UnknownKindError
from infrastructure.delivery.smtp import Refusal, SmtpConnection
from infrastructure.delivery.store import DeliveryStore, DueMessage, MessageKey
from infrastructure.outbox_messages import OutboxMessages, OutgoingMessage

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Connections = Callable[[], AbstractContextManager[Connection[Any]]]
"""Lends a connection (the infrastructure's small pool: no connection of the sender's own)."""
MAX_BATCHES_PER_RUN = 100
"""A run stops after this many batches, so a large backlog lets go of the lease now and then."""


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class DeliverySummary:
    """What one run did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))


@dataclass(frozen=True, slots=True)
class _Outgoing:
    due: DueMessage
    email: EmailMessage | None
    secrets: tuple[str, ...] = field(repr=False)
    problem: str | None = None


class MailDelivery:
    """Sends what is due, batch by batch, until nothing is (or a run's share is done)."""

    def __init__(
        self,
        ledger: LedgerCore,
        connection: Connections,
        store: DeliveryStore,
        composer: MailComposer,
        endpoint: SmtpEndpoint,
        local_hostname: str,
        batch_size: int = 100,
        clock: Clock = _now,
    ) -> None:
        self._messages = OutboxMessages(ledger)
        self._connection = connection
        self._store = store
        self._composer = composer
        self._endpoint = endpoint
        self._local_hostname = local_hostname
        self._batch_size = batch_size
        self._clock = clock

    def run(self) -> DeliverySummary:
        summary = DeliverySummary()
        for _ in range(MAX_BATCHES_PER_RUN):
            # A connection of the shared infrastructure pool, for one batch at a time: the key
            # store and the throttles need the others.
            with self._connection() as conn:
                batch = self._claim(conn, summary)
                if not batch:
                    break
                asyncio.run(self._send_all(conn, batch, summary))
        if summary != DeliverySummary():
            log.info("mail delivery: %s", summary.as_dict())
        return summary

    def _claim(self, conn: Connection[Any], summary: DeliverySummary) -> list[_Outgoing]:
        """The due messages, opened and written, marked sending in one committed transaction
        (before any is handed to the server); those whose recipient was erased, cancelled."""
        now = self._clock()
        with conn.transaction():
            self._store.take_in(conn, now)
            due = self._store.due(conn, now, self._batch_size)
            opened = self._messages.open_many(conn, [m.notification for m in due])
            batch = []
            for message in due:
                outgoing = self._written(message, opened[message.key])
                why = _why_not(message, outgoing)
                if why is not None:
                    self._store.cancel(conn, message.key, why, now)
                    summary.cancelled += 1
                elif outgoing is not None:
                    batch.append(outgoing)
            self._store.mark_sending(conn, [o.due.key for o in batch], now)
        return batch

    def _written(self, due: DueMessage, opened: OutgoingMessage | None) -> _Outgoing | None:
        if opened is None:
            return None
        secrets = (opened.recipient, opened.token or "")
        try:
            email = self._composer.compose(due, opened.recipient, opened.token)
        except (UnknownKindError, KeyError, ValueError) as error:
            return _Outgoing(due, None, secrets, f"cannot write the message: {error}")
        return _Outgoing(due, email, secrets)

    async def _send_all(
        self, conn: Connection[Any], batch: list[_Outgoing], summary: DeliverySummary
    ) -> None:
        smtp = SmtpConnection(self._endpoint, self._local_hostname)
        try:
            for outgoing in batch:
                if outgoing.email is None:
                    refusal: Refusal | None = Refusal(outgoing.problem or "unwritable", True)
                else:
                    refusal = await smtp.send(outgoing.email, outgoing.secrets)
                self._record(conn, outgoing.due, refusal, summary)
        finally:
            await smtp.close()

    def _record(
        self,
        conn: Connection[Any],
        due: DueMessage,
        refusal: Refusal | None,
        summary: DeliverySummary,
    ) -> None:
        if refusal is None:
            with conn.transaction():
                self.record_sent(conn, due.key)
            summary.sent += 1
            return
        with conn.transaction():
            self._store.mark_failed_attempt(
                conn, due.key, refusal.error, refusal.permanent, self._clock()
            )
        final = refusal.permanent or due.attempts + 1 >= self._store.policy.max_attempts
        if final:
            summary.failed += 1
            log.warning("message %s failed: %s", due.id, refusal.error)
        else:
            summary.retrying += 1

    def record_sent(self, conn: Connection[Any], message: MessageKey) -> None:
        """The server accepted the message: it is sent (a crash before this line sends it
        once more, with the same Message-ID)."""
        self._store.mark_sent(conn, message, self._clock())


def _why_not(due: DueMessage, outgoing: _Outgoing | None) -> str | None:
    """Why a due message is not to be sent at all (None: it is)."""
    if outgoing is None:
        if due.kind == "campaign_message":  # its campaign may have been cancelled since
            return "recipient erased, or campaign cancelled"
        return "recipient erased"
    if due.kind in UNSUBSCRIBABLE and not due.opted_in:
        return f"recipient unsubscribed from {due.channel}"
    return None
