"""The base class of every aggregate: events carry the active metadata."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from types import UnionType
from typing import Any, Self, Union, get_args, get_origin, get_type_hints
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.domain import Snapshot as LibrarySnapshot

from domain.shared.metadata import EventMetadata, active_metadata


class LedgerAggregate(Aggregate):
    """An aggregate whose every event records who caused it, how and why."""

    class Event(Aggregate.Event):
        metadata: EventMetadata

    class Created(Event, Aggregate.Created):
        pass

    class Snapshot(LibrarySnapshot):
        """The library's snapshot, except that state declared as an enum comes back as that
        enum: JSON keeps only a ``StrEnum``'s text, and ``survey.status.value`` must still
        work on an aggregate loaded from its snapshot."""

        def mutate(self, _: None) -> Any:
            aggregate = super().mutate(_)
            for name, kind in _enum_fields(type(aggregate)).items():
                value = vars(aggregate).get(name)
                if value is not None and not isinstance(value, kind):
                    vars(aggregate)[name] = kind(value)
            return aggregate

    @classmethod
    def event_classes(cls) -> tuple[type[LedgerAggregate.Event], ...]:
        """Every event this aggregate declares (its nested event classes, not the bases), so
        that a read model or a test can cover them all without a list to forget to update."""
        bases = (cls.Event, cls.Created)
        return tuple(
            value
            for value in vars(cls).values()
            if isinstance(value, type) and issubclass(value, cls.Event) and value not in bases
        )

    def figures(self, at: datetime) -> dict[str, object]:
        """Figures derived from the state as of ``at`` that an auditor would otherwise work out
        by hand (named like the state's keys); none unless the aggregate has some."""
        return {}

    @classmethod
    def _create(cls, event_class: Any, *, id: UUID | None = None, **kwargs: Any) -> Self:  # noqa: A002
        kwargs.setdefault("metadata", active_metadata())
        return super()._create(event_class, id=id, **kwargs)

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", active_metadata())
        super().trigger_event(event_class, **kwargs)


_ENUM_FIELDS: dict[type, dict[str, type[Enum]]] = {}


def _enum_fields(kind: type) -> dict[str, type[Enum]]:
    """The state fields ``kind`` declares as an enum (or an optional one), read once."""
    found = _ENUM_FIELDS.get(kind)
    if found is None:
        found = _ENUM_FIELDS[kind] = {}
        for name, hint in get_type_hints(kind).items():
            options = get_args(hint) if get_origin(hint) in (Union, UnionType) else (hint,)
            enums = [o for o in options if isinstance(o, type) and issubclass(o, Enum)]
            if len(enums) == 1:
                found[name] = enums[0]
    return found
