"""RFM quintiles over the customer base, in one statement.

Each customer who has bought is ranked three ways among all who have (the latest purchase,
the number of purchases, the money spent), and ``ntile(5)`` cuts each ranking into quintiles:
5 is the most recent, most frequent, biggest spender. Ties are split by customer id, so the
same facts always give the same scores. Customers who never bought have none."""

from __future__ import annotations

from typing import Any

from psycopg import Cursor

RECOMPUTE = """
    UPDATE segment_facts f
    SET recency = r.recency, frequency = r.frequency, monetary = r.monetary
    FROM (
        SELECT customer_id,
            ntile(5) OVER (ORDER BY last_purchase_at, customer_id) AS recency,
            ntile(5) OVER (ORDER BY purchases, customer_id) AS frequency,
            ntile(5) OVER (ORDER BY monetary_minor, customer_id) AS monetary
        FROM segment_facts WHERE purchases > 0
    ) r
    WHERE f.customer_id = r.customer_id
      AND (f.recency, f.frequency, f.monetary)
          IS DISTINCT FROM (r.recency::smallint, r.frequency::smallint, r.monetary::smallint)
"""


def recompute_quintiles(cursor: Cursor[Any]) -> None:
    cursor.execute(RECOMPUTE)
