"""A batch's purchases and aspect scores, written with four set-based statements.

Co-occurrence is kept incrementally: a product new to a customer adds one to the pair of it
with each product the customer had before, and with each other product new to them in the
same batch. One statement does it: its ``fresh`` step inserts the batch's (customer, product)
rows that were not there yet, and its other steps read ``affinity_purchases`` as it was
before the statement (all steps of a statement share one snapshot), so "had before" and
"new" never overlap. A product bought again adds nothing, so applying a batch twice (a
parked event retried) changes no count, and the counts do not depend on how the log is cut
into batches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from psycopg import Cursor

_PRODUCTS = """
    INSERT INTO affinity_products (sku, category)
    SELECT sku, category FROM unnest(%b::text[], %b::text[]) AS t(sku, category)
    ORDER BY sku
    ON CONFLICT (sku) DO UPDATE
        SET category = coalesce(excluded.category, affinity_products.category)
"""

_PAIRS = """
    WITH incoming AS (
        SELECT DISTINCT customer_id, sku
        FROM unnest(%b::uuid[], %b::text[]) AS t(customer_id, sku)
    ), fresh AS (
        INSERT INTO affinity_purchases (customer_id, sku)
        SELECT customer_id, sku FROM incoming ORDER BY customer_id, sku
        ON CONFLICT DO NOTHING
        RETURNING customer_id, sku
    ), buyers AS (
        UPDATE affinity_products p SET customers = p.customers + f.n
        FROM (SELECT sku, count(*) AS n FROM fresh GROUP BY sku) f
        WHERE p.sku = f.sku
    ), pairs AS (
        SELECT f.sku, o.sku AS other_sku
        FROM fresh f JOIN affinity_purchases o USING (customer_id)
        UNION ALL
        SELECT o.sku, f.sku
        FROM fresh f JOIN affinity_purchases o USING (customer_id)
        UNION ALL
        SELECT a.sku, b.sku
        FROM fresh a JOIN fresh b USING (customer_id) WHERE a.sku <> b.sku
    )
    INSERT INTO affinity_pairs (sku, other_sku, customers)
    SELECT sku, other_sku, count(*) FROM pairs GROUP BY sku, other_sku ORDER BY sku, other_sku
    ON CONFLICT (sku, other_sku) DO UPDATE
        SET customers = affinity_pairs.customers + excluded.customers
"""

_ASPECTS = """
    INSERT INTO affinity_aspects (customer_id, aspect, score, last_seq)
    SELECT * FROM unnest(%b::uuid[], %b::text[], %b::smallint[], %b::bigint[])
    ON CONFLICT (customer_id, aspect) DO UPDATE
        SET score = excluded.score, last_seq = excluded.last_seq
        WHERE affinity_aspects.last_seq < excluded.last_seq
"""


@dataclass
class AffinityChanges:
    """What a run of folded purchases and survey answers does to the read model."""

    bought: set[tuple[UUID, str]] = field(default_factory=set)
    categories: dict[str, str | None] = field(default_factory=dict)
    """Per sku, the last category the batch gave it (None: the batch never named one)."""
    aspects: dict[tuple[UUID, str], tuple[int, int]] = field(default_factory=dict)
    """Per (customer, aspect), the latest (score, position): a later answer replaces it."""

    def add_line(self, customer_id: UUID, sku: str, category: str | None) -> None:
        self.bought.add((customer_id, sku))
        if category is not None or sku not in self.categories:
            self.categories[sku] = category

    def add_aspect(self, customer_id: UUID, aspect: str, score: int, position: int) -> None:
        self.aspects[(customer_id, aspect)] = (score, position)

    def write(self, cursor: Cursor[Any]) -> None:
        if self.bought:
            skus = sorted(self.categories)
            cursor.execute(_PRODUCTS, (skus, [self.categories[s] for s in skus]))
            rows = sorted(self.bought)
            cursor.execute(_PAIRS, ([c for c, _ in rows], [s for _, s in rows]))
        if self.aspects:
            keys = sorted(self.aspects)
            cursor.execute(
                _ASPECTS,
                (
                    [c for c, _ in keys],
                    [a for _, a in keys],
                    [self.aspects[k][0] for k in keys],
                    [self.aspects[k][1] for k in keys],
                ),
            )
