"""The shapes the customer history index answers with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

PROJECTION_NAME = "customer_history"


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One event about a customer: where it is in the log and who caused it, how and why.
    The event's payload is not here: it stays in the log (and is read from there)."""

    position: int
    stream_id: UUID
    stream_version: int
    topic: str
    event_type: str
    """The event class's qualified name, e.g. ``Ticket.Resolved``."""
    occurred_at: datetime
    actor_id: str
    actor_role: str
    channel: str
    correlation_id: UUID
    causation_id: UUID


@dataclass(frozen=True, slots=True)
class HistoryPage:
    items: list[HistoryEntry]
    has_next_page: bool


@dataclass(frozen=True, slots=True)
class StreamRef:
    """A stream (aggregate) about the customer: its kind (``Ticket``) and where it began."""

    stream_id: UUID
    kind: str
    first_position: int


@dataclass(frozen=True, slots=True)
class StreamVersion:
    """The version a stream about the customer had reached at some instant."""

    stream_id: UUID
    kind: str
    version: int
