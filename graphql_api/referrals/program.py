"""The referral program as frontends see it: its terms (read from the write side, like the
SLA policy: they have no read model) and its funnel, trend and top referrers (from the
referral read model). None of it is personal data."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import UUID

import strawberry

from domain.purchase.values import from_minor_units
from domain.referral.values import ReferralTerms
from graphql_api.scalars import Long
from projections.referrals.views import FunnelBucket, FunnelFigures, TopReferrerView

PERCENT = "A percentage (0-100, may exceed 100, see `registered`); null over nothing."


@strawberry.type(name="ReferralProgramTerms", description="How the program rewards and limits.")
class ReferralTermsType:
    referrer_points: int = strawberry.field(description="Points the referrer gets per reward.")
    friend_points: int = strawberry.field(description="Points the friend gets per reward.")
    qualifying_amount: Decimal = strawberry.field(
        description="The friend's first purchase must reach this amount (in `currency`)."
    )
    currency: str = strawberry.field(description="ISO 4217 code of the qualifying amount.")
    invitations_per_day: int = strawberry.field(
        description="Invitations a referrer may send a day."
    )
    invitations_total: int = strawberry.field(description="Invitations a referrer may send at all.")
    code_lifetime_days: int = strawberry.field(description="Days a code works after it is issued.")
    velocity_conversions: int = strawberry.field(
        description="More conversions than this for one referrer within `velocityHours` are "
        "flagged (not refused)."
    )
    velocity_hours: int = strawberry.field(description="The window of the velocity flag.")
    disposable_domains: list[str] = strawberry.field(
        description="Email domains refused for friends (and re-applied by reviewReferrals)."
    )

    @classmethod
    def of(cls, terms: ReferralTerms) -> ReferralTermsType:
        return cls(
            referrer_points=terms.referrer_points,
            friend_points=terms.friend_points,
            qualifying_amount=from_minor_units(terms.qualifying_amount_minor, terms.currency),
            currency=terms.currency,
            invitations_per_day=terms.invitations_per_day,
            invitations_total=terms.invitations_total,
            code_lifetime_days=terms.code_lifetime_days,
            velocity_conversions=terms.velocity_conversions,
            velocity_hours=terms.velocity_hours,
            disposable_domains=list(terms.disposable_domains),
        )


@strawberry.type(
    name="ReferralFunnel",
    description="Invitations sent in a period, and the cohort of conversions made in it with "
    "the stages its members reached by now (so `registered` may exceed `invited`: codes are "
    "shared without invitations too).",
)
class FunnelType:
    invited: Long = strawberry.field(description="Invitations sent in the period.")
    registered: Long = strawberry.field(description="Friends who converted in the period.")
    qualified: Long = strawberry.field(description="Of those, qualified by a purchase.")
    rewarded: Long = strawberry.field(description="Of those, rewarded.")
    reversed: Long = strawberry.field(description="Of those, reversed by a fraud rule.")
    flagged: Long = strawberry.field(description="Of those, flagged as suspicious.")
    registration_rate: float | None = strawberry.field(
        description=f"Registered per invitation. {PERCENT}"
    )
    qualification_rate: float | None = strawberry.field(
        description=f"Qualified per registered. {PERCENT}"
    )
    reward_rate: float | None = strawberry.field(description=f"Rewarded per registered. {PERCENT}")

    @classmethod
    def of(cls, view: FunnelFigures) -> FunnelType:
        return cls(
            invited=view.invited,
            registered=view.registered,
            qualified=view.qualified,
            rewarded=view.rewarded,
            reversed=view.reversed,
            flagged=view.flagged,
            registration_rate=view.registration_rate,
            qualification_rate=view.qualification_rate,
            reward_rate=view.reward_rate,
        )


@strawberry.type(name="ReferralFunnelPeriod", description="The funnel of one period.")
class FunnelPeriodType:
    period_start: datetime = strawberry.field(
        description="Start of the day, week (Monday) or month, in the asked time zone."
    )
    funnel: FunnelType = strawberry.field(description="The funnel of the period.")

    @classmethod
    def of(cls, bucket: FunnelBucket) -> FunnelPeriodType:
        return cls(period_start=bucket.period_start, funnel=FunnelType.of(bucket.figures))


@strawberry.type(name="TopReferrer", description="A referrer's results over a period.")
class TopReferrerType:
    customer_id: UUID = strawberry.field(description="The referring customer.")
    conversions: int = strawberry.field(description="Friends who converted in the period.")
    qualified: int = strawberry.field(description="Of those, qualified.")
    rewarded: int = strawberry.field(description="Of those, rewarded.")
    reversed: int = strawberry.field(description="Of those, reversed.")
    points_earned: Long = strawberry.field(description="Points kept from them (not reversed).")

    @classmethod
    def of(cls, view: TopReferrerView) -> TopReferrerType:
        return cls(
            customer_id=view.referrer_id,
            conversions=view.conversions,
            qualified=view.qualified,
            rewarded=view.rewarded,
            reversed=view.reversed,
            points_earned=view.points_earned,
        )


@strawberry.type(name="CaughtReferrals", description="Past conversions one fraud rule caught.")
class CaughtReferralsType:
    rule: str = strawberry.field(description="The rule, e.g. disposable_domain.")
    reversed: Long = strawberry.field(
        description="Referrals it reversed now (their rewards revoked on both accounts)."
    )
