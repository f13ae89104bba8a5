"""Announcing an improvement and reading improvements: translate, ask the read model what
it knows of the feedback on the topic, delegate to the ledger; the domain decides."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import strawberry

from domain.improvement.commands import AnnounceImprovement, FeedbackOnTopic
from domain.improvement.values import Topic
from domain.shared.application import CommandResult
from domain.shared.errors import DomainError
from graphql_api.context import RequestContext
from graphql_api.mutation import INPUT, Fields, Info, run_command
from graphql_api.pagination import (
    AfterArgument,
    BeforeArgument,
    FirstArgument,
    LastArgument,
    connection,
    page_request,
)
from graphql_api.read_your_writes import AtLeast, wait_for
from graphql_api.surveys.improvement_types import (
    AnnounceImprovementInput,
    AnnounceImprovementPayload,
    Improvement,
    ImprovementConnection,
    ImprovementEdge,
)
from graphql_api.surveys.queries import min_group_size_for
from projections.improvements.projection import ImprovementImpact
from projections.improvements.queries import (
    improvement_by_id,
    improvements_page,
    improvements_page_before,
)
from projections.surveys.topics import feedback_on_topic

CURSOR_KIND = "improvement"


async def load_improvement(context: RequestContext, improvement_id: UUID) -> Improvement | None:
    smallest = min_group_size_for(context)
    async with context.pool.connection() as conn:
        view = await improvement_by_id(conn, improvement_id, min_group_size=smallest)
    return None if view is None else Improvement.from_view(view)


async def improvement(
    info: Info,
    id: Annotated[UUID, strawberry.argument(description="The improvement's id.")],  # noqa: A002
    at_least: AtLeast = None,
) -> Improvement | None:
    await wait_for(info.context, ImprovementImpact.name, at_least)
    return await load_improvement(info.context, id)


async def improvements(
    info: Info,
    first: FirstArgument = None,
    after: AfterArgument = None,
    last: LastArgument = None,
    before: BeforeArgument = None,
    at_least: AtLeast = None,
) -> ImprovementConnection:
    request = page_request(CURSOR_KIND, first=first, after=after, last=last, before=before)
    await wait_for(info.context, ImprovementImpact.name, at_least)
    smallest = min_group_size_for(info.context)
    async with info.context.pool.connection() as conn:
        if request.backward:
            page = await improvements_page_before(
                conn, request.size, request.cursor, min_group_size=smallest
            )
        else:
            page = await improvements_page(
                conn, request.size, request.cursor or 0, min_group_size=smallest
            )
    return connection(
        ImprovementConnection,
        ImprovementEdge,
        CURSOR_KIND,
        page,
        Improvement.from_view,
        after=after,
        position=lambda view: view.seq,
        request=request,
    )


async def announce_improvement(
    info: Info,
    input: Annotated[AnnounceImprovementInput, INPUT],  # noqa: A002
) -> AnnounceImprovementPayload:
    context, metadata = info.context, info.context.metadata()
    try:
        topic = Topic.checked(input.aspect, input.theme)  # bounded before any query sees it
    except DomainError as error:
        return AnnounceImprovementPayload.refused(error)
    async with context.pool.connection() as conn:
        known, customers = await feedback_on_topic(conn, topic.kind.value, topic.name)
    command = AnnounceImprovement(
        aspect=input.aspect,
        theme=input.theme,
        product_version=input.product_version,
        message=input.message,
        feedback=FeedbackOnTopic(known, tuple(customers)),
        improvement_id=input.improvement_id,
    )

    async def shown(result: CommandResult) -> Fields:
        return {
            "improvement": await load_improvement(context, result.aggregate_id),
            "improvement_id": result.aggregate_id,
        }

    return await run_command(
        info,
        lambda: context.ledger.announce_improvement(command, metadata),
        AnnounceImprovementPayload,
        shown,
    )
