"""The loyalty area's queries and mutations, with who may use each.

Members enrol and redeem for themselves (agents and admins do it for them); only agents and
admins adjust points or reverse redemptions; admins run the rule book, terms and catalog.
Every logged-in caller may browse the catalog and the rules; staff readers see the metrics.
"""

from __future__ import annotations

import strawberry

from domain.shared.metadata import Role
from graphql_api.limits.costs import DASHBOARD_COST
from graphql_api.limits.declare import limited
from graphql_api.limits.gates import heavy
from graphql_api.loyalty import mutations, payloads, queries
from graphql_api.loyalty.account import LoyaltyAccountType
from graphql_api.loyalty.types import (
    EarningRuleType,
    LoyaltyProgramMetricsType,
    LoyaltyProgramTermsType,
    RewardConnection,
)
from graphql_api.permissions import EVERYONE, READERS, STAFF, allowed
from graphql_api.plain_fields import DIRECT

LOGGED_IN = EVERYONE - {Role.ANONYMOUS}
OWN = "input.customer_id"
OWN_OR_STAFF = "The customer themself, agents and admins."
ADMINS = "Admins."


@strawberry.type(description="Queries about the loyalty program and its members.")
class LoyaltyQueries:
    loyalty_account: LoyaltyAccountType | None = strawberry.field(
        resolver=queries.loyalty_account,
        description="A customer's loyalty account; null if they are not enrolled. Staff, "
        "analysts, auditors and privacy officers; a customer only their own.",
        extensions=allowed(READERS, own="customer_id"),
        # Resolved without strawberry's argument conversion and permission wrapper when its
        # arguments are plain (``plain_fields.DIRECT``): the same answer, the same refusal.
        metadata={DIRECT: queries.loyalty_account_answer},
    )
    rewards: RewardConnection = strawberry.field(
        resolver=queries.rewards,
        description="The rewards catalog in the order rewards were added (Relay connection, "
        "`first`/`after` or `last`/`before`, up to 100). Anyone logged in.",
        extensions=allowed(LOGGED_IN),
    )
    earning_rules: list[EarningRuleType] = strawberry.field(
        resolver=queries.earning_rules_in_force,
        description="The earning rule book, in the order rules were defined. Anyone logged in.",
        extensions=allowed(LOGGED_IN),
    )
    loyalty_program_terms: LoyaltyProgramTermsType = strawberry.field(
        resolver=queries.loyalty_program_terms,
        description="How long points live, the return window and the tiers. Anyone logged in.",
        extensions=allowed(LOGGED_IN),
    )
    loyalty_program_metrics: LoyaltyProgramMetricsType = strawberry.field(
        resolver=queries.loyalty_program_metrics,
        description="Enrolment, activity, redemption, liability and repeat purchases. Staff, "
        "analysts, auditors and privacy officers.",
        extensions=[*limited(DASHBOARD_COST, gate=heavy), *allowed(READERS)],
    )


@strawberry.type(description="Commands on loyalty accounts, the rule book and rewards.")
class LoyaltyMutations:
    enrol_in_loyalty: payloads.EnrolInLoyaltyPayload = strawberry.mutation(
        resolver=mutations.enrol_in_loyalty,
        description="Enrol a customer in the program; a second time is ALREADY_ENROLLED. "
        f"{OWN_OR_STAFF}",
        extensions=allowed(STAFF, own=OWN),
    )
    redeem_reward: payloads.RedeemRewardPayload = strawberry.mutation(
        resolver=mutations.redeem_reward,
        description="Spend points on a reward, soonest-expiring points first. Refused with "
        "INSUFFICIENT_POINTS, OUT_OF_STOCK, TIER_TOO_LOW, REWARD_NOT_FOUND or "
        "REWARD_UNAVAILABLE; `redemptionId` makes retries safe. " + OWN_OR_STAFF,
        extensions=allowed(STAFF, own=OWN),
    )
    reverse_redemption: payloads.ReverseRedemptionPayload = strawberry.mutation(
        resolver=mutations.reverse_redemption,
        description="Give a redemption's points back to the lots they came from, and its item "
        "back to stock, saying why. Agents and admins.",
        extensions=allowed(STAFF),
    )
    adjust_points: payloads.AdjustPointsPayload = strawberry.mutation(
        resolver=mutations.adjust_points,
        description="Add or remove points by hand, with a mandatory reason. Agents and admins.",
        extensions=allowed(STAFF),
    )
    define_earning_rule: payloads.DefineEarningRulePayload = strawberry.mutation(
        resolver=mutations.define_earning_rule,
        description=f"Add a rule to the earning rule book (or replace one by id). {ADMINS}",
        extensions=allowed(Role.ADMIN),
    )
    retire_earning_rule: payloads.RetireEarningRulePayload = strawberry.mutation(
        resolver=mutations.retire_earning_rule,
        description=f"Stop a rule applying to new earnings. {ADMINS}",
        extensions=allowed(Role.ADMIN),
    )
    change_program_terms: payloads.ChangeProgramTermsPayload = strawberry.mutation(
        resolver=mutations.change_program_terms,
        description=f"Change points' lifetime and the return window (for new points). {ADMINS}",
        extensions=allowed(Role.ADMIN),
    )
    add_reward: payloads.AddRewardPayload = strawberry.mutation(
        resolver=mutations.add_reward,
        description=f"Add a reward to the catalog; `rewardId` makes retries safe. {ADMINS}",
        extensions=allowed(Role.ADMIN),
    )
    change_reward: payloads.ChangeRewardPayload = strawberry.mutation(
        resolver=mutations.change_reward,
        description=f"Change a reward's name, description, cost or tier restriction. {ADMINS}",
        extensions=allowed(Role.ADMIN),
    )
    restock_reward: payloads.RestockRewardPayload = strawberry.mutation(
        resolver=mutations.restock_reward,
        description=f"Add items to a stocked reward. {ADMINS}",
        extensions=allowed(Role.ADMIN),
    )
    retire_reward: payloads.RetireRewardPayload = strawberry.mutation(
        resolver=mutations.retire_reward,
        description=f"Take a reward out of the catalog; past redemptions stand. {ADMINS}",
        extensions=allowed(Role.ADMIN),
    )
