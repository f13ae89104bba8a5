"""Payloads of the success plan mutations: the plan as the read model shows it after the
write (after a bounded wait), the write's log position, and why nothing was written."""

from __future__ import annotations

from uuid import UUID

import strawberry

from domain.shared.application import CommandResult
from graphql_api.context import RequestContext
from graphql_api.errors import UserError
from graphql_api.mutation import Fields, Payload
from graphql_api.notices import NOTICES, Notice
from graphql_api.success.plan_types import SuccessPlanType
from projections.success.plan_projection import PLANS_PROJECTION_NAME
from projections.success.plan_queries import plan_by_id

POSITION = "Log position of the write; pass it as `atLeast` to read your write."
USER_ERRORS = "Why nothing was written."


@strawberry.type(description="What every mutation on a success plan answers.")
class SuccessPlanPayload(Payload):
    plan: SuccessPlanType | None = strawberry.field(
        description="The plan after the write; null if refused, or if the read model did not "
        "show the write in time (see notices)."
    )
    plan_id: UUID | None = strawberry.field(
        default=None,
        description="The plan written to, even when `plan` is null; null if refused.",
    )
    position: str | None = strawberry.field(description=POSITION)
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)
    notices: list[Notice] = strawberry.field(default_factory=list, description=NOTICES)

    read_model = PLANS_PROJECTION_NAME

    @classmethod
    async def shown(cls, context: RequestContext, result: CommandResult) -> Fields:
        async with context.pool.connection() as conn:
            view = await plan_by_id(conn, result.aggregate_id)
        plan = None if view is None else SuccessPlanType(view=view)
        return {"plan": plan, "plan_id": result.aggregate_id}


@strawberry.type(description="Result of openSuccessPlan.")
class OpenSuccessPlanPayload(SuccessPlanPayload):
    pass


@strawberry.type(description="Result of addSuccessPlanGoal.")
class AddSuccessPlanGoalPayload(SuccessPlanPayload):
    pass


@strawberry.type(description="Result of reachSuccessPlanMilestone.")
class ReachSuccessPlanMilestonePayload(SuccessPlanPayload):
    pass


@strawberry.type(description="Result of recordSuccessPlanCheckIn.")
class RecordSuccessPlanCheckInPayload(SuccessPlanPayload):
    pass


@strawberry.type(description="Result of closeSuccessPlan.")
class CloseSuccessPlanPayload(SuccessPlanPayload):
    pass
