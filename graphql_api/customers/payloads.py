"""Payloads of the customer mutations: the customer as the read model shows it after the
write, the write's log position, and why nothing was written."""

from __future__ import annotations

from uuid import UUID

import strawberry

from domain.shared.application import CommandResult
from graphql_api.context import RequestContext
from graphql_api.customers.resolvers import load_customer
from graphql_api.customers.types import CustomerType
from graphql_api.errors import UserError
from graphql_api.mutation import Fields, Payload
from graphql_api.notices import NOTICES, Notice
from projections.customers.projection import CustomerDirectory


@strawberry.type(description="What every customer mutation answers.")
class CustomerPayload(Payload):
    customer: CustomerType | None = strawberry.field(
        description="The customer after the write; null if refused, or if the read model did "
        "not show the write in time (see notices)."
    )
    customer_id: UUID | None = strawberry.field(
        default=None,
        description="The customer written to, even when `customer` is null because the read "
        "model is late; null if refused.",
    )
    position: str | None = strawberry.field(
        description="Log position of the write; pass it as `atLeast` to read your write."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was written.")
    notices: list[Notice] = strawberry.field(default_factory=list, description=NOTICES)

    read_model = CustomerDirectory.name

    @classmethod
    async def shown(cls, context: RequestContext, result: CommandResult) -> Fields:
        return {
            "customer": await load_customer(context, result.aggregate_id),
            "customer_id": result.aggregate_id,
        }


@strawberry.type(description="Result of registerCustomer.")
class RegisterCustomerPayload(CustomerPayload):
    pass


@strawberry.type(description="Result of changeContactDetails.")
class ChangeContactDetailsPayload(CustomerPayload):
    pass


@strawberry.type(description="Result of changeEmail.")
class ChangeEmailPayload(CustomerPayload):
    pass


@strawberry.type(description="Result of changeAddress.")
class ChangeAddressPayload(CustomerPayload):
    pass


@strawberry.type(description="Result of changeDemographics.")
class ChangeDemographicsPayload(CustomerPayload):
    pass


@strawberry.type(description="Result of setContactPreferences.")
class SetContactPreferencesPayload(CustomerPayload):
    pass


@strawberry.type(description="Result of giveConsent.")
class GiveConsentPayload(CustomerPayload):
    pass


@strawberry.type(description="Result of withdrawConsent.")
class WithdrawConsentPayload(CustomerPayload):
    pass


@strawberry.type(description="Result of completeOnboardingStep.")
class CompleteOnboardingStepPayload(CustomerPayload):
    pass
