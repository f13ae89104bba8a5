"""The customer health read model's multi-row statements: one per table and kind of change,
however many events a run of folded events holds (see ``projections.success.changes``).
Column names and interaction kinds come from this package's literals, never input."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import astuple, dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import dict_row

from domain.success.engagement import Interaction
from domain.success.health import HealthInputs, static_points
from projections.bulk import Column, as_columns, insert_rows, insert_rows_returning

TICKET_COLUMNS: tuple[Column, ...] = (
    ("ticket_id", "uuid"),
    ("customer_id", "uuid"),
    ("open", "boolean"),
    ("breached", "boolean"),
)
ANSWER_COLUMNS: tuple[Column, ...] = (
    ("response_id", "uuid"),
    ("customer_id", "uuid"),
    ("position", "bigint"),
    ("nps", "smallint"),
    ("complaint", "boolean"),
)
INTERACTION_COLUMNS: tuple[Column, ...] = (
    ("event_key", "uuid"),
    ("customer_id", "uuid"),
    ("kind", "text"),
    ("position", "bigint"),
)
OWNER_COLUMNS: tuple[Column, ...] = (("stream_id", "uuid"), ("customer_id", "uuid"))


@dataclass(slots=True)
class TicketRow:
    """One ``health_tickets`` row, changed in memory by a run's ticket steps."""

    customer_id: UUID
    open: bool = True
    breached: bool = False


# -- reading ------------------------------------------------------------------------------


def load_owners(cursor: Cursor[Any], streams: Collection[UUID]) -> dict[UUID, UUID]:
    if not streams:
        return {}
    rows = cursor.execute(
        "SELECT stream_id, customer_id FROM health_owners WHERE stream_id = ANY(%b)",
        (sorted(streams),),
    ).fetchall()
    return dict(rows)


def load_tickets(cursor: Cursor[Any], tickets: Collection[UUID]) -> dict[UUID, TicketRow]:
    if not tickets:
        return {}
    rows = cursor.execute(
        "SELECT ticket_id, customer_id, open, breached FROM health_tickets"
        " WHERE ticket_id = ANY(%b)",
        (sorted(tickets),),
    ).fetchall()
    return {
        ticket: TicketRow(customer, open_, breached) for ticket, customer, open_, breached in rows
    }


_KIND_COUNTS = ",\n".join(
    f"(SELECT count(*) FROM health_interactions i WHERE i.customer_id = c.customer_id"
    f" AND i.kind = '{kind.value}')::int AS {kind.value}"
    for kind in Interaction
)
"""A count of each customer's interactions per kind (the kinds are this package's constants)."""

_COUNTS = f"""
    SELECT c.customer_id,
        (SELECT count(*) FROM health_tickets t
            WHERE t.customer_id = c.customer_id AND t.open)::int AS open_tickets,
        (SELECT count(*) FROM health_tickets t
            WHERE t.customer_id = c.customer_id AND t.open AND t.breached)::int
            AS breached_tickets,
        (SELECT count(*) FROM health_answers a
            WHERE a.customer_id = c.customer_id AND a.complaint)::int AS complaints,
        (SELECT count(*) FROM health_answers a WHERE a.customer_id = c.customer_id)::int
            AS survey_answers,
        {_KIND_COUNTS},
        ARRAY(SELECT a.nps FROM health_answers a
            WHERE a.customer_id = c.customer_id AND a.nps IS NOT NULL
            ORDER BY a.position DESC LIMIT 2) AS nps
    FROM unnest(%b::uuid[]) AS c(customer_id)
"""


def recount(cursor: Cursor[Any], customers: Collection[UUID]) -> dict[UUID, HealthInputs]:
    """Each customer's figures, counted from their tickets, answers and interactions."""
    if not customers:
        return {}
    with cursor.connection.cursor(row_factory=dict_row) as counts:
        rows = counts.execute(_COUNTS, (sorted(customers),)).fetchall()
    figures = {}
    for row in rows:
        customer: UUID = row.pop("customer_id")
        nps: list[int] = row.pop("nps")
        figures[customer] = HealthInputs(
            latest_nps=nps[0] if nps else None,
            previous_nps=nps[1] if len(nps) > 1 else None,
            **row,
        )
    return figures


# -- writing ------------------------------------------------------------------------------


def insert_owners(cursor: Cursor[Any], owners: Mapping[UUID, UUID], *, copy: bool) -> None:
    # A referrer's or loyalty account's stream is created once (its first event): COPY is
    # safe while loading.
    on_conflict = "ON CONFLICT (stream_id) DO NOTHING"
    insert_rows(
        cursor, "health_owners", OWNER_COLUMNS, list(owners.items()), on_conflict, copy=copy
    )


