"""The WHERE clause of a dashboard filter, for responses or for invitations.

Only the filter's set fields become terms, so each query can use the index of its filter:
responses by (survey_id | region | channel | product_version | tier, responded_at) and responded_at,
invitations likewise by issued_at. Column names here are literals, values are parameters.
"""

from __future__ import annotations

from typing import Any, Literal

from projections.surveys.views import DashboardFilter

Table = Literal["responses", "invitations"]

_ALIAS = {"responses": ("r", "responded_at"), "invitations": ("i", "issued_at")}


def condition(f: DashboardFilter, table: Table) -> tuple[str, dict[str, Any]]:
    """(SQL condition on alias ``r`` or ``i``, its parameters) for ``f``."""
    alias, moment = _ALIAS[table]
    checks = {
        f"{alias}.survey_id = %(survey_id)s": f.survey_id,
        f"{alias}.{moment} >= %(since)s": f.since,
        f"{alias}.{moment} < %(until)s": f.until,
        f"{alias}.region = %(region)s": f.region,
        f"{alias}.channel = %(channel)s": f.channel,
        f"{alias}.product_version = %(product_version)s": f.product_version,
        f"{alias}.tier = %(tier)s": f.tier,
    }
    terms = [term for term, value in checks.items() if value is not None]
    params = {
        "survey_id": f.survey_id,
        "since": f.since,
        "until": f.until,
        "region": f.region,
        "channel": f.channel,
        "product_version": f.product_version,
        "tier": f.tier,
    }
    return " AND ".join(terms) or "true", params
