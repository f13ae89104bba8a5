"""The customer success area's queries and mutations, with who may use each.

Health scores hold no personal data: every staff reader sees them on Customer 360. The
at-risk list is agents' and admins' work queue, and they keep the success plans; staff readers
see the plans, the check-ins' notes only those who may see personal data.
"""

from __future__ import annotations

import strawberry

from graphql_api.permissions import READERS, STAFF, allowed
from graphql_api.success import plan_mutations, plan_payloads, queries
from graphql_api.success.plan_types import SuccessPlanConnection
from graphql_api.success.types import AtRiskCustomerConnection

STAFF_READERS = "Agents, admins, analysts, auditors and privacy officers."
PLAN_REFUSALS = (
    "Refused with SUCCESS_PLAN_NOT_FOUND, SUCCESS_PLAN_CLOSED, SUCCESS_PLAN_FULL, "
    "INVALID_INPUT or CONCURRENCY_CONFLICT. Agents and admins."
)


@strawberry.type(description="Queries about customer success.")
class SuccessQueries:
    customers_at_risk: AtRiskCustomerConnection = strawberry.field(
        resolver=queries.customers_at_risk,
        description="The customers whose health score is under 40, most at risk first, each "
        "with why (Relay connection, `first`/`after` or `last`/`before`, up to 100; the "
        "cursor is the score and the customer's place, so changes meanwhile shift no page). "
        "Agents and admins.",
        extensions=allowed(STAFF),
    )
    success_plans: SuccessPlanConnection = strawberry.field(
        resolver=queries.success_plans,
        description="The portfolio of success plans in the order they were opened, by status "
        "and by the customer's health band now (Relay connection, up to 100). Notes only for "
        f"roles that may see personal data. {STAFF_READERS}",
        extensions=allowed(READERS),
    )


@strawberry.type(description="Commands on success plans.")
class SuccessMutations:
    open_success_plan: plan_payloads.OpenSuccessPlanPayload = strawberry.mutation(
        resolver=plan_mutations.open_success_plan,
        description="Open a plan for a customer, with its first goals. Refused with "
        "CUSTOMER_NOT_FOUND or INVALID_INPUT. Agents and admins.",
        extensions=allowed(STAFF),
    )
    add_success_plan_goal: plan_payloads.AddSuccessPlanGoalPayload = strawberry.mutation(
        resolver=plan_mutations.add_success_plan_goal,
        description=f"Add a goal to an open plan. {PLAN_REFUSALS}",
        extensions=allowed(STAFF),
    )
    reach_success_plan_milestone: plan_payloads.ReachSuccessPlanMilestonePayload = (
        strawberry.mutation(
            resolver=plan_mutations.reach_success_plan_milestone,
            description="Record a milestone reached towards a goal (GOAL_NOT_FOUND for a goal "
            f"of no plan of this one). {PLAN_REFUSALS}",
            extensions=allowed(STAFF),
        )
    )
    record_success_plan_check_in: plan_payloads.RecordSuccessPlanCheckInPayload = (
        strawberry.mutation(
            resolver=plan_mutations.record_success_plan_check_in,
            description=f"Record a check-in with a note (personal data). {PLAN_REFUSALS}",
            extensions=allowed(STAFF),
        )
    )
    close_success_plan: plan_payloads.CloseSuccessPlanPayload = strawberry.mutation(
        resolver=plan_mutations.close_success_plan,
        description=f"Close an open plan with its outcome. {PLAN_REFUSALS}",
        extensions=allowed(STAFF),
    )
