"""confirmEmailChange: following the link a customer's changeEmail sent to their new address.

Whoever holds the link reads mail at that address, so they may be told that the address
already has an account (EMAIL_ALREADY_REGISTERED): they could learn it there anyway. They get
the customer's id only, not the customer: the link may be followed without logging in.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import strawberry

from domain.shared.application import CommandResult
from graphql_api.context import RequestContext
from graphql_api.errors import UserError
from graphql_api.mutation import Fields, Info, Payload, run_command


@strawberry.input(description="The token of an email-change confirmation link.")
class ConfirmEmailChangeInput:
    token: str = strawberry.field(description="The token from the link sent to the new address.")


@strawberry.type(description="Result of confirmEmailChange.")
class ConfirmEmailChangePayload(Payload):
    customer_id: UUID | None = strawberry.field(
        description="The customer whose email is now the confirmed address; null if refused."
    )
    position: str | None = strawberry.field(
        description="Log position of the change; pass it as `atLeast` to read your write."
    )
    user_errors: list[UserError] = strawberry.field(
        description="INVALID_CONFIRMATION_TOKEN (unknown, replaced, used or expired link) or "
        "EMAIL_ALREADY_REGISTERED (the address has an account of its own); nothing was written."
    )

    @classmethod
    async def shown(cls, context: RequestContext, result: CommandResult) -> Fields:
        return {"customer_id": result.aggregate_id}


async def confirm_email_change(
    info: Info,
    input: Annotated[  # noqa: A002
        ConfirmEmailChangeInput, strawberry.argument(description="The link's token.")
    ],
) -> ConfirmEmailChangePayload:
    ledger, token, metadata = info.context.ledger, input.token, info.context.metadata()
    return await run_command(
        info, lambda: ledger.confirm_email_change(token, metadata), ConfirmEmailChangePayload
    )
