"""One customer's side of referrals: their code and totals, the friends they referred, the
invitations they sent, and (for a friend) the referral that brought them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from psycopg.rows import class_row

from projections.referrals.views import (
    InvitationPage,
    InvitationView,
    ReferralPage,
    ReferralView,
    ReferrerView,
)

_NO_CURSOR = 2**63 - 1

_REFERRER = """
    SELECT r.customer_id, r.code, r.code_expires_at, r.revoked, r.issued_at,
        (SELECT count(*) FROM referral_invitations i
            WHERE i.referrer_id = r.customer_id)::int AS invitations_sent,
        count(f.referral_id)::int AS conversions,
        count(f.qualified_at)::int AS qualified,
        count(f.rewarded_at)::int AS rewarded,
        count(f.reversed_at)::int AS reversed,
        coalesce(sum(f.referrer_points) FILTER (WHERE f.reversed_at IS NULL), 0)::bigint
            AS points_earned
    FROM referral_referrers r
    LEFT JOIN referral_referrals f ON f.referrer_id = r.customer_id
    WHERE r.customer_id = ANY(%s)
    GROUP BY r.customer_id
"""

_REFERRAL_COLUMNS = """
    seq, referral_id, referrer_id, friend_id, code, converted_at, qualified_at,
    qualifying_order_id, rewarded_at, referrer_points, friend_points, reversed_at,
    reversal_rule, flags
"""

_REFERRALS = f"""
    SELECT {_REFERRAL_COLUMNS} FROM referral_referrals
    WHERE referrer_id = %(referrer)s AND seq < %(before)s
    ORDER BY seq DESC LIMIT %(limit)s
"""

_REFERRALS_OF_FRIENDS = (
    f"SELECT {_REFERRAL_COLUMNS} FROM referral_referrals WHERE friend_id = ANY(%s)"
)

_INVITATIONS = """
    SELECT seq, referrer_id, invitee_id, email, invited_at,
        converted_friend_id IS NOT NULL AS converted
    FROM referral_invitations
    WHERE referrer_id = %(referrer)s AND seq < %(before)s
    ORDER BY seq DESC LIMIT %(limit)s
"""


# The same rows read oldest first: those just newer than a cursor, for paging back.
_REFERRALS_NEWER = _REFERRALS.replace("seq < %(before)s", "seq > %(after)s").replace(
    "ORDER BY seq DESC", "ORDER BY seq"
)
_INVITATIONS_NEWER = _INVITATIONS.replace("seq < %(before)s", "seq > %(after)s").replace(
    "ORDER BY seq DESC", "ORDER BY seq"
)


async def referrer_view(conn: AsyncConnection[Any], customer_id: UUID) -> ReferrerView | None:
    """The customer's code and referral totals; None if they never had a code."""
    return (await referrer_views(conn, [customer_id])).get(customer_id)


async def referrer_views(
    conn: AsyncConnection[Any], customer_ids: Sequence[UUID]
) -> dict[UUID, ReferrerView]:
    """The referrer views of those of ``customer_ids`` who had a code, in one query."""
    async with conn.cursor(row_factory=class_row(ReferrerView)) as cur:
        await cur.execute(_REFERRER, (list(customer_ids),))
        return {view.customer_id: view for view in await cur.fetchall()}


async def referrals_of(
    conn: AsyncConnection[Any], referrer_id: UUID, first: int, after_seq: int | None = None
) -> ReferralPage:
    """The friends ``referrer_id`` (a customer id) referred, newest first: ``first`` of them
    after the cursor ``after_seq`` (the last ``seq`` of the previous page)."""
    params = _page(referrer_id, first, after_seq)
    async with conn.cursor(row_factory=class_row(ReferralView)) as cur:
        await cur.execute(_REFERRALS, params)
        rows = await cur.fetchall()
    return ReferralPage(rows[:first], has_next_page=len(rows) > first)


async def referral_of_friend(conn: AsyncConnection[Any], friend_id: UUID) -> ReferralView | None:
    """The referral that brought the customer ``friend_id``; None if they came on their own."""
    return (await referrals_of_friends(conn, [friend_id])).get(friend_id)


async def referrals_of_friends(
    conn: AsyncConnection[Any], friend_ids: Sequence[UUID]
) -> dict[UUID, ReferralView]:
    """The referrals that brought those of ``friend_ids`` who were referred, in one query."""
    async with conn.cursor(row_factory=class_row(ReferralView)) as cur:
        await cur.execute(_REFERRALS_OF_FRIENDS, (list(friend_ids),))
        return {view.friend_id: view for view in await cur.fetchall()}


async def referrals_by_ids(
    conn: AsyncConnection[Any], referral_ids: Sequence[UUID]
) -> dict[UUID, ReferralView]:
    """Those of ``referral_ids`` that exist, in one query."""
    async with conn.cursor(row_factory=class_row(ReferralView)) as cur:
        await cur.execute(
            f"SELECT {_REFERRAL_COLUMNS} FROM referral_referrals WHERE referral_id = ANY(%s)",
            (list(referral_ids),),
        )
        return {view.referral_id: view for view in await cur.fetchall()}


async def invitations_of(
    conn: AsyncConnection[Any], referrer_id: UUID, first: int, after_seq: int | None = None
) -> InvitationPage:
    """The invitations ``referrer_id`` (a customer id) sent, newest first: ``first`` of them
    after the cursor ``after_seq``."""
    params = _page(referrer_id, first, after_seq)
    async with conn.cursor(row_factory=class_row(InvitationView)) as cur:
        await cur.execute(_INVITATIONS, params)
        rows = await cur.fetchall()
    return InvitationPage(rows[:first], has_next_page=len(rows) > first)


async def referrals_of_newer(
    conn: AsyncConnection[Any], referrer_id: UUID, last: int, before_seq: int | None
) -> ReferralPage:
    """The referrals list read backward: the ``last`` just newer than ``before_seq`` (None:
    the oldest ones), newest first like the list; ``has_next_page`` says whether yet newer
    ones exist."""
    params = _page_newer(referrer_id, last, before_seq)
    async with conn.cursor(row_factory=class_row(ReferralView)) as cur:
        await cur.execute(_REFERRALS_NEWER, params)
        rows = await cur.fetchall()
    return ReferralPage(rows[:last][::-1], has_next_page=len(rows) > last)


async def invitations_of_newer(
    conn: AsyncConnection[Any], referrer_id: UUID, last: int, before_seq: int | None
) -> InvitationPage:
    """The invitations list read backward, as :func:`referrals_of_newer`."""
    params = _page_newer(referrer_id, last, before_seq)
    async with conn.cursor(row_factory=class_row(InvitationView)) as cur:
        await cur.execute(_INVITATIONS_NEWER, params)
        rows = await cur.fetchall()
    return InvitationPage(rows[:last][::-1], has_next_page=len(rows) > last)


def _page_newer(referrer_id: UUID, last: int, before_seq: int | None) -> dict[str, Any]:
    after = 0 if before_seq is None else before_seq
    return {"referrer": referrer_id, "after": after, "limit": max(last, 0) + 1}


def _page(referrer_id: UUID, first: int, after_seq: int | None) -> dict[str, Any]:
    # One row more than asked tells whether another page follows.
    before = _NO_CURSOR if after_seq is None else after_seq
    return {"referrer": referrer_id, "before": before, "limit": max(first, 0) + 1}
