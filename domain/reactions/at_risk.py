"""The commands of the at-risk reaction: keep the customer's :class:`HealthWatch` and open one
proactive ticket per entry into the at-risk band.

Exactly once per entry: the watch counts the entries, the ticket's id is derived from the
customer and the entry's number, and every run (a redelivered event too) opens the ticket of
the current entry if it is due and not open yet; so a crash between the watch's commit and the
ticket's is mended by the redelivery. An erased customer's watch stops, and no ticket is opened
for a customer erased since.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from domain.customer.commands import customer_of
from domain.ledger import Ledger
from domain.shared.application import CommandResult
from domain.shared.errors import NotFoundError
from domain.shared.metadata import EventMetadata, acting_as
from domain.success.health import Band, health_of, reasons
from domain.success.watch import HealthWatch, proactive_ticket_id, watch_id
from domain.ticket.model import Ticket
from domain.ticket.values import TicketChannel

AT_RISK_CATEGORY = "customer-at-risk"


def watch_health(
    ledger: Ledger,
    customer_id: UUID,
    change: Callable[[HealthWatch], None],
    at: datetime,
    tickets_on: bool,
    metadata: EventMetadata,
) -> CommandResult | None:
    """Apply ``change`` to the customer's watch, rate the band as of ``at``, and open the
    ticket its current entry calls for."""
    watch = ledger.find(watch_id(customer_id), HealthWatch, _not_a_watch)
    with acting_as(metadata):
        if watch is None:
            watch = HealthWatch.start(customer_id)
        if watch.erased:
            return None
        change(watch)
        watch.rate(at, tickets_on)
    if watch.pending_events:
        ledger.commit(watch)
    return _open_ticket_if_due(ledger, watch, at, metadata)


def reassess_health(
    ledger: Ledger, customer_id: UUID, at: datetime, metadata: EventMetadata
) -> bool:
    """Rate the customer's watch as of ``at`` (time alone moves only recency), and open the
    ticket an entry into the band calls for (also one a crash left unopened); True if the
    band moved. A customer without a watch (nothing seen since the reaction was turned on)
    or erased is left alone."""
    watch = ledger.find(watch_id(customer_id), HealthWatch, _not_a_watch)
    if watch is None or watch.erased:
        return False
    with acting_as(metadata):
        watch.reassess(at, tickets_on=True)
    moved = bool(watch.pending_events)
    if moved:
        ledger.commit(watch)
    _open_ticket_if_due(ledger, watch, at, metadata)
    return moved


def stop_watching(ledger: Ledger, customer_id: UUID, metadata: EventMetadata) -> None:
    """The customer was erased: their watch opens no ticket any more."""
    watch = ledger.find(watch_id(customer_id), HealthWatch, _not_a_watch)
    if watch is None or watch.erased:
        return
    with acting_as(metadata):
        watch.erase()
    ledger.commit(watch)


def _open_ticket_if_due(
    ledger: Ledger, watch: HealthWatch, at: datetime, metadata: EventMetadata
) -> CommandResult | None:
    if watch.band != Band.AT_RISK.value or not watch.ticket_due:
        return None
    ticket_id = proactive_ticket_id(watch.customer_id, watch.entries)
    existing = ledger.find(ticket_id, Ticket, _not_a_watch)
    if existing is not None:  # delivered again: it is already open
        return CommandResult(existing.id, existing.version, ledger.head_position())
    customer = customer_of(ledger, watch.customer_id)
    if customer.email.is_erased:
        return None
    health = health_of(watch.inputs(at))
    why = "; ".join(reasons(health)) or "several small signs"
    with acting_as(metadata):
        ticket = Ticket.open(
            ticket_id,
            customer_id=customer.id,
            channel=TicketChannel.PHONE.value,
            category=AT_RISK_CATEGORY,
            subject=f"Proactive contact: health score {health.score}, at risk",
            description=f"The customer's health fell into the at-risk band ({why}).",
            priority=ledger.default_priority(customer.id),
            source={"kind": "health_watch", "id": str(watch.id), "entry": watch.entries},
            terms=ledger.sla_terms(),
            at=at,
        )
    return CommandResult(ticket.id, ticket.version, ledger.commit(ticket))


def _not_a_watch() -> NotFoundError:
    return NotFoundError("no such health watch")
