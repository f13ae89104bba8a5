"""Aggregates and their events as plain JSON values, decrypted, for a data export.

One rule decides what a personal value shows: the clear value if it is about one of the
subjects the export may reveal, "[erased]" once that subject's key is gone, and a withheld
marker if it is about someone else (a referred friend's email domain in the referrer's
export). Security material (what the domain declares ``Secret``) is never written, whoever
asks: it is information about no one, and would help only whoever steals the export.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from domain.shared.personal_data import PersonalData
from graphql_api.disclosed import LEFT_OUT, JsonValue, document

WITHHELD_TEXT = "[withheld: about another person]"

_ENVELOPE = frozenset(
    {"originator_id", "originator_version", "timestamp", "metadata", "originator_topic"}
)


@dataclass(frozen=True, slots=True)
class Reveal:
    """Whose personal values an export shows in clear (an :class:`Audience`)."""

    subjects: frozenset[UUID]

    def sealed(self, value: PersonalData) -> str:
        if value.subject_id not in self.subjects:
            return WITHHELD_TEXT
        return value.reveal()

    def in_clear(self, value: JsonValue) -> JsonValue:
        return value  # who referred whom, as the customer's own record holds it

    def secret(self, value: object) -> JsonValue:
        return LEFT_OUT

    def widened(self, subjects: Iterable[UUID]) -> Reveal:
        return Reveal(self.subjects | frozenset(subjects))


def state_of(aggregate: Any, reveal: Reveal) -> dict[str, JsonValue]:
    """An aggregate's id, version, times and current state (its public attributes)."""
    return {
        "id": str(aggregate.id),
        "version": aggregate.version,
        "created_on": aggregate.created_on.isoformat(),
        "modified_on": aggregate.modified_on.isoformat(),
        "state": document(aggregate, vars(aggregate), reveal),
    }


def event_of(event: Any, reveal: Reveal) -> dict[str, JsonValue]:
    """One stored event: its type, version, time, who caused it and how, and its fields."""
    meta = event.metadata
    data = {k: v for k, v in vars(event).items() if k not in _ENVELOPE}
    return {
        "type": type(event).__qualname__,
        "version": event.originator_version,
        "timestamp": event.timestamp.isoformat(),
        "actor_id": meta.actor_id,
        "actor_role": meta.actor_role.value,
        "channel": meta.channel.value,
        "correlation_id": str(meta.correlation_id),
        "causation_id": str(meta.causation_id),
        "data": document(event, data, reveal),
    }


def record_of(aggregate: Any, events: Iterable[Any], reveal: Reveal) -> dict[str, JsonValue]:
    """An aggregate's state and its whole history."""
    return {**state_of(aggregate, reveal), "history": [event_of(e, reveal) for e in events]}
