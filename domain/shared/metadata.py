"""Who did what, through which channel, and why: metadata carried by every event.

A command runs inside :func:`acting_as`; every event its aggregates trigger copies the active
:class:`EventMetadata`. An event without metadata cannot be created, so no fact enters the log
without its actor, channel, correlation and causation.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.persistence import Transcoding


class Role(StrEnum):
    """The roles a caller can act in."""

    CUSTOMER = "customer"
    AGENT = "agent"
    ANALYST = "analyst"
    AUDITOR = "auditor"
    PRIVACY_OFFICER = "privacy_officer"
    ADMIN = "admin"
    SYSTEM = "system"
    ANONYMOUS = "anonymous"


class Channel(StrEnum):
    """Where a command came from."""

    WEB = "web"
    APP = "app"
    STORE = "store"
    PHONE = "phone"
    EMAIL = "email"
    API = "api"
    CLI = "cli"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class EventMetadata:
    """Actor, channel, correlation and causation of an event (its time is the event's own)."""

    actor_id: str
    actor_role: Role
    channel: Channel
    correlation_id: UUID = field(default_factory=uuid4)
    causation_id: UUID = field(default_factory=uuid4)

    @classmethod
    def system(cls, actor_id: str = "system") -> EventMetadata:
        return cls(actor_id=actor_id, actor_role=Role.SYSTEM, channel=Channel.SYSTEM)


_active: ContextVar[EventMetadata | None] = ContextVar("cxl_event_metadata", default=None)


class MissingMetadataError(RuntimeError):
    """An event was triggered outside :func:`acting_as`: a programming error."""


@contextlib.contextmanager
def acting_as(metadata: EventMetadata) -> Iterator[EventMetadata]:
    """Make ``metadata`` the metadata of every event triggered inside the block."""
    token = _active.set(metadata)
    try:
        yield metadata
    finally:
        _active.reset(token)


def active_metadata() -> EventMetadata:
    metadata = _active.get()
    if metadata is None:
        raise MissingMetadataError("events can only be triggered inside acting_as(metadata)")
    return metadata


class EventMetadataAsDict(Transcoding):
    """Stores metadata as a compact JSON object."""

    type = EventMetadata
    name = "meta"

    def encode(self, obj: EventMetadata) -> dict[str, str]:
        return {
            "actor": obj.actor_id,
            "role": obj.actor_role.value,
            "channel": obj.channel.value,
            "correlation": obj.correlation_id.hex,
            "causation": obj.causation_id.hex,
        }

    def decode(self, data: dict[str, Any]) -> EventMetadata:
        return EventMetadata(
            actor_id=data["actor"],
            actor_role=Role(data["role"]),
            channel=Channel(data["channel"]),
            correlation_id=UUID(data["correlation"]),
            causation_id=UUID(data["causation"]),
        )
