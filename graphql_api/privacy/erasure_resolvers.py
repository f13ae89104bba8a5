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

from domain.privacy.erasure import ErasureReason, ErasureRequest
from domain.shared.application import CommandResult
from domain.shared.errors import DomainError
from domain.shared.metadata import Role
from graphql_api.context import RequestContext
from graphql_api.errors import PublicError, user_error_from
from graphql_api.pagination import PageInfo, check_page_size, decode_cursor, encode_cursor
from graphql_api.privacy import erasure_types as t
from projections.privacy.erasure_queries import (
    ErasureRequestView,
    ErasureStatus,
    erasure_certificate,
    erasure_request_with_id,
    erasure_requests,
)
from projections.privacy.projection import PROJECTION_NAME

Info = strawberry.Info[RequestContext, None]
CURSOR_KIND = "erasure"
INPUT = strawberry.argument(description="What to do; see the input type.")


async def request_erasure(
    info: Info,
    input: Annotated[t.RequestErasureInput, INPUT],  # noqa: A002
) -> t.RequestErasurePayload:
    context, metadata = info.context, info.context.metadata()
    reason, hold = ErasureReason(input.reason.value), _hold_days(context, input.hold_days)

    def command() -> tuple[CommandResult, UUID]:
        ledger = context.ledger
        result = ledger.request_erasure(
            input.customer_id, input.email, reason, hold, metadata, _now()
        )
        request: ErasureRequest = ledger.repository.get(result.aggregate_id)
        return result, request.subject_id

    try:
        result, subject = await context.run_command(command)
    except DomainError as error:
        return t.RequestErasurePayload(
            erasure_request=None, position=None, user_errors=[user_error_from(error)]
        )
    notices = await context.wait_for_write(PROJECTION_NAME, result.position)
    view = await _request_with_id(context, result.aggregate_id)
    return t.RequestErasurePayload(
        erasure_request=None if view is None else t.ErasureRequestType.of(view, context.principal),
        subject_id=subject,
        position=str(result.position),
        user_errors=[],
        notices=notices,
    )


async def complete_erasure(
    info: Info,
    input: Annotated[t.CompleteErasureInput, INPUT],  # noqa: A002
) -> t.CompleteErasurePayload:
    context, subject = info.context, input.subject_id
    try:
        result = await context.run_command(
            context.ledger.complete_erasure, subject, context.metadata(), _now()
        )
    except DomainError as error:
        return t.CompleteErasurePayload(
            certificate=None, position=None, user_errors=[user_error_from(error)]
        )
    notices = await context.wait_for_write(PROJECTION_NAME, result.position)
    return t.CompleteErasurePayload(
        certificate=await _certificate(context, subject),
        subject_id=subject,
        position=str(result.position),
        user_errors=[],
        notices=notices,
    )


async def erasure_request_list(
    info: Info,
    status: Annotated[
        t.ErasureStatusType | None,
        strawberry.argument(description="PENDING, ERASING or COMPLETED; left out: all."),
    ] = None,
    first: Annotated[int, strawberry.argument(description="Page size, 1 to 100.")] = 20,
    after: Annotated[
        str | None, strawberry.argument(description="Cursor of the last request of the last page.")
    ] = None,
) -> t.ErasureRequestConnection:
    size, after_position = check_page_size(first), decode_cursor(CURSOR_KIND, after)
    wanted = None if status is None else ErasureStatus(status.value)
    async with info.context.pool.connection() as conn:
        page = await erasure_requests(conn, wanted, size, after_position)
    principal = info.context.principal
    edges = [
        t.ErasureRequestEdge(
            cursor=encode_cursor(CURSOR_KIND, view.seq),
            node=t.ErasureRequestType.of(view, principal),
        )
        for view in page.items
    ]
    return t.ErasureRequestConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )


async def certificate_of(
    info: Info,
    subject_id: Annotated[
        UUID, strawberry.argument(description="The erased subject (a customer or invitee id).")
    ],
) -> t.ErasureCertificateType | None:
    return await _certificate(info.context, subject_id)


def _hold_days(context: RequestContext, chosen: int | None) -> int:
    """The legal hold: a privacy officer may choose it; everyone else (a customer asking for
    themself) gets the configured one, so no one shortens their own hold."""
    if chosen is None:
        return context.services.limits.erasure_hold_days
    if context.principal.role is not Role.PRIVACY_OFFICER:
        raise PublicError(
            "only privacy officers choose a legal hold; leave holdDays out", "FORBIDDEN"
        )
    return chosen


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


async def _request_with_id(context: RequestContext, request_id: UUID) -> ErasureRequestView | None:
    async with context.pool.connection() as conn:
        return await erasure_request_with_id(conn, request_id)
