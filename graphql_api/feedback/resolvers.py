"""Feedback resolvers: translate, throttle anonymous senders, delegate; the domain decides."""

from __future__ import annotations

from typing import Annotated

import strawberry

from domain.feedback.commands import SubmitFeedback
from graphql_api.anonymous_inputs import anonymous_refusal
from graphql_api.context import RequestContext
from graphql_api.feedback.inputs import FeedbackFilterInput, SubmitFeedbackInput
from graphql_api.feedback.payloads import SubmitFeedbackPayload
from graphql_api.feedback.types import FeedbackConnection, FeedbackEdge, FeedbackType
from graphql_api.moments import moment
from graphql_api.mutation import INPUT, run_command
from graphql_api.pagination import (
    AfterArgument,
    BeforeArgument,
    FirstArgument,
    LastArgument,
    connection,
    page_request,
)
from graphql_api.read_your_writes import AtLeast, wait_for
from projections.feedback import queries as read
from projections.feedback.views import PROJECTION_NAME, FeedbackFilter

Info = strawberry.Info[RequestContext, None]
CURSOR_KIND = "feedback"


async def submit_feedback(
    info: Info,
    input: Annotated[SubmitFeedbackInput, INPUT],  # noqa: A002
) -> SubmitFeedbackPayload:
    context = info.context
    refused = await anonymous_refusal(context)
    if refused:
        return SubmitFeedbackPayload.refused(refused)
    command = SubmitFeedback(
        kind=input.kind,
        topic=input.topic,
        text=input.text,
        product_version=input.product_version,
        email=input.email,
        feedback_id=input.feedback_id,
    )
    metadata = context.metadata()
    return await run_command(
        info, lambda: context.ledger.handle(command, metadata), SubmitFeedbackPayload
    )


def feedback_filter(given: FeedbackFilterInput | None) -> FeedbackFilter:
    given = given or FeedbackFilterInput()
    return FeedbackFilter(
        kind=None if given.kind is None else given.kind.value,
        topic=given.topic,
        sentiment=None if given.sentiment is None else given.sentiment.value,
        since=moment(given.since, "from"),
        until=moment(given.until, "to"),
    )


async def feedback(
    info: Info,
    filter: Annotated[  # noqa: A002
        FeedbackFilterInput | None,
        strawberry.argument(description="Which feedback; left out: all."),
    ] = None,
    first: FirstArgument = None,
    after: AfterArgument = None,
    last: LastArgument = None,
    before: BeforeArgument = None,
    at_least: AtLeast = None,
) -> FeedbackConnection:
    request = page_request(CURSOR_KIND, first=first, after=after, last=last, before=before)
    checked = feedback_filter(filter)
    await wait_for(info.context, PROJECTION_NAME, at_least)
    async with info.context.pool.connection() as conn:
        page = await read.feedback_page(
            conn, checked, request.size, request.cursor, request.backward
        )
        total = await read.feedback_total(conn, checked)
    return connection(
        FeedbackConnection,
        FeedbackEdge,
        CURSOR_KIND,
        page,
        lambda row: FeedbackType(row=row),
        after=after,
        position=lambda row: row.seq,
        request=request,
        total_count=total,
    )
