"""Inputs of the referral mutations. A field left out of changeReferralTerms keeps its value."""

from __future__ import annotations

from uuid import UUID

import strawberry

from graphql_api.scalars import AmountText

CUSTOMER = "The customer (the referrer)."


@strawberry.input(description="Issue the customer's code (renewing an expired or revoked one).")
class IssueReferralCodeInput:
    customer_id: UUID = strawberry.field(description=CUSTOMER)


@strawberry.input(description="Revoke the customer's code: it stops working at once.")
class RevokeReferralCodeInput:
    customer_id: UUID = strawberry.field(description=CUSTOMER)


@strawberry.input(description="Invite a friend by email.")
class InviteFriendInput:
    customer_id: UUID = strawberry.field(description=CUSTOMER)
    email: str = strawberry.field(
        description="The friend's email (their personal data: a data subject of their own)."
    )


@strawberry.input(description="A registered customer converts with a referrer's code.")
class ApplyReferralCodeInput:
    customer_id: UUID = strawberry.field(description="The friend: the customer converting.")
    code: str = strawberry.field(description="The referrer's code; case, spaces, dashes ignored.")


@strawberry.input(description="New program terms; fields left out keep their value.")
class ChangeReferralTermsInput:
    referrer_points: int | None = strawberry.field(
        default=strawberry.UNSET, description="Points for the referrer, 0-10000000."
    )
    friend_points: int | None = strawberry.field(
        default=strawberry.UNSET, description="Points for the friend, 0-10000000."
    )
    qualifying_amount: AmountText | None = strawberry.field(
        default=strawberry.UNSET,
        description="The amount a friend's first purchase must reach, in `currency`.",
    )
    currency: str | None = strawberry.field(
        default=strawberry.UNSET, description="ISO 4217 code of the qualifying amount."
    )
    invitations_per_day: int | None = strawberry.field(
        default=strawberry.UNSET, description="Invitations per referrer a day, 1-1000."
    )
    invitations_total: int | None = strawberry.field(
        default=strawberry.UNSET, description="Invitations per referrer in all, 1-100000."
    )
    code_lifetime_days: int | None = strawberry.field(
        default=strawberry.UNSET, description="Days a new code works, 1-3650."
    )
    velocity_conversions: int | None = strawberry.field(
        default=strawberry.UNSET, description="Conversions in the window before a flag, 1-10000."
    )
    velocity_hours: int | None = strawberry.field(
        default=strawberry.UNSET, description="The velocity window in hours, 1-8760."
    )
    disposable_domains: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description="The whole list of refused email domains (at most 5000); it replaces the "
        "current one. Run reviewReferrals to apply it to past conversions.",
    )
