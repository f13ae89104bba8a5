"""The mail sender wired as the composition root wires it, against a real SMTP server on
loopback (:class:`MailCatcher`, or one that refuses), with a clock the test moves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.ledger import Ledger
from infrastructure.database import Database
from infrastructure.delivery.addresses import SmtpEndpoint
from infrastructure.delivery.compose import MailComposer
from infrastructure.delivery.links import Links, UnsubscribeTokens
from infrastructure.delivery.sender import MailDelivery
from infrastructure.delivery.store import DeliveryStore, RetryPolicy
from infrastructure.projection_runner import ProjectionRunner
from projections.customers.projection import CustomerDirectory
from projections.outbox.projection import NotificationOutbox
from tests.support.ledgers import TEST_JWT_SECRET

PUBLIC_URL = "https://shop.example.com"
MAIL_FROM = "Shop <no-reply@shop.example.com>"
TOKENS = UnsubscribeTokens(TEST_JWT_SECRET.encode())


@dataclass
class MovableClock:
    """Now, as the test says."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def sender(
    ledger: Ledger,
    database: Database,
    endpoint: SmtpEndpoint,
    clock: MovableClock,
    policy: RetryPolicy | None = None,
    cls: type[MailDelivery] = MailDelivery,
) -> MailDelivery:
    composer = MailComposer(Links(PUBLIC_URL), TOKENS, MAIL_FROM, "shop.example.com")
    store = DeliveryStore(policy or RetryPolicy(max_attempts=3, first_wait_seconds=10))
    return cls(
        ledger,
        lambda: database.connect(autocommit=True),
        store,
        composer,
        endpoint,
        "shop.example.com",
        clock=clock,
    )


def project_outbox(ledger: Ledger, database: Database) -> None:
    """The outbox and the customer directory (the language) caught up with the log."""
    with database.connect() as conn:
        for view in (NotificationOutbox(), CustomerDirectory()):
            ProjectionRunner(ledger, database, view, 100).catch_up(conn)


def deliveries(database: Database) -> list[dict[str, Any]]:
    """Every delivery row, oldest cause first."""
    with database.connect() as conn:
        cur = conn.execute(
            "SELECT cause_position, status, attempts, last_error, sent_at IS NOT NULL AS sent"
            " FROM notification_deliveries ORDER BY cause_position"
        )
        names = [c.name for c in cur.description or []]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
