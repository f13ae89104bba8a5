"""The prototype of a log partitioned by position range (infrastructure/partitioned_log.py):
it keeps the guarantees the product rests on, on a real PostgreSQL."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import psycopg
import pytest

from domain.shared.errors import ConcurrencyConflictError
from infrastructure.database import Database
from infrastructure.partitioned_log import (
    append,
    create_partitioned_log,
    detach_partition,
)

TABLE = "log_by_range"
SIZE = 10
"""Ten positions a partition: the appends below cross several."""


@pytest.fixture
def conn(database: Database) -> Any:
    with database.connect() as conn:
        create_partitioned_log(conn, TABLE, SIZE, partitions=4)
        conn.commit()
        yield conn


def positions_after(conn: psycopg.Connection[Any], after: int, limit: int) -> list[int]:
    rows = conn.execute(
        f"SELECT notification_id FROM {TABLE} WHERE notification_id > %s"
        " ORDER BY notification_id LIMIT %s",
        (after, limit),
    ).fetchall()
    return [int(r[0]) for r in rows]


def test_reads_by_position_cross_partitions_in_order_with_no_gap(
    conn: psycopg.Connection[Any],
) -> None:
    for _ in range(7):
        append(conn, TABLE, uuid4(), 0, [("a", b"1"), ("b", b"2"), ("c", b"3"), ("d", b"4")])
    conn.commit()
    assert positions_after(conn, 0, 100) == list(range(1, 29))
    assert positions_after(conn, 8, 5) == [9, 10, 11, 12, 13]  # across the first boundary


def test_a_second_writer_of_the_same_version_clashes_even_in_another_partition(
    conn: psycopg.Connection[Any],
) -> None:
    """What the library's primary key did, the heads table does across partitions."""
    stream = uuid4()
    append(conn, TABLE, stream, 0, [("created", b"")])
    conn.commit()
    for _ in range(3):  # push the log into the next partition
        append(conn, TABLE, uuid4(), 0, [("x", b"")] * 5)
    conn.commit()
    append(conn, TABLE, stream, 1, [("changed", b"")])
    conn.commit()

    with pytest.raises(ConcurrencyConflictError) as clash:
        append(conn, TABLE, stream, 1, [("changed again", b"")])
    conn.rollback()
    assert clash.value.current_version == 2
    versions = conn.execute(
        f"SELECT originator_version FROM {TABLE} WHERE originator_id = %s ORDER BY 1", (stream,)
    ).fetchall()
    assert [v for (v,) in versions] == [1, 2]


def test_without_the_heads_table_the_partitioned_table_alone_would_accept_a_duplicate(
    conn: psycopg.Connection[Any],
) -> None:
    """Why the heads table exists: a partitioned table cannot hold the per-stream key unique."""
    stream = uuid4()
    conn.execute(
        f"INSERT INTO {TABLE} (originator_id, originator_version, topic, state)"
        " VALUES (%s, 1, 'a', ''), (%s, 1, 'b', '')",
        (stream, stream),
    )
    (count,) = conn.execute(
        f"SELECT count(*) FROM {TABLE} WHERE originator_id = %s", (stream,)
    ).fetchone() or (0,)
    conn.rollback()
    assert count == 2


def test_detaching_an_old_partition_leaves_reads_past_it_unchanged(
    conn: psycopg.Connection[Any],
) -> None:
    for _ in range(6):
        append(conn, TABLE, uuid4(), 0, [("e", b"")] * 5)
    conn.commit()
    before = positions_after(conn, SIZE, 100)

    detach_partition(conn, TABLE, 0)
    conn.commit()

    assert positions_after(conn, SIZE, 100) == before
    assert positions_after(conn, 0, 1) == [SIZE + 1]
