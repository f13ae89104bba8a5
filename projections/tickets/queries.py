"""Typed reads of the ticket read model: every query the API uses.

The queries live in a few modules by concern; this one is the single place to import from.
Each takes an async psycopg connection; ``at`` is the instant SLA figures are computed for.
"""

from __future__ import annotations

from projections.tickets.metrics_queries import service_metrics
from projections.tickets.ticket_queries import (
    agent_queue,
    customer_tickets,
    ticket_by_id,
    tickets_by_ids,
    tickets_page,
    tickets_page_newer,
)
from projections.tickets.timeline_queries import timeline

__all__ = [
    "agent_queue",
    "customer_tickets",
    "service_metrics",
    "ticket_by_id",
    "tickets_by_ids",
    "tickets_page",
    "tickets_page_newer",
    "timeline",
]