def insert_tickets(cursor: Cursor[Any], tickets: Mapping[UUID, TicketRow], *, copy: bool) -> None:
    """Tickets the run opened (and maybe changed since). A ticket is opened once, by the first
    event of its stream: COPY is safe while loading; otherwise one already there stays."""
    rows = [(ticket, *astuple(row)) for ticket, row in tickets.items()]
    on_conflict = "ON CONFLICT (ticket_id) DO NOTHING"
    insert_rows(cursor, "health_tickets", TICKET_COLUMNS, rows, on_conflict, copy=copy)


def update_tickets(cursor: Cursor[Any], tickets: Mapping[UUID, TicketRow]) -> None:
    """Tickets that were there before the run, as the run left them."""
    if not tickets:
        return
    rows = [(ticket, row.open, row.breached) for ticket, row in tickets.items()]
    cursor.execute(
        "UPDATE health_tickets AS t SET open = v.open, breached = v.breached"
        " FROM unnest(%b::uuid[], %b::boolean[], %b::boolean[]) AS v(ticket_id, open, breached)"
        " WHERE t.ticket_id = v.ticket_id",
        as_columns(rows, 3),
    )


def insert_answers(cursor: Cursor[Any], answers: Sequence[Sequence[Any]], *, copy: bool) -> None:
    # An invitation is answered once (a second answer is refused): COPY is safe while loading.
    on_conflict = "ON CONFLICT (response_id) DO NOTHING"
    insert_rows(cursor, "health_answers", ANSWER_COLUMNS, answers, on_conflict, copy=copy)


def insert_interactions(
    cursor: Cursor[Any], interactions: Sequence[Sequence[Any]], *, copy: bool
) -> set[UUID]:
    """The keys of the interactions that went in (one seen before is counted already). Each is
    keyed by the event that recorded it: COPY is safe while loading."""
    on_conflict = "ON CONFLICT (event_key) DO NOTHING"
    return set(
        insert_rows_returning(
            cursor, "health_interactions", INTERACTION_COLUMNS, interactions, on_conflict,
            copy=copy,
        )
    )  # fmt: skip


_DEFAULT_POINTS = static_points(HealthInputs())

_PURCHASED = """
    INSERT INTO health_customers (customer_id, seq, last_purchase_at, static_points)
    SELECT v.customer_id, v.seq, v.at, %s
    FROM unnest(%b::uuid[], %b::bigint[], %b::timestamptz[]) AS v(customer_id, seq, at)
    ON CONFLICT (customer_id) DO UPDATE SET last_purchase_at =
        greatest(health_customers.last_purchase_at, excluded.last_purchase_at)
"""

_RECOUNTED = """
    INSERT INTO health_customers (customer_id, seq, last_purchase_at, latest_nps, previous_nps,
        open_tickets, breached_tickets, complaints, survey_answers, reviews, feedback,
        friends_invited, redemptions, static_points)
    SELECT * FROM unnest(%b::uuid[], %b::bigint[], %b::timestamptz[], %b::smallint[],
        %b::smallint[], %b::int[], %b::int[], %b::int[], %b::int[], %b::int[], %b::int[],
        %b::int[], %b::int[], %b::int[])
    ON CONFLICT (customer_id) DO UPDATE SET
        last_purchase_at = greatest(health_customers.last_purchase_at, excluded.last_purchase_at),
        latest_nps = excluded.latest_nps, previous_nps = excluded.previous_nps,
        open_tickets = excluded.open_tickets, breached_tickets = excluded.breached_tickets,
        complaints = excluded.complaints, survey_answers = excluded.survey_answers,
        reviews = excluded.reviews, feedback = excluded.feedback,
        friends_invited = excluded.friends_invited, redemptions = excluded.redemptions,
        static_points = excluded.static_points
"""


def write_customers(
    cursor: Cursor[Any],
    first_seen: Mapping[UUID, int],
    purchased: Mapping[UUID, datetime],
    figures: Mapping[UUID, HealthInputs],
) -> None:
    """Each customer's row: made if new (``seq``: the position of the run's first event that
    made it), its last purchase moved on, and the figures recounted, with their points."""
    bought_only = [
        (customer, first_seen[customer], at)
        for customer, at in purchased.items()
        if customer not in figures
    ]
    if bought_only:
        cursor.execute(_PURCHASED, [_DEFAULT_POINTS, *as_columns(bought_only, 3)])
    if figures:
        rows = [
            (
                customer, first_seen[customer], purchased.get(customer),
                inputs.latest_nps, inputs.previous_nps, inputs.open_tickets,
                inputs.breached_tickets, inputs.complaints, inputs.survey_answers,
                inputs.reviews, inputs.feedback, inputs.friends_invited, inputs.redemptions,
                static_points(inputs),
            )
            for customer, inputs in figures.items()
        ]  # fmt: skip
        cursor.execute(_RECOUNTED, as_columns(rows, 14))
