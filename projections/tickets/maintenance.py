"""What the SLA check in the worker asks the read model: which tickets may have a breach to
record.

A candidate has a clock not yet recorded as breached that had breached by its latest event, or
still runs and began to breach before ``at``. The check then acts through the ledger's
command, which decides from the aggregate itself; a lagging read model can only delay a breach
to the next run, never record a wrong one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import Connection

# One arm per clock, each written to match its partial index (see schema.py).
_DUE = """
    SELECT ticket_id FROM tickets
    WHERE NOT ('first_response' = ANY(breaches))
      AND (first_response_breached OR first_response_breaching_at IS NOT NULL)
      AND (first_response_breached OR first_response_breaching_at < %(at)s)
    UNION
    SELECT ticket_id FROM tickets
    WHERE NOT ('resolution' = ANY(breaches))
      AND (resolution_breached OR resolution_breaching_at IS NOT NULL)
      AND (resolution_breached OR resolution_breaching_at < %(at)s)
    ORDER BY ticket_id
    LIMIT %(limit)s
"""


def tickets_due_for_breach_check(conn: Connection[Any], at: datetime, limit: int) -> list[UUID]:
    """Tickets with a clock past its target at ``at`` whose breach is not yet recorded."""
    rows = conn.execute(_DUE, {"at": at, "limit": limit}).fetchall()
    return [row[0] for row in rows]
