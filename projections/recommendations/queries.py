"""Typed reads of the product affinity read model: a customer's recommendations.

A candidate is a product bought together with one of the customer's products (an *anchor*)
by at least ``MIN_SUPPORT`` customers, that the customer has not bought. Its score is

    score(c) = w(c) * sum over anchors a of  n(a, c) / sqrt(buyers(a) * buyers(c))

where ``n(a, c)`` counts the customers who bought both and ``buyers`` those who bought each:
the cosine similarity of the two products' buyer sets, so that a product everyone buys does
not top every list. ``w(c)`` is the customer's own latest score (1-5) on the survey aspect
named like the candidate's category, divided by 3 (1 -> 0.33, 3 -> 1, 5 -> 1.67), or 1 when
they never scored that aspect. Each anchor's term is rounded to 12 decimals (then summed
exactly, as numeric) and the score to 6, so the order never depends on the order of a
floating-point sum. Ties go to the larger ``n`` of the best anchor, then to the
sku. The explanation names the anchor with the largest ``n`` (then the smaller sku).

``MIN_SUPPORT`` is a privacy floor: with 2 or more co-buyers (never the customer, who has not
bought the candidate), no recommendation reveals what one other person bought.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection, Connection
from psycopg.rows import class_row

MIN_SUPPORT = 2
MAX_RECOMMENDATIONS = 20
ASPECT_NEUTRAL = 3

_RECOMMENDATIONS = """
    WITH owned AS (
        SELECT sku FROM affinity_purchases WHERE customer_id = %(customer)s
    ), links AS (
        SELECT p.other_sku AS sku, p.customers AS together,
            round((p.customers / sqrt(a.customers::float8))::numeric, 12) AS part
        FROM owned o
        JOIN affinity_products a ON a.sku = o.sku
        JOIN affinity_pairs p ON p.sku = o.sku
        WHERE p.customers >= %(support)s AND p.other_sku NOT IN (SELECT sku FROM owned)
    ), candidates AS (
        SELECT sku, sum(part) AS parts, max(together) AS together FROM links GROUP BY sku
    ), ranked AS (
        SELECT c.sku, pr.category, c.together, s.score AS aspect_score,
            round((c.parts::float8 / sqrt(pr.customers::float8)
                   * coalesce(s.score / %(neutral)s::float8, 1))::numeric, 6) AS score
        FROM candidates c
        JOIN affinity_products pr ON pr.sku = c.sku
        LEFT JOIN affinity_aspects s ON s.customer_id = %(customer)s AND s.aspect = pr.category
        ORDER BY score DESC, c.together DESC, c.sku
        LIMIT %(first)s
    )
    SELECT r.sku, r.category, r.score::float8 AS score, r.together, anchor.sku AS bought_with,
        r.aspect_score
    FROM ranked r, LATERAL (
        SELECT p.sku FROM affinity_pairs p
        WHERE p.other_sku = r.sku AND p.sku IN (SELECT sku FROM owned)
        ORDER BY p.customers DESC, p.sku LIMIT 1
    ) AS anchor
    ORDER BY r.score DESC, r.together DESC, r.sku
"""


@dataclass(frozen=True, slots=True)
class Recommendation:
    """A product for the customer, why, and how strongly."""

    sku: str
    category: str | None
    score: float
    together: int
    """How many customers bought ``bought_with`` and this product (at least MIN_SUPPORT)."""
    bought_with: str
    """The customer's own product that most customers bought with this one."""
    aspect_score: int | None
    """The customer's latest score on the aspect named like the category, if any."""

    @property
    def explanation(self) -> str:
        return f"bought with {self.bought_with} by {self.together} customers"


def _parameters(customer_id: UUID, first: int) -> dict[str, Any]:
    if not 1 <= first <= MAX_RECOMMENDATIONS:
        raise ValueError(f"first must be between 1 and {MAX_RECOMMENDATIONS}")
    return {
        "customer": customer_id,
        "support": MIN_SUPPORT,
        "neutral": ASPECT_NEUTRAL,
        "first": first,
    }


async def recommendations_for(
    conn: AsyncConnection[Any], customer_id: UUID, first: int
) -> list[Recommendation]:
    """The customer's best ``first`` recommendations (1..MAX_RECOMMENDATIONS), best first."""
    async with conn.cursor(row_factory=class_row(Recommendation)) as cur:
        await cur.execute(_RECOMMENDATIONS, _parameters(customer_id, first))
        return await cur.fetchall()


def top_recommendation(conn: Connection[Any], customer_id: UUID) -> Recommendation | None:
    """The customer's best recommendation, or None: for a campaign's ``{recommended_product}``
    (synchronous, for process managers and jobs)."""
    with conn.cursor(row_factory=class_row(Recommendation)) as cur:
        cur.execute(_RECOMMENDATIONS, _parameters(customer_id, 1))
        return cur.fetchone()
