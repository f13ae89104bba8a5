"""Typed reads of the referral funnel read model: every query the API uses.

The queries live in a few modules by concern; this one is the single place to import from.
"""

from __future__ import annotations

from projections.referrals.funnel_queries import (
    UnknownGranularityError,
    UnknownTimeZoneError,
    funnel,
    funnel_trend,
    top_referrers,
)
from projections.referrals.referrer_queries import (
    invitations_of,
    invitations_of_newer,
    referral_of_friend,
    referrals_by_ids,
    referrals_of,
    referrals_of_friends,
    referrals_of_newer,
    referrer_view,
    referrer_views,
)

__all__ = [
    "UnknownGranularityError",
    "UnknownTimeZoneError",
    "funnel",
    "funnel_trend",
    "invitations_of",
    "invitations_of_newer",
    "referral_of_friend",
    "referrals_by_ids",
    "referrals_of",
    "referrals_of_friends",
    "referrals_of_newer",
    "referrer_view",
    "referrer_views",
    "top_referrers",
]
