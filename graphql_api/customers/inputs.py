"""Inputs of the customer mutations. A field left out of a partial update keeps its value;
an optional field sent as null removes the value."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from graphql_api.direct_inputs import built_directly
from graphql_api.enums import ConsentPurpose, OnboardingState, PurchaseChannel

EXPECTED_VERSION = (
    "The customer's version you saw; if it has changed since, nothing is written and the "
    "answer is CONCURRENCY_CONFLICT with the current version. Leave out to skip the check."
)


@built_directly  # its fields are scalars: no conversion left to do (graphql_api.direct_inputs)
@strawberry.input(description="A new customer.")
class RegisterCustomerInput:
    name: str = strawberry.field(description="Full name, 1-200 characters.")
    email: str = strawberry.field(description="Email address; unique across customers.")
    phone: str | None = strawberry.field(default=None, description="Phone number.")
    region: str | None = strawberry.field(default=None, description="Region for segmentation.")
    customer_id: UUID | None = strawberry.field(
        default=None,
        description="Client-chosen id; retrying with the same id is idempotent.",
    )
    password: str | None = strawberry.field(
        default=None,
        description="For customers registering themselves: a password to log in with "
        "(at least 10 characters, not common, not made of their name or email).",
    )
    referral_code: str | None = strawberry.field(
        default=None,
        description="A referrer's code (case, spaces and dashes ignored): the new customer "
        "converts with it. An unusable code, a disposable email domain or the referrer's own "
        "email (up to dots and +tags) is refused on this field and nothing is registered; if "
        "the conversion fails after the registration, the customer stays registered and the "
        "refusal is in userErrors.",
    )


@strawberry.input(description="New name and/or phone; fields left out stay as they are.")
class ChangeContactDetailsInput:
    customer_id: UUID = strawberry.field(description="The customer.")
    name: str | None = strawberry.field(
        default=strawberry.UNSET, description="New full name, 1-200 characters."
    )
    phone: str | None = strawberry.field(
        default=strawberry.UNSET, description="New phone number; null removes it."
    )
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.input(description="A new email address for a customer.")
class ChangeEmailInput:
    customer_id: UUID = strawberry.field(description="The customer.")
    email: str = strawberry.field(description="The new email; unique across customers.")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.input(description="A postal address.")
class AddressInput:
    line1: str = strawberry.field(description="First line, 1-200 characters.")
    line2: str | None = strawberry.field(default=None, description="Second line, optional.")
    city: str = strawberry.field(description="City or town, 1-200 characters.")
    postal_code: str | None = strawberry.field(default=None, description="Postal code.")
    country: str = strawberry.field(description="ISO 3166 alpha-2 country code, e.g. DE.")


@strawberry.input(description="A customer's new postal address, or null to remove it.")
class ChangeAddressInput:
    customer_id: UUID = strawberry.field(description="The customer.")
    address: AddressInput | None = strawberry.field(
        default=strawberry.UNSET, description="The new address; null removes it. Required."
    )
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.input(description="Region, language and/or birth year; fields left out stay.")
class ChangeDemographicsInput:
    customer_id: UUID = strawberry.field(description="The customer.")
    region: str | None = strawberry.field(
        default=strawberry.UNSET, description="Region for segmentation; null removes it."
    )
    language: str | None = strawberry.field(
        default=strawberry.UNSET, description="Preferred language, a BCP 47 tag such as pt-BR."
    )
    birth_year: int | None = strawberry.field(
        default=strawberry.UNSET, description="Year of birth (age 13 or more); null removes it."
    )
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.input(description="Opt in (true) or out (false) per channel; channels left out stay.")
class SetContactPreferencesInput:
    customer_id: UUID = strawberry.field(description="The customer.")
    email: bool | None = strawberry.field(default=None, description="Contact by email.")
    sms: bool | None = strawberry.field(default=None, description="Contact by text message.")
    push: bool | None = strawberry.field(default=None, description="Push notifications.")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.input(description="A consent the customer gives.")
class GiveConsentInput:
    customer_id: UUID = strawberry.field(description="The customer.")
    purpose: ConsentPurpose = strawberry.field(description="What the consent is for.")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.input(description="A consent the customer withdraws (or refuses, if never given).")
class WithdrawConsentInput:
    customer_id: UUID = strawberry.field(description="The customer.")
    purpose: ConsentPurpose = strawberry.field(description="What the consent was for.")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.input(description="An onboarding step the customer has done.")
class CompleteOnboardingStepInput:
    customer_id: UUID = strawberry.field(description="The customer.")
    step: str = strawberry.field(
        description="The step as a snake_case name, e.g. profile_completed; completing a "
        "step again changes nothing."
    )


@strawberry.input(
    name="CustomerFilter", description="Which customers to list; every condition given must hold."
)
class CustomerFilterInput:
    region: str | None = strawberry.field(default=None, description="Exactly this region.")
    channel: PurchaseChannel | None = strawberry.field(
        default=None, description="Has bought through this channel."
    )
    last_purchase_before: datetime | None = strawberry.field(
        default=None, description="Latest purchase before this time."
    )
    last_purchase_after: datetime | None = strawberry.field(
        default=None, description="Latest purchase after this time."
    )
    onboarding: OnboardingState | None = strawberry.field(
        default=None, description="In this onboarding state."
    )
    search: str | None = strawberry.field(
        default=None,
        description="Prefix of the name or email, any case (1-200 characters). Reveals "
        "personal data: agents, admins and privacy officers only; others get FORBIDDEN.",
    )
