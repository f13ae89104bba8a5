"""Lazy, cached reads of the Customer 360 parts for the customers of one answer.

A list of customers shares one :class:`Customer360Loader`: the first field that needs the
parts loads them for every customer of the page asking in the same tick (one pool checkout,
one query call per customer), and each customer's parts are read at most once per answer,
however many of their fields are asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from psycopg_pool import AsyncConnectionPool
from strawberry.dataloader import DataLoader

from projections.customers.queries import consent_history, customer_360_parts
from projections.customers.views import ConsentChange, Customer360Parts


class Customer360Loader:
    """Customer 360 parts and consent histories, batched per tick and cached."""

    def __init__(self, pool: AsyncConnectionPool[Any]) -> None:
        self._pool = pool
        self._parts: DataLoader[UUID, Customer360Parts | None] = DataLoader(self._load_parts)
        self._history: DataLoader[UUID, list[ConsentChange]] = DataLoader(self._load_history)

    async def parts(self, customer_id: UUID) -> Customer360Parts | None:
        return await self._parts.load(customer_id)

    async def consent_history(self, customer_id: UUID) -> list[ConsentChange]:
        return await self._history.load(customer_id)

    async def _load_parts(self, ids: Sequence[UUID]) -> list[Customer360Parts | None]:
        async with self._pool.connection() as conn:
            return [await customer_360_parts(conn, customer_id) for customer_id in ids]

    async def _load_history(self, ids: Sequence[UUID]) -> list[list[ConsentChange]]:
        async with self._pool.connection() as conn:
            return [await consent_history(conn, customer_id) for customer_id in ids]
