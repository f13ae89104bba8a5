"""Privacy resolvers: translate, delegate to the ledger and the read models.

Who may call each is declared in ``schema.py``; what is allowed (the reason, the subject
existing) is the domain's call, so a refusal is a user error and records nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

import strawberry

from domain.shared.errors import DomainError
from graphql_api.context import RequestContext
from graphql_api.customers.profile import ConsentChangeType
from graphql_api.errors import PublicError, user_error_from
from graphql_api.privacy.export import EXPORT_SECTIONS, export_document
from graphql_api.privacy.types import (
    DataExportType,
    ExportCustomerDataInput,
    ExportCustomerDataPayload,
    may_see_actor,
)
from projections.customers.queries import consent_history as consent_changes
from projections.privacy.projection import PROJECTION_NAME
from projections.privacy.queries import data_exports_of

Info = strawberry.Info[RequestContext, None]
CustomerId = Annotated[UUID, strawberry.argument(description="The customer.")]
AtLeast = Annotated[
    str | None,
    strawberry.argument(description="A position from a mutation: wait until it is visible."),
]


async def export_customer_data(
    info: Info,
    input: Annotated[  # noqa: A002
        ExportCustomerDataInput, strawberry.argument(description="Whose data, and why.")
    ],
) -> ExportCustomerDataPayload:
    context, now = info.context, datetime.now(UTC)
    try:
        # Recorded first: an export that cannot be recorded does not happen.
        export = await context.run_command(
            context.ledger.record_data_export,
            input.customer_id,
            input.reason,
            list(EXPORT_SECTIONS),
            context.metadata(),
            now,
            input.export_id,
        )
    except DomainError as error:
        return ExportCustomerDataPayload(
            export_id=None, position=None, document=None, user_errors=[user_error_from(error)]
        )
    document = await export_document(context, input.customer_id, export, now)
    return ExportCustomerDataPayload(
        export_id=export.aggregate_id,
        position=str(export.position),
        document=document,
        user_errors=[],
    )


async def data_exports(
    info: Info, customer_id: CustomerId, at_least: AtLeast = None
) -> list[DataExportType]:
    await _wait_for(info.context, PROJECTION_NAME, at_least)
    async with info.context.pool.connection() as conn:
        views = await data_exports_of(conn, customer_id)
    return [DataExportType.of(view, info.context.principal) for view in views]


async def consent_history(
    info: Info, customer_id: CustomerId, at_least: AtLeast = None
) -> list[ConsentChangeType]:
    await _wait_for(info.context, "customer_directory", at_least)
    async with info.context.pool.connection() as conn:
        changes = await consent_changes(conn, customer_id)
    principal = info.context.principal
    return [
        ConsentChangeType.from_view(change, may_see_actor(principal, change.actor_role))
        for change in changes
    ]


async def _wait_for(context: RequestContext, projection: str, at_least: str | None) -> None:
    """Wait (bounded) until ``projection`` shows the write at ``at_least``."""
    if at_least is None:
        return
    if not (at_least.isascii() and at_least.isdigit() and len(at_least) <= 18):
        raise PublicError("`atLeast` must be a position returned by a mutation", "BAD_POSITION")
    if not await context.read_your_write(projection, int(at_least)):
        raise PublicError(
            "that write is not visible yet; retry in a moment", "POSITION_NOT_REACHED"
        )
