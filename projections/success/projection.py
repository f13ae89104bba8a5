"""Events -> the customer health read model.

Every write is keyed, and a customer's figures are recounted from this read model's own rows
(tickets, answers, interactions) after each change, so applying an event a second time leaves
the same rows.
It reads no personal value, so an erasure changes nothing here: the score is ids and numbers.
"""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import dict_row

from domain.feedback.model import Feedback
from domain.loyalty.account import LoyaltyAccount
from domain.purchase.model import Purchase
from domain.referral.model import Referrer
from domain.review.model import Review
from domain.success.engagement import Interaction, interaction_key
from domain.success.health import HealthInputs, static_points
from domain.survey.model import Invitation
from domain.survey.values import SurveyKind, nps_category
from domain.ticket.model import Ticket
from projections.base import Projection, handles
from projections.success.schema import DDL, TABLES

PROJECTION_NAME = "customer_health"


class CustomerHealth(Projection):
    """Per customer: the last purchase, the latest two NPS answers, open and breached tickets,
    detractor answers, survey answers and their other interactions by kind; and the points of
    the score that do not age."""

    name = PROJECTION_NAME
    version = 2
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

    @handles(Review.Written)
    def reviewed(self, cursor: Cursor[Any], event: Review.Written, position: int) -> None:
        _interaction(cursor, event, event.customer_id, Interaction.REVIEW, position)

    @handles(Feedback.Submitted)
    def feedback(self, cursor: Cursor[Any], event: Feedback.Submitted, position: int) -> None:
        if event.customer_id is None:
            return  # anonymous feedback: no customer's health
        _interaction(cursor, event, event.customer_id, Interaction.FEEDBACK, position)

    @handles(Referrer.CodeIssued)
    def code_issued(self, cursor: Cursor[Any], event: Referrer.CodeIssued, position: int) -> None:
        _own(cursor, event.originator_id, event.customer_id)

    @handles(Referrer.FriendInvited)
    def invited(self, cursor: Cursor[Any], event: Referrer.FriendInvited, position: int) -> None:
        customer_id = _owner(cursor, event.originator_id)
        _interaction(cursor, event, customer_id, Interaction.FRIEND_INVITED, position)

    @handles(LoyaltyAccount.Enrolled)
    def enrolled(self, cursor: Cursor[Any], event: LoyaltyAccount.Enrolled, position: int) -> None:
        _own(cursor, event.originator_id, event.customer_id)

    @handles(LoyaltyAccount.PointsRedeemed)
    def redeemed(
        self, cursor: Cursor[Any], event: LoyaltyAccount.PointsRedeemed, position: int
    ) -> None:
        customer_id = _owner(cursor, event.originator_id)
        _interaction(cursor, event, customer_id, Interaction.REDEMPTION, position)


def _own(cursor: Cursor[Any], stream_id: UUID, customer_id: UUID) -> None:
    """Remember whose stream this is (a referrer's, a loyalty account's)."""
    cursor.execute(
        "INSERT INTO health_owners (stream_id, customer_id) VALUES (%s, %s)"
        " ON CONFLICT (stream_id) DO NOTHING",
        (stream_id, customer_id),
    )


def _owner(cursor: Cursor[Any], stream_id: UUID) -> UUID | None:
    """The customer of a stream whose first event this read model has seen."""
    row = cursor.execute(
        "SELECT customer_id FROM health_owners WHERE stream_id = %s", (stream_id,)
    ).fetchone()
    return None if row is None else cast(UUID, row[0])


def _interaction(
    cursor: Cursor[Any],
    event: Any,
    customer_id: UUID | None,
    kind: Interaction,
    position: int,
) -> None:
    """Count one of the customer's interactions, once per event that recorded it."""
    if customer_id is None:
        return  # no customer named (cannot happen for a stream whose first event came first)
    cursor.execute(
        "INSERT INTO health_interactions (event_key, customer_id, kind, position)"
        " VALUES (%s, %s, %s, %s) ON CONFLICT (event_key) DO NOTHING",
        (
            interaction_key(event.originator_id, event.originator_version),
            customer_id,
            kind.value,
            position,
        ),
    )
    if cursor.rowcount:  # a new one (one seen before is in the counts already)
        _recount(cursor, customer_id, position)


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


_KIND_COUNTS = ",\n".join(
    f"(SELECT count(*) FROM health_interactions WHERE customer_id = %(c)s"
    f" AND kind = '{kind.value}')::int AS {kind.value}"
    for kind in Interaction
)
"""A count of the customer's interactions per kind (the kinds are this module's constants)."""


def _recount(cursor: Cursor[Any], customer_id: UUID, position: int) -> None:
    """Count the customer's tickets, answers and interactions again and store the points they
    make."""
    _ensure(cursor, customer_id, position)
    with cursor.connection.cursor(row_factory=dict_row) as counts:
        counts.execute(
            f"""
            SELECT
                (SELECT count(*) FROM health_tickets
                    WHERE customer_id = %(c)s AND open)::int AS open_tickets,
                (SELECT count(*) FROM health_tickets
                    WHERE customer_id = %(c)s AND open AND breached)::int AS breached_tickets,
                (SELECT count(*) FROM health_answers
                    WHERE customer_id = %(c)s AND complaint)::int AS complaints,
                (SELECT count(*) FROM health_answers WHERE customer_id = %(c)s)::int
                    AS survey_answers,
                {_KIND_COUNTS},
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
            breached_tickets = %s, complaints = %s, survey_answers = %s, reviews = %s,
            feedback = %s, friends_invited = %s, redemptions = %s, static_points = %s
        WHERE customer_id = %s
        """,
        (
            inputs.latest_nps,
            inputs.previous_nps,
            inputs.open_tickets,
            inputs.breached_tickets,
            inputs.complaints,
            inputs.survey_answers,
            inputs.reviews,
            inputs.feedback,
            inputs.friends_invited,
            inputs.redemptions,
            static_points(inputs),
            customer_id,
        ),
    )
