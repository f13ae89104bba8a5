"""Where each projection has got to in the log (its tracking position)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psycopg import AsyncConnection, Connection, sql

DDL = """
CREATE TABLE IF NOT EXISTS cxl_projection_positions (
    name text PRIMARY KEY,
    position bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE cxl_projection_positions ADD COLUMN IF NOT EXISTS version integer;
"""


def reset_if_outdated(
    conn: Connection[Any], name: str, version: int, tables: tuple[str, ...]
) -> bool:
    """Drop a read model whose stored version differs from its code's, so that it is rebuilt
    from the log; record the version. True if it was reset."""
    row = conn.execute(
        "SELECT version FROM cxl_projection_positions WHERE name = %s FOR UPDATE", (name,)
    ).fetchone()
    if row is None:
        conn.execute(
            "INSERT INTO cxl_projection_positions (name, version) VALUES (%s, %s)", (name, version)
        )
        return False
    if row[0] == version:
        return False
    for table in tables:
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {} CASCADE").format(sql.Identifier(table)))
    conn.execute(
        "UPDATE cxl_projection_positions SET position = 0, version = %s, updated_at = now()"
        " WHERE name = %s",
        (version, name),
    )
    return True


@dataclass(frozen=True, slots=True)
class ProjectionPosition:
    name: str
    position: int
    updated_at: float


def lock_position(conn: Connection[Any], name: str) -> int:
    """Read and row-lock a projection's position inside the caller's transaction; the lock
    keeps two workers (or a worker and a rebuild's switch) from applying one batch twice.
    The row is made only when it is missing (a projection's first batch): inserting it first
    every time cost every batch of every read model a statement for nothing."""
    row = _locked_position(conn, name)
    if row is None:
        conn.execute(
            "INSERT INTO cxl_projection_positions (name) VALUES (%s) ON CONFLICT DO NOTHING",
            (name,),
        )
        row = _locked_position(conn, name)
    assert row is not None
    return int(row[0])


def _locked_position(conn: Connection[Any], name: str) -> tuple[Any, ...] | None:
    return conn.execute(
        "SELECT position FROM cxl_projection_positions WHERE name = %s FOR UPDATE", (name,)
    ).fetchone()


def lock_positions(conn: Connection[Any], names: list[str]) -> dict[str, int]:
    """``lock_position`` for several followers in one statement (two more the first time one
    of them has no row yet), locked in the order of their names so that two callers never
    wait for each other crosswise."""
    locked = _locked_positions(conn, names)
    if len(locked) < len(set(names)):
        make_positions(conn, names)
        locked = _locked_positions(conn, names)
    return locked


def make_positions(conn: Connection[Any], names: list[str]) -> None:
    """Make the position rows (at 0) of the followers in ``names`` that have none yet."""
    conn.execute(
        "INSERT INTO cxl_projection_positions (name) SELECT unnest(%s::text[])"
        " ON CONFLICT DO NOTHING",
        (names,),
    )


def _locked_positions(conn: Connection[Any], names: list[str]) -> dict[str, int]:
    rows = conn.execute(
        "SELECT name, position FROM cxl_projection_positions WHERE name = ANY(%s)"
        " ORDER BY name FOR UPDATE",
        (names,),
    ).fetchall()
    return {str(name): int(position) for name, position in rows}


def set_positions(conn: Connection[Any], positions: dict[str, int]) -> None:
    """``set_position`` for several followers in one statement."""
    conn.execute(
        "UPDATE cxl_projection_positions AS p SET position = v.position, updated_at = now()"
        " FROM unnest(%s::text[], %s::bigint[]) AS v(name, position) WHERE p.name = v.name",
        (list(positions), list(positions.values())),
    )


_CLAIM = """
WITH locked AS (
    SELECT name, position FROM cxl_projection_positions WHERE name = ANY(%(names)s)
    ORDER BY name FOR UPDATE
)
UPDATE cxl_projection_positions AS p SET position = v.reached, updated_at = now()
FROM locked, unnest(%(names)s::text[], %(expected)s::bigint[], %(reached)s::bigint[])
    AS v(name, expected, reached)
WHERE p.name = v.name AND locked.name = v.name AND locked.position = v.expected
RETURNING p.name
"""


def claim_positions(conn: Connection[Any], moves: dict[str, tuple[int, int]]) -> set[str]:
    """Move each follower named in ``moves`` from its expected position to its new one
    (``{name: (expected, reached)}``), inside the caller's transaction, unless someone moved
    it meanwhile (or it has no row); return the names moved. One statement where
    ``lock_positions`` and ``set_positions`` take two: the rows are locked in name order (as
    ``lock_positions`` locks them, so that two callers never wait for each other crosswise),
    each compared with what the caller expects as it stands once locked, and set. A follower
    left out is one another worker or a rebuild moved: its batch must not be applied, and
    its position must be read again. The caller's rows and these positions commit together."""
    names = list(moves)
    rows = conn.execute(
        _CLAIM,
        {
            "names": names,
            "expected": [expected for expected, _ in moves.values()],
            "reached": [reached for _, reached in moves.values()],
        },
    ).fetchall()
    return {str(name) for (name,) in rows}


def position_of(conn: Connection[Any], name: str) -> int:
    """Where projection ``name`` stands (0 before its first batch), unlocked."""
    row = conn.execute(
        "SELECT position FROM cxl_projection_positions WHERE name = %s", (name,)
    ).fetchone()
    return int(row[0]) if row is not None else 0


def set_position(conn: Connection[Any], name: str, position: int) -> None:
    conn.execute(
        "UPDATE cxl_projection_positions SET position = %s, updated_at = now() WHERE name = %s",
        (position, name),
    )


def move_position(conn: Connection[Any], name: str, before: int, after: int) -> bool:
    """Move ``name`` from ``before`` to ``after`` unless someone moved it meanwhile (its row
    made if it has none yet); True if this call moved it. What a follower that holds no row
    lock while it works (a process manager) records its position with: one statement, so on
    an autocommit connection a transaction of its own with no BEGIN or COMMIT."""
    row = conn.execute(
        "INSERT INTO cxl_projection_positions AS p (name, position) VALUES (%s, %s)"
        " ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = now()"
        " WHERE p.position = %s RETURNING 1",
        (name, after, before),
    ).fetchone()
    return row is not None


def advance_positions(
    conn: Connection[Any], names: list[str], after: int, reached: int
) -> list[str]:
    """Move to ``reached`` each of ``names`` still in [``after``, ``reached``): followers with
    nothing to apply there, moved in one statement (its row locks keep out anyone applying).
    Returns the names it moved."""
    rows = conn.execute(
        "UPDATE cxl_projection_positions SET position = %s, updated_at = now()"
        " WHERE name = ANY(%s) AND position >= %s AND position < %s RETURNING name",
        (reached, names, after, reached),
    ).fetchall()
    return [str(name) for (name,) in rows]


def all_positions(conn: Connection[Any]) -> dict[str, int]:
    rows = conn.execute("SELECT name, position FROM cxl_projection_positions").fetchall()
    return {str(name): int(position) for name, position in rows}


async def all_positions_async(conn: AsyncConnection[Any]) -> dict[str, int]:
    cur = await conn.execute("SELECT name, position FROM cxl_projection_positions")
    return {str(name): int(position) for name, position in await cur.fetchall()}


async def position_async(conn: AsyncConnection[Any], name: str) -> int:
    """Where projection ``name`` stands (0 before its first batch)."""
    cur = await conn.execute(
        "SELECT position FROM cxl_projection_positions WHERE name = %s", (name,)
    )
    row = await cur.fetchone()
    return 0 if row is None else int(row[0])


async def positions_of(conn: AsyncConnection[Any], names: list[str]) -> dict[str, int]:
    """The positions of the projections ``names`` (those that have one), in one statement."""
    cur = await conn.execute(
        "SELECT name, position FROM cxl_projection_positions WHERE name = ANY(%s)", (names,)
    )
    return {str(name): int(position) for name, position in await cur.fetchall()}
