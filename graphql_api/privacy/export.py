"""A data export assembled: the log's part, the read models' part, and their description.

The export is recorded before this runs (see ``mutations``), so nothing leaves unrecorded.
The read models are first given a bounded wait to reach the export's position, so the
document shows every write before the export; whether each did is part of the document.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.shared.application import CommandResult
from graphql_api.context import RequestContext
from graphql_api.disclosed import JsonValue, to_json
from graphql_api.privacy.export_schema import document_schema
from graphql_api.privacy.log_part import RelatedIds, log_sections
from graphql_api.privacy.serialise import Reveal
from projections.privacy.export_queries import READ_MODELS, columns_of_sources, rows_about

EXPORT_SECTIONS = (
    "customer",
    "consent_history",
    "purchases",
    "surveys",
    "loyalty",
    "tickets",
    "referrals",
    "notifications",
    "read_models",
)
"""The sections of every export, in order (recorded with the export)."""

Rows = dict[str, dict[str, list[dict[str, Any]]]]


async def export_document(
    context: RequestContext, customer_id: UUID, export: CommandResult, now: datetime
) -> JsonValue:
    """Everything held on the customer, decrypted, as one JSON document with its schema."""
    caught_up = await _wait_for_read_models(context, export.position)
    async with context.pool.connection() as conn:
        rows = await rows_about(conn, customer_id)
        columns = await columns_of_sources(conn)
    logged = await context.run_command(
        log_sections, context.ledger, customer_id, related_ids(rows, customer_id), now
    )
    sections = {
        **logged,
        "notifications": rows["notification_outbox"]["notification_outbox"],
        "read_models": rows,
    }
    return {
        "schema": document_schema(columns),
        "subject": {"customer_id": str(customer_id)},
        "generated_at": now.isoformat(),
        "export": {"export_id": str(export.aggregate_id), "position": export.position},
        "read_models_caught_up": caught_up,
        "sections": to_json(sections, Reveal(frozenset({customer_id}))),
    }


def related_ids(rows: Rows, customer_id: UUID) -> RelatedIds:
    """The streams about the customer that the read models list by customer id."""
    return RelatedIds(
        purchases=[r["purchase_id"] for r in rows["customer_directory"]["customer_purchases"]],
        invitations=[r["invitation_id"] for r in rows["survey_dashboard"]["survey_invitations"]],
        tickets=[r["ticket_id"] for r in rows["ticket_timeline"]["tickets"]],
        referrals_made=[
            r["referral_id"]
            for r in rows["referral_funnel"]["referral_referrals"]
            if r["referrer_id"] == customer_id  # the referring customer, not their stream
        ],
    )


async def _wait_for_read_models(context: RequestContext, position: int) -> dict[str, bool]:
    reached = await asyncio.gather(*(context.read_your_write(n, position) for n in READ_MODELS))
    return dict(zip(READ_MODELS, reached, strict=True))
