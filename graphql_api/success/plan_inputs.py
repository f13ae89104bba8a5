"""Inputs of the success plan mutations and the portfolio's filter."""

from __future__ import annotations

from uuid import UUID

import strawberry

from graphql_api.enums import HealthBand, SuccessPlanOutcome, SuccessPlanStatus

PLAN = "The plan."
EXPECTED = "The plan's version you saw; left out: whatever it is now."


@strawberry.input(description="Open a success plan for a customer.")
class OpenSuccessPlanInput:
    customer_id: UUID = strawberry.field(description="The customer.")
    title: str = strawberry.field(description="1-120 characters.")
    goals: list[str] | None = strawberry.field(
        default=None, description="Its first goals, at most 20, each 1-200 characters."
    )
    plan_id: UUID | None = strawberry.field(
        default=None, description="An id of your choice: a retried request answers the first."
    )


@strawberry.input(description="Add a goal to an open plan.")
class AddSuccessPlanGoalInput:
    plan_id: UUID = strawberry.field(description=PLAN)
    goal: str = strawberry.field(description="1-200 characters; at most 20 goals a plan.")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED)


@strawberry.input(description="Record a milestone reached towards a goal of an open plan.")
class ReachSuccessPlanMilestoneInput:
    plan_id: UUID = strawberry.field(description=PLAN)
    goal_id: UUID = strawberry.field(description="The goal it brings closer.")
    milestone: str = strawberry.field(
        description="1-200 characters; at most 200 milestones a plan."
    )
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED)


@strawberry.input(description="Record a check-in with the customer on an open plan.")
class RecordSuccessPlanCheckInInput:
    plan_id: UUID = strawberry.field(description=PLAN)
    note: str = strawberry.field(
        description="What was said, 1-2000 characters (the customer's personal data); at most "
        "500 check-ins a plan."
    )
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED)


@strawberry.input(description="Close an open plan with its outcome.")
class CloseSuccessPlanInput:
    plan_id: UUID = strawberry.field(description=PLAN)
    outcome: SuccessPlanOutcome = strawberry.field(description="How it ended.")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED)


@strawberry.input(description="Which success plans to list.")
class SuccessPlanFilterInput:
    status: SuccessPlanStatus | None = strawberry.field(
        default=None, description="Only plans in this status."
    )
    band: HealthBand | None = strawberry.field(
        default=None, description="Only plans whose customer's health is in this band now."
    )
