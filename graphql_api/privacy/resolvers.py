"""Privacy resolvers: translate, delegate to the ledger and the read models.

Who may call each is declared in ``schema.py``; what is allowed (the reason, the subject
existing) is the domain's call, so a refusal is a user error and records nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

import strawberry

from domain.shared.application import CommandResult
from graphql_api.customers.profile import ConsentChangeType
from graphql_api.mutation import Fields, Info, run_command
from graphql_api.privacy.export import EXPORT_SECTIONS, export_document
from graphql_api.privacy.types import (
    DataExportType,
    ExportCustomerDataInput,
    ExportCustomerDataPayload,
    may_see_actor,
)
from graphql_api.read_your_writes import AtLeast, wait_for
from projections.customers.projection import CustomerDirectory
from projections.customers.queries import consent_history as consent_changes
from projections.privacy.projection import PROJECTION_NAME
from projections.privacy.queries import data_exports_of

CustomerId = Annotated[UUID, strawberry.argument(description="The customer.")]


async def export_customer_data(
    info: Info,
    input: Annotated[  # noqa: A002
        ExportCustomerDataInput, strawberry.argument(description="Whose data, and why.")
    ],
) -> ExportCustomerDataPayload:
    context, metadata, now = info.context, info.context.metadata(), datetime.now(UTC)
    sections = list(EXPORT_SECTIONS)

    async def shown(export: CommandResult) -> Fields:
        document = await export_document(context, input.customer_id, export, now)
        return {"export_id": export.aggregate_id, "document": document}

    # Recorded first: an export that cannot be recorded does not happen.
    return await run_command(
        info,
        lambda: context.ledger.record_data_export(
            input.customer_id, input.reason, sections, metadata, now, input.export_id
        ),
        ExportCustomerDataPayload,
        shown,
    )


async def data_exports(
    info: Info, customer_id: CustomerId, at_least: AtLeast = None
) -> list[DataExportType]:
    await wait_for(info.context, PROJECTION_NAME, at_least)
    async with info.context.pool.connection() as conn:
        views = await data_exports_of(conn, customer_id)
    return [DataExportType.of(view, info.context.principal) for view in views]


async def consent_history(
    info: Info, customer_id: CustomerId, at_least: AtLeast = None
) -> list[ConsentChangeType]:
    await wait_for(info.context, CustomerDirectory.name, at_least)
    async with info.context.pool.connection() as conn:
        changes = await consent_changes(conn, customer_id)
    principal = info.context.principal
    return [
        ConsentChangeType.from_view(change, may_see_actor(principal, change.actor_role))
        for change in changes
    ]
