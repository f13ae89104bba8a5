"""Events -> the order tracking read model.

Steps are keyed by log position (ON CONFLICT DO NOTHING) and the order's row changes only past
its ``last_seq``, so applying an event a second time leaves every row as it was.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import Cursor
from psycopg.types.json import Jsonb

from domain.fulfilment.model import TrackedOrder
from domain.fulfilment.values import FulfilmentStep
from domain.privacy.erasure import ErasureRequest
from projections.base import Projection, handles
from projections.erasure import erased_subjects
from projections.orders.schema import DDL, TABLES

_STEP = """
    INSERT INTO tracked_order_steps (seq, order_id, step, at, carrier, tracking_number)
    VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (seq) DO NOTHING
"""


class OrderTracking(Projection):
    """Tracked orders and their timelines."""

    name = "order_tracking"
    tables = TABLES
    ddl = DDL
    erasure_purges = TABLES

    def __init__(self) -> None:
        self._orders: dict[UUID, str] = {}

    @handles(TrackedOrder.Placed)
    def placed(self, cursor: Cursor[Any], event: TrackedOrder.Placed, position: int) -> None:
        cursor.execute(
            """
            INSERT INTO tracked_orders (order_id, stream_id, customer_id, status, lines,
                placed_at, last_seq)
            VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (order_id) DO NOTHING
            """,
            (event.order_id, event.originator_id, event.customer_id,
             FulfilmentStep.PLACED.value, Jsonb(event.lines), event.at, position),
        )  # fmt: skip
        cursor.execute(
            _STEP, (position, event.order_id, FulfilmentStep.PLACED.value, event.at, None, None)
        )
        self._orders[event.originator_id] = event.order_id

    @handles(TrackedOrder.Stepped)
    def stepped(self, cursor: Cursor[Any], event: TrackedOrder.Stepped, position: int) -> None:
        order_id = self._order_of(cursor, event)
        tracking = None if event.tracking_number is None else event.tracking_number.value
        cursor.execute(_STEP, (position, order_id, event.step, event.at, event.carrier, tracking))
        shipment = (
            ", carrier = %(carrier)s, tracking_number = %(tracking)s,"
            " estimated_delivery = %(estimate)s"
            if event.carrier is not None
            else ""
        )
        # ``shipment`` is this module's own fragment, never input.
        cursor.execute(
            f"UPDATE tracked_orders SET status = %(step)s, last_seq = %(seq)s{shipment}"
            " WHERE order_id = %(order)s AND last_seq < %(seq)s",
            {
                "step": event.step,
                "seq": position,
                "order": order_id,
                "carrier": event.carrier,
                "tracking": tracking,
                "estimate": event.estimated_delivery,
            },
        )

    @handles(ErasureRequest.Completed)
    def erasure_completed(
        self, cursor: Cursor[Any], event: ErasureRequest.Completed, _: int
    ) -> None:
        """An erased customer's tracking numbers go; the steps, times and carriers stay."""
        subjects = erased_subjects(event)
        cursor.execute(
            "UPDATE tracked_order_steps s SET tracking_number = NULL FROM tracked_orders o"
            " WHERE s.order_id = o.order_id AND o.customer_id = ANY(%s)"
            " AND s.tracking_number IS NOT NULL",
            (subjects,),
        )
        cursor.execute(
            "UPDATE tracked_orders SET tracking_number = NULL"
            " WHERE customer_id = ANY(%s) AND tracking_number IS NOT NULL",
            (subjects,),
        )

    def _order_of(self, cursor: Cursor[Any], event: TrackedOrder.Stepped) -> str:
        """The shop's order id of a stream (a never-changing pair, so it is cached)."""
        order_id = self._orders.get(event.originator_id)
        if order_id is None:
            cursor.execute(
                "SELECT order_id FROM tracked_orders WHERE stream_id = %s", (event.originator_id,)
            )
            row = cursor.fetchone()
            if row is None:  # every step follows its order's placing in the log
                raise LookupError(f"no tracked order {event.originator_id}")
            order_id = self._orders[event.originator_id] = row[0]
        return order_id
