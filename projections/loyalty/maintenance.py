"""What the loyalty jobs in the worker ask the read model: which accounts need attention.

The jobs then act through the ledger's commands, which decide from the aggregate itself; a
lagging read model can only delay a job's work to its next run, never make it wrong.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import Connection

from domain.loyalty.values import TIER_WINDOW, TIERS


def customers_due_for_expiry(conn: Connection[Any], at: datetime, limit: int) -> list[UUID]:
    """Members holding points whose expiry has come."""
    rows = conn.execute(
        """
        SELECT DISTINCT customer_id FROM loyalty_lots
        WHERE remaining > 0 AND expires_at <= %s
        ORDER BY customer_id LIMIT %s
        """,
        (at, limit),
    ).fetchall()
    return [row[0] for row in rows]


def customers_due_for_tier_review(conn: Connection[Any], at: datetime, limit: int) -> list[UUID]:
    """Members above the lowest tier whose trailing-window points no longer hold it."""
    thresholds = {t.tier.value: t.threshold for t in TIERS}
    rows = conn.execute(
        """
        SELECT a.customer_id FROM loyalty_accounts a
        WHERE a.tier <> 'bronze'
          AND (SELECT coalesce(sum(greatest(l.points - l.clawed, 0)), 0) FROM loyalty_lots l
               WHERE l.customer_id = a.customer_id AND l.qualifying
                 AND l.earned_at > %(since)s AND l.earned_at <= %(at)s)
              < (%(thresholds)s::jsonb ->> a.tier)::int
        ORDER BY a.customer_id LIMIT %(limit)s
        """,
        {
            "since": at - TIER_WINDOW,
            "at": at,
            "thresholds": json.dumps(thresholds),
            "limit": limit,
        },
    ).fetchall()
    return [row[0] for row in rows]
