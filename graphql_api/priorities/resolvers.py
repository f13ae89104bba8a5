"""Enhancement priorities: translate, ask the read model whether anyone raised the theme,
delegate to the ledger; the domain decides."""

from __future__ import annotations

from typing import Annotated

import strawberry

from domain.shared.application import CommandResult
from domain.shared.errors import DomainError
from domain.survey.values import check_product_version
from domain.theme_priority.commands import MarkThemeDone, MarkThemePlanned
from domain.theme_priority.values import check_theme
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
from graphql_api.priorities.types import (
    EnhancementPriority,
    EnhancementPriorityConnection,
    EnhancementPriorityEdge,
    MarkThemeDoneInput,
    MarkThemeDonePayload,
    MarkThemePlannedInput,
    MarkThemePlannedPayload,
)
from graphql_api.read_your_writes import AtLeast, wait_for
from graphql_api.surveys.queries import min_group_size_for
from projections.theme_priorities.projection import ThemePriorities
from projections.theme_priorities.queries import (
    theme_count,
    theme_priorities_before,
    theme_priorities_page,
    theme_raised,
)

CURSOR_KIND = "enhancement-priority"
VersionArgument = Annotated[
    str | None,
    strawberry.argument(
        description="Only this product version: letters, digits and . _ + - (at most 64); "
        "null: every version, and what came without one."
    ),
]


def _checked_version(version: str | None) -> str | None:
    try:
        return check_product_version(version)
    except DomainError as error:
        raise PublicError(str(error), "INVALID_INPUT") from None


async def enhancement_priorities(
    info: Info,
    product_version: VersionArgument = None,
    first: FirstArgument = None,
    after: AfterArgument = None,
    last: LastArgument = None,
    before: BeforeArgument = None,
    at_least: AtLeast = None,
) -> EnhancementPriorityConnection:
    version = _checked_version(product_version)
    request = page_request(CURSOR_KIND, first=first, after=after, last=last, before=before)
    await wait_for(info.context, ThemePriorities.name, at_least)
    smallest = min_group_size_for(info.context)
    async with info.context.pool.connection() as conn:
        if request.backward:
            end = request.cursor
            if end is None:  # from the end: just after the last theme listed
                end = await theme_count(conn, version, min_group_size=smallest) + 1
            page = await theme_priorities_before(
                conn, version, request.size, end, min_group_size=smallest
            )
        else:
            page = await theme_priorities_page(
                conn, version, request.size, request.cursor or 0, min_group_size=smallest
            )
    return connection(
        EnhancementPriorityConnection,
        EnhancementPriorityEdge,
        CURSOR_KIND,
        page,
        EnhancementPriority.from_view,
        after=after,
        position=lambda view: view.rank,
        request=request,
        min_group_size=smallest,
    )


async def _raised(info: Info, theme: str) -> bool | DomainError:
    try:
        checked = check_theme(theme)  # bounded before any query sees it
    except DomainError as error:
        return error
    async with info.context.pool.connection() as conn:
        return await theme_raised(conn, checked)


async def _shown(result: CommandResult, theme: str) -> Fields:
    return {"theme": check_theme(theme), "version": result.version}


async def mark_theme_planned(
    info: Info,
    input: Annotated[MarkThemePlannedInput, INPUT],  # noqa: A002
) -> MarkThemePlannedPayload:
    raised = await _raised(info, input.theme)
    if isinstance(raised, DomainError):
        return MarkThemePlannedPayload.refused(raised)
    command = MarkThemePlanned(input.theme, input.note, raised, input.expected_version)
    context, metadata = info.context, info.context.metadata()
    return await run_command(
        info,
        lambda: context.ledger.handle(command, metadata),
        MarkThemePlannedPayload,
        lambda result: _shown(result, input.theme),
    )


async def mark_theme_done(
    info: Info,
    input: Annotated[MarkThemeDoneInput, INPUT],  # noqa: A002
) -> MarkThemeDonePayload:
    raised = await _raised(info, input.theme)
    if isinstance(raised, DomainError):
        return MarkThemeDonePayload.refused(raised)
    command = MarkThemeDone(input.theme, input.note, raised, input.expected_version)
    context, metadata = info.context, info.context.metadata()
    return await run_command(
        info,
        lambda: context.ledger.handle(command, metadata),
        MarkThemeDonePayload,
        lambda result: _shown(result, input.theme),
    )
