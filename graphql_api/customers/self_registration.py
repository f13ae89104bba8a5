"""registerCustomer by an anonymous caller: a person registering themself.

The answer tells them nothing about anyone else: the same payload (no customer, no position,
no user errors) whether they were registered now, the email was already a customer's (who is
told by message), or the customer id was used before; and it comes no sooner than
:data:`REGISTRATION_ANSWER_FLOOR` after the request, so its timing tells nothing either. Only
bad input (the same whoever holds the email) is refused. They read their profile after
logging in. Staff registering a customer get the customer and every refusal (mutations.py).
"""

from __future__ import annotations

from functools import partial

from domain.customer.commands import RegisterCustomer
from domain.referral.registration import register_self_referred
from domain.shared.errors import DomainError
from graphql_api.context import RequestContext
from graphql_api.customers.payloads import RegisterCustomerPayload
from graphql_api.error_log import log_refused_command
from graphql_api.errors import UserError, user_error_from
from graphql_api.steady_time import no_sooner_than

REGISTRATION_ANSWER_FLOOR = 0.5
"""Seconds: above what a registration costs on a healthy server (an argon2id hash, about
0.12 s on the development machine, done on every path, and a commit)."""


async def register_self(
    context: RequestContext, command: RegisterCustomer, code: str | None
) -> RegisterCustomerPayload:
    metadata = context.metadata()
    register = (
        partial(context.ledger.register_self, command, metadata)
        if code is None
        else partial(register_self_referred, context.ledger, command, code, metadata)
    )

    async def attempt() -> list[UserError]:
        try:
            await context.run_command(register)
        except DomainError as error:
            log_refused_command(RegisterCustomerPayload.__name__, error)
            return [user_error_from(error)]
        return []

    errors = await no_sooner_than(REGISTRATION_ANSWER_FLOOR, attempt())
    return RegisterCustomerPayload(customer=None, position=None, user_errors=errors)
