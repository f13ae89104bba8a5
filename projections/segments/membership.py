"""The two set-based moves of membership: one customer against every live segment (after an
event changed their facts), and one segment against every customer (after its rule changed,
or the RFM quintiles moved). Each is one statement: the stays that no longer hold are closed
and the new ones opened, dated and explained by the event that caused them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import Cursor, sql


@dataclass(frozen=True, slots=True)
class Cause:
    """The event that moves customers in or out: when, where in the log, and its name."""

    at: datetime
    position: int
    reason: str


def reevaluate_customer(
    cursor: Cursor[Any], customer_id: UUID, segments: dict[UUID, sql.Composable], cause: Cause
) -> None:
    """Move ``customer_id`` in or out of each of ``segments`` (id -> condition) by their facts."""
    if not segments:
        return
    matching = sql.SQL(" UNION ALL ").join(
        sql.SQL("SELECT {}::uuid FROM facts WHERE {}").format(sql.Literal(segment_id), rule)
        for segment_id, rule in segments.items()
    )
    cursor.execute(
        sql.SQL(
            """
            WITH facts AS (SELECT * FROM segment_facts WHERE customer_id = %(customer)s),
            now_in(segment_id) AS ({matching}),
            closed AS (
                UPDATE segment_memberships m
                SET left_at = %(at)s, left_position = %(position)s, left_reason = %(reason)s
                WHERE m.customer_id = %(customer)s AND m.left_at IS NULL
                  AND m.segment_id = ANY(%(segments)s)
                  AND m.segment_id NOT IN (SELECT segment_id FROM now_in)
            )
            INSERT INTO segment_memberships
                (segment_id, customer_id, entered_at, entered_position, entered_reason)
            SELECT n.segment_id, %(customer)s, %(at)s, %(position)s, %(reason)s FROM now_in n
            WHERE NOT EXISTS (
                SELECT 1 FROM segment_memberships m
                WHERE m.segment_id = n.segment_id AND m.customer_id = %(customer)s
                  AND m.left_at IS NULL)
            ORDER BY n.segment_id
            """
        ).format(matching=matching),
        {
            "customer": customer_id,
            "segments": list(segments),
            "at": cause.at,
            "position": cause.position,
            "reason": cause.reason,
        },
    )


def recompute_segment(
    cursor: Cursor[Any], segment_id: UUID, rule: sql.Composable | None, cause: Cause
) -> None:
    """Bring ``segment_id``'s open stays to the customers whose facts satisfy ``rule`` (None:
    nobody, as when it is archived)."""
    matching = sql.SQL("SELECT customer_id FROM segment_facts WHERE {}").format(
        rule if rule is not None else sql.SQL("false")
    )
    cursor.execute(
        sql.SQL(
            """
            WITH now_in AS ({matching}),
            closed AS (
                UPDATE segment_memberships m
                SET left_at = %(at)s, left_position = %(position)s, left_reason = %(reason)s
                WHERE m.segment_id = %(segment)s AND m.left_at IS NULL
                  AND m.customer_id IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM now_in n WHERE n.customer_id = m.customer_id)
            )
            INSERT INTO segment_memberships
                (segment_id, customer_id, entered_at, entered_position, entered_reason)
            SELECT %(segment)s, n.customer_id, %(at)s, %(position)s, %(reason)s FROM now_in n
            WHERE NOT EXISTS (
                SELECT 1 FROM segment_memberships m
                WHERE m.segment_id = %(segment)s AND m.customer_id = n.customer_id
                  AND m.left_at IS NULL)
            ORDER BY n.customer_id
            """
        ).format(matching=matching),
        {
            "segment": segment_id,
            "at": cause.at,
            "position": cause.position,
            "reason": cause.reason,
        },
    )


def leave_everything(cursor: Cursor[Any], customer_ids: list[UUID], cause: Cause) -> None:
    """Erasure: the customers leave every segment, and every stay of theirs forgets who it was
    (it still counts in past sizes); their facts go."""
    cursor.execute(
        "UPDATE segment_memberships SET left_at = %s, left_position = %s, left_reason = %s"
        " WHERE customer_id = ANY(%s) AND left_at IS NULL",
        (cause.at, cause.position, cause.reason, customer_ids),
    )
    cursor.execute(
        "UPDATE segment_memberships SET customer_id = NULL WHERE customer_id = ANY(%s)",
        (customer_ids,),
    )
    cursor.execute("DELETE FROM segment_facts WHERE customer_id = ANY(%s)", (customer_ids,))
    cursor.execute("DELETE FROM segment_spend WHERE customer_id = ANY(%s)", (customer_ids,))
    cursor.execute("DELETE FROM segment_ticket_owners WHERE customer_id = ANY(%s)", (customer_ids,))
    cursor.execute(
        "DELETE FROM segment_loyalty_accounts WHERE customer_id = ANY(%s)", (customer_ids,)
    )
