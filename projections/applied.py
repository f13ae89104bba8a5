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
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Mapping

Listener = Callable[[str, int], None]
"""Called (in the announcing thread) with a projection's name and its new position."""


class AppliedPositions:
    """The positions committed by the projections this process leads, and who they are."""

    def __init__(self) -> None:
        self._positions: dict[str, int] = {}
        self._led: frozenset[str] = frozenset()
        self._listeners: tuple[Listener, ...] = ()
        self._lock = threading.Lock()  # writers only: readers read one dict entry or a field

    def position(self, name: str) -> int:
        """The highest position of ``name`` heard here (-1 if none)."""
        return self._positions.get(name, -1)

    def leads(self, name: str) -> bool:
        """True if this process applies ``name`` now: its commits are announced here."""
        return name in self._led

    def lead(self, names: Collection[str]) -> None:
        """The projections this process applies from now on (its leases)."""
        self._led = frozenset(names)

    def announce(self, name: str, position: int) -> None:
        """``name`` has committed ``position`` (call after the commit, never before)."""
        with self._lock:
            if position <= self._positions.get(name, -1):
                return
            self._positions[name] = position
        for listener in self._listeners:
            listener(name, position)

    def saw(self, positions: Mapping[str, int]) -> None:
        """Positions read from the database (a look, as good as an announcement)."""
        for name, position in positions.items():
            self.announce(name, position)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` on each announcement from now on; returns the unsubscribe."""
        with self._lock:
            self._listeners = (*self._listeners, listener)

        def unsubscribe() -> None:
            with self._lock:
                self._listeners = tuple(each for each in self._listeners if each is not listener)

        return unsubscribe
