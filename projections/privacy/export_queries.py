"""The read-model part of a data export: every row any read model holds about one customer.

Each entry names a read model, one of its tables, and how its rows are tied to the customer
(directly by customer id, or through a row that is). Rows come back as plain dicts, as
stored, except that security material rather than data about the person is left out (the
outbox's link and reset tokens). Column names and types come from the catalogue, so the
export's schema describes each table even when it holds no row about the customer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection, sql
from psycopg.rows import dict_row

_RESPONSES = "response_id IN (SELECT response_id FROM survey_responses WHERE customer_id = %(c)s)"
# The funnel's ``referrer_id`` is the referring customer's id (as in the Referral events).
_REFERRER = "referrer_id = %(c)s"
_BY_ID = "customer_id = %(c)s"
_PLANS = "plan_id IN (SELECT plan_id FROM success_plans WHERE customer_id = %(c)s)"


@dataclass(frozen=True, slots=True)
class TableSource:
    """A read model's table and the condition that selects the customer's rows."""

    read_model: str
    table: str
    where: str
    order_by: str
    columns: str = "*"
    """What to select: every column, unless some hold security material."""


SOURCES: tuple[TableSource, ...] = (
    TableSource("customer_directory", "customer_directory", _BY_ID, "seq"),
    TableSource("customer_directory", "customer_contact_preferences", _BY_ID, "channel"),
    TableSource("customer_directory", "customer_consents", _BY_ID, "purpose"),
    TableSource("customer_directory", "customer_consent_history", _BY_ID, "position"),
    TableSource("customer_directory", "customer_onboarding_steps", _BY_ID, "completed_at"),
    TableSource("customer_directory", "customer_purchases", _BY_ID, "purchased_at"),
    TableSource("survey_dashboard", "survey_customer_regions", _BY_ID, "customer_id"),
    TableSource("survey_dashboard", "survey_invitations", _BY_ID, "issued_at"),
    TableSource("survey_dashboard", "survey_responses", _BY_ID, "seq"),
    TableSource("survey_dashboard", "survey_aspect_scores", _RESPONSES, "response_id, aspect"),
    TableSource("survey_dashboard", "survey_comments", _RESPONSES, "response_id"),
    TableSource("survey_dashboard", "survey_comment_terms", _RESPONSES, "response_id, term"),
    TableSource("loyalty_statements", "loyalty_accounts", _BY_ID, "seq"),
    TableSource("loyalty_statements", "loyalty_customers", _BY_ID, "customer_id"),
    TableSource("loyalty_statements", "loyalty_lots", _BY_ID, "seq"),
    TableSource("loyalty_statements", "loyalty_lot_moves", _BY_ID, "seq, lot_id"),
    TableSource("loyalty_statements", "loyalty_transactions", _BY_ID, "seq"),
    TableSource("loyalty_statements", "loyalty_tier_changes", _BY_ID, "seq"),
    TableSource("ticket_timeline", "tickets", _BY_ID, "seq"),
    TableSource(
        "ticket_timeline",
        "ticket_timeline",
        "ticket_id IN (SELECT ticket_id FROM tickets WHERE customer_id = %(c)s)",
        "seq",
    ),
    TableSource("customer_health", "health_customers", _BY_ID, "customer_id"),
    TableSource("customer_health", "health_tickets", _BY_ID, "ticket_id"),
    TableSource("customer_health", "health_answers", _BY_ID, "position"),
    TableSource("customer_health", "health_interactions", _BY_ID, "position"),
    TableSource("customer_health", "health_owners", _BY_ID, "stream_id"),
    TableSource("success_plans", "success_plans", _BY_ID, "seq"),
    TableSource("success_plans", "success_plan_goals", _PLANS, "seq"),
    TableSource("success_plans", "success_plan_milestones", _PLANS, "seq"),
    TableSource("success_plans", "success_plan_check_ins", _BY_ID, "seq"),
    TableSource("referral_funnel", "referral_referrers", _BY_ID, "customer_id"),
    TableSource(
        "referral_funnel",
        "referral_invitations",
        f"{_REFERRER} OR converted_friend_id = %(c)s",
        "seq",
    ),
    TableSource("referral_funnel", "referral_invitee_customers", _BY_ID, "customer_id"),
    TableSource(
        "referral_funnel", "referral_referrals", f"{_REFERRER} OR friend_id = %(c)s", "seq"
    ),
    TableSource("product_reviews", "product_reviews", _BY_ID, "seq"),
    TableSource("product_reviews", "review_order_skus", _BY_ID, "order_id, sku"),
    TableSource("order_tracking", "tracked_orders", _BY_ID, "placed_at, order_id"),
    TableSource(
        "order_tracking",
        "tracked_order_steps",
        "order_id IN (SELECT order_id FROM tracked_orders WHERE customer_id = %(c)s)",
        "seq",
    ),
    TableSource(
        "notification_outbox",
        "notification_outbox",
        _BY_ID,
        "id",
        # The outbox holds no address or token (they stay sealed in the causing event; a
        # token is a credential, not data about the person); old rows lost theirs too.
        "id, cause_position, customer_id, channel, kind, payload - 'token' AS payload,"
        " created_at, sent_at",
    ),
)

READ_MODELS: tuple[str, ...] = tuple(dict.fromkeys(source.read_model for source in SOURCES))


@dataclass(frozen=True, slots=True)
class ColumnInfo:
    """A column of a read-model table, as the catalogue describes it."""

    name: str
    type: str


async def rows_about(
    conn: AsyncConnection[Any], customer_id: UUID
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Every row about the customer: read model -> table -> rows (in a stable order)."""
    found: dict[str, dict[str, list[dict[str, Any]]]] = {name: {} for name in READ_MODELS}
    async with conn.cursor(row_factory=dict_row) as cur:
        for source in SOURCES:
            await cur.execute(_select(source), {"c": customer_id})
            found[source.read_model][source.table] = await cur.fetchall()
    return found


async def columns_of_sources(conn: AsyncConnection[Any]) -> dict[str, list[ColumnInfo]]:
    """The columns of every table an export reads, by table."""
    cur = await conn.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = 'public' AND table_name = ANY(%s)"
        " ORDER BY table_name, ordinal_position",
        ([s.table for s in SOURCES],),
    )
    columns: dict[str, list[ColumnInfo]] = {source.table: [] for source in SOURCES}
    for table, column, data_type in await cur.fetchall():
        columns[table].append(ColumnInfo(column, data_type))
    return columns


def _select(source: TableSource) -> sql.Composed:
    return sql.SQL("SELECT {} FROM {} WHERE {} ORDER BY {}").format(
        sql.SQL(source.columns),  # constants of this module, never input
        sql.Identifier(source.table),
        sql.SQL(source.where),
        sql.SQL(source.order_by),
    )
