"""Reading the log for auditors (synchronous: run off the event loop in a worker thread).

Events are decoded from their stored rows (personal data unsealed with each subject's key, or
read as erased); aggregates are replayed from their stream up to a version, from the nearest
snapshot at or before it. Nothing here reads a read model.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from eventsourcing.persistence import Notification
from strawberry.scalars import JSON

from domain.ledger import Ledger
from domain.shared.aggregate import LedgerAggregate
from graphql_api.disclosed import JsonValue
from graphql_api.history.redaction import Redactor
from graphql_api.history.types import AggregateStateType
from projections.history.views import StreamVersion


def event_data(
    ledger: Ledger, stored: Sequence[Notification], redactor: Redactor
) -> dict[int, dict[str, JsonValue]]:
    """Each stored event's payload as JSON, by log position."""
    return {row.id: redactor.event_data(ledger.decoded(row)) for row in stored}


def states_as_of(
    ledger: Ledger, versions: Sequence[StreamVersion], redactor: Redactor, at: datetime
) -> list[AggregateStateType]:
    """Each stream replayed up to the version it had reached at ``at``."""
    return [
        state_of(ledger.as_of_version(v.stream_id, v.version), v.kind, redactor, at)
        for v in versions
    ]


def state_of(
    aggregate: LedgerAggregate, kind: str, redactor: Redactor, at: datetime
) -> AggregateStateType:
    return AggregateStateType(
        kind=kind,
        id=aggregate.id,
        version=aggregate.version,
        created_at=aggregate.created_on,
        modified_at=aggregate.modified_on,
        state=JSON(redactor.state(aggregate)),
        figures=JSON(aggregate.figures(at)),
    )
