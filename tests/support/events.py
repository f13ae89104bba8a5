"""Typed reads of one aggregate's recorded events, for assertions."""

from __future__ import annotations

from typing import TypeVar
from uuid import UUID

from domain.ledger import Ledger

E = TypeVar("E")


def events_of(ledger: Ledger, aggregate_id: UUID, kind: type[E]) -> list[E]:
    """The events of ``kind`` in the aggregate's stream, oldest first."""
    return [event for event in ledger.events.get(aggregate_id) if isinstance(event, kind)]
