"""Helpers of the read pool's integration tests."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool


async def end_an_idle_session(pool: AsyncConnectionPool[Any], pg_admin: str) -> int:
    """Lend a connection of ``pool`` and give it back, then end its session from the server
    (``pg_terminate_backend``, waiting for it) while it sits idle in the pool: its backend pid."""
    async with pool.connection() as conn:
        ended = int(conn.info.backend_pid)
    with psycopg.connect(pg_admin, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s, 5000)", (ended,))
    return ended
