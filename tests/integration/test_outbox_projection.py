"""The notification outbox: one message per password reset request, never two; its address
and token are opened from the sealed request in the log, never kept in the outbox."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

from psycopg import AsyncConnection

from domain.customer.access import RESET_TOKEN_LIFETIME
from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.shared.personal_data import PersonalData
from infrastructure.database import Database
from infrastructure.projection_runner import ProjectionRunner
from projections.base import Positioned
from projections.outbox.projection import NotificationOutbox
from projections.outbox.queries import (
    PendingNotification,
    pending_notifications,
    pending_notifications_sync,
)
from tests.support.ledgers import postgres_ledger
from tests.support.outbox import opened, token_of

ANONYMOUS = EventMetadata(actor_id="anonymous", actor_role=Role.ANONYMOUS, channel=Channel.WEB)
NOW = datetime.now(UTC).replace(microsecond=0)


def catch_up(ledger: Ledger, database: Database, batch_size: int = 2) -> None:
    with database.connect() as conn:
        ProjectionRunner(ledger, database, NotificationOutbox(), batch_size).catch_up(conn)


def pending(database: Database, kind: str | None = None) -> list[PendingNotification]:
    with database.connect() as conn:
        return pending_notifications_sync(conn, kind)


def test_a_reset_request_puts_exactly_one_email_with_the_token_in_the_outbox(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ada = ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), agent)
    ledger.request_password_reset("ADA@example.org", ANONYMOUS, now=NOW)

    catch_up(ledger, database)

    [message] = pending(database)
    sent = opened(ledger, message)
    assert (message.customer_id, message.channel, message.kind, sent.recipient) == (
        ada.aggregate_id,
        "email",
        "password_reset",
        "ada@example.org",
    )
    assert token_of(ledger, message).startswith(ada.aggregate_id.hex + ".")
    assert message.payload == {"expires_at": (NOW + RESET_TOKEN_LIFETIME).isoformat()}
    assert message.cause_position == ledger.head_position()


def test_the_token_in_the_outbox_resets_the_password(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ada = ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), agent)
    ledger.request_password_reset("ada@example.org", ANONYMOUS)
    catch_up(ledger, database)
    [message] = pending(database)

    ledger.reset_password(token_of(ledger, message), "a long new passphrase 42", ANONYMOUS)

    assert ledger.verify_credentials("ada@example.org", "a long new passphrase 42") == (
        ada.aggregate_id
    )


def test_catching_up_again_adds_no_second_message(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), agent)
    ledger.request_password_reset("ada@example.org", ANONYMOUS)
    catch_up(ledger, database)
    first = pending(database)

    catch_up(ledger, database)
    catch_up(ledger, database, batch_size=100)

    assert pending(database) == first and len(first) == 1


def test_each_request_gives_its_own_message_and_an_unknown_email_gives_none(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), agent)
    ledger.register_customer(RegisterCustomer("Bob", "bob@example.org"), agent)
    ledger.request_password_reset("nobody@example.org", ANONYMOUS)
    ledger.request_password_reset("bob@example.org", ANONYMOUS)
    ledger.request_password_reset("ada@example.org", ANONYMOUS, now=NOW)
    ledger.request_password_reset("ada@example.org", ANONYMOUS, now=NOW + timedelta(minutes=1))

    catch_up(ledger, database, batch_size=1)

    messages = pending(database, kind="password_reset")
    assert [opened(ledger, m).recipient for m in messages] == [
        "bob@example.org",
        "ada@example.org",
        "ada@example.org",
    ]
    assert len({token_of(ledger, m) for m in messages}) == 3
    assert pending(database, kind="welcome") == []


def test_sent_messages_are_no_longer_pending_and_the_async_query_agrees(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), agent)
    ledger.request_password_reset("ada@example.org", ANONYMOUS)
    ledger.request_password_reset("ada@example.org", ANONYMOUS)
    catch_up(ledger, database)
    first, second = pending(database)
    with database.connect() as conn:
        conn.execute("UPDATE notification_outbox SET sent_at = now() WHERE id = %s", (first.id,))

    async def read() -> list[PendingNotification]:
        async with await AsyncConnection.connect(database.conninfo) as conn:
            return await pending_notifications(conn, "password_reset", limit=10)

    assert asyncio.run(read()) == pending(database) == [second]


def test_a_reset_request_of_an_erased_customer_adds_no_message(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), agent)
    ledger.request_password_reset("ada@example.org", ANONYMOUS)
    [row] = ledger.recorder.select_notifications(
        start=1, limit=10, topics=NotificationOutbox.topics()
    )
    event: Any = ledger.mapper.to_domain_event(row)
    for field in ("token", "recipient"):
        lost = dataclasses.replace(event, **{field: PersonalData(event.originator_id, None)})
        with database.connect() as conn, conn.cursor() as cursor:
            NotificationOutbox().apply(cursor, [Positioned(row.id, lost)])
            conn.commit()

    assert pending(database) == []


OLD_OUTBOX = """
    CREATE TABLE notification_outbox (
        id bigserial PRIMARY KEY, cause_position bigint NOT NULL UNIQUE,
        customer_id uuid NOT NULL, channel text NOT NULL, kind text NOT NULL, recipient text,
        payload jsonb NOT NULL, created_at timestamptz NOT NULL, sent_at timestamptz,
        cancelled_at timestamptz
    );
    INSERT INTO notification_outbox (cause_position, customer_id, channel, kind, recipient,
        payload, created_at)
    VALUES (1, gen_random_uuid(), 'email', 'password_reset', 'ada@example.org',
        '{"token": "ada-secret-token", "expires_at": "2030-01-01T00:00:00+00:00"}', now());
"""


def test_messages_queued_before_the_upgrade_lose_their_address_and_token(
    database: Database,
) -> None:
    """An outbox made by an earlier version held both in clear: migrating empties them (060)
    and drops the address column; the message itself stays queued."""
    with database.connect() as conn:
        conn.execute(OLD_OUTBOX)
        conn.commit()

    with postgres_ledger(database):  # migrates
        pass

    with database.connect() as conn:
        rows = conn.execute("SELECT kind, payload FROM notification_outbox").fetchall()
        columns = conn.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_name = 'notification_outbox'"
        ).fetchall()
    assert rows == [("password_reset", {"expires_at": "2030-01-01T00:00:00+00:00"})]
    assert ("recipient",) not in columns
