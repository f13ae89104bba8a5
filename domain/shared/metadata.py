"""Who did what, through which channel, and why: metadata carried by every event.

A command runs inside :func:`acting_as`; every event its aggregates trigger copies the active
:class:`EventMetadata`. An event without metadata cannot be created, so no fact enters the log
without its actor, channel, correlation and causation.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Transcoding

from domain.shared.ids import new_id


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
    # Every channel a survey goes out on (SurveyChannel) is a channel a request may come
    # through: an answer from a text message's or a push notification's link says so.
    SMS = "sms"
    PUSH = "push"
    API = "api"
    CLI = "cli"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class EventMetadata:
    """Actor, channel, correlation and causation of an event (its time is the event's own)."""

    actor_id: str
    actor_role: Role
    channel: Channel
    correlation_id: UUID = field(default_factory=new_id)
    causation_id: UUID = field(default_factory=new_id)

    @classmethod
    def system(cls, actor_id: str = "system") -> EventMetadata:
        return cls(actor_id=actor_id, actor_role=Role.SYSTEM, channel=Channel.SYSTEM)


_active: ContextVar[EventMetadata | None] = ContextVar("cxl_event_metadata", default=None)


class MissingMetadataError(RuntimeError):
    """An event was triggered outside :func:`acting_as`: a programming error."""


class acting_as:  # noqa: N801 (used as the function it was: ``with acting_as(metadata):``)
    """Make ``metadata`` the metadata of every event triggered inside the block.

    A class, not a ``contextlib.contextmanager`` generator: entering and leaving one of those
    (a generator made, resumed twice, its ``StopIteration`` caught) cost about 1.1 us against
    0.4, and a registration enters one of these and the event store's ``fresh_keys_for``, in
    py-spy about 4% of a registration on one writer."""

    __slots__ = ("_metadata", "_token")

    def __init__(self, metadata: EventMetadata) -> None:
        self._metadata = metadata

    def __enter__(self) -> EventMetadata:
        self._token = _active.set(self._metadata)
        return self._metadata

    def __exit__(self, *_: object) -> None:
        _active.reset(self._token)


def active_metadata() -> EventMetadata:
    metadata = _active.get()
    if metadata is None:
        raise MissingMetadataError("events can only be triggered inside acting_as(metadata)")
    return metadata


class EventMetadataAsDict(Transcoding):
    """Stores metadata as a compact JSON object."""

    type = EventMetadata
    name = "meta"
    flat = True
    """Its data are strings only: a decoder need not look inside them for tagged values."""

    _last_encoded: tuple[EventMetadata | None, dict[str, str]]
    """The metadata encoded last, and its encoding."""

    def encode(self, obj: EventMetadata) -> dict[str, str]:
        # A command's events carry one metadata object, immutable: the last one encoded is
        # kept with its encoding (a reference to it, so that its id is not reused), and the
        # command's other events reuse it. The encoding is never changed once made.
        last, encoded = self._last_encoded
        if last is obj:
            return encoded
        encoded = {
            "actor": obj.actor_id,
            "role": obj.actor_role.value,
            "channel": obj.channel.value,
            "correlation": obj.correlation_id.hex,
            "causation": obj.causation_id.hex,
        }
        self._last_encoded = (obj, encoded)  # one assignment: threads see either pair whole
        return encoded

    def __init__(self) -> None:
        self._last_encoded = (None, {})
        self._decoded: dict[tuple[str, ...], EventMetadata] = {}
        """Metadata already decoded, by its stored values: the events of one command carry
        the same metadata, and it is immutable, so they share one object."""

    def decode(self, data: dict[str, Any]) -> EventMetadata:
        # Every event is decoded through here, by every rebuild: one look-up when an event of
        # the same command came before; else dictionary look-ups rather than enum calls, and
        # one UUID when a command's event is its own cause.
        seen = (
            data["actor"],
            data["role"],
            data["channel"],
            data["correlation"],
            data["causation"],
        )
        metadata = self._decoded.get(seen)
        if metadata is None:
            if len(self._decoded) >= DECODED_KEPT:
                self._decoded.clear()
            metadata = self._decoded[seen] = _metadata(*seen)
        return metadata


DECODED_KEPT = 4_096
"""Bound of the decoded metadata a transcoding keeps (commands' events come together)."""


def _metadata(
    actor: str, role: str, channel: str, correlation: str, causation: str
) -> EventMetadata:
    correlation_id = UUID(correlation)
    return EventMetadata(
        actor_id=actor,
        actor_role=_ROLES.get(role) or Role(role),
        channel=_CHANNELS.get(channel) or Channel(channel),
        correlation_id=correlation_id,
        causation_id=correlation_id if causation == correlation else UUID(causation),
    )


_ROLES = {role.value: role for role in Role}
_CHANNELS = {channel.value: channel for channel in Channel}
