"""A process manager's reaction writes nothing on the follower's connection (its command commits
on its own), so its tries need no savepoint there: a savepoint costs two round trips an event."""

from __future__ import annotations

from typing import Any, cast

from psycopg import Connection

from infrastructure.parking import RetryPolicy, try_alone

QUICK = RetryPolicy(max_attempts=3, backoff_seconds=0.0)


class CountsSavepoints:
    """Stands in for a connection: counts the savepoints (nested transactions) opened on it."""

    def __init__(self) -> None:
        self.savepoints = 0

    def transaction(self) -> Any:
        self.savepoints += 1
        return self

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def flaky(failures: int) -> Any:
    """An attempt that fails ``failures`` times, then succeeds."""
    left = [failures]

    def attempt() -> None:
        if left[0]:
            left[0] -= 1
            raise ValueError("not yet")

    return attempt


def test_tries_that_write_on_the_connection_each_get_a_savepoint() -> None:
    conn = CountsSavepoints()
    assert try_alone(cast(Connection[Any], conn), QUICK, flaky(2)) is None
    assert conn.savepoints == 3


def test_tries_that_write_nothing_on_it_get_none_and_are_retried_all_the_same() -> None:
    conn = CountsSavepoints()
    assert try_alone(cast(Connection[Any], conn), QUICK, flaky(2), writes_on_conn=False) is None
    error = try_alone(cast(Connection[Any], conn), QUICK, flaky(5), writes_on_conn=False)
    assert isinstance(error, ValueError)
    assert conn.savepoints == 0
