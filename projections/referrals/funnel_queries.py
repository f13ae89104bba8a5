"""The funnel over a period, its trend per day, week or month, and the top referrers.

Invitations count by when they were sent; the later stages follow the cohort of conversions
made in the period (see `FunnelFigures`). Both are one set-based statement each, on indexed
times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from psycopg import AsyncConnection
from psycopg.rows import class_row

from projections.referrals.views import (
    FunnelBucket,
    FunnelFigures,
    Granularity,
    TopReferrerView,
)

_UNITS = frozenset({"day", "week", "month"})


class UnknownTimeZoneError(ValueError):
    """The trend was asked for in a time zone that the IANA database does not know."""


class UnknownGranularityError(ValueError):
    """The trend was asked per something other than day, week or month."""


@dataclass(frozen=True, slots=True)
class _Cohort:
    registered: int = 0
    qualified: int = 0
    rewarded: int = 0
    reversed: int = 0
    flagged: int = 0


_COHORT_COUNTS = """
    count(*)::bigint AS registered,
    count(*) FILTER (WHERE qualified_at IS NOT NULL)::bigint AS qualified,
    count(*) FILTER (WHERE rewarded_at IS NOT NULL)::bigint AS rewarded,
    count(*) FILTER (WHERE reversed_at IS NOT NULL)::bigint AS reversed,
    count(*) FILTER (WHERE cardinality(flags) > 0)::bigint AS flagged
"""

_INVITED = """
    SELECT count(*)::bigint FROM referral_invitations
    WHERE invited_at >= %(since)s AND invited_at < %(until)s
"""

_COHORT = f"""
    SELECT {_COHORT_COUNTS} FROM referral_referrals
    WHERE converted_at >= %(since)s AND converted_at < %(until)s
"""

_INVITED_BY_PERIOD = """
    SELECT date_trunc(%(unit)s, invited_at, %(zone)s) AS start, count(*)::bigint
    FROM referral_invitations
    WHERE invited_at >= %(since)s AND invited_at < %(until)s
    GROUP BY 1
"""

_COHORT_BY_PERIOD = f"""
    SELECT date_trunc(%(unit)s, converted_at, %(zone)s) AS start, {_COHORT_COUNTS}
    FROM referral_referrals
    WHERE converted_at >= %(since)s AND converted_at < %(until)s
    GROUP BY 1
"""

_TOP = """
    SELECT referrer_id, count(*)::int AS conversions,
        count(*) FILTER (WHERE qualified_at IS NOT NULL)::int AS qualified,
        count(*) FILTER (WHERE rewarded_at IS NOT NULL)::int AS rewarded,
        count(*) FILTER (WHERE reversed_at IS NOT NULL)::int AS reversed,
        coalesce(sum(referrer_points) FILTER (WHERE reversed_at IS NULL), 0)::bigint
            AS points_earned
    FROM referral_referrals
    WHERE converted_at >= %(since)s AND converted_at < %(until)s
    GROUP BY referrer_id
    ORDER BY conversions DESC, qualified DESC, rewarded DESC, referrer_id
    LIMIT %(limit)s
"""


async def funnel(conn: AsyncConnection[Any], since: datetime, until: datetime) -> FunnelFigures:
    """The funnel of invitations sent and conversions made in [since, until)."""
    params = {"since": since, "until": until}
    async with conn.cursor() as cur:
        await cur.execute(_INVITED, params)
        row = await cur.fetchone()
        invited = int(row[0]) if row else 0
    async with conn.cursor(row_factory=class_row(_Cohort)) as cur:
        await cur.execute(_COHORT, params)
        cohort = await cur.fetchone() or _Cohort()
    return figures(invited, cohort)


async def funnel_trend(
    conn: AsyncConnection[Any],
    since: datetime,
    until: datetime,
    granularity: Granularity,
    time_zone: str,
) -> list[FunnelBucket]:
    """The funnel per day, week (from Monday) or month of ``time_zone`` within [since, until),
    oldest first; periods with neither invitations nor conversions are left out. The first and
    last periods count only what falls inside [since, until)."""
    zone = _zone(time_zone)
    if granularity not in _UNITS:
        raise UnknownGranularityError(f"unknown granularity {granularity!r}")
    params = {"since": since, "until": until, "unit": granularity, "zone": zone.key}
    async with conn.cursor() as cur:
        await cur.execute(_INVITED_BY_PERIOD, params)
        invited: dict[datetime, int] = {start: n for start, n in await cur.fetchall()}
    async with conn.cursor() as cur:
        await cur.execute(_COHORT_BY_PERIOD, params)
        cohorts = {row[0]: _Cohort(*row[1:]) for row in await cur.fetchall()}
    return [
        FunnelBucket(start.astimezone(zone), figures(invited.get(start, 0), cohorts.get(start)))
        for start in sorted(invited.keys() | cohorts.keys())
    ]


async def top_referrers(
    conn: AsyncConnection[Any], since: datetime, until: datetime, limit: int
) -> list[TopReferrerView]:
    """Referrers by conversions made in [since, until) (then qualified, rewarded), at most
    ``limit`` of them."""
    async with conn.cursor(row_factory=class_row(TopReferrerView)) as cur:
        await cur.execute(_TOP, {"since": since, "until": until, "limit": max(limit, 0)})
        return await cur.fetchall()


def figures(invited: int, cohort: _Cohort | None) -> FunnelFigures:
    c = cohort or _Cohort()
    return FunnelFigures(
        invited=invited,
        registered=c.registered,
        qualified=c.qualified,
        rewarded=c.rewarded,
        reversed=c.reversed,
        flagged=c.flagged,
        registration_rate=_rate(c.registered, invited),
        qualification_rate=_rate(c.qualified, c.registered),
        reward_rate=_rate(c.rewarded, c.registered),
    )


def _rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else part * 100.0 / whole


def _zone(time_zone: str) -> ZoneInfo:
    try:
        return ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise UnknownTimeZoneError(f"unknown time zone {time_zone!r}") from None
