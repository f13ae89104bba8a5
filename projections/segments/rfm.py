"""RFM quintiles over the customer base, in one statement.

Each customer who has bought is ranked three ways (the latest purchase and the number of
purchases among all who have bought; the money spent among those who buy in the same main
currency), and ``ntile(5)`` cuts each ranking into quintiles: 5 is the most recent, most
frequent, biggest spender. Amounts in different currencies are never added or compared (there
is no exchange rate here): a customer's main currency is the one of most of their purchases
(ties: the larger spend, then the currency code), and only their spend in it ranks them. Ties
are split by customer id, so the same facts always give the same scores. Customers who never
bought have none."""

from __future__ import annotations

from typing import Any

from psycopg import Cursor

RECOMPUTE = """
    UPDATE segment_facts f
    SET recency = r.recency, frequency = r.frequency, monetary = r.monetary
    FROM (
        SELECT b.customer_id,
            ntile(5) OVER (ORDER BY b.last_purchase_at, b.customer_id) AS recency,
            ntile(5) OVER (ORDER BY b.purchases, b.customer_id) AS frequency,
            ntile(5) OVER (PARTITION BY m.currency ORDER BY m.amount_minor, b.customer_id)
                AS monetary
        FROM segment_facts b
        JOIN (
            SELECT DISTINCT ON (customer_id) customer_id, currency, amount_minor
            FROM segment_spend
            ORDER BY customer_id, purchases DESC, amount_minor DESC, currency
        ) m ON m.customer_id = b.customer_id
        WHERE b.purchases > 0
    ) r
    WHERE f.customer_id = r.customer_id
      AND (f.recency, f.frequency, f.monetary)
          IS DISTINCT FROM (r.recency::smallint, r.frequency::smallint, r.monetary::smallint)
"""


def recompute_quintiles(cursor: Cursor[Any]) -> None:
    cursor.execute(RECOMPUTE)
