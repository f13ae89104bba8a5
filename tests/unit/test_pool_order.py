"""The event store's pool order: the connection given back last is the next one handed out
(``infrastructure.pool_order``), with a real psycopg_pool that never connects."""

from __future__ import annotations

from collections import deque
from typing import Any

import pytest
from psycopg_pool import ConnectionPool

from infrastructure.pool_order import MostRecentFirst, hand_out_most_recent_first


def test_the_item_given_back_last_is_taken_first_and_the_oldest_waits_at_the_other_end() -> None:
    idle: MostRecentFirst[str] = MostRecentFirst(["a", "b"])
    idle.append("c")
    assert idle.popleft() == "c", "what the pool takes next: the one given back last"
    idle.append("d")
    assert list(idle) == ["d", "a", "b"]
    assert idle.pop() == "b", "the one idle longest"


def test_a_pool_keeps_its_idle_connections_and_gives_them_back_most_recent_first() -> None:
    pool: ConnectionPool[Any] = ConnectionPool("dbname=unused", open=False)
    pool._pool.extend(["first", "second"])  # stand-ins for connections
    hand_out_most_recent_first(pool)
    assert isinstance(pool._pool, MostRecentFirst)
    assert list(pool._pool) == ["first", "second"], "nothing lost, nothing reordered"
    pool._pool.append("given back")  # as _add_to_pool does
    assert pool._pool.popleft() == "given back"  # as _get_ready_connection does


def test_a_pool_whose_idle_connections_are_not_a_deque_is_refused_not_patched() -> None:
    pool: ConnectionPool[Any] = ConnectionPool("dbname=unused", open=False)
    pool._pool = []  # type: ignore[assignment]  # a psycopg_pool that changed its insides
    with pytest.raises(TypeError, match="idle connections"):
        hand_out_most_recent_first(pool)
    assert not isinstance(pool._pool, deque)
