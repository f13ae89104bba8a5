"""The event store's pool hands out the connection given back last, not the one idle longest.

psycopg_pool keeps its idle connections in a deque, takes from the left and gives back to the
right: first in, first out, so a writer alone goes round every connection of the pool in turn
(16 in the benchmarks, ``CXL_DB_POOL_SIZE`` in the server), and each statement lands on a server
process that has not run for fifteen statements, its memory as cold in the CPU's caches as the
client's buffers of that connection are. Measured with one writer (``Ledger.register_customer``
in a loop, the scratch database's server processes' CPU read from ``/proc``), on the shared
2-core machine, in two sessions of three and four pairs alternated (medians): 640 and 427 us
of server CPU per registration in turn, 400 and 340 us most recent first; registrations/s
174 and 498 in turn, 369 and 689 most recent first. With 16 writers every connection is busy
and the order changed nothing measurable (four pairs: 2,241 in turn, 2,184 registrations/s).

Given back to the left instead, the connection used last is the next one out (last in, first
out). Under load every connection is in use anyway and nothing changes; when few commands run,
the same one or two connections serve them all while the others stay idle. The pool's own
shrinking (``max_idle``) still takes an idle connection from the left, now the one used last
rather than the one idle longest: it closes one idle connection per check, as before, and what
stays open is bounded by the same settings. Only the order in which idle connections wait
changes: no connection is ever in two places, and every one the pool gives back is idle.
"""

from __future__ import annotations

from collections import deque
from typing import Any, TypeVar

from psycopg_pool import ConnectionPool

C = TypeVar("C")


class MostRecentFirst(deque[C]):
    """A pool's idle connections, the one given back last at the front (where the pool takes
    from)."""

    def append(self, connection: C) -> None:
        self.appendleft(connection)


def hand_out_most_recent_first(pool: ConnectionPool[Any]) -> None:
    """Make ``pool`` hand out the connection it got back last. psycopg_pool has no option for
    it: its deque of idle connections (which it only appends to, pops from the left, copies
    and clears) is replaced, under the pool's lock, by one that appends to the left."""
    with pool._lock:
        if not isinstance(pool._pool, deque):
            raise TypeError(f"psycopg_pool keeps its idle connections in a {type(pool._pool)}")
        pool._pool = MostRecentFirst(pool._pool)
