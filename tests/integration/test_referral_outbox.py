"""Referral invitations in the notification outbox: one email per invitation, to the invited
friend, carrying the referrer's code as it stood; none once the friend is erased."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.database import Database
from infrastructure.projection_runner import ProjectionRunner
from projections.outbox.projection import NotificationOutbox
from projections.outbox.queries import PendingNotification, pending_notifications_sync
from tests.support.ledgers import postgres_ledger
from tests.support.outbox import opened

AGENT = EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.PHONE)
NOW = datetime.now(UTC).replace(microsecond=0)


def catch_up(ledger: Ledger, database: Database) -> list[PendingNotification]:
    with database.connect() as conn:
        ProjectionRunner(ledger, database, NotificationOutbox(), 2).catch_up(conn)
        return pending_notifications_sync(conn, "referral_invitation")


def referrer(ledger: Ledger) -> tuple[UUID, str]:
    ada = ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), AGENT).aggregate_id
    ledger.issue_referral_code(ada, AGENT, now=NOW)
    return ada, ledger.get_referrer(ada).code


def test_an_invitation_is_one_email_to_the_friend_with_the_referrers_code(
    ledger: Ledger, database: Database
) -> None:
    ada, code = referrer(ledger)
    ledger.invite_friend(ada, "Bo@Example.org", AGENT, now=NOW)

    [message] = catch_up(ledger, database)
    assert catch_up(ledger, database) == [message]  # catching up again adds nothing

    sent = opened(ledger, message)
    assert (message.customer_id, message.channel, sent.recipient, sent.token) == (
        ada, "email", "bo@example.org", None,
    )  # fmt: skip
    assert message.payload == {
        "code": code,
        "referrer_id": str(ada),
        "invitee_id": str(ledger.invitee_subject("bo@example.org")),
    }
    assert message.created_at == NOW


def test_an_invitation_after_a_renewal_carries_the_new_code(
    ledger: Ledger, database: Database
) -> None:
    ada, old = referrer(ledger)
    ledger.invite_friend(ada, "bo@example.org", AGENT, now=NOW)
    ledger.revoke_referral_code(ada, AGENT, now=NOW)
    later = NOW + timedelta(minutes=1)
    ledger.issue_referral_code(ada, AGENT, now=later)
    new = ledger.get_referrer(ada).code
    ledger.invite_friend(ada, "cy@example.org", AGENT, now=later)

    messages = catch_up(ledger, database)

    assert [(opened(ledger, m).recipient, m.payload["code"]) for m in messages] == [
        ("bo@example.org", old),
        ("cy@example.org", new),
    ]
    assert new != old


def test_no_email_goes_to_a_friend_erased_before_it_was_queued(
    ledger: Ledger, database: Database
) -> None:
    ada, _ = referrer(ledger)
    ledger.invite_friend(ada, "bo@example.org", AGENT, now=NOW)
    ledger.invite_friend(ada, "cy@example.org", AGENT, now=NOW)
    with database.connect() as conn:
        conn.execute(
            "DELETE FROM cxl_subject_keys WHERE subject_id = %s",
            (ledger.invitee_subject("bo@example.org"),),
        )
        conn.commit()

    with postgres_ledger(database) as fresh:  # no key cached from before the erasure
        messages = catch_up(fresh, database)
        recipients = [opened(fresh, m).recipient for m in messages]

    assert recipients == ["cy@example.org"]
