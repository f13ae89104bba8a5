"""A customer's history and their state as of an instant, as auditors see them."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry
from strawberry.scalars import JSON

from graphql_api.pagination import PageInfo

PERSONAL = (
    'Personal values read "[hidden]" unless you may see the customer\'s personal data, and '
    '"[erased]" once their subject is erased; passwords, tokens, digests and fingerprints '
    'read "[hidden]" for everyone.'
)


@strawberry.type(name="HistoryEvent", description="One event about the customer, from the log.")
class HistoryEventType:
    position: str = strawberry.field(description="Its position in the log (the total order).")
    type: str = strawberry.field(
        description="The event's qualified name: the aggregate kind and the event, e.g. "
        "Ticket.Resolved."
    )
    time: datetime = strawberry.field(description="When it was recorded.")
    actor_id: str | None = strawberry.field(
        description="Who caused it (a staff member's, the customer's or a system actor's id). "
        "Null unless you may see the customer's personal data; system actors are always shown."
    )
    actor_role: str = strawberry.field(description="The role they acted in, e.g. agent.")
    channel: str = strawberry.field(description="Where it came from, e.g. web.")
    correlation_id: UUID = strawberry.field(description="Ties the events of one user action.")
    causation_id: UUID = strawberry.field(
        description="What caused it: the request, or the event a process reacted to."
    )
    stream_id: UUID = strawberry.field(description="The aggregate (stream) it belongs to.")
    stream_kind: str = strawberry.field(description="The aggregate's kind, e.g. Ticket.")
    stream_version: int = strawberry.field(description="The aggregate's version it made.")
    data: JSON = strawberry.field(description=f"What happened, as recorded. {PERSONAL}")


@strawberry.type(name="HistoryEventEdge", description="An event and its cursor.")
class HistoryEventEdge:
    cursor: str = strawberry.field(description="Pass as `after` to read on from here.")
    node: HistoryEventType = strawberry.field(description="The event.")


@strawberry.type(description="A page of a customer's history, oldest first (log order).")
class CustomerHistoryConnection:
    edges: list[HistoryEventEdge] = strawberry.field(description="The events of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page is in the history.")


@strawberry.type(
    name="AggregateState", description="One aggregate as it was, replayed from the log."
)
class AggregateStateType:
    kind: str = strawberry.field(description="Its kind, e.g. Customer, Ticket, LoyaltyAccount.")
    id: UUID = strawberry.field(description="Its id (its stream in the log).")
    version: int = strawberry.field(description="The version it had reached then.")
    created_at: datetime = strawberry.field(description="When its first event was recorded.")
    modified_at: datetime = strawberry.field(description="When its last event then was recorded.")
    state: JSON = strawberry.field(description=f"Its attributes then. {PERSONAL}")
    figures: JSON = strawberry.field(
        description="Figures derived from its state as of the instant asked (a loyalty "
        "account: spendable_points, pending_points and tier, named like the state's keys); "
        "an empty object for other kinds."
    )


@strawberry.type(
    name="CustomerAsOf",
    description="A customer and the aggregates about them as they were at an instant.",
)
class CustomerAsOfType:
    at: datetime = strawberry.field(description="The instant asked for.")
    customer: AggregateStateType = strawberry.field(description="The customer's own aggregate.")
    related: list[AggregateStateType] = strawberry.field(
        description="Every other aggregate about the customer that existed then (purchases, "
        "survey invitations, loyalty account, tickets, referrer, referrals), in the order they "
        "began."
    )
