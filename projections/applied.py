"""Positions this process's own projections have committed, told as they commit.

A mutation waits until its read model shows the write (read-your-writes). When the read model
is applied in the same process (``cxledger serve`` runs the projections beside the API), the
thread that applies it knows the moment its transaction commits: it announces the position
here, and the waits (``graphql_api.position_watch``) wake at once instead of reading the
positions table every 2 ms.

What is announced is a committed position, so it only says that the primary shows the write:
a read served by a streaming standby must still wait for the standby's own position (the API
takes no news when its reads go to a replica). Positions only move forward once a process
runs (a rebuild switches in at or past the live position; resets happen at start-up, before
any write), so the highest position heard is kept.

It also counts, per read model led here, the changes of its rows (``rows_generation``): the
log fan-out marks a pass that may change them before its transaction begins (``changing``)
and after it ends (``changed``), so that a read of the rows that began and ended within one
even count read the rows exactly as they are until the next change (``projections.row_cache``
keeps such reads). Only the fan-out's passes are counted: a read model some other thread
applies too (the scheduled jobs catch up the loyalty statements, the ticket timelines, the
customer health and the campaign figures before they run) must not be read through a cache.
What this process cannot see change is counted as a change when it learns of it: leadership
taken up again or taken on a new listener session (another process may have led meanwhile),
and a position read from the database other than the one this process knew (a rebuild's
switch, another worker's batch, a reset).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Mapping

Listener = Callable[[str, int], None]
"""Called (in the announcing thread) with a projection's name and its new position."""
ChangeWatcher = Callable[[str], None]
"""Called (in the counting thread, under a lock: keep it short) with a read model's name
whenever its count moves."""


class AppliedPositions:
    """The positions committed by the projections this process leads, and who they are."""

    def __init__(self) -> None:
        self._positions: dict[str, int] = {}
        self._led: frozenset[str] = frozenset()
        self._listeners: tuple[Listener, ...] = ()
        self._generations: dict[str, int] = {}
        self._term: object = None
        self._watchers: tuple[ChangeWatcher, ...] = ()
        self._lock = threading.Lock()  # writers only: readers read one dict entry or a field

    def position(self, name: str) -> int:
        """The highest position of ``name`` heard here (-1 if none)."""
        return self._positions.get(name, -1)

    def leads(self, name: str) -> bool:
        """True if this process applies ``name`` now: its commits are announced here."""
        return name in self._led

    def lead(self, names: Collection[str], term: object = None) -> None:
        """The projections this process applies from now on (its leases, taken on the
        listener session ``term``). One led again, or led under another term (its lease lost
        and retaken with a new session), counts as changed: another process may have changed
        its rows meanwhile."""
        led = frozenset(names)
        with self._lock:
            again = led if term != self._term else led - self._led
            for name in again | (self._led - led):
                self._bump(name, 2)
            self._led, self._term = led, term

    def rows_generation(self, name: str) -> int | None:
        """The count of ``name``'s row changes, if its rows stand still now: led here and no
        change in flight (an even count); None otherwise. Two equal answers, one before a read
        of its rows and one after it, mean the read saw the rows as they are until the count
        moves (only this process changes them while it leads, and it counts each change)."""
        if name not in self._led:  # read first: ``lead`` moves the count, then leads
            return None
        generation = self._generations.get(name, 0)
        return None if generation & 1 else generation

    def changing(self, names: Collection[str]) -> None:
        """Call before a transaction that may change the rows of ``names`` begins."""
        with self._lock:
            for name in names:
                self._bump(name, 1)

    def changed(self, names: Collection[str]) -> None:
        """Call once that transaction ended and committed, or is known not to have: the same
        ``names``. (Left changing, a read model's reads are not kept.)"""
        with self._lock:
            for name in names:
                self._bump(name, 1)

    def watch_changes(self, watcher: ChangeWatcher) -> Callable[[], None]:
        """Call ``watcher`` whenever a read model's count moves; returns the unsubscribe."""
        return self._added("_watchers", watcher)

    def _added(self, callbacks: str, callback: object) -> Callable[[], None]:
        """``callback`` added to the tuple of callbacks named ``callbacks`` (replaced whole,
        so that the thread calling them reads it without the lock); returns its removal."""
        with self._lock:
            setattr(self, callbacks, (*getattr(self, callbacks), callback))

        def remove() -> None:
            with self._lock:
                kept = tuple(each for each in getattr(self, callbacks) if each is not callback)
                setattr(self, callbacks, kept)

        return remove

    def _bump(self, name: str, by: int) -> None:
        self._generations[name] = self._generations.get(name, 0) + by
        for watcher in self._watchers:
            watcher(name)

    def announce(self, name: str, position: int) -> None:
        """``name`` has committed ``position`` (call after the commit, never before)."""
        with self._lock:
            if position <= self._positions.get(name, -1):
                return
            self._positions[name] = position
        for listener in self._listeners:
            listener(name, position)

    def saw(self, positions: Mapping[str, int]) -> None:
        """Positions read from the database (a look, as good as an announcement). One other
        than what this process knew counts as a change of that read model's rows: moved
        elsewhere, reset (or committed here and not yet announced, which costs only a read)."""
        with self._lock:
            for name, position in positions.items():
                if position != self._positions.get(name, -1):
                    self._bump(name, 2)
        for name, position in positions.items():
            self.announce(name, position)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` on each announcement from now on; returns the unsubscribe."""
        return self._added("_listeners", listener)
