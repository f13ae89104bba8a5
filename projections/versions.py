"""A read model's copy of an aggregate's version, which clients send back as expectedVersion.

Every event of the aggregate advances it, also the events the read model shows nothing of (a
password set, a reset link): otherwise the copy falls behind and the round trip conflicts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic
from psycopg import Cursor, sql

from domain.shared.aggregate import LedgerAggregate


def topics_of(aggregate: type[LedgerAggregate]) -> list[str]:
    """The topic of every event class the aggregate declares."""
    return [get_topic(event_class) for event_class in aggregate.event_classes()]


def latest_versions(events: Iterable[LedgerAggregate.Event]) -> dict[UUID, int]:
    """Each aggregate's latest version among ``events``."""
    # Keyed by the id's integer while scanning: a ``UUID`` hashes in Python, twice per event
    # here, which was a third of a customer_directory batch's handling; once per aggregate
    # at the end.
    latest: dict[int, LedgerAggregate.Event] = {}
    for event in events:
        key = event.originator_id.int
        seen = latest.get(key)
        if seen is None or seen.originator_version < event.originator_version:
            latest[key] = event
    return {event.originator_id: event.originator_version for event in latest.values()}


def advance_versions(cursor: Cursor[Any], table: str, key: str, latest: Mapping[UUID, int]) -> None:
    """Raise each row's ``version`` to its aggregate's latest (``latest_versions`` of a
    batch's events), in one statement per batch; a version already reached (a replay) changes
    nothing."""
    if not latest:
        return
    cursor.execute(
        sql.SQL(
            "UPDATE {table} AS r SET version = v.version"
            " FROM unnest(%b::uuid[], %b::bigint[]) AS v(id, version)"
            " WHERE r.{key} = v.id AND r.version < v.version"
        ).format(table=sql.Identifier(table), key=sql.Identifier(key)),
        (list(latest), list(latest.values())),
    )
