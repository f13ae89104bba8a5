"""Log-in and password mutations: translate, delegate; the domain decides."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Self
from uuid import UUID

import strawberry

from domain.customer.access import SessionsRenewed
from domain.shared.application import CommandResult
from domain.shared.errors import DomainError
from graphql_api.auth import CustomerSession
from graphql_api.errors import UserError
from graphql_api.mutation import Fields, Info, Payload, run_command
from graphql_api.steady_time import RESET_ANSWER_FLOOR, no_sooner_than


class NewPasswordPayload(Payload):
    """A payload of a mutation choosing a new password."""

    @classmethod
    def refused(cls, error: DomainError | list[UserError]) -> Self:
        if isinstance(error, DomainError) and error.field == "password":
            # The domain's password rules name their input `password`; here it is `newPassword`.
            error.field = "newPassword"
        return super().refused(error)


@strawberry.input(description="A customer's credentials.")
class LogInInput:
    email: str = strawberry.field(description="The email the customer registered with.")
    password: str = strawberry.field(description="Their password.")


@strawberry.type(description="Result of logIn.")
class LogInPayload(Payload):
    token: str | None = strawberry.field(
        description="Bearer token for `Authorization: Bearer <token>`; null if refused."
    )
    expires_at: datetime | None = strawberry.field(description="When the token stops working.")
    customer_id: UUID | None = strawberry.field(description="The customer now logged in.")
    user_errors: list[UserError] = strawberry.field(
        description="INVALID_CREDENTIALS or TOO_MANY_ATTEMPTS."
    )


async def log_in(info: Info, input: LogInInput) -> LogInPayload:  # noqa: A002
    context = info.context
    return await run_command(
        info,
        lambda: context.services.log_in(input.email, input.password, context.client_address),
        LogInPayload,
        _session_shown,
    )


async def _session_shown(session: CustomerSession) -> Fields:
    return {
        "token": session.token,
        "expires_at": session.expires_at,
        "customer_id": session.customer_id,
    }


@strawberry.input(description="Whose password to reset.")
class RequestPasswordResetInput:
    email: str = strawberry.field(description="The email the customer registered with.")


@strawberry.type(description="Result of requestPasswordReset: the same for every email.")
class RequestPasswordResetPayload:
    accepted: bool = strawberry.field(
        description="Always true: if the email is a customer's, a reset link is on its way."
    )
    user_errors: list[UserError] = strawberry.field(description="Always empty.")


async def request_password_reset(
    info: Info,
    input: RequestPasswordResetInput,  # noqa: A002
) -> RequestPasswordResetPayload:
    context = info.context

    async def request() -> None:
        # An unusable email is answered like an unknown one: say nothing either way.
        with contextlib.suppress(DomainError):
            await context.run_command(
                context.services.password_access.request_password_reset,
                input.email,
                context.metadata(),
            )

    # The same answer, after the same time, whether or not the email is a customer's.
    await no_sooner_than(RESET_ANSWER_FLOOR, request())
    return RequestPasswordResetPayload(accepted=True, user_errors=[])


@strawberry.input(description="A new password, with the token of a reset link.")
class ResetPasswordInput:
    token: str = strawberry.field(description="The token from the reset link.")
    new_password: str = strawberry.field(
        description="12-128 characters, not common, not made of one's name or email."
    )


@strawberry.type(description="Result of resetPassword.")
class ResetPasswordPayload(NewPasswordPayload):
    customer_id: UUID | None = strawberry.field(
        description="The customer whose password was reset; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(
        description="INVALID_RESET_TOKEN or WEAK_PASSWORD; nothing was written."
    )


async def reset_password(info: Info, input: ResetPasswordInput) -> ResetPasswordPayload:  # noqa: A002
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.reset_password(input.token, input.new_password, metadata),
        ResetPasswordPayload,
        _customer_shown,
    )


async def _customer_shown(result: CommandResult) -> Fields:
    return {"customer_id": result.aggregate_id}


@strawberry.input(description="A customer's new password, with their current one.")
class ChangePasswordInput:
    customer_id: UUID = strawberry.field(description="The customer: the caller themself.")
    current_password: str = strawberry.field(description="The password in use now.")
    new_password: str = strawberry.field(
        description="12-128 characters, not common, not made of one's name or email."
    )


@strawberry.type(description="Result of changePassword.")
class ChangePasswordPayload(NewPasswordPayload):
    customer_id: UUID | None = strawberry.field(description="The customer; null if refused.")
    token: str | None = strawberry.field(
        default=None,
        description="A new bearer token for the caller: every token issued before the change "
        "(this request's included) no longer works. Null if refused.",
    )
    expires_at: datetime | None = strawberry.field(
        default=None, description="When the new token stops working."
    )
    user_errors: list[UserError] = strawberry.field(
        description="INVALID_CREDENTIALS (current password wrong), TOO_MANY_ATTEMPTS (too many "
        "wrong ones lately) or WEAK_PASSWORD; nothing was written."
    )


async def change_password(info: Info, input: ChangePasswordInput) -> ChangePasswordPayload:  # noqa: A002
    context, metadata = info.context, info.context.metadata()

    async def renewed(result: SessionsRenewed) -> Fields:
        # Every token issued before no longer works: the caller gets one for the new session.
        session = context.services.sessions.issue(result.aggregate_id, result.session_version)
        return await _session_shown(session)

    return await run_command(
        info,
        lambda: context.services.password_access.change_password(
            input.customer_id, input.current_password, input.new_password, metadata
        ),
        ChangePasswordPayload,
        renewed,
    )
