"""Customers registered through the ledger and renamed at once: two events each, for tests of
the log's followers that need a steady number of events."""

from __future__ import annotations

from domain.customer.commands import ChangeContactDetails, RegisterCustomer
from domain.ledger import Ledger
from domain.shared.metadata import EventMetadata


def register_renamed(ledger: Ledger, agent: EventMetadata, count: int, start: int = 0) -> None:
    """Register customers "Customer i", each then renamed "Cus i": two events each."""
    for i in range(start, start + count):
        customer_id = ledger.register_customer(
            RegisterCustomer(f"Customer {i}", f"c{i}@example.org"), agent
        ).aggregate_id
        ledger.change_contact_details(ChangeContactDetails(customer_id, name=f"Cus {i}"), agent)
