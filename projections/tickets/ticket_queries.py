"""Tickets one by one, filtered pages, an agent's queue and a customer's tickets.

SLA figures are computed at the query's instant ``at`` from the stored periods and terms, the
same way the aggregate computes them. ``breached`` in SQL reads the per-clock columns kept as
of each ticket's latest event: a clock is breached at ``at`` when it had breached by then, or
still runs and began to breach before ``at``; a recorded breach counts too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection, sql
from psycopg.rows import dict_row

from domain.ticket.values import (
    Priority,
    RequesterKind,
    SlaClock,
    TicketChannel,
    TicketStatus,
)
from projections.tickets.state import TicketState
from projections.tickets.views import TicketFilter, TicketPage, TicketView

MAX_PAGE = 500
NEWEST_FIRST = sql.SQL("seq DESC")
OLDEST_FIRST = sql.SQL("seq")
_NO_CURSOR = 2**63 - 1
_ACTIVE = tuple(s.value for s in TicketStatus if s.is_active)

BREACHED_AT = sql.SQL(
    "(first_response_breached OR resolution_breached OR cardinality(breaches) > 0"
    " OR coalesce(first_response_breaching_at < %(at)s OR resolution_breaching_at < %(at)s,"
    " false))"
)
"""A ticket with a clock past its target at ``%(at)s`` (see the module docstring)."""


async def ticket_by_id(
    conn: AsyncConnection[Any], ticket_id: UUID, at: datetime
) -> TicketView | None:
    """The ticket with its SLA clocks at ``at``; None if unknown."""
    rows = await _select(conn, sql.SQL("ticket_id = %(id)s"), {"id": ticket_id, "at": at}, 1)
    return rows[0] if rows else None


async def tickets_by_ids(
    conn: AsyncConnection[Any], ticket_ids: Sequence[UUID], at: datetime
) -> dict[UUID, TicketView]:
    """Those of ``ticket_ids`` that exist, with their SLA clocks at ``at``, in one query."""
    ids = list(ticket_ids)
    rows = await _select(
        conn, sql.SQL("ticket_id = ANY(%(ids)s)"), {"ids": ids, "at": at}, len(ids)
    )
    return {view.id: view for view in rows}


async def tickets_page(
    conn: AsyncConnection[Any],
    f: TicketFilter,
    first: int,
    after_seq: int | None,
    at: datetime,
) -> TicketPage:
    """Tickets matching ``f``, newest first: ``first`` of those with ``seq`` below
    ``after_seq`` (the last ``seq`` of the previous page; None for the first page)."""
    limit = max(0, min(first, MAX_PAGE))
    matching, params = _filter_sql(f, at)
    params["before"] = _NO_CURSOR if after_seq is None else after_seq
    where = sql.SQL(" AND ").join([matching, sql.SQL("seq < %(before)s")])
    rows = await _select(conn, where, params, limit + 1)
    return TicketPage(items=rows[:limit], has_next_page=len(rows) > limit)


async def tickets_page_newer(
    conn: AsyncConnection[Any],
    f: TicketFilter,
    last: int,
    before_seq: int | None,
    at: datetime,
) -> TicketPage:
    """The list of ``tickets_page`` read backward: the ``last`` tickets matching ``f`` just
    newer than ``before_seq`` (None: the oldest ones), newest first like the list; the
    page's ``has_next_page`` says whether yet newer ones exist."""
    limit = max(0, min(last, MAX_PAGE))
    matching, params = _filter_sql(f, at)
    params["after"] = 0 if before_seq is None else before_seq
    where = sql.SQL(" AND ").join([matching, sql.SQL("seq > %(after)s")])
    rows = await _select(conn, where, params, limit + 1, OLDEST_FIRST)
    return TicketPage(items=rows[:limit][::-1], has_next_page=len(rows) > limit)


