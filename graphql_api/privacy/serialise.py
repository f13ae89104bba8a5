"""Aggregates and their events as plain JSON values, decrypted, for a data export.

One rule decides what a personal value shows: the clear value if it is about one of the
subjects the export may reveal, "[erased]" once that subject's key is gone, and a withheld
marker if it is about someone else (a referred friend's email domain in the referrer's
export). Security material is never written, whoever asks: see :data:`SECURITY_FIELDS`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from domain.shared.personal_data import PersonalData

JsonValue = Any
WITHHELD_TEXT = "[withheld: about another person]"

SECURITY_FIELDS = frozenset(
    {"password_hash", "reset_token_digest", "token_digest", "token", "email_fingerprint"}
)
"""Fields never exported: password hashes, reset and survey token digests, the tokens
themselves (live credentials) and the keyed email fingerprint. They are security material,
not information about the person, and would help only whoever steals the export."""

_ENVELOPE = frozenset(
    {"originator_id", "originator_version", "timestamp", "metadata", "originator_topic"}
)


@dataclass(frozen=True, slots=True)
class Reveal:
    """Whose personal values an export shows in clear."""

    subjects: frozenset[UUID]

    def personal(self, value: PersonalData) -> str:
        if value.subject_id not in self.subjects:
            return WITHHELD_TEXT
        return value.reveal()

    def widened(self, subjects: Iterable[UUID]) -> Reveal:
        return Reveal(self.subjects | frozenset(subjects))


def to_json(value: Any, reveal: Reveal) -> JsonValue:
    """``value`` as JSON-ready data: ids and times as text, personal data per ``reveal``."""
    if isinstance(value, PersonalData):
        return reveal.personal(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (UUID, Decimal)):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return to_json(value.value, reveal)
    if isinstance(value, Mapping):
        return {
            str(k): to_json(v, reveal) for k, v in value.items() if str(k) not in SECURITY_FIELDS
        }
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_json(item, reveal) for item in value]
    return str(value)


def state_of(aggregate: Any, reveal: Reveal) -> dict[str, JsonValue]:
    """An aggregate's id, version, times and current state (its public attributes)."""
    fields = {
        name: value
        for name, value in vars(aggregate).items()
        if not name.startswith("_") and name not in SECURITY_FIELDS
    }
    return {
        "id": str(aggregate.id),
        "version": aggregate.version,
        "created_on": aggregate.created_on.isoformat(),
        "modified_on": aggregate.modified_on.isoformat(),
        "state": to_json(fields, reveal),
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
        "data": to_json(data, reveal),
    }


def record_of(aggregate: Any, events: Iterable[Any], reveal: Reveal) -> dict[str, JsonValue]:
    """An aggregate's state and its whole history."""
    return {**state_of(aggregate, reveal), "history": [event_of(e, reveal) for e in events]}
