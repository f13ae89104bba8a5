"""The health drift job through the real ledger, read model and reaction: a customer who falls
into the at-risk band only as days pass gets the proactive ticket once; a second run, a
customer the read model scores at risk without a watch, and the reaction turned off change
nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
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
from infrastructure.health_drift import HealthDrift
from infrastructure.process_manager_runner import ProcessManagerRunner
from infrastructure.projection_runner import ProjectionRunner
from projections.success.projection import CustomerHealth

AGENT = EventMetadata(actor_id="agent-1", actor_role=Role.AGENT, channel=Channel.WEB)
ON = ReactionSettings(at_risk_tickets=True)
NOW = datetime.now(UTC)
A_YEAR_ON = NOW + timedelta(days=400)


def drift_job(ledger: Ledger, database: Database, settings: ReactionSettings) -> HealthDrift:
    read_model = ProjectionRunner(ledger, database, CustomerHealth(), 50)
    reaction = ProcessManagerRunner(ledger, database, AtRiskTickets(settings), 50)
    return HealthDrift(ledger, database, read_model, reaction, settings.at_risk_tickets)


def drifting_customer(ledger: Ledger, email: str = "ada@example.org") -> UUID:
    """Bought 20 days ago and waits on two breached tickets: 55 points, the watch band; a
    year on, with no purchase since, 25 points: at risk, by the clock alone."""
    customer_id = ledger.register_customer(RegisterCustomer("Ada", email), AGENT).aggregate_id
    buy = RecordPurchase(
        customer_id, "order-1", "10", "EUR", PurchaseChannel.WEB, NOW - timedelta(days=20)
    )
    ledger.record_purchase(buy, AGENT)
    for n in range(2):
        opened = OpenTicket(customer_id, TicketChannel.WEB, "delivery", f"Late {n}", "Late")
        ticket_id = ledger.open_ticket(opened, AGENT, now=NOW - timedelta(days=10)).aggregate_id
        ledger.record_sla_breaches(ticket_id, EventMetadata.system("sla-check"), now=NOW)
    return customer_id


def proactive(ledger: Ledger, customer_id: UUID, entry: int = 1) -> Ticket | None:
    ticket = ledger.find(proactive_ticket_id(customer_id, entry))
    return ticket if isinstance(ticket, Ticket) else None


def test_a_customer_drifting_into_the_band_gets_one_proactive_ticket(
    ledger: Ledger, database: Database
) -> None:
    """No ticket from the events (the watch band); a run a year on opens one in the at-risk
    category; a second run opens nothing more."""
    ada = drifting_customer(ledger)
    job = drift_job(ledger, database, ON)
    today = job.run(NOW)
    assert (today.examined, today.entered, proactive(ledger, ada)) == (0, 0, None)
    first = job.run(A_YEAR_ON)
    ticket = proactive(ledger, ada)
    assert (first.examined, first.entered) == (1, 1)
    assert ticket is not None and ticket.category == AT_RISK_CATEGORY
    again = job.run(A_YEAR_ON + timedelta(days=1))
    assert (again.examined, again.entered) == (1, 0)
    assert proactive(ledger, ada, entry=2) is None


def test_a_customer_without_a_watch_is_left_alone(ledger: Ledger, database: Database) -> None:
    """Their events came while the reaction was off: at risk by the read model, but no watch
    is started and nothing is written."""
    ada = drifting_customer(ledger)
    with database.connect() as conn:  # the reaction passes over the events while off
        ProcessManagerRunner(ledger, database, AtRiskTickets(ReactionSettings()), 50).catch_up(conn)
    head = ledger.head_position()
    summary = drift_job(ledger, database, ON).run(A_YEAR_ON)
    assert (summary.examined, summary.entered) == (1, 0)
    assert ledger.find(watch_id(ada)) is None
    assert ledger.head_position() == head


def test_off_the_job_does_nothing(ledger: Ledger, database: Database) -> None:
    """With the reaction off (the default) the job examines no one and writes nothing."""
    drifting_customer(ledger)
    head = ledger.head_position()
    summary = drift_job(ledger, database, ReactionSettings()).run(A_YEAR_ON)
    assert (summary.examined, summary.entered) == (0, 0)
    assert ledger.head_position() == head


def test_the_watch_keeps_the_time_it_was_reassessed_at(ledger: Ledger, database: Database) -> None:
    """After the drift run, the watch is at risk as of the run's time."""
    ada = drifting_customer(ledger)
    drift_job(ledger, database, ON).run(A_YEAR_ON)
    watch = ledger.find(watch_id(ada))
    assert isinstance(watch, HealthWatch)
    assert (watch.band, watch.entries, watch.rated_at) == ("at_risk", 1, A_YEAR_ON)
