"""Typed reads of the campaigns read model: campaigns (by definition order), one campaign's
recipients (by the order they were decided), its figures, and for the sender the campaigns
to send and what it decides each member from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection, Connection, sql
from psycopg.rows import class_row

from projections.paging import SeqPage, seq_page


@dataclass(frozen=True, slots=True)
class CampaignView:
    campaign_id: UUID
    seq: int
    name: str
    segment_id: UUID
    channel: str
    subject: str
    body: str
    conversion_days: int
    status: str
    drafted_at: datetime
    scheduled_at: datetime | None
    launched_at: datetime | None
    cancelled_at: datetime | None
    completed_at: datetime | None
    batches: int
    version: int


@dataclass(frozen=True, slots=True)
class RecipientView:
    """One member decided: queued (``reason`` None) or skipped and why; ``customer_id`` None
    once they were erased."""

    seq: int
    customer_id: UUID | None
    status: str
    reason: str | None
    decided_at: datetime
    converted_at: datetime | None
    unsubscribed_at: datetime | None


@dataclass(frozen=True, slots=True)
class NpsFigures:
    """NPS (percent promoters minus percent detractors) over ``answers`` scores; None if none."""

    answers: int
    nps: float | None


@dataclass(frozen=True, slots=True)
class Figures:
    recipients: int
    skipped: dict[str, int] = field(default_factory=dict)
    unsubscribes: int = 0
    conversions: int = 0
    nps_before: NpsFigures = NpsFigures(0, None)
    nps_after: NpsFigures = NpsFigures(0, None)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A member of the audience and what the sender decides from."""

    customer_id: UUID
    marketing: bool
    email: bool
    recent_messages: int


_CAMPAIGN = (
    "SELECT campaign_id, seq, name, segment_id, channel, subject, body, conversion_days, status,"
    " drafted_at, scheduled_at, launched_at, cancelled_at, completed_at, batches, version"
    " FROM campaigns"
)


async def campaign_by_id(conn: AsyncConnection[Any], campaign_id: UUID) -> CampaignView | None:
    async with conn.cursor(row_factory=class_row(CampaignView)) as cur:
        await cur.execute(_CAMPAIGN + " WHERE campaign_id = %s", (campaign_id,))
        return await cur.fetchone()


async def campaigns_page(
    conn: AsyncConnection[Any], size: int, cursor: int | None, backward: bool
) -> SeqPage[CampaignView]:
    query = sql.SQL(_CAMPAIGN + " WHERE {seq_bound} ORDER BY {order} LIMIT %(limit)s")
    return await seq_page(conn, CampaignView, query, {}, size, cursor, backward=backward)


async def recipients_page(
    conn: AsyncConnection[Any], campaign_id: UUID, size: int, cursor: int | None, backward: bool
) -> SeqPage[RecipientView]:
    # The page helper bounds and orders by ``seq``: the recipient's id, named so.
    query = sql.SQL(
        "SELECT * FROM (SELECT recipient_id AS seq, customer_id, status, reason, decided_at,"
        " converted_at, unsubscribed_at FROM campaign_recipients"
        " WHERE campaign_id = %(campaign)s) r WHERE {seq_bound} ORDER BY {order} LIMIT %(limit)s"
    )
    params = {"campaign": campaign_id}
    return await seq_page(conn, RecipientView, query, params, size, cursor, backward=backward)


_FIGURES = """
    SELECT status, reason, count(*), count(converted_at), count(unsubscribed_at),
        count(nps_before), count(*) FILTER (WHERE nps_before >= 9),
        count(*) FILTER (WHERE nps_before <= 6),
        count(nps_after), count(*) FILTER (WHERE nps_after >= 9),
        count(*) FILTER (WHERE nps_after <= 6)
    FROM campaign_recipients WHERE campaign_id = %s GROUP BY status, reason
"""


async def figures(conn: AsyncConnection[Any], campaign_id: UUID) -> Figures:
    """Recipients, skipped by reason, unsubscribes, conversions, and the NPS of the recipients'
    latest answers before the message against their first answers after it."""
    cur = await conn.execute(_FIGURES, (campaign_id,))
    rows = await cur.fetchall()
    queued = [r for r in rows if r[0] == "queued"]
    before = [sum(r[i] for r in queued) for i in (5, 6, 7)]
    after = [sum(r[i] for r in queued) for i in (8, 9, 10)]
    return Figures(
        recipients=sum(r[2] for r in queued),
        skipped={r[1]: r[2] for r in rows if r[0] == "skipped"},
        conversions=sum(r[3] for r in queued),
        unsubscribes=sum(r[4] for r in queued),
        nps_before=_nps(*before),
        nps_after=_nps(*after),
    )


def _nps(answers: int, promoters: int, detractors: int) -> NpsFigures:
    if answers == 0:
        return NpsFigures(0, None)
    return NpsFigures(answers, round(100.0 * (promoters - detractors) / answers, 1))


def campaigns_to_send(conn: Connection[Any], now: datetime) -> list[tuple[UUID, str]]:
    """Campaigns sending, and scheduled ones whose time has come, oldest first."""
    rows = conn.execute(
        "SELECT campaign_id, status FROM campaigns WHERE status = 'sending'"
        " OR (status = 'scheduled' AND scheduled_at <= %s) ORDER BY seq",
        (now,),
    ).fetchall()
    return [(row[0], row[1]) for row in rows]


_CANDIDATES = """
    SELECT m.customer_id, coalesce(a.marketing, false), coalesce(a.email, false),
        (SELECT count(*) FROM campaign_recipients r WHERE r.customer_id = m.customer_id
            AND r.status = 'queued' AND r.decided_at > %(window_start)s)
    FROM segment_memberships m
    -- The cursor on both sides: a merge join would otherwise read the audience from its
    -- first row for every batch, a cost that grows with the cursor.
    LEFT JOIN campaign_audience a ON a.customer_id = m.customer_id
        AND a.customer_id > %(after)s
    WHERE m.segment_id = %(segment)s AND m.left_at IS NULL AND m.customer_id IS NOT NULL
        AND m.entered_at <= %(launched_at)s AND m.customer_id > %(after)s
    ORDER BY m.customer_id LIMIT %(limit)s
"""
_NO_ID = UUID(int=0)


def next_candidates(
    conn: Connection[Any],
    segment_id: UUID,
    launched_at: datetime,
    after: UUID | None,
    limit: int,
    window_start: datetime,
) -> list[Candidate]:
    """The next ``limit`` members of the audience after ``after`` (by id): in the segment when
    the campaign was launched and still in it now, with their consent, email preference and
    campaign messages since ``window_start``. Reads the segment read model's open stays (its
    (segment, customer) index) beside this one's tables."""
    params = {"segment": segment_id, "launched_at": launched_at, "after": after or _NO_ID,
              "limit": limit, "window_start": window_start}  # fmt: skip
    rows = conn.execute(_CANDIDATES, params).fetchall()
    return [Candidate(r[0], r[1], r[2], r[3]) for r in rows]
