"""The at-risk reaction through the real ledger and process manager runner: a customer whose
health enters the at-risk band gets one proactive ticket per entry, again after the events
are delivered twice or after a crash; none while the setting is off (the default); none for
an erased customer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from eventsourcing.persistence import Notification

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.privacy.erasure import ErasureReason
from domain.purchase.commands import RecordPurchase
from domain.purchase.values import PurchaseChannel
from domain.reactions.at_risk import AT_RISK_CATEGORY
from domain.reactions.policies import AtRiskTickets
from domain.reactions.settings import ReactionSettings
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.success.watch import HealthWatch, proactive_ticket_id, watch_id
from domain.ticket.commands import OpenTicket
from domain.ticket.model import Ticket
from domain.ticket.values import TicketChannel
from infrastructure.database import Database
from infrastructure.process_manager_runner import ProcessManagerRunner

AGENT = EventMetadata(actor_id="agent-1", actor_role=Role.AGENT, channel=Channel.WEB)
PRIVACY = EventMetadata("dpo-1", Role.PRIVACY_OFFICER, Channel.WEB)
ON = ReactionSettings(at_risk_tickets=True)
NOW = datetime.now(UTC)


class CrashAfterTheCommand(BaseException):
    """The process dies between the command's commit and the position's."""


class CrashingRunner(ProcessManagerRunner):
    def react(self, notification: Notification) -> None:
        super().react(notification)
        raise CrashAfterTheCommand


def run(ledger: Ledger, database: Database, reaction: AtRiskTickets) -> None:
    with database.connect() as conn:
        ProcessManagerRunner(ledger, database, reaction, 10).catch_up(conn)


def slipping_customer(ledger: Ledger, breached_tickets: int = 3) -> UUID:
    """Bought two years ago, then waits on breached tickets: the third breach takes them
    into the at-risk band."""
    command = RegisterCustomer("Ada", "ada@example.org")
    customer_id = ledger.register_customer(command, AGENT).aggregate_id
    old = NOW - timedelta(days=730)
    buy = RecordPurchase(customer_id, "old-1", "10", "EUR", PurchaseChannel.WEB, old)
    ledger.record_purchase(buy, AGENT)
    for n in range(breached_tickets):
        opened = OpenTicket(customer_id, TicketChannel.WEB, "delivery", f"Late {n}", "Late")
        ticket_id = ledger.open_ticket(opened, AGENT, now=old).aggregate_id
        ledger.record_sla_breaches(ticket_id, EventMetadata.system("sla-check"), now=NOW)
    return customer_id


def proactive_tickets(ledger: Ledger, customer_id: UUID) -> list[Ticket]:
    """The proactive tickets of the customer's first entries into the band."""
    found = [ledger.find(proactive_ticket_id(customer_id, entry)) for entry in range(1, 4)]
    return [ticket for ticket in found if isinstance(ticket, Ticket)]


def test_entering_the_band_opens_one_proactive_ticket(ledger: Ledger, database: Database) -> None:
    """The entry opens a ticket in the at-risk category for the customer, naming the reasons."""
    ada = slipping_customer(ledger)
    run(ledger, database, AtRiskTickets(ON))
    [ticket] = proactive_tickets(ledger, ada)
    assert (ticket.customer_id, ticket.category) == (ada, AT_RISK_CATEGORY)
    watch = ledger.find(watch_id(ada))
    assert isinstance(watch, HealthWatch)
    assert (watch.band, watch.entries) == ("at_risk", 1)


def test_delivering_everything_again_opens_nothing_more(ledger: Ledger, database: Database) -> None:
    """A second runner from the start (a lost position) and a crash after the command leave
    one ticket."""
    ada = slipping_customer(ledger)
    with database.connect() as conn, pytest.raises(CrashAfterTheCommand):
        CrashingRunner(ledger, database, AtRiskTickets(ON), 10).catch_up(conn)
    run(ledger, database, AtRiskTickets(ON))
    with database.connect() as conn:
        conn.execute(
            "UPDATE cxl_projection_positions SET position = 0 WHERE name = 'at_risk_tickets'"
        )
    run(ledger, database, AtRiskTickets(ON))
    assert len(proactive_tickets(ledger, ada)) == 1


def test_off_by_default_it_writes_nothing(ledger: Ledger, database: Database) -> None:
    """With the default settings the reaction passes over the events: no watch, no ticket,
    the log unmoved."""
    ada = slipping_customer(ledger)
    head = ledger.head_position()
    run(ledger, database, AtRiskTickets())
    assert proactive_tickets(ledger, ada) == []
    assert ledger.find(watch_id(ada)) is None
    assert ledger.head_position() == head


def test_an_erased_customer_gets_no_ticket(ledger: Ledger, database: Database) -> None:
    """Erased before the reaction ran: the watch stops and opens nothing."""
    ada = slipping_customer(ledger)
    ledger.request_erasure(ada, None, ErasureReason.CUSTOMER_REQUEST, 0, PRIVACY)
    ledger.complete_erasure(ada, PRIVACY)
    run(ledger, database, AtRiskTickets(ON))
    assert proactive_tickets(ledger, ada) == []
