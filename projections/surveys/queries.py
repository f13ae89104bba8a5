"""Typed reads of the survey read model: every query the API and the dashboard use.

The queries live in a few modules by concern; this one is the single place to import from.
"""

from __future__ import annotations

from projections.surveys.catalog_queries import (
    customer_responses,
    customer_responses_newer,
    latest_nps_categories,
    latest_nps_category,
    survey_by_id,
    surveys_page,
    surveys_page_before,
)
from projections.surveys.comment_queries import MAX_RECENT_COMMENTS, RecentComment, recent_comments
from projections.surveys.dashboard_queries import (
    UnknownTimeZoneError,
    aspect_figures,
    breakdown,
    compare_versions,
    dashboard,
    trend,
)
from projections.surveys.insight_queries import feedback_insight

__all__ = [
    "MAX_RECENT_COMMENTS",
    "RecentComment",
    "UnknownTimeZoneError",
    "aspect_figures",
    "breakdown",
    "compare_versions",
    "customer_responses",
    "customer_responses_newer",
    "dashboard",
    "feedback_insight",
    "latest_nps_categories",
    "latest_nps_category",
    "recent_comments",
    "survey_by_id",
    "surveys_page",
    "surveys_page_before",
    "trend",
]
