"""What a projection is: a name, its tables, and one handler per event type it cares about.

A handler either writes its event at once (``@handles``: it gets the cursor) or folds it into
the batch's pending :class:`Changes` (``@folds``: no SQL), which are written with a few
multi-row statements. Events of a batch are taken in log order, and an event handled at once
first writes what was folded before it, so the order of the log is kept across the two kinds:
folding only has to be right among consecutive folded events (last change of a row wins, or
the row's figures are recomputed from its rows after they are in).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, TypeVar

from eventsourcing.utils import get_topic
from psycopg import Cursor

E = TypeVar("E")
Handler = Callable[[Any, Cursor[Any], Any, int], None]
Folder = Callable[[Any, Any, Any, int], None]


_HANDLES = "_cxl_handles"
_FOLDS = "_cxl_folds"


class Changes(Protocol):
    """What a run of folded events of one batch does to a projection's tables."""

    def write(self, cursor: Cursor[Any]) -> None:
        """Write every change folded so far, with a few statements."""
        ...


def folds(event_class: type[E]) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Mark a projection method as folding ``event_class`` into the batch's :class:`Changes`
    (it gets ``(changes, event, position)``; its projection's ``changes()`` makes them)."""

    def mark(method: Callable[..., None]) -> Callable[..., None]:
        setattr(method, _FOLDS, event_class)
        return method

    return mark


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
    reads_personal_data: ClassVar[bool] = True
    """False for a read model that stores no personal value: its events come with personal
    values unread (``value`` None, as if erased), which spares their keys and decryption."""
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
    loading: bool = False
    """True on the copy a rebuild builds its shadow tables with: empty tables that each event
    reaches once, so rows that are only ever inserted may go in by COPY."""
    _handlers: ClassVar[dict[type, Handler]]
    _folders: ClassVar[dict[type, Folder]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._handlers = _marked(cls, _HANDLES)
        cls._folders = _marked(cls, _FOLDS)

    @classmethod
    def topics(cls) -> list[str]:
        """The event topics this projection reads; the runner skips the rest unread."""
        return [get_topic(event_class) for event_class in {**cls._handlers, **cls._folders}]

    def changes(self) -> Changes:
        """A batch's pending changes, for a projection with ``@folds`` handlers."""
        raise NotImplementedError(f"{self.name} folds events but makes no Changes")

    def apply(self, cursor: Cursor[Any], batch: Sequence[Positioned]) -> None:
        self.fold(cursor, batch, self.changes)

    def fold(
        self, cursor: Cursor[Any], batch: Sequence[Positioned], changes: Callable[[], Changes]
    ) -> None:
        """Apply ``batch`` in log order: folded events into ``changes()``, written before the
        next event handled at once and at the end."""
        pending: Changes | None = None
        for item in batch:
            folder = self._folders.get(type(item.event))
            if folder is not None:
                if pending is None:
                    pending = changes()
                folder(self, pending, item.event, item.position)
                continue
            handler = self._handlers.get(type(item.event))
            if handler is not None:
                if pending is not None:  # what came before it in the log goes in first
                    pending.write(cursor)
                    pending = None
                handler(self, cursor, item.event, item.position)
        if pending is not None:
            pending.write(cursor)


def _marked(cls: type, attribute: str) -> dict[type, Any]:
    # Walk the whole MRO so that a subclass keeps (or overrides) its parents' handlers.
    return {
        getattr(method, attribute): method
        for klass in reversed(cls.__mro__)
        for method in vars(klass).values()
        if callable(method) and hasattr(method, attribute)
    }
