"""The base class of every aggregate: events carry the active metadata."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.shared.metadata import EventMetadata, active_metadata


class LedgerAggregate(Aggregate):
    """An aggregate whose every event records who caused it, how and why."""

    class Event(Aggregate.Event):
        metadata: EventMetadata

    class Created(Event, Aggregate.Created):
        pass

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
