"""A parked event of a real read model, made the way a bug in its handler would make it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.utils import get_topic
from psycopg import Cursor

from domain.customer.commands import RegisterCustomer
from domain.customer.model import Customer
from domain.ledger import Ledger
from domain.shared.metadata import EventMetadata
from infrastructure.database import Database
from infrastructure.parking import RetryPolicy
from infrastructure.projection_runner import ProjectionRunner
from projections.base import Positioned
from projections.customers.projection import CustomerDirectory


class DirectoryWithABug(CustomerDirectory):
    """The customer directory, unable to apply the event at one position."""

    def __init__(self, position: int) -> None:
        self.position = position

    def apply(self, cursor: Cursor[Any], batch: Sequence[Positioned]) -> None:
        if any(item.position == self.position for item in batch):
            raise ValueError("a bug for this customer")
        super().apply(cursor, batch)


def park_a_registration(ledger: Ledger, database: Database, agent: EventMetadata) -> int:
    """Register Ada and Bo; the directory parks Ada's registration. Its position."""
    ada = ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), agent)
    ledger.register_customer(RegisterCustomer("Bo", "bo@example.org"), agent)
    [row] = ledger.recorder.select_notifications(
        start=1, limit=1, topics=[get_topic(Customer.Registered)]
    )
    assert row.originator_id == ada.aggregate_id
    buggy = DirectoryWithABug(row.id)
    with database.connect() as conn:
        ProjectionRunner(ledger, database, buggy, 10, RetryPolicy(1, 0.001)).catch_up(conn)
    return row.id
