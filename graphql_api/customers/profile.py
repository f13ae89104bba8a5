"""Customer 360 types: profile, contact preferences, consents, purchases, onboarding.

Built from the read model's views (`projections.customers.views`); money leaves as Decimal
strings in the currency's own units.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry

from domain.purchase.values import from_minor_units
from graphql_api.enums import (
    ConsentDecision,
    ConsentPurpose,
    ContactChannel,
    OnboardingState,
    PurchaseChannel,
)
from projections.customers import views


@strawberry.type(name="Address", description="A postal address. Personal data.")
class AddressType:
    line1: str = strawberry.field(description="First address line.")
    line2: str | None = strawberry.field(description="Second address line, if any.")
    city: str = strawberry.field(description="City or town.")
    postal_code: str | None = strawberry.field(description="Postal code, if the country has one.")
    country: str = strawberry.field(description="ISO 3166 alpha-2 country code, e.g. DE.")

    @classmethod
    def from_view(cls, view: views.AddressView) -> AddressType:
        return cls(
            line1=view.line1,
            line2=view.line2,
            city=view.city,
            postal_code=view.postal_code,
            country=view.country,
        )


@strawberry.type(name="ContactPreference", description="Whether a channel may be used.")
class ContactPreferenceType:
    channel: ContactChannel = strawberry.field(description="The channel.")
    opted_in: bool = strawberry.field(description="True if the customer may be contacted on it.")
    changed_at: datetime = strawberry.field(description="When the customer last chose.")

    @classmethod
    def from_view(cls, view: views.ContactPreferenceView) -> ContactPreferenceType:
        return cls(
            channel=ContactChannel(view.channel),
            opted_in=view.opted_in,
            changed_at=view.changed_at,
        )


@strawberry.type(name="Consent", description="The current state of one consent purpose.")
class ConsentType:
    purpose: ConsentPurpose = strawberry.field(description="What the consent is for.")
    given: bool = strawberry.field(description="True if consent is given now.")
    decision: ConsentDecision = strawberry.field(
        description="The decision on record: given, withdrawn or refused."
    )
    changed_at: datetime = strawberry.field(
        description="When it was last given, withdrawn or refused."
    )

    @classmethod
    def from_view(cls, view: views.ConsentView) -> ConsentType:
        return cls(
            purpose=ConsentPurpose(view.purpose),
            given=view.given,
            decision=ConsentDecision(view.decision),
            changed_at=view.changed_at,
        )


@strawberry.type(name="ConsentChange", description="One consent given, withdrawn or refused.")
class ConsentChangeType:
    purpose: ConsentPurpose = strawberry.field(description="What the consent is for.")
    given: bool = strawberry.field(description="True if given, false if withdrawn or refused.")
    decision: ConsentDecision = strawberry.field(
        description="GIVEN, WITHDRAWN, or REFUSED (withdrawn without ever having been given)."
    )
    changed_at: datetime = strawberry.field(description="When.")
    actor_id: str | None = strawberry.field(
        description="Who made the change (a staff member's or the customer's id). Null unless "
        "you may see the customer's personal data."
    )
    actor_role: str = strawberry.field(description="The role they acted in, e.g. agent.")
    channel: str = strawberry.field(description="Where the change came from, e.g. web.")
    position: str = strawberry.field(description="Log position of the change.")

    @classmethod
    def from_view(cls, view: views.ConsentChange, show_actor: bool) -> ConsentChangeType:
        return cls(
            purpose=ConsentPurpose(view.purpose),
            given=view.given,
            decision=ConsentDecision(view.decision),
            changed_at=view.changed_at,
            actor_id=view.actor_id if show_actor else None,
            actor_role=view.actor_role,
            channel=view.channel,
            position=str(view.position),
        )


@strawberry.type(name="CurrencyTotal", description="A customer's purchases in one currency.")
class CurrencyTotalType:
    currency: str = strawberry.field(description="ISO 4217 code, e.g. EUR.")
    purchases: int = strawberry.field(description="How many purchases in this currency.")
    gross: Decimal = strawberry.field(description="Sum of the purchases, before refunds.")
    refunded: Decimal = strawberry.field(description="Sum refunded.")
    net: Decimal = strawberry.field(description="Gross minus refunded.")

    @classmethod
    def from_view(cls, view: views.CurrencyTotal) -> CurrencyTotalType:
        return cls(
            currency=view.currency,
            purchases=view.purchases,
            gross=from_minor_units(view.gross_minor, view.currency),
            refunded=from_minor_units(view.refunded_minor, view.currency),
            net=from_minor_units(view.net_minor, view.currency),
        )


@strawberry.type(name="PurchaseSummary", description="Recency, frequency and monetary value.")
class PurchaseSummaryType:
    count: int = strawberry.field(description="How many purchases in all.")
    totals: list[CurrencyTotalType] = strawberry.field(description="Amounts per currency.")
    first_purchase_at: datetime | None = strawberry.field(description="The first purchase.")
    last_purchase_at: datetime | None = strawberry.field(description="The latest purchase.")
    channels: list[PurchaseChannel] = strawberry.field(
        description="Every channel the customer has bought through."
    )
    recency_days: int | None = strawberry.field(
        description="Whole days since the latest purchase; null if none."
    )
    frequency: int = strawberry.field(description="Number of purchases (the F of RFM).")

    @classmethod
    def from_view(cls, view: views.PurchaseSummary | None) -> PurchaseSummaryType:
        if view is None:
            return cls(
                count=0,
                totals=[],
                first_purchase_at=None,
                last_purchase_at=None,
                channels=[],
                recency_days=None,
                frequency=0,
            )
        return cls(
            count=view.count,
            totals=[CurrencyTotalType.from_view(t) for t in view.totals],
            first_purchase_at=view.first_purchase_at,
            last_purchase_at=view.last_purchase_at,
            channels=[PurchaseChannel(c) for c in view.channels],
            recency_days=view.recency_days,
            frequency=view.frequency,
        )


@strawberry.type(name="OnboardingStep", description="An onboarding step the customer did.")
class OnboardingStepType:
    step: str = strawberry.field(description="The step, e.g. profile_completed.")
    completed_at: datetime = strawberry.field(description="When it was completed.")


@strawberry.type(name="Onboarding", description="A customer's progress through onboarding.")
class OnboardingType:
    state: OnboardingState = strawberry.field(description="Overall state.")
    steps: list[OnboardingStepType] = strawberry.field(
        description="Completed steps, in the order they were completed."
    )

    @classmethod
    def from_parts(cls, parts: views.Customer360Parts | None) -> OnboardingType:
        if parts is None:
            return cls(state=OnboardingState.NOT_STARTED, steps=[])
        return cls(
            state=OnboardingState(parts.onboarding_state),
            steps=[
                OnboardingStepType(step=s.step, completed_at=s.completed_at)
                for s in parts.onboarding
            ],
        )
