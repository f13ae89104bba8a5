"""The ledger's mapper from stored events to domain events: the library's, with personal data
that cannot be decrypted surfacing as its own typed error, and less work per event.

Decoding a batch of the log (a rebuild, a projection catching up) goes through
``to_domain_event`` once per event. The library's spent about a fifth of that outside the
transcoder: a look-up of the event class's id convertor (an ``lru_cache`` keyed by two types), a
call of it that returns a ``UUID`` as it is, the class's version read again, and here a second
call around it all for the typed error. This one does the same steps for the ledger's case (a
``UUID`` id, no cipher, no compressor: the ledger's) with what it learnt of each event class
kept, and leaves every other case to the library. The events are the same.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    Mapper,
    MapperDeserialisationError,
    StoredEvent,
    find_id_convertor,
    pass_through_convertor,
)
from eventsourcing.utils import get_topic, resolve_topic

from domain.shared.personal_data import PersonalDataUnreadableError


class PersonalDataMapper(Mapper[UUID]):
    """The library's mapper, except that personal data this process cannot decrypt surfaces
    as its own typed error rather than inside a generic deserialisation error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._class_versions: dict[type[Any], int] = {}
        """Each event class met whose ids need no conversion, and its class version."""
        self._encoded_classes: dict[type[Any], tuple[str, int]] = {}
        """Each event class encoded so far, its topic and its class version."""

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        """The library's ``to_stored_event`` for the ledger's case (no cipher, no compressor),
        with each event class's topic and version read once, not on every event (a try and a
        look-up, a ``getattr`` and two tests, about a tenth of encoding a registration's two
        events besides the transcoder's work). The same stored event."""
        if self.cipher is not None or self.compressor is not None:
            return super().to_stored_event(domain_event)
        cls = domain_event.__class__
        known = self._encoded_classes.get(cls)
        if known is None:
            known = self._encoded_classes[cls] = (get_topic(cls), getattr(cls, "class_version", 1))
        topic, class_version = known
        event_state = dict(vars(domain_event))
        originator_id = event_state.pop("originator_id")
        originator_version = event_state.pop("originator_version")
        if class_version > 1:
            event_state["class_version"] = class_version
        return StoredEvent(
            originator_id=originator_id,
            originator_version=originator_version,
            topic=topic,
            state=self.transcoder.encode(event_state),
        )

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        try:
            if (
                self.cipher is not None
                or self.compressor is not None
                or type(stored_event.originator_id) is not UUID
            ):
                return super().to_domain_event(stored_event)
            return self._decoded(stored_event)
        except MapperDeserialisationError as error:
            if isinstance(error.__cause__, PersonalDataUnreadableError):
                raise error.__cause__ from error
            raise

    def _decoded(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        """The library's ``to_domain_event`` for a ``UUID`` id, no cipher and no compressor."""
        cls = resolve_topic(stored_event.topic)
        class_version = self._class_versions.get(cls)
        if class_version is None:
            if _id_convertor(cls) is not pass_through_convertor:
                return super().to_domain_event(stored_event)
            class_version = self._class_versions[cls] = getattr(cls, "class_version", 1)
        try:
            event_state: dict[str, Any] = self.transcoder.decode(stored_event.state)
        except Exception as error:
            msg = (
                f"Failed to deserialise state of stored event with "
                f"topic '{stored_event.topic}', "
                f"originator_id '{stored_event.originator_id}' and "
                f"originator_version {stored_event.originator_version}: {error}"
            )
            raise MapperDeserialisationError(msg) from error
        event_state["originator_id"] = stored_event.originator_id
        event_state["originator_version"] = stored_event.originator_version
        from_version = event_state.pop("class_version", 1)
        while from_version < class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(event_state)
            from_version += 1
        domain_event: DomainEventProtocol[UUID] = object.__new__(cls)
        object.__setattr__(domain_event, "__dict__", event_state)
        return domain_event


def _id_convertor(cls: type[Any]) -> Callable[[UUID | str], UUID | str]:
    """What the library converts a ``UUID`` id of ``cls`` with (it checks the class, too)."""
    return find_id_convertor(cast(Hashable, cls), cast(Hashable, UUID))
