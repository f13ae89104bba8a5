"""Reading the log for auditors (synchronous: run off the event loop in a worker thread).

Events are decoded from their stored rows (personal data unsealed with each subject's key, or
read as erased); aggregates are replayed from their stream up to a version, from the nearest
snapshot at or before it. Nothing here reads a read model.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from eventsourcing.persistence import Notification
from strawberry.scalars import JSON

from domain.ledger import Ledger
from domain.loyalty.account import LoyaltyAccount
from graphql_api.history.redaction import JsonValue, Redactor
from graphql_api.history.types import AggregateStateType
from projections.history.views import StreamVersion


def event_data(
    ledger: Ledger, stored: Sequence[Notification], redactor: Redactor
) -> dict[int, dict[str, JsonValue]]:
    """Each stored event's payload as JSON, by log position."""
    return {row.id: redactor.event_data(ledger.mapper.to_domain_event(row)) for row in stored}


def states_as_of(
    ledger: Ledger, versions: Sequence[StreamVersion], redactor: Redactor, at: datetime
) -> list[AggregateStateType]:
    """Each stream replayed up to the version it had reached at ``at``."""
    return [
        state_of(ledger.repository.get(v.stream_id, version=v.version), v.kind, redactor, at)
        for v in versions
    ]


def state_of(aggregate: Any, kind: str, redactor: Redactor, at: datetime) -> AggregateStateType:
    return AggregateStateType(
        kind=kind,
        id=aggregate.id,
        version=aggregate.version,
        created_at=aggregate.created_on,
        modified_at=aggregate.modified_on,
        state=JSON(redactor.state(aggregate)),
        figures=JSON(figures_of(aggregate, at)),
    )


def figures_of(aggregate: Any, at: datetime) -> dict[str, JsonValue]:
    """What an auditor would otherwise compute from the state by hand."""
    if isinstance(aggregate, LoyaltyAccount):
        return {
            "spendable_points": aggregate.balance(at),
            "pending_points": aggregate.pending(at),
            "tier": aggregate.tier_name,
        }
    return {}
