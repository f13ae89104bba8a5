"""A log fan-out run by the test itself: its leases taken, its passes run until it reaches the
head, its listener stopped."""

from __future__ import annotations

from collections.abc import Sequence

from infrastructure.database import Database
from infrastructure.listener import SharedListener
from infrastructure.log_fanout import LogFanOut
from infrastructure.log_follower import LogFollower


def fan_out_to_the_head(database: Database, followers: Sequence[LogFollower]) -> LogFanOut:
    """Lead ``followers`` and feed them until a pass asks for no other; the fan-out, for its
    errors."""
    listener = SharedListener(database)
    listener.start()
    try:
        assert listener.wait_connected(5.0)
        fanout = LogFanOut(followers, listener, database)
        fanout.leases.renew()
        with database.connect(autocommit=True) as conn:
            while fanout.run_pass(conn):
                pass
    finally:
        listener.stop()
    return fanout
