"""Erasure resolvers: translate, delegate to the ledger and the privacy reports.

Who may call each is declared in ``schema.py``. Whether the request may be completed (the
legal hold, an earlier completion, a request at all) is the domain's call, so a refusal is a
user error and writes nothing. The one check here is a permission: only privacy officers
choose a legal hold; a customer's own request waits the configured one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

import strawberry

from domain.privacy.erasure import legal_hold_days
from domain.shared.application import CommandResult
from domain.shared.errors import DomainError
from graphql_api.context import RequestContext
from graphql_api.enums import ErasureStatus
from graphql_api.errors import PublicError
from graphql_api.mutation import INPUT, Fields, Info, run_command
from graphql_api.pagination import (
    AfterArgument,
    BeforeArgument,
    FirstArgument,
    LastArgument,
    connection,
    page_request,
)
from graphql_api.privacy import erasure_types as t
from projections.privacy.erasure_queries import (
    erasure_certificate,
    erasure_request_with_id,
    erasure_requests,
    erasure_requests_before,
)

CURSOR_KIND = "erasure"


async def request_erasure(
    info: Info,
    input: Annotated[t.RequestErasureInput, INPUT],  # noqa: A002
) -> t.RequestErasurePayload:
    context, metadata = info.context, info.context.metadata()
    ledger, hold = context.ledger, _hold_days(context, input.hold_days)

    async def shown(result: CommandResult) -> Fields:
        subject = await context.run_command(ledger.subject_of_erasure_request, result.aggregate_id)
        async with context.pool.connection() as conn:
            view = await erasure_request_with_id(conn, result.aggregate_id)
        request = None if view is None else t.ErasureRequestType.of(view, context.principal)
        return {"erasure_request": request, "subject_id": subject}

    return await run_command(
        info,
        lambda: ledger.request_erasure(
            input.customer_id, input.email, input.reason, hold, metadata, _now()
        ),
        t.RequestErasurePayload,
        shown,
    )


async def complete_erasure(
    info: Info,
    input: Annotated[t.CompleteErasureInput, INPUT],  # noqa: A002
) -> t.CompleteErasurePayload:
    context, metadata, subject = info.context, info.context.metadata(), input.subject_id

    async def shown(result: CommandResult) -> Fields:
        return {"certificate": await _certificate(context, subject), "subject_id": subject}

    return await run_command(
        info,
        lambda: context.ledger.complete_erasure(subject, metadata, _now()),
        t.CompleteErasurePayload,
        shown,
    )


async def erasure_request_list(
    info: Info,
    status: Annotated[
        ErasureStatus | None,
        strawberry.argument(description="PENDING, ERASING or COMPLETED; left out: all."),
    ] = None,
    first: FirstArgument = None,
    after: AfterArgument = None,
    last: LastArgument = None,
    before: BeforeArgument = None,
) -> t.ErasureRequestConnection:
    request = page_request(CURSOR_KIND, first=first, after=after, last=last, before=before)
    async with info.context.pool.connection() as conn:
        if request.backward:
            page = await erasure_requests_before(conn, status, request.size, request.cursor)
        else:
            page = await erasure_requests(conn, status, request.size, request.cursor or 0)
    principal = info.context.principal
    return connection(
        t.ErasureRequestConnection,
        t.ErasureRequestEdge,
        CURSOR_KIND,
        page,
        lambda view: t.ErasureRequestType.of(view, principal),
        after=after,
        position=lambda view: view.seq,
        request=request,
    )


async def certificate_of(
    info: Info,
    subject_id: Annotated[
        UUID, strawberry.argument(description="The erased subject (a customer or invitee id).")
    ],
) -> t.ErasureCertificateType | None:
    return await _certificate(info.context, subject_id)


def _hold_days(context: RequestContext, chosen: int | None) -> int:
    """The legal hold (the domain's rule); one chosen by someone who may not is refused like
    an operation their role may not use."""
    limits, role = context.services.limits, context.principal.role
    try:
        return legal_hold_days(chosen, role, limits.erasure_hold_days)
    except DomainError as refused:
        raise PublicError(refused.message, refused.code) from None


def _now() -> datetime:
    return datetime.now(UTC)


async def _certificate(
    context: RequestContext, subject_id: UUID
) -> t.ErasureCertificateType | None:
    async with context.pool.connection() as conn:
        certificate = await erasure_certificate(conn, subject_id)
    return (
        None if certificate is None else t.ErasureCertificateType.of(certificate, context.principal)
    )
