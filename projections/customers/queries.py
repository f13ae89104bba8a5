"""Typed reads of the customer directory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from psycopg.rows import class_row


@dataclass(frozen=True, slots=True)
class CustomerView:
    """A customer as the directory shows them; personal fields are None once erased."""

    customer_id: UUID
    seq: int
    name: str | None
    email: str | None
    phone: str | None
    region: str | None
    personal_data_erased: bool
    registered_at: datetime
    registered_by_role: str
    registered_through: str
    version: int


@dataclass(frozen=True, slots=True)
class CustomerPage:
    items: list[CustomerView]
    has_next_page: bool
    total_count: int


_COLUMNS = """customer_id, seq, name, email, phone, region, personal_data_erased,
    registered_at, registered_by_role, registered_through, version"""


async def customer_by_id(conn: AsyncConnection[Any], customer_id: UUID) -> CustomerView | None:
    async with conn.cursor(row_factory=class_row(CustomerView)) as cur:
        await cur.execute(
            f"SELECT {_COLUMNS} FROM customer_directory WHERE customer_id = %s", (customer_id,)
        )
        return await cur.fetchone()


async def customers_page(conn: AsyncConnection[Any], first: int, after_seq: int) -> CustomerPage:
    """Customers in registration order after ``after_seq`` (keyset pagination on ``seq``)."""
    async with conn.cursor(row_factory=class_row(CustomerView)) as cur:
        await cur.execute(
            f"SELECT {_COLUMNS} FROM customer_directory WHERE seq > %s ORDER BY seq LIMIT %s",
            (after_seq, first + 1),
        )
        rows = await cur.fetchall()
    count_row = await (await conn.execute("SELECT count(*) FROM customer_directory")).fetchone()
    total = int(count_row[0]) if count_row else 0
    return CustomerPage(items=rows[:first], has_next_page=len(rows) > first, total_count=total)
