"""The base class of every aggregate: events carry the active metadata."""

from __future__ import annotations

import inspect
from datetime import datetime
from enum import Enum
from types import UnionType
from typing import Any, NamedTuple, Self, Union, get_args, get_origin, get_type_hints
from uuid import UUID

from eventsourcing.domain import Aggregate, CanInitAggregate
from eventsourcing.domain import Snapshot as LibrarySnapshot
from eventsourcing.utils import get_topic, resolve_topic

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
        """The library's ``_create``, its per-call look-ups done once per class (see
        :func:`_creation_plan`). An id the library would make or check, a timestamp given,
        or a class whose creation is not the library's plain one goes the library's way."""
        kwargs.setdefault("metadata", active_metadata())
        plan = _creation_plan(cls, event_class)
        if plan is None or type(id) is not UUID or "timestamp" in kwargs:
            return super()._create(event_class, id=id, **kwargs)
        kwargs["originator_topic"] = plan.topic
        kwargs["originator_id"] = id
        kwargs["originator_version"] = cls.INITIAL_VERSION
        kwargs["timestamp"] = event_class.create_timestamp()
        try:
            created = event_class(**kwargs)
        except TypeError as e:  # the library's message
            raise TypeError(f"Unable to construct '{event_class.__qualname__}' event: {e}") from e
        # What the library's ``CanInitAggregate.mutate`` does, with the names looked up once.
        aggregate = cls.__new__(cls)
        state = vars(created)
        aggregate.__base_init__(**{k: v for k, v in state.items() if k in plan.base_init})
        init = {k: v for k, v in state.items() if k in plan.init}
        if plan.init_takes_id:
            init["id"] = id
        aggregate.__init__(**init)  # type: ignore[misc]
        created.apply(aggregate)
        aggregate.pending_events.append(created)
        return aggregate

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", active_metadata())
        super().trigger_event(event_class, **kwargs)


class _CreationPlan(NamedTuple):
    topic: str
    base_init: frozenset[str]
    init: frozenset[str]
    init_takes_id: bool


_CREATION_PLANS: dict[tuple[type, type], _CreationPlan | None] = {}


def _creation_plan(cls: type[LedgerAggregate], event_class: type) -> _CreationPlan | None:
    """What the library's ``_create`` and its created event's ``mutate`` look up on every
    call (the class's topic and the topic resolved back, the parameters of ``__base_init__``
    and ``__init__``, whether ``__init__`` takes the id), read once per (class, event class):
    a registration creates two aggregates, and those look-ups were about a fifth of their
    creation's CPU. None for a class the plain path does not fit: an explicit ``TOPIC``
    (the library checks its registration), an event whose ``mutate`` or ``_as_dict`` is not
    the library's, or a topic that resolves to another class."""
    key = (cls, event_class)
    try:
        return _CREATION_PLANS[key]
    except KeyError:
        pass
    plan: _CreationPlan | None = None
    topic = get_topic(cls)
    if (
        not getattr(cls, "TOPIC", None)
        and getattr(event_class, "mutate", None) is CanInitAggregate.mutate
        and getattr(event_class, "_as_dict", None) is CanInitAggregate._as_dict
        and resolve_topic(topic) is cls
    ):
        init = frozenset(inspect.signature(cls.__init__).parameters)
        base_init = frozenset(inspect.signature(cls.__base_init__).parameters)
        plan = _CreationPlan(topic, base_init, init, "id" in init)
    _CREATION_PLANS[key] = plan
    return plan


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
