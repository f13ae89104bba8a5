"""Payloads of the referral mutations: what the read model shows after the write (after a
bounded wait), the write's log position, and why nothing was written."""

from __future__ import annotations

from uuid import UUID

import strawberry

from domain.shared.application import CommandResult
from graphql_api.context import RequestContext
from graphql_api.errors import UserError
from graphql_api.mutation import Fields, Payload, Shown
from graphql_api.notices import NOTICES, Notice
from graphql_api.referrals.program import CaughtReferralsType, ReferralTermsType
from graphql_api.referrals.queries import load_referral, load_referrer
from graphql_api.referrals.types import InvitationType, ReferralType, ReferrerType
from projections.referrals.projection import ReferralFunnel

POSITION = "Log position of the write; pass it as `atLeast` to read your write."
USER_ERRORS = "Why nothing was written."
SHOWN = "null if refused, or if the read model did not show the write in time (see notices)."
LATE = "even when {} is null because the read model is late; null if refused."


@strawberry.type(description="What every mutation on a referrer's code answers.")
class ReferrerPayload(Payload):
    referrer: ReferrerType | None = strawberry.field(
        description=f"The referrer after the write; {SHOWN}"
    )
    customer_id: UUID | None = strawberry.field(
        default=None, description="The referrer (a customer), " + LATE.format("`referrer`")
    )
    position: str | None = strawberry.field(description=POSITION)
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)
    notices: list[Notice] = strawberry.field(default_factory=list, description=NOTICES)

    read_model = ReferralFunnel.name


def showing_referrer(context: RequestContext, customer_id: UUID) -> Shown[CommandResult]:
    """Show the referrer (the command's result is the referrer's stream, not the customer)."""

    async def shown(result: CommandResult) -> Fields:
        return {"referrer": await load_referrer(context, customer_id), "customer_id": customer_id}

    return shown


@strawberry.type(description="Result of issueReferralCode.")
class IssueReferralCodePayload(ReferrerPayload):
    pass


@strawberry.type(description="Result of revokeReferralCode.")
class RevokeReferralCodePayload(ReferrerPayload):
    pass


@strawberry.type(description="Result of inviteFriend.")
class InviteFriendPayload(Payload):
    invitation: InvitationType | None = strawberry.field(
        description=f"The invitation sent (its email only to those who may see it); {SHOWN}"
    )
    invitee_id: UUID | None = strawberry.field(
        default=None,
        description="The invited person as a data subject, " + LATE.format("`invitation`"),
    )
    position: str | None = strawberry.field(description=POSITION)
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)
    notices: list[Notice] = strawberry.field(default_factory=list, description=NOTICES)

    read_model = ReferralFunnel.name


@strawberry.type(description="Result of applyReferralCode.")
class ApplyReferralCodePayload(Payload):
    referral: ReferralType | None = strawberry.field(description=f"The friend's referral; {SHOWN}")
    customer_id: UUID | None = strawberry.field(
        default=None, description="The friend (a customer), " + LATE.format("`referral`")
    )
    position: str | None = strawberry.field(description=POSITION)
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)
    notices: list[Notice] = strawberry.field(default_factory=list, description=NOTICES)

    read_model = ReferralFunnel.name


def showing_referral(context: RequestContext, friend_id: UUID) -> Shown[CommandResult]:
    """Show the friend's referral (the command's result is the referral's stream)."""

    async def shown(result: CommandResult) -> Fields:
        return {"referral": await load_referral(context, friend_id), "customer_id": friend_id}

    return shown


@strawberry.type(description="Result of changeReferralTerms.")
class ChangeReferralTermsPayload(Payload):
    terms: ReferralTermsType | None = strawberry.field(
        description="The terms after the write; null if refused."
    )
    position: str | None = strawberry.field(description=POSITION)
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)

    @classmethod
    async def shown(cls, context: RequestContext, result: CommandResult) -> Fields:
        """The terms after the change (they have no read model: read from the log)."""
        terms = await context.run_command(context.ledger.referral_terms)
        return {"terms": ReferralTermsType.of(terms)}


@strawberry.type(description="Result of reviewReferrals.")
class ReviewReferralsPayload(Payload):
    caught: list[CaughtReferralsType] = strawberry.field(
        description="What each rule caught now, by rule; empty if nothing (already reversed "
        "referrals are not counted again)."
    )
    position: str | None = strawberry.field(
        description="Log position after the review; pass it as `atLeast` to read the funnel."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)
    notices: list[Notice] = strawberry.field(default_factory=list, description=NOTICES)

    read_model = ReferralFunnel.name
