"""GraphQL types of success plans. A check-in's note is the customer's personal data: null
for roles that may not see it (analysts, auditors) and once the customer was erased."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from graphql_api.auth import may_see_personal_data
from graphql_api.context import RequestContext
from graphql_api.enums import SuccessPlanOutcome, SuccessPlanStatus
from graphql_api.pagination import PageInfo
from projections.success.plan_queries import PlanView

Info = strawberry.Info[RequestContext, None]


@strawberry.type(description="A goal of a success plan.")
class SuccessPlanGoalType:
    id: UUID = strawberry.field(description="The goal's id (for reachSuccessPlanMilestone).")
    goal: str = strawberry.field(description="What the customer aims at.")
    added_at: datetime = strawberry.field(description="When it was added.")


@strawberry.type(description="A milestone reached on the way to a goal.")
class SuccessPlanMilestoneType:
    goal_id: UUID = strawberry.field(description="The goal it brings closer.")
    milestone: str = strawberry.field(description="What was reached.")
    reached_at: datetime = strawberry.field(description="When.")


@strawberry.type(description="A check-in with the customer.")
class SuccessPlanCheckInType:
    note: str | None = strawberry.field(
        description="What was said. Personal data: null unless you may see it, and once the "
        "customer was erased."
    )
    recorded_at: datetime = strawberry.field(description="When it was recorded.")


@strawberry.type(description="A customer-success plan: goals, milestones and check-ins.")
class SuccessPlanType:
    view: strawberry.Private[PlanView]

    @strawberry.field(description="The plan's id.")
    def id(self) -> UUID:
        return self.view.plan_id

    @strawberry.field(description="The customer the plan is with.")
    def customer_id(self) -> UUID:
        return self.view.customer_id

    @strawberry.field(description="The plan's title.")
    def title(self) -> str:
        return self.view.title

    @strawberry.field(description="Open or closed.")
    def status(self) -> SuccessPlanStatus:
        return SuccessPlanStatus(self.view.status)

    @strawberry.field(description="How it ended; null while open.")
    def outcome(self) -> SuccessPlanOutcome | None:
        return None if self.view.outcome is None else SuccessPlanOutcome(self.view.outcome)

    @strawberry.field(description="When it was opened.")
    def opened_at(self) -> datetime:
        return self.view.opened_at

    @strawberry.field(description="When it was closed; null while open.")
    def closed_at(self) -> datetime | None:
        return self.view.closed_at

    @strawberry.field(description="Plan version; send it back as expectedVersion.")
    def version(self) -> int:
        return self.view.version

    @strawberry.field(description="Its goals, in the order they were added.")
    def goals(self) -> list[SuccessPlanGoalType]:
        return [
            SuccessPlanGoalType(id=g.goal_id, goal=g.goal, added_at=g.added_at)
            for g in self.view.goals
        ]

    @strawberry.field(description="The milestones reached, oldest first.")
    def milestones(self) -> list[SuccessPlanMilestoneType]:
        return [
            SuccessPlanMilestoneType(
                goal_id=m.goal_id, milestone=m.milestone, reached_at=m.reached_at
            )
            for m in self.view.milestones
        ]

    @strawberry.field(
        description="The check-ins, oldest first; notes only for those who may see personal data."
    )
    def check_ins(self, info: Info) -> list[SuccessPlanCheckInType]:
        shown = may_see_personal_data(info.context.principal, self.view.customer_id)
        return [
            SuccessPlanCheckInType(note=c.note if shown else None, recorded_at=c.recorded_at)
            for c in self.view.check_ins
        ]


@strawberry.type(description="An edge of a list of success plans.")
class SuccessPlanEdge:
    cursor: str = strawberry.field(description="Opaque cursor; pass it as `after`.")
    node: SuccessPlanType = strawberry.field(description="The plan.")


@strawberry.type(description="A page of success plans, in the order they were opened.")
class SuccessPlanConnection:
    edges: list[SuccessPlanEdge] = strawberry.field(description="The plans of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page is in the whole list.")
