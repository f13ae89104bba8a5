"""The customer area's queries and mutations, with who may use each."""

from __future__ import annotations

from typing import Any

import strawberry

from domain.shared.metadata import Role
from graphql_api.context import RequestContext
from graphql_api.customers import mutations, payloads, resolvers
from graphql_api.customers.email_change import ConfirmEmailChangePayload, confirm_email_change
from graphql_api.customers.inputs import RegisterCustomerInput
from graphql_api.customers.types import CustomerConnection, CustomerType
from graphql_api.limits.costs import PASSWORD_CHECK_COST
from graphql_api.limits.declare import limited
from graphql_api.limits.gates import passwords
from graphql_api.permissions import EVERYONE, READERS, STAFF, allowed
from graphql_api.plain_fields import DIRECT, PLANNED


def hashes(info: strawberry.Info[RequestContext, None], arguments: dict[str, Any]) -> bool:
    """Whether a registration hashes a password: when it carries one, and always for someone
    registering themself (their answer takes as long whatever the email, see
    ``self_registration``). Staff registering a customer without one hash nothing, so they
    hold no password slot (with two slots, 16 agents registering at once queued for them)."""
    given: RegisterCustomerInput = arguments["input"]
    return info.context.principal.role is Role.ANONYMOUS or given.password is not None


OWN_OR_STAFF = "Agents and admins; a customer only on their own account."


@strawberry.type(description="Queries about customers.")
class CustomerQueries:
    customer: CustomerType | None = strawberry.field(
        resolver=resolvers.customer,
        description="One customer by id; null if unknown. Staff, analysts, auditors and "
        "privacy officers; a customer may read only themself.",
        extensions=allowed(READERS, own="id"),
        # Resolved without strawberry's argument conversion and permission wrapper, as
        # ``customers`` is (``plain_fields.DIRECT``): the same answer, the same refusal.
        metadata={DIRECT: resolvers.customer_answer},
    )
    customers: CustomerConnection = strawberry.field(
        resolver=resolvers.customers,
        description="Customers in registration order (Relay connection, `first` up to 100), "
        "optionally filtered. Staff, analysts, auditors and privacy officers; `filter.search` "
        "only agents, admins and privacy officers.",
        extensions=allowed(READERS),
        # Resolved without strawberry's argument conversion and permission wrapper when its
        # arguments are plain (``plain_fields.DIRECT``): the same answer, the same refusal.
        # A page answered directly reads only the columns its selection shows (``PLANNED``).
        metadata={DIRECT: resolvers.list_customers, PLANNED: resolvers.planned_arguments},
    )


@strawberry.type(description="Commands on customers.")
class CustomerMutations:
    register_customer: payloads.RegisterCustomerPayload = strawberry.mutation(
        resolver=mutations.register_customer,
        description="Register a customer: anyone may register themself (with a password); "
        "agents and admins register customers they serve. Emails are unique; `customerId` "
        "makes retries safe. Staff get the customer, or why not (EMAIL_ALREADY_REGISTERED, "
        "IDEMPOTENCY_KEY_REUSED, ...). Someone registering themself (no token) gets the same "
        "answer whether the email was new or already a customer's (whose owner is told by "
        "email), and whether the `customerId` was used before: `customer` and `position` "
        "null, no userErrors unless the input itself is bad, after at least half a second; "
        "they log in with the email and password to read their profile.",
        # A password, when given, is hashed: then registration waits for a password slot.
        extensions=[
            *limited(PASSWORD_CHECK_COST, gate=passwords, needs_slot=hashes, sole=True),
            *allowed(STAFF, Role.ANONYMOUS),
        ],
    )
    change_contact_details: payloads.ChangeContactDetailsPayload = strawberry.mutation(
        resolver=mutations.change_contact_details,
        description=f"Change a customer's name and/or phone. {OWN_OR_STAFF}",
        extensions=allowed(STAFF, own="input.customer_id"),
    )
    change_email: payloads.ChangeEmailPayload = strawberry.mutation(
        resolver=mutations.change_email,
        description="Move a customer to a new email (unique across customers). Agents and "
        "admins change it at once (EMAIL_ALREADY_REGISTERED if another customer holds it). A "
        "customer changing their own gets their profile unchanged: a confirmation link goes "
        "to the new address, valid 24 hours, and the email changes when it is followed "
        "(`confirmEmailChange`); the answer is the same whether or not the address is "
        "someone else's.",
        extensions=allowed(STAFF, own="input.customer_id"),
    )
    confirm_email_change: ConfirmEmailChangePayload = strawberry.mutation(
        resolver=confirm_email_change,
        description="Confirm a customer's change of email with the token of the link sent to "
        "the new address (the latest link, once, within 24 hours). Anyone holding the token "
        "may call it.",
        extensions=allowed(EVERYONE),
    )
    change_address: payloads.ChangeAddressPayload = strawberry.mutation(
        resolver=mutations.change_address,
        description=f"Set or remove a customer's postal address. {OWN_OR_STAFF}",
        extensions=allowed(STAFF, own="input.customer_id"),
    )
    change_demographics: payloads.ChangeDemographicsPayload = strawberry.mutation(
        resolver=mutations.change_demographics,
        description=f"Change a customer's region, language and/or birth year. {OWN_OR_STAFF}",
        extensions=allowed(STAFF, own="input.customer_id"),
    )
    set_contact_preferences: payloads.SetContactPreferencesPayload = strawberry.mutation(
        resolver=mutations.set_contact_preferences,
        description=f"Opt a customer in to or out of contact channels. {OWN_OR_STAFF}",
        extensions=allowed(STAFF, own="input.customer_id"),
    )
    give_consent: payloads.GiveConsentPayload = strawberry.mutation(
        resolver=mutations.give_consent,
        description=f"Record that a customer gives a consent. {OWN_OR_STAFF}",
        extensions=allowed(STAFF, own="input.customer_id"),
    )
    withdraw_consent: payloads.WithdrawConsentPayload = strawberry.mutation(
        resolver=mutations.withdraw_consent,
        description="Record that a customer withdraws a consent, or refuses one they never "
        f"gave (recorded as REFUSED and respected like a withdrawal). {OWN_OR_STAFF}",
        extensions=allowed(STAFF, own="input.customer_id"),
    )
    complete_onboarding_step: payloads.CompleteOnboardingStepPayload = strawberry.mutation(
        resolver=mutations.complete_onboarding_step,
        description=f"Record an onboarding step the customer has done. {OWN_OR_STAFF}",
        extensions=allowed(STAFF, own="input.customer_id"),
    )
