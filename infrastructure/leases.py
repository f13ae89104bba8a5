"""Which followers this process leads: a session advisory lock per follower, held on the shared
listener's connection, so that several workers share the followers (one leads each, the others
stand by) and a worker that dies (its session gone) hands its followers over at once."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import Connection

from infrastructure.listener import ListenerUnavailableError, SharedListener
from infrastructure.log_follower import LogFollower

log = logging.getLogger(__name__)

STAND_BY_SECONDS = 2.0
"""How often a worker tries again for the leases another worker holds."""
UNREACHABLE_RETRY_SECONDS = 0.2


class Leases:
    """The leases of a set of followers, taken and kept through a :class:`SharedListener`."""

    def __init__(self, listener: SharedListener, followers: Sequence[LogFollower]) -> None:
        self._listener = listener
        self._keys = {follower.name: follower.lease_key for follower in followers}
        self._held: set[int] = set()
        self._generation = -1
        self._next_try = 0.0

    def holds(self, follower: LogFollower) -> bool:
        return self._keys[follower.name] in self._held and self._still_connected()

    @property
    def term(self) -> int:
        """The listener session the leases held now were taken on: another term is another
        session, whose leases another process may have held in between."""
        return self._generation

    def renew(self) -> bool:
        """Try for the leases not held (at most every few seconds); True if one was gained."""
        self._still_connected()
        missing = sorted(set(self._keys.values()) - self._held)
        if not missing or time.monotonic() < self._next_try:
            return False
        try:
            # Runs in the listener's thread: the generation read there is that of ``conn``.
            generation, gained = self._listener.call(
                lambda conn: (self._listener.generation, _try_locks(conn, missing))
            )
        except (ListenerUnavailableError, psycopg.Error, TimeoutError) as error:
            log.debug("leases: %s", error)
            self._next_try = time.monotonic() + UNREACHABLE_RETRY_SECONDS
            return False
        if generation != self._generation:
            self._held.clear()
            self._generation = generation
        self._held |= gained
        self._next_try = time.monotonic() + STAND_BY_SECONDS
        return bool(gained)

    def release_all(self) -> None:
        """Hand every lease back (the worker stops; the listener may serve on)."""
        held, generation = sorted(self._held), self._generation
        self._held.clear()
        if not held:
            return
        try:
            self._listener.call(
                lambda conn: (
                    _unlock(conn, held) if self._listener.generation == generation else None
                )
            )
        except (ListenerUnavailableError, psycopg.Error, TimeoutError) as error:
            log.debug("leases: %s", error)  # a lost session has released them already

    def _still_connected(self) -> bool:
        """Forget the leases of a lost connection: the server released them with it (known
        lost from the moment the listener's session failed, not only once a new one is made)."""
        if self._listener.generation != self._generation or not self._listener.connected:
            self._held.clear()
            return False
        return True


def _try_locks(conn: Connection[Any], keys: list[int]) -> set[int]:
    rows = conn.execute(
        "SELECT k, pg_try_advisory_lock(k) FROM unnest(%b::bigint[]) AS k", (keys,)
    ).fetchall()
    return {int(key) for key, locked in rows if locked}


def _unlock(conn: Connection[Any], keys: list[int]) -> None:
    conn.execute("SELECT pg_advisory_unlock(k) FROM unnest(%b::bigint[]) AS k", (keys,))
