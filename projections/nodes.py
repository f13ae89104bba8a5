"""Which read model holds an id: the type behind a global id (Query.node and nodes).

The API's Node types keep their aggregates' UUIDs as global ids. The event store keys every
stream by its UUID alone, so no two aggregates share one and at most one of these tables
holds a given id. Types whose ids another type shares (a loyalty account and a referrer are
keyed by their customer's id; an erasure request by its subject's) or that are not
aggregates (an earning rule's admin-chosen id lives inside the program's stream) are left
out: their id would not name one object.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection, sql


class NodeKind(StrEnum):
    """The types a global id can name (their GraphQL names)."""

    CUSTOMER = "Customer"
    TICKET = "Ticket"
    SURVEY = "Survey"
    REWARD = "Reward"
    REFERRAL = "Referral"
    SURVEY_RESPONSE = "SurveyResponse"


# Each kind's read model and key column (every one the table's primary key).
_HOLDERS: dict[NodeKind, tuple[str, str]] = {
    NodeKind.CUSTOMER: ("customer_directory", "customer_id"),
    NodeKind.TICKET: ("tickets", "ticket_id"),
    NodeKind.SURVEY: ("survey_catalog", "survey_id"),
    NodeKind.REWARD: ("loyalty_rewards", "reward_id"),
    NodeKind.REFERRAL: ("referral_referrals", "referral_id"),
    NodeKind.SURVEY_RESPONSE: ("survey_responses", "response_id"),
}

_KINDS_OF = sql.SQL(" UNION ALL ").join(
    sql.SQL("SELECT {key} AS id, {kind} AS kind FROM {table} WHERE {key} = ANY(%(ids)s)").format(
        key=sql.Identifier(key), kind=sql.Literal(kind.value), table=sql.Identifier(table)
    )
    for kind, (table, key) in _HOLDERS.items()
)


async def node_kinds(conn: AsyncConnection[Any], ids: Sequence[UUID]) -> dict[UUID, NodeKind]:
    """The kind of each of ``ids`` some read model holds (one query, each table by its
    primary key); ids no read model holds are left out."""
    if not ids:
        return {}
    async with conn.cursor() as cur:
        await cur.execute(_KINDS_OF, {"ids": list(ids)})
        rows = await cur.fetchall()
    return {row[0]: NodeKind(row[1]) for row in rows}
