"""Events -> the customer health read model.

Every write is keyed, and a customer's figures are recounted from this read model's own rows
(tickets, answers) after each change, so applying an event a second time leaves the same rows.
It reads no personal value, so an erasure changes nothing here: the score is ids and numbers.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import dict_row

from domain.purchase.model import Purchase
from domain.success.health import HealthInputs, static_points
from domain.survey.model import Invitation
from domain.survey.values import SurveyKind, nps_category
from domain.ticket.model import Ticket
from projections.base import Projection, handles
from projections.success.schema import DDL, TABLES

PROJECTION_NAME = "customer_health"


class CustomerHealth(Projection):
    """Per customer: the last purchase, the latest two NPS answers, open and breached tickets,
    detractor answers and survey answers; and the points of the score that do not age."""

    name = PROJECTION_NAME
    reads_personal_data = False
    tables = TABLES
    ddl = DDL

    @handles(Purchase.Recorded)
    def purchased(self, cursor: Cursor[Any], event: Purchase.Recorded, position: int) -> None:
        _ensure(cursor, event.customer_id, position)
        cursor.execute(
            "UPDATE health_customers SET last_purchase_at ="
            " greatest(last_purchase_at, %s) WHERE customer_id = %s",
            (event.purchased_at, event.customer_id),
        )

    @handles(Invitation.Responded)
    def responded(self, cursor: Cursor[Any], event: Invitation.Responded, position: int) -> None:
        nps = event.score if event.kind == SurveyKind.NPS.value else None
        complaint = nps is not None and nps_category(nps) == "detractor"
        cursor.execute(
            "INSERT INTO health_answers (response_id, customer_id, position, nps, complaint)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (response_id) DO NOTHING",
            (event.originator_id, event.customer_id, position, nps, complaint),
        )
        _recount(cursor, event.customer_id, position)

    @handles(Ticket.Opened)
    def ticket_opened(self, cursor: Cursor[Any], event: Ticket.Opened, position: int) -> None:
        if event.customer_id is None:
            return  # an anonymous requester's ticket: no customer's health
        cursor.execute(
            "INSERT INTO health_tickets (ticket_id, customer_id, open) VALUES (%s, %s, true)"
            " ON CONFLICT (ticket_id) DO NOTHING",
            (event.originator_id, event.customer_id),
        )
        _recount(cursor, event.customer_id, position)

    @handles(Ticket.Resolved)
    def ticket_resolved(self, cursor: Cursor[Any], event: Ticket.Resolved, position: int) -> None:
        _set_ticket(cursor, event.originator_id, "open = false", position)

    @handles(Ticket.Closed)
    def ticket_closed(self, cursor: Cursor[Any], event: Ticket.Closed, position: int) -> None:
        _set_ticket(cursor, event.originator_id, "open = false", position)

    @handles(Ticket.Reopened)
    def ticket_reopened(self, cursor: Cursor[Any], event: Ticket.Reopened, position: int) -> None:
        _set_ticket(cursor, event.originator_id, "open = true", position)

    @handles(Ticket.SlaBreached)
    def sla_breached(self, cursor: Cursor[Any], event: Ticket.SlaBreached, position: int) -> None:
        _set_ticket(cursor, event.originator_id, "breached = true", position)


def _ensure(cursor: Cursor[Any], customer_id: UUID, position: int) -> None:
    """The customer's row, made at the first event about them (``seq``: its position)."""
    cursor.execute(
        "INSERT INTO health_customers (customer_id, seq, static_points) VALUES (%s, %s, %s)"
        " ON CONFLICT (customer_id) DO NOTHING",
        (customer_id, position, static_points(HealthInputs())),
    )


def _set_ticket(cursor: Cursor[Any], ticket_id: UUID, change: str, position: int) -> None:
    # ``change`` is one of this module's own fragments, never input.
    cursor.execute(
        f"UPDATE health_tickets SET {change} WHERE ticket_id = %s RETURNING customer_id",
        (ticket_id,),
    )
    row = cursor.fetchone()
    if row is not None:  # a ticket opened before this read model existed is rebuilt with it
        _recount(cursor, row[0], position)


def _recount(cursor: Cursor[Any], customer_id: UUID, position: int) -> None:
    """Count the customer's tickets and answers again and store the points they make."""
    _ensure(cursor, customer_id, position)
    with cursor.connection.cursor(row_factory=dict_row) as counts:
        counts.execute(
            """
            SELECT
                (SELECT count(*) FROM health_tickets
                    WHERE customer_id = %(c)s AND open)::int AS open_tickets,
                (SELECT count(*) FROM health_tickets
                    WHERE customer_id = %(c)s AND open AND breached)::int AS breached_tickets,
                (SELECT count(*) FROM health_answers
                    WHERE customer_id = %(c)s AND complaint)::int AS complaints,
                (SELECT count(*) FROM health_answers WHERE customer_id = %(c)s)::int
                    AS survey_answers,
                ARRAY(SELECT nps FROM health_answers
                    WHERE customer_id = %(c)s AND nps IS NOT NULL
                    ORDER BY position DESC LIMIT 2) AS nps
            """,
            {"c": customer_id},
        )
        row = counts.fetchone()
    assert row is not None
    nps: list[int] = row.pop("nps")
    inputs = HealthInputs(
        latest_nps=nps[0] if nps else None,
        previous_nps=nps[1] if len(nps) > 1 else None,
        **row,
    )
    cursor.execute(
        """
        UPDATE health_customers SET latest_nps = %s, previous_nps = %s, open_tickets = %s,
            breached_tickets = %s, complaints = %s, survey_answers = %s, static_points = %s
        WHERE customer_id = %s
        """,
        (
            inputs.latest_nps,
            inputs.previous_nps,
            inputs.open_tickets,
            inputs.breached_tickets,
            inputs.complaints,
            inputs.survey_answers,
            static_points(inputs),
            customer_id,
        ),
    )
