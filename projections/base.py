"""What a projection is: a name, its tables, and one handler per event type it cares about."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from eventsourcing.utils import get_topic
from psycopg import Cursor

E = TypeVar("E")
Handler = Callable[[Any, Cursor[Any], Any, int], None]


_HANDLES = "_cxl_handles"


def handles(event_class: type[E]) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Mark a projection method as the handler of ``event_class``."""

    def mark(method: Callable[..., None]) -> Callable[..., None]:
        setattr(method, _HANDLES, event_class)
        return method

    return mark


@dataclass(frozen=True, slots=True)
class Positioned:
    """An event and its position in the notification log."""

    position: int
    event: Any


class Projection:
    """Base of every read model.

    ``tables`` are the tables it owns; ``ddl`` creates them with unqualified names (rebuild
    creates them in a shadow schema, then swaps). Handlers run inside the runner's transaction,
    the same one that records the new position, so each event is applied exactly once."""

    name: ClassVar[str]
    version: ClassVar[int] = 1
    """Bump it when the tables or handlers change: `migrate` then rebuilds the read model."""
    reads_stored_events: ClassVar[bool] = False
    """True: ``apply`` gets the stored rows (``Notification``) instead of decoded events."""
    rebuildable: ClassVar[bool] = True
    """False for a read model whose worth is that it was built as the log was written."""
    parks_failures: ClassVar[bool] = True
    """False for a read model that must never skip an event: one that fails every retry stops
    it (loudly) instead of being parked."""
    tables: ClassVar[tuple[str, ...]]
    ddl: ClassVar[str]
    erasure_purges: ClassVar[tuple[str, ...]] = ()
    """Its tables whose personal values its ``ErasureRequest.Completed`` handler sets to NULL or
    deletes: the erasure sweep vacuums them afterwards, so no dead row version keeps them."""
    _handlers: ClassVar[dict[type, Handler]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Walk the whole MRO so that a subclass keeps (or overrides) its parents' handlers.
        cls._handlers = {
            getattr(method, _HANDLES): method
            for klass in reversed(cls.__mro__)
            for method in vars(klass).values()
            if callable(method) and hasattr(method, _HANDLES)
        }

    @classmethod
    def topics(cls) -> list[str]:
        """The event topics this projection reads; the runner skips the rest unread."""
        return [get_topic(event_class) for event_class in cls._handlers]

    def apply(self, cursor: Cursor[Any], batch: Sequence[Positioned]) -> None:
        for item in batch:
            handler = self._handlers.get(type(item.event))
            if handler is not None:
                handler(self, cursor, item.event, item.position)
