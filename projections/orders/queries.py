"""What the API reads of a tracked order: its row and its timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from psycopg.rows import class_row


@dataclass(frozen=True, slots=True)
class StepView:
    step: str
    at: datetime
    carrier: str | None
    tracking_number: str | None


@dataclass(frozen=True, slots=True)
class TrackedOrderView:
    order_id: str
    customer_id: UUID
    status: str
    lines: list[dict[str, Any]]
    carrier: str | None
    tracking_number: str | None
    estimated_delivery: datetime | None
    placed_at: datetime
    timeline: list[StepView]


@dataclass(frozen=True, slots=True)
class _Row:
    order_id: str
    customer_id: UUID
    status: str
    lines: list[dict[str, Any]]
    carrier: str | None
    tracking_number: str | None
    estimated_delivery: datetime | None
    placed_at: datetime


async def tracked_order(conn: AsyncConnection[Any], order_id: str) -> TrackedOrderView | None:
    async with conn.cursor(row_factory=class_row(_Row)) as cur:
        await cur.execute(
            "SELECT order_id, customer_id, status, lines, carrier, tracking_number,"
            " estimated_delivery, placed_at FROM tracked_orders WHERE order_id = %s",
            (order_id,),
        )
        row = await cur.fetchone()
    if row is None:
        return None
    async with conn.cursor(row_factory=class_row(StepView)) as cur:
        await cur.execute(
            "SELECT step, at, carrier, tracking_number FROM tracked_order_steps"
            " WHERE order_id = %s ORDER BY seq",
            (order_id,),
        )
        steps = await cur.fetchall()
    return TrackedOrderView(
        row.order_id, row.customer_id, row.status, row.lines, row.carrier, row.tracking_number,
        row.estimated_delivery, row.placed_at, steps,
    )  # fmt: skip
