"""A log fan-out run by the test itself: its leases taken, its passes run by the test (or until
it reaches the head), its listener stopped."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from infrastructure.database import Database
from infrastructure.listener import SharedListener
from infrastructure.log_fanout import LogFanOut
from infrastructure.log_follower import LogFollower


@contextmanager
def fan_out(
    database: Database, followers: Sequence[LogFollower]
) -> Iterator[tuple[LogFanOut, Any]]:
    """A log fan-out leading ``followers`` (its leases taken), and its working connection;
    its passes are run by the test."""
    listener = SharedListener(database)
    listener.start()
    try:
        assert listener.wait_connected(5.0)
        fanout = LogFanOut(followers, listener, database)
        fanout.leases.renew()
        assert all(fanout.leases.holds(f) for f in followers)
        with database.connect(autocommit=True) as conn:
            yield fanout, conn
    finally:
        listener.stop()


def fan_out_to_the_head(database: Database, followers: Sequence[LogFollower]) -> LogFanOut:
    """Lead ``followers`` and feed them until a pass asks for no other; the fan-out, for its
    errors."""
    with fan_out(database, followers) as (fanout, conn):
        while fanout.run_pass(conn):
            pass
    return fanout
