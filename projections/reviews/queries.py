"""What the API reads of reviews: a product's published reviews page by page, its rating
figures, one review, the reviews waiting for a moderator, and a customer's orders of a
product."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from psycopg.rows import class_row

from domain.review.values import MAX_RATING, MAX_VERIFYING_ORDERS, MIN_RATING, ReviewStatus


@dataclass(frozen=True, slots=True)
class ReviewView:
    review_id: UUID
    seq: int
    sku: str
    customer_id: UUID
    rating: int
    title: str | None
    body: str | None
    shown_name: str | None
    verified_order_id: str | None
    status: str
    reason: str | None
    written_at: datetime
    edited_at: datetime | None


@dataclass(frozen=True, slots=True)
class ReviewPage:
    items: list[ReviewView]
    has_next_page: bool


@dataclass(frozen=True, slots=True)
class RatingView:
    """A product's published ratings: how many, their mean (None: none yet), and how many
    of each star, 1 to 5."""

    count: int
    average: float | None
    distribution: list[int]


_COLUMNS = """review_id, seq, sku, customer_id, rating, title, body, shown_name,
    verified_order_id, status, reason, written_at, edited_at"""


async def _reviews(
    conn: AsyncConnection[Any], sql: str, params: dict[str, Any]
) -> list[ReviewView]:
    async with conn.cursor(row_factory=class_row(ReviewView)) as cur:
        await cur.execute(sql, params)
        return await cur.fetchall()


async def review_by_id(conn: AsyncConnection[Any], review_id: UUID) -> ReviewView | None:
    rows = await _reviews(
        conn, f"SELECT {_COLUMNS} FROM product_reviews WHERE review_id = %(id)s", {"id": review_id}
    )
    return rows[0] if rows else None


async def reviews_page(
    conn: AsyncConnection[Any],
    *,
    status: ReviewStatus,
    sku: str | None,
    size: int,
    cursor: int | None,
    backward: bool,
) -> ReviewPage:
    """Reviews in ``status`` (of ``sku``, or of every product), in the order they were first
    written: the ``size`` after ``cursor`` or, ``backward``, the ``size`` just before it
    (None: the last ones), still in that order; ``has_next_page``: more lie in the direction
    read."""
    conditions = ["status = %(status)s"]
    if sku is not None:
        conditions.append("sku = %(sku)s")
    if cursor is not None:
        conditions.append("seq < %(cursor)s" if backward else "seq > %(cursor)s")
    # ``conditions`` and the order are this module's own fragments, never input.
    sql = (
        f"SELECT {_COLUMNS} FROM product_reviews WHERE {' AND '.join(conditions)}"
        f" ORDER BY seq {'DESC' if backward else 'ASC'} LIMIT %(limit)s"
    )
    params = {"status": status.value, "sku": sku, "cursor": cursor, "limit": size + 1}
    rows = await _reviews(conn, sql, params)
    items = rows[:size]
    return ReviewPage(items[::-1] if backward else items, len(rows) > size)


async def product_rating(conn: AsyncConnection[Any], sku: str) -> RatingView:
    async with conn.cursor() as cur:
        await cur.execute(
            "SELECT rating, count(*)::int FROM product_reviews"
            " WHERE sku = %s AND status = %s GROUP BY rating",
            (sku, ReviewStatus.PUBLISHED.value),
        )
        counts = dict(await cur.fetchall())
    distribution = [counts.get(stars, 0) for stars in range(MIN_RATING, MAX_RATING + 1)]
    count = sum(distribution)
    stars = range(MIN_RATING, MAX_RATING + 1)
    total = sum(star * n for star, n in zip(stars, distribution, strict=True))
    return RatingView(count, round(total / count, 2) if count else None, distribution)


async def orders_holding(conn: AsyncConnection[Any], customer_id: UUID, sku: str) -> list[str]:
    """The customer's order ids that hold ``sku`` (as many as the command reads)."""
    async with conn.cursor() as cur:
        await cur.execute(
            "SELECT order_id FROM review_order_skus WHERE customer_id = %s AND sku = %s"
            " ORDER BY order_id LIMIT %s",
            (customer_id, sku, MAX_VERIFYING_ORDERS),
        )
        return [row[0] for row in await cur.fetchall()]
