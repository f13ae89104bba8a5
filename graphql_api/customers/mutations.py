"""Commands on customers (registration and their profile): translate the input, delegate to
the ledger. A registration with a referral code converts the new customer in the same request
(see :mod:`graphql_api.referrals.registration`).

A field the client left out (``strawberry.UNSET``) becomes the domain's ``KEEP``; the domain
checks every value and decides what changes.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

import strawberry

from domain.customer.commands import (
    ChangeContactDetails,
    ChangeDemographics,
    RegisterCustomer,
    SetContactPreferences,
)
from domain.customer.profile import Address, ConsentPurpose, ContactChannel
from domain.shared.application import CommandResult
from domain.shared.errors import DomainError, ValidationError
from domain.shared.keep import KEEP, Keep
from domain.shared.metadata import Role
from graphql_api.context import RequestContext
from graphql_api.customers.inputs import (
    AddressInput,
    ChangeAddressInput,
    ChangeContactDetailsInput,
    ChangeDemographicsInput,
    ChangeEmailInput,
    CompleteOnboardingStepInput,
    GiveConsentInput,
    RegisterCustomerInput,
    SetContactPreferencesInput,
    WithdrawConsentInput,
)
from graphql_api.customers.payloads import (
    ChangeAddressPayload,
    ChangeContactDetailsPayload,
    ChangeDemographicsPayload,
    ChangeEmailPayload,
    CompleteOnboardingStepPayload,
    GiveConsentPayload,
    RegisterCustomerPayload,
    SetContactPreferencesPayload,
    WithdrawConsentPayload,
)
from graphql_api.customers.resolvers import customer_payload
from graphql_api.customers.self_registration import register_self
from graphql_api.errors import user_error_from
from graphql_api.referrals.registration import register_referred
from projections.referrals.projection import ReferralFunnel

Info = strawberry.Info[RequestContext, None]
INPUT = strawberry.argument(description="What to do; see the input type.")
T = TypeVar("T")


def _kept(value: T) -> T | Keep:
    return KEEP if value is strawberry.UNSET else value


def _required(value: str | None) -> str | Keep:
    # A required value sent as null: let the domain refuse the empty value on its field.
    return "" if value is None else _kept(value)


async def register_customer(
    info: Info,
    input: Annotated[RegisterCustomerInput, INPUT],  # noqa: A002
) -> RegisterCustomerPayload:
    context, metadata, code = info.context, info.context.metadata(), input.referral_code
    command = RegisterCustomer(
        name=input.name,
        email=input.email,
        phone=input.phone,
        region=input.region,
        customer_id=input.customer_id,
        password=input.password,
    )
    if context.principal.role is Role.ANONYMOUS:
        return await register_self(context, command, code)
    late: list[DomainError] = []

    def register() -> CommandResult:
        if code is None:
            return context.ledger.register_customer(command, metadata)
        result, refused = register_referred(context.ledger, command, code, metadata)
        late.extend([] if refused is None else [refused])
        return result

    payload = await customer_payload(context, RegisterCustomerPayload, register)
    payload.user_errors += [user_error_from(error) for error in late]
    if code is not None and payload.position is not None and not payload.notices:
        # So that the customer's referrals show the conversion as soon as the answer comes.
        payload.notices = await context.wait_for_write(ReferralFunnel.name, int(payload.position))
    return payload


async def change_contact_details(
    info: Info,
    input: Annotated[ChangeContactDetailsInput, INPUT],  # noqa: A002
) -> ChangeContactDetailsPayload:
    context, metadata = info.context, info.context.metadata()
    command = ChangeContactDetails(
        customer_id=input.customer_id,
        name=_required(input.name),
        phone=_kept(input.phone),
        expected_version=input.expected_version,
    )
    return await customer_payload(
        context,
        ChangeContactDetailsPayload,
        lambda: context.ledger.change_contact_details(command, metadata),
    )


async def change_email(
    info: Info,
    input: Annotated[ChangeEmailInput, INPUT],  # noqa: A002
) -> ChangeEmailPayload:
    context, metadata = info.context, info.context.metadata()
    # A customer's own change waits for confirmation from the new address (its answer cannot
    # tell whether the address is someone else's); staff change an email at once.
    change = (
        context.ledger.request_email_change
        if context.principal.role is Role.CUSTOMER
        else context.ledger.change_email
    )
    return await customer_payload(
        context,
        ChangeEmailPayload,
        lambda: change(input.customer_id, input.email, metadata, input.expected_version),
    )


async def change_address(
    info: Info,
    input: Annotated[ChangeAddressInput, INPUT],  # noqa: A002
) -> ChangeAddressPayload:
    context, metadata = info.context, info.context.metadata()

    def command() -> CommandResult:
        address = _address(input.address)
        return context.ledger.change_address(
            input.customer_id, address, metadata, input.expected_version
        )

    return await customer_payload(context, ChangeAddressPayload, command)


def _address(given: AddressInput | None) -> Address | None:
    if given is strawberry.UNSET:
        raise ValidationError("give an address, or null to remove it", field="address")
    if given is None:
        return None
    try:
        return Address.checked(
            given.line1, given.line2, given.city, given.postal_code, given.country
        )
    except ValidationError as error:
        raise ValidationError(error.message, field=f"address.{error.field}") from None


async def change_demographics(
    info: Info,
    input: Annotated[ChangeDemographicsInput, INPUT],  # noqa: A002
) -> ChangeDemographicsPayload:
    context, metadata = info.context, info.context.metadata()
    command = ChangeDemographics(
        customer_id=input.customer_id,
        region=_kept(input.region),
        language=_required(input.language),
        birth_year=_kept(input.birth_year),
        expected_version=input.expected_version,
    )
    return await customer_payload(
        context,
        ChangeDemographicsPayload,
        lambda: context.ledger.change_demographics(command, metadata),
    )


async def set_contact_preferences(
    info: Info,
    input: Annotated[SetContactPreferencesInput, INPUT],  # noqa: A002
) -> SetContactPreferencesPayload:
    context, metadata = info.context, info.context.metadata()
    given: dict[ContactChannel, Any] = {
        ContactChannel.EMAIL: input.email,
        ContactChannel.SMS: input.sms,
        ContactChannel.PUSH: input.push,
    }
    command = SetContactPreferences(
        customer_id=input.customer_id,
        channels={channel: bool(v) for channel, v in given.items() if v is not None},
        expected_version=input.expected_version,
    )
    return await customer_payload(
        context,
        SetContactPreferencesPayload,
        lambda: context.ledger.set_contact_preferences(command, metadata),
    )


async def give_consent(
    info: Info,
    input: Annotated[GiveConsentInput, INPUT],  # noqa: A002
) -> GiveConsentPayload:
    context, metadata = info.context, info.context.metadata()
    purpose = ConsentPurpose(input.purpose.value)
    return await customer_payload(
        context,
        GiveConsentPayload,
        lambda: context.ledger.give_consent(
            input.customer_id, purpose, metadata, input.expected_version
        ),
    )


async def withdraw_consent(
    info: Info,
    input: Annotated[WithdrawConsentInput, INPUT],  # noqa: A002
) -> WithdrawConsentPayload:
    context, metadata = info.context, info.context.metadata()
    purpose = ConsentPurpose(input.purpose.value)
    return await customer_payload(
        context,
        WithdrawConsentPayload,
        lambda: context.ledger.withdraw_consent(
            input.customer_id, purpose, metadata, input.expected_version
        ),
    )


async def complete_onboarding_step(
    info: Info,
    input: Annotated[CompleteOnboardingStepInput, INPUT],  # noqa: A002
) -> CompleteOnboardingStepPayload:
    context, metadata = info.context, info.context.metadata()
    return await customer_payload(
        context,
        CompleteOnboardingStepPayload,
        lambda: context.ledger.complete_onboarding_step(input.customer_id, input.step, metadata),
    )
