"""Fixed-window counters in PostgreSQL (``cxl_throttle_counters``), shared by every replica.

A throttle counts an attempt in each of its counters in one transaction and reads the counts
back; when any is over its limit the transaction is rolled back, so a refused attempt counts
nowhere (an attacker who is refused cannot push a victim's count up), and the row locks make
parallel attempts queue instead of slipping past a limit together. Counters are always taken
in the order given, so two transactions never wait for each other in a circle.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

Connect = Callable[[], AbstractContextManager[psycopg.Connection[Any]]]
Clock = Callable[[], datetime]
PURGE_EVERY = 100  # attempts between purges of expired windows, per process

_HIT = """
INSERT INTO cxl_throttle_counters AS c (scope, key, hits, window_ends_at)
VALUES (%(scope)s, %(key)s, 1, %(ends)s)
ON CONFLICT (scope, key) DO UPDATE SET
    hits = CASE WHEN c.window_ends_at <= %(now)s THEN 1 ELSE c.hits + 1 END,
    window_ends_at = CASE WHEN c.window_ends_at <= %(now)s THEN %(ends)s
                          ELSE c.window_ends_at END
RETURNING hits
"""
_REFUND = """
UPDATE cxl_throttle_counters SET hits = GREATEST(hits - 1, 0)
WHERE scope = %s AND key = %s AND window_ends_at > %s
"""


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Counter:
    """One kind of count: at most ``limit`` hits per key in each ``window``."""

    scope: str
    limit: int
    window: timedelta


class AttemptRefusedError(Exception):
    """Raised inside :meth:`WindowCounters.hit` to roll back every count of the attempt."""


class WindowCounters:
    def __init__(self, connect: Connect, clock: Clock = utc_now) -> None:
        self._connect = connect
        self._clock = clock
        self._attempts = itertools.count(1)

    def hit(
        self, counts: Sequence[tuple[Counter, str]], refuse: Callable[[list[int]], bool]
    ) -> bool:
        """Count one hit of each (counter, key); keep them and answer True unless ``refuse``
        says no for the counts after this hit, in which case none is kept."""
        now = self._clock()
        with self._connect() as conn:
            admitted = self._hit_all(conn, counts, refuse, now)
            if next(self._attempts) % PURGE_EVERY == 0:
                conn.execute("DELETE FROM cxl_throttle_counters WHERE window_ends_at <= %s", (now,))
        return admitted

    def refund(
        self,
        counts: Sequence[tuple[Counter, str]],
        forget: Sequence[tuple[Counter, str]] = (),
    ) -> None:
        """Take back one hit of each of ``counts`` (the attempt turned out not to count), and
        every hit of each of ``forget``."""
        now = self._clock()
        # In the rows' one order (see _in_lock_order), a take-back before a forget of one row.
        steps = sorted(
            [(counter.scope, key, 0) for counter, key in counts]
            + [(counter.scope, key, 1) for counter, key in forget]
        )
        with self._connect() as conn, conn.transaction():
            for scope, key, forgets in steps:
                if forgets:
                    conn.execute(
                        "DELETE FROM cxl_throttle_counters WHERE scope = %s AND key = %s",
                        (scope, key),
                    )
                else:
                    conn.execute(_REFUND, (scope, key, now))

    def _hit_all(
        self,
        conn: psycopg.Connection[Any],
        counts: Sequence[tuple[Counter, str]],
        refuse: Callable[[list[int]], bool],
        now: datetime,
    ) -> bool:
        try:
            with conn.transaction():
                hits = [0] * len(counts)
                for index in _in_lock_order(counts):
                    counter, key = counts[index]
                    hits[index] = self._hit_one(conn, counter, key, now)
                if refuse(hits):
                    raise AttemptRefusedError
        except AttemptRefusedError:
            return False
        return True

    @staticmethod
    def _hit_one(conn: psycopg.Connection[Any], counter: Counter, key: str, now: datetime) -> int:
        params = {"scope": counter.scope, "key": key, "now": now, "ends": now + counter.window}
        row = conn.execute(_HIT, params).fetchone()
        return 0 if row is None else int(row[0])


def _in_lock_order(counts: Sequence[tuple[Counter, str]]) -> list[int]:
    """Indexes of ``counts`` in the order of their rows' (scope, key): every transaction that
    writes several counters locks them in this one order. A log-in counts its pair row first
    and, on success, forgets it last: in the callers' orders a failed attempt holding the pair
    and waiting for the email row deadlocked with a successful one holding the email row and
    waiting to delete the pair (PostgreSQL then aborted one, a SERVICE_UNAVAILABLE log-in)."""
    return sorted(range(len(counts)), key=lambda index: (counts[index][0].scope, counts[index][1]))


def over_any_limit(counts: Sequence[tuple[Counter, str]]) -> Callable[[list[int]], bool]:
    """The usual refusal: any counter past its limit."""
    limits = [counter.limit for counter, _ in counts]
    return lambda hits: any(hit > limit for hit, limit in zip(hits, limits, strict=True))
