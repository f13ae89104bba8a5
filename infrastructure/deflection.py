"""``graphql_api.deflection.Deflection`` on PostgreSQL (migration 150): what the knowledge
base's suggestions avoided, counted on the primary so that every replica counts alike."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import psycopg

from graphql_api.deflection import DeflectionCounts

Connect = Callable[[], AbstractContextManager[psycopg.Connection[Any]]]


class DeflectionLog:
    def __init__(self, connect: Connect) -> None:
        self._connect = connect

    def searched(self) -> None:
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO cxl_kb_searches AS s (day, searches)"
                " VALUES ((now() AT TIME ZONE 'UTC')::date, 1)"
                " ON CONFLICT (day) DO UPDATE SET searches = s.searches + 1"
            )

    def shown(self) -> str:
        token = uuid4()
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO cxl_kb_suggestions (token, shown_at) VALUES (%s, now())", (token,)
            )
        return token.hex

    def ticket_opened(self, token: str) -> bool:
        try:
            key = UUID(hex=token)
        except ValueError:
            return False
        with self._connect() as conn:
            cursor = conn.execute(
                "UPDATE cxl_kb_suggestions SET ticket_opened_at = now()"
                " WHERE token = %s AND ticket_opened_at IS NULL",
                (key,),
            )
            return cursor.rowcount == 1

    def counts(self, since: datetime | None, until: datetime | None) -> DeflectionCounts:
        low = since or datetime(1970, 1, 1, tzinfo=UTC)
        high = until or datetime(9999, 1, 1, tzinfo=UTC)
        with self._connect() as conn:
            searches = conn.execute(
                "SELECT COALESCE(sum(searches), 0) FROM cxl_kb_searches"
                " WHERE day >= (%s AT TIME ZONE 'UTC')::date"
                " AND day <= (%s AT TIME ZONE 'UTC')::date",
                (low, high),
            ).fetchone()
            shown = conn.execute(
                "SELECT count(*), count(ticket_opened_at) FROM cxl_kb_suggestions"
                " WHERE shown_at >= %s AND shown_at < %s",
                (low, high),
            ).fetchone()
        assert searches is not None and shown is not None
        return DeflectionCounts(int(searches[0]), int(shown[0]), int(shown[1]))
