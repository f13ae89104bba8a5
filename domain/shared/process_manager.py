"""What a process manager is: a named follower of the log that turns events into commands.

It is the write side's counterpart of a projection. A projection turns events into rows and
never calls a command; a process manager turns the events it follows into commands of the
application, acting as a system actor, with metadata that ties each command to the event that
caused it. Its runner records the position after the command, so delivery is at least once:
every reaction must be idempotent, and then the effect is exactly once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.utils import get_topic

from domain.shared.metadata import Channel, EventMetadata, Role

App = TypeVar("App", contravariant=True)
E = TypeVar("E")
Reaction = Callable[[Any, Any, Any], object]

CAUSATION_NAMESPACE = uuid5(NAMESPACE_URL, "https://cxledger.invalid/causation")
_REACTS_TO = "_cxl_reacts_to"


def reacts_to(event_class: type[E]) -> Callable[[Callable[..., object]], Callable[..., object]]:
    """Mark a process manager method as its reaction to ``event_class``."""

    def mark(method: Callable[..., object]) -> Callable[..., object]:
        setattr(method, _REACTS_TO, event_class)
        return method

    return mark


def causation_id_of(event: Any) -> UUID:
    """A stable id of a stored event (its stream and version): a command caused by the same
    event twice carries the same causation id."""
    return uuid5(CAUSATION_NAMESPACE, f"{event.originator_id}:{event.originator_version}")


class ProcessManager(Generic[App]):
    """Base of every process manager: a name, an actor, and one reaction per event type."""

    name: ClassVar[str]
    """Its tracking name (the position it has reached is stored under it)."""
    actor_id: ClassVar[str]
    """The system actor its commands are recorded as."""
    _reactions: ClassVar[dict[type, Reaction]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._reactions = {
            getattr(method, _REACTS_TO): method
            for klass in reversed(cls.__mro__)
            for method in vars(klass).values()
            if callable(method) and hasattr(method, _REACTS_TO)
        }

    @classmethod
    def topics(cls) -> list[str]:
        """The event topics it follows; its runner reads no others."""
        return [get_topic(event_class) for event_class in cls._reactions]

    def react(self, app: App, event: Any) -> object:
        """Run the command ``event`` calls for (nothing for an event it does not follow)."""
        reaction = self._reactions.get(type(event))
        return None if reaction is None else reaction(self, app, event)

    def metadata_for(self, event: Any) -> EventMetadata:
        """The metadata of a command caused by ``event``: this system actor, in the event's
        correlation, caused by the event itself."""
        return EventMetadata(
            actor_id=self.actor_id,
            actor_role=Role.SYSTEM,
            channel=Channel.SYSTEM,
            correlation_id=event.metadata.correlation_id,
            causation_id=causation_id_of(event),
        )
