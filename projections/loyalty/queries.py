"""Typed reads of the loyalty read model: every query the API uses.

The queries live in a few modules by concern; this one is the single place to import from.
"""

from __future__ import annotations

from projections.loyalty.catalog_queries import (
    earning_rules,
    program_terms,
    reward_by_id,
    rewards_page,
    rewards_page_before,
)
from projections.loyalty.metrics_queries import program_metrics
from projections.loyalty.statement_queries import (
    account_view,
    account_views,
    balance_as_of,
    tier_history,
    transactions_page,
    transactions_page_newer,
    upcoming_expiries,
)

__all__ = [
    "account_view",
    "account_views",
    "balance_as_of",
    "earning_rules",
    "program_metrics",
    "program_terms",
    "reward_by_id",
    "rewards_page",
    "rewards_page_before",
    "tier_history",
    "transactions_page",
    "transactions_page_newer",
    "upcoming_expiries",
]
