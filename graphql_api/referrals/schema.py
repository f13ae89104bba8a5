"""The referrals area's queries and mutations, with who may use each.

Customers issue and revoke their own code, invite friends, and apply a code to themselves
(agents and admins do it for them); admins change the terms and re-apply the fraud rules to
past conversions. Staff readers see the funnel. A referrer's totals are for every reader and
the customer themself; their referrals and invitations (who referred whom, invited emails)
only for agents, admins, privacy officers and the customer themself.
"""

from __future__ import annotations

import strawberry

from domain.shared.metadata import Role
from graphql_api.limits.costs import DASHBOARD_COST, EXPORT_COST, FIGURES_COST
from graphql_api.limits.declare import limited
from graphql_api.limits.gates import heavy
from graphql_api.permissions import EVERYONE, READERS, STAFF, allowed
from graphql_api.plain_fields import DIRECT
from graphql_api.referrals import mutations, payloads, queries
from graphql_api.referrals.program import (
    FunnelPeriodType,
    FunnelType,
    ReferralTermsType,
    TopReferrerType,
)
from graphql_api.referrals.types import (
    ReferralConnection,
    ReferralInvitationConnection,
    ReferrerType,
)

LOGGED_IN = EVERYONE - {Role.ANONYMOUS}
WHO_REFERRED_WHOM = STAFF | {Role.PRIVACY_OFFICER}
OWN = "input.customer_id"
OWN_OR_STAFF = "The customer themself, agents and admins."
FOR_READERS = "Agents, admins, analysts, auditors and privacy officers."
PERSONAL = "The customer themself, agents, admins and privacy officers."
CODE_REFUSALS = "Refused with INVALID_REFERRAL_CODE, SELF_REFERRAL, ALREADY_REFERRED or "
CODE_REFUSALS += "DISPOSABLE_EMAIL."


@strawberry.type(description="Queries about the referral program and referrers.")
class ReferralQueries:
    referral_program_terms: ReferralTermsType = strawberry.field(
        resolver=queries.referral_program_terms,
        description="Rewards, limits and refused domains of the program. Anyone logged in.",
        extensions=allowed(LOGGED_IN),
    )
    referral_funnel: FunnelType = strawberry.field(
        resolver=queries.referral_funnel,
        description=f"The funnel over a period: invited, registered, qualified, rewarded, "
        f"reversed, and the rates. {FOR_READERS}",
        extensions=[*limited(FIGURES_COST), *allowed(READERS)],
    )
    referral_funnel_trend: list[FunnelPeriodType] = strawberry.field(
        resolver=queries.referral_funnel_trend,
        description="The funnel per day, week or month of a time zone, oldest first; empty "
        f"periods are left out. {FOR_READERS}",
        extensions=[*limited(DASHBOARD_COST, gate=heavy), *allowed(READERS)],
    )
    top_referrers: list[TopReferrerType] = strawberry.field(
        resolver=queries.top_referrers,
        description=f"Referrers by conversions made in a period. {FOR_READERS}",
        extensions=[*limited(FIGURES_COST), *allowed(READERS)],
    )
    referrer: ReferrerType | None = strawberry.field(
        resolver=queries.referrer,
        description="A customer's code and referral totals; null if they never had a code. "
        f"{FOR_READERS} A customer: only their own. The code only for those who may see "
        "personal data and the customer.",
        extensions=allowed(READERS, own="customer_id"),
        # Resolved without strawberry's argument conversion and permission wrapper when its
        # arguments are plain (``plain_fields.DIRECT``): the same answer, the same refusal.
        metadata={DIRECT: queries.referrer_answer},
    )
    referrals_of: ReferralConnection = strawberry.field(
        resolver=queries.referrals_of,
        description="The friends a customer referred, newest first (Relay connection, `first` "
        f"up to 100). {PERSONAL}",
        extensions=allowed(WHO_REFERRED_WHOM, own="customer_id"),
    )
    invitations_of: ReferralInvitationConnection = strawberry.field(
        resolver=queries.invitations_of,
        description="The invitations a customer sent, newest first (Relay connection, `first` "
        f"up to 100), with the invited emails. {PERSONAL}",
        extensions=allowed(WHO_REFERRED_WHOM, own="customer_id"),
    )


@strawberry.type(description="Commands on referral codes, invitations and the program.")
class ReferralMutations:
    issue_referral_code: payloads.IssueReferralCodePayload = strawberry.mutation(
        resolver=mutations.issue_referral_code,
        description="The customer's usable code: issued on first request, renewed if expired "
        f"or revoked, otherwise the same. {OWN_OR_STAFF}",
        extensions=allowed(STAFF, own=OWN),
    )
    revoke_referral_code: payloads.RevokeReferralCodePayload = strawberry.mutation(
        resolver=mutations.revoke_referral_code,
        description="Stop the customer's code working (REFERRAL_NOT_FOUND if they have none). "
        f"{OWN_OR_STAFF}",
        extensions=allowed(STAFF, own=OWN),
    )
    invite_friend: payloads.InviteFriendPayload = strawberry.mutation(
        resolver=mutations.invite_friend,
        description="Invite a friend by email. Refused with INVITATION_LIMIT (per day or in "
        "all), ALREADY_INVITED, DISPOSABLE_EMAIL, SELF_REFERRAL, INVALID_REFERRAL_CODE (the "
        f"code expired or was revoked) or REFERRAL_NOT_FOUND (no code yet). {OWN_OR_STAFF}",
        extensions=allowed(STAFF, own=OWN),
    )
    apply_referral_code: payloads.ApplyReferralCodePayload = strawberry.mutation(
        resolver=mutations.apply_referral_code,
        description="A registered customer converts with a referrer's code; their first "
        f"qualifying purchase then rewards both sides once. {CODE_REFUSALS} The friend "
        "themself, agents and admins.",
        extensions=allowed(STAFF, own=OWN),
    )
    change_referral_terms: payloads.ChangeReferralTermsPayload = strawberry.mutation(
        resolver=mutations.change_referral_terms,
        description="Change the program's terms, for what happens from now on; fields left "
        "out keep their value. Admins.",
        extensions=allowed(Role.ADMIN),
    )
    review_referrals: payloads.ReviewReferralsPayload = strawberry.mutation(
        resolver=mutations.review_referrals,
        description="Re-apply today's fraud rules (e.g. a newly refused domain) to every past "
        "conversion: each one caught is reversed and its rewards revoked with compensating "
        "events, never by editing history. Runs to the end before answering. Admins.",
        extensions=[*limited(EXPORT_COST, gate=heavy, sole=True), *allowed(Role.ADMIN)],
    )