async def agent_queue(
    conn: AsyncConnection[Any], agent_id: str | None, first: int, at: datetime
) -> list[TicketView]:
    """Active tickets assigned to ``agent_id`` (None: every active ticket) by SLA urgency:
    breached first, then the soonest due, and tickets on hold (clocks paused) last."""
    where: sql.Composable = sql.SQL("status = ANY(%(active)s)")
    if agent_id is not None:
        where = sql.SQL(" AND ").join([where, sql.SQL("assignee = %(agent)s")])
    order = sql.SQL(
        "status = 'on_hold', NOT {breached},"
        " least(first_response_due_at, resolution_due_at) NULLS LAST, seq"
    ).format(breached=BREACHED_AT)
    params = {"active": list(_ACTIVE), "agent": agent_id, "at": at}
    return await _select(conn, where, params, max(0, min(first, MAX_PAGE)), order)


async def customer_tickets(
    conn: AsyncConnection[Any], customer_id: UUID, first: int, at: datetime
) -> list[TicketView]:
    """The customer's tickets, newest first."""
    where = sql.SQL("customer_id = %(customer)s")
    params = {"customer": customer_id, "at": at}
    return await _select(conn, where, params, max(0, min(first, MAX_PAGE)))


def _filter_sql(f: TicketFilter, at: datetime) -> tuple[sql.Composable, dict[str, Any]]:
    conditions: list[sql.Composable] = [sql.SQL("true")]
    params: dict[str, Any] = {"at": at}
    equal = {
        "assignee": f.assignee,
        "customer_id": f.customer_id,
        "category": f.category,
        "channel": f.channel.value if f.channel else None,
    }
    for column, value in equal.items():
        if value is not None:
            conditions.append(
                sql.SQL("{} = {}").format(sql.Identifier(column), sql.Placeholder(column))
            )
            params[column] = value
    if f.anonymous is not None:
        conditions.append(sql.SQL("requester = %(requester)s"))
        kind = RequesterKind.ANONYMOUS if f.anonymous else RequesterKind.CUSTOMER
        params["requester"] = kind.value
    if f.statuses:
        conditions.append(sql.SQL("status = ANY(%(statuses)s)"))
        params["statuses"] = [s.value for s in f.statuses]
    if f.priorities:
        conditions.append(sql.SQL("priority = ANY(%(priorities)s)"))
        params["priorities"] = [p.value for p in f.priorities]
    if f.breached is not None:
        conditions.append(BREACHED_AT if f.breached else sql.SQL("NOT {}").format(BREACHED_AT))
    if f.opened_since is not None:
        conditions.append(sql.SQL("opened_at >= %(since)s"))
        params["since"] = f.opened_since
    if f.opened_until is not None:
        conditions.append(sql.SQL("opened_at < %(until)s"))
        params["until"] = f.opened_until
    return sql.SQL(" AND ").join(conditions), params


async def _select(
    conn: AsyncConnection[Any],
    where: sql.Composable,
    params: dict[str, Any],
    limit: int,
    order: sql.Composable = NEWEST_FIRST,
) -> list[TicketView]:
    query = sql.SQL("SELECT * FROM tickets WHERE {} ORDER BY {} LIMIT %(limit)s").format(
        where, order
    )
    async with conn.cursor(row_factory=dict_row) as cursor:
        await cursor.execute(query, {**params, "limit": limit})
        rows = await cursor.fetchall()
    return [ticket_view(row, params["at"]) for row in rows]


def ticket_view(row: dict[str, Any], at: datetime) -> TicketView:
    """A stored row as a view, its clocks computed at ``at``."""
    ticket = TicketState.from_row(row)
    return TicketView(
        id=ticket.ticket_id, seq=ticket.seq, customer_id=ticket.customer_id,
        channel=TicketChannel(ticket.channel), category=ticket.category,
        subject=ticket.subject, description=ticket.description,
        priority=Priority(ticket.priority), status=TicketStatus(ticket.status),
        assignee=ticket.assignee, escalation_level=ticket.escalation_level,
        opened_at=ticket.opened_at, first_response_at=ticket.first_response_at,
        resolved_at=ticket.resolved_at, closed_at=ticket.closed_at,
        reopen_count=ticket.reopen_count, source=ticket.source, version=ticket.version,
        sla=ticket.sla(at), first_response_seconds=ticket.first_response_seconds,
        resolution_seconds=ticket.resolution_seconds,
        breaches=tuple(SlaClock(clock) for clock in ticket.breaches),
        requester=RequesterKind(ticket.requester), subject_id=ticket.subject_id,
        requester_email=ticket.requester_email,
    )  # fmt: skip
