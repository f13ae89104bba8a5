"""Success plan mutations: translate the input, hand the command to the ledger; the domain
decides (bounds, a closed plan, an unknown goal or customer, the expected version)."""

from __future__ import annotations

from typing import Annotated

from domain.success.commands import (
    AddSuccessPlanGoal,
    CloseSuccessPlan,
    OpenSuccessPlan,
    ReachSuccessPlanMilestone,
    RecordSuccessPlanCheckIn,
)
from graphql_api.mutation import INPUT, Info, run_command
from graphql_api.success import plan_inputs as i
from graphql_api.success import plan_payloads as p


async def open_success_plan(
    info: Info,
    input: Annotated[i.OpenSuccessPlanInput, INPUT],  # noqa: A002
) -> p.OpenSuccessPlanPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    command = OpenSuccessPlan(
        input.customer_id, input.title, tuple(input.goals or ()), input.plan_id
    )
    return await run_command(
        info, lambda: ledger.handle(command, metadata), p.OpenSuccessPlanPayload
    )


async def add_success_plan_goal(
    info: Info,
    input: Annotated[i.AddSuccessPlanGoalInput, INPUT],  # noqa: A002
) -> p.AddSuccessPlanGoalPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    command = AddSuccessPlanGoal(input.plan_id, input.goal, input.expected_version)
    return await run_command(
        info, lambda: ledger.handle(command, metadata), p.AddSuccessPlanGoalPayload
    )


async def reach_success_plan_milestone(
    info: Info,
    input: Annotated[i.ReachSuccessPlanMilestoneInput, INPUT],  # noqa: A002
) -> p.ReachSuccessPlanMilestonePayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    command = ReachSuccessPlanMilestone(
        input.plan_id, input.goal_id, input.milestone, input.expected_version
    )
    return await run_command(
        info, lambda: ledger.handle(command, metadata), p.ReachSuccessPlanMilestonePayload
    )


async def record_success_plan_check_in(
    info: Info,
    input: Annotated[i.RecordSuccessPlanCheckInInput, INPUT],  # noqa: A002
) -> p.RecordSuccessPlanCheckInPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    command = RecordSuccessPlanCheckIn(input.plan_id, input.note, input.expected_version)
    return await run_command(
        info, lambda: ledger.handle(command, metadata), p.RecordSuccessPlanCheckInPayload
    )


async def close_success_plan(
    info: Info,
    input: Annotated[i.CloseSuccessPlanInput, INPUT],  # noqa: A002
) -> p.CloseSuccessPlanPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    command = CloseSuccessPlan(input.plan_id, input.outcome, input.expected_version)
    return await run_command(
        info, lambda: ledger.handle(command, metadata), p.CloseSuccessPlanPayload
    )
