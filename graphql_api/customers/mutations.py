"""Commands on customers (registration and their profile): translate the input, delegate to
the ledger. A registration with a referral code converts the new customer in the same request
(see :mod:`domain.referral.registration`).

A field the client left out (``strawberry.UNSET``) becomes the domain's ``KEEP``; the domain
checks every value and decides what changes.
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from domain.customer.commands import (
    ChangeContactDetails,
    ChangeDemographics,
    RegisterCustomer,
    SetContactPreferences,
)
from domain.customer.profile import Address, ContactChannel
from domain.referral.registration import register_referred
from domain.shared.application import CommandResult
from domain.shared.errors import DomainError, ValidationError
from domain.shared.metadata import Role
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
from graphql_api.customers.mutations_answer import asks_only_the_id, registered_customer
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
from graphql_api.customers.resolvers import load_customer
from graphql_api.customers.self_registration import register_self
from graphql_api.errors import user_error_from
from graphql_api.mutation import INPUT, Fields, Info, run_command
from graphql_api.partial_update import kept, required
from projections.referrals.projection import ReferralFunnel


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

    if code is None and asks_only_the_id(info):
        # The customer's id is all the payload shows of it: the write answers it as the
        # directory would, without reading the row back (see ``mutations_answer``).
        payload = await run_command(info, register, RegisterCustomerPayload, _id_only)
        if payload.notices and payload.customer_id is not None:  # not shown in time
            payload.customer = await load_customer(context, payload.customer_id)
    else:
        payload = await run_command(info, register, RegisterCustomerPayload)
    payload.user_errors += [user_error_from(error) for error in late]
    if code is not None and payload.position is not None and not payload.notices:
        # So that the customer's referrals show the conversion as soon as the answer comes.
        payload.notices = await context.wait_for_write(ReferralFunnel.name, int(payload.position))
    return payload


async def _id_only(result: CommandResult) -> Fields:
    return registered_customer(result.aggregate_id)


async def change_contact_details(
    info: Info,
    input: Annotated[ChangeContactDetailsInput, INPUT],  # noqa: A002
) -> ChangeContactDetailsPayload:
    command = ChangeContactDetails(
        customer_id=input.customer_id,
        name=required(input.name),
        phone=kept(input.phone),
        expected_version=input.expected_version,
    )
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.change_contact_details(command, metadata),
        ChangeContactDetailsPayload,
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
    return await run_command(
        info,
        lambda: change(input.customer_id, input.email, metadata, input.expected_version),
        ChangeEmailPayload,
    )


async def change_address(
    info: Info,
    input: Annotated[ChangeAddressInput, INPUT],  # noqa: A002
) -> ChangeAddressPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()

    def command() -> CommandResult:
        address = _address(input.address)
        return ledger.change_address(input.customer_id, address, metadata, input.expected_version)

    return await run_command(info, command, ChangeAddressPayload)


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
    command = ChangeDemographics(
        customer_id=input.customer_id,
        region=kept(input.region),
        language=required(input.language),
        birth_year=kept(input.birth_year),
        expected_version=input.expected_version,
    )
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info, lambda: ledger.change_demographics(command, metadata), ChangeDemographicsPayload
    )


async def set_contact_preferences(
    info: Info,
    input: Annotated[SetContactPreferencesInput, INPUT],  # noqa: A002
) -> SetContactPreferencesPayload:
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
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.set_contact_preferences(command, metadata),
        SetContactPreferencesPayload,
    )


async def give_consent(
    info: Info,
    input: Annotated[GiveConsentInput, INPUT],  # noqa: A002
) -> GiveConsentPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.give_consent(
            input.customer_id, input.purpose, metadata, input.expected_version
        ),
        GiveConsentPayload,
    )


async def withdraw_consent(
    info: Info,
    input: Annotated[WithdrawConsentInput, INPUT],  # noqa: A002
) -> WithdrawConsentPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.withdraw_consent(
            input.customer_id, input.purpose, metadata, input.expected_version
        ),
        WithdrawConsentPayload,
    )


async def complete_onboarding_step(
    info: Info,
    input: Annotated[CompleteOnboardingStepInput, INPUT],  # noqa: A002
) -> CompleteOnboardingStepPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.complete_onboarding_step(input.customer_id, input.step, metadata),
        CompleteOnboardingStepPayload,
    )
