"""Log-in and password mutations: translate, delegate; the domain decides."""

from __future__ import annotations

import contextlib
from datetime import datetime
from uuid import UUID

import strawberry

from domain.shared.errors import DomainError
from graphql_api.context import RequestContext
from graphql_api.errors import UserError, user_error_from
from graphql_api.steady_time import RESET_ANSWER_FLOOR, no_sooner_than

Info = strawberry.Info[RequestContext, None]


def _user_error(error: DomainError) -> UserError:
    user_error = user_error_from(error)
    if error.field == "password":
        # The domain's password rules name their input `password`; here it is `newPassword`.
        user_error.field = ["input", "newPassword"]
    return user_error


@strawberry.input(description="A customer's credentials.")
class LogInInput:
    email: str = strawberry.field(description="The email the customer registered with.")
    password: str = strawberry.field(description="Their password.")


@strawberry.type(description="Result of logIn.")
class LogInPayload:
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
    try:
        session = await context.run_command(
            context.services.log_in, input.email, input.password, context.client_address
        )
    except DomainError as error:
        return LogInPayload(
            token=None, expires_at=None, customer_id=None, user_errors=[user_error_from(error)]
        )
    return LogInPayload(
        token=session.token,
        expires_at=session.expires_at,
        customer_id=session.customer_id,
        user_errors=[],
    )


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
class ResetPasswordPayload:
    customer_id: UUID | None = strawberry.field(
        description="The customer whose password was reset; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(
        description="INVALID_RESET_TOKEN or WEAK_PASSWORD; nothing was written."
    )


async def reset_password(info: Info, input: ResetPasswordInput) -> ResetPasswordPayload:  # noqa: A002
    context = info.context
    try:
        result = await context.run_command(
            context.ledger.reset_password, input.token, input.new_password, context.metadata()
        )
    except DomainError as error:
        return ResetPasswordPayload(customer_id=None, user_errors=[_user_error(error)])
    return ResetPasswordPayload(customer_id=result.aggregate_id, user_errors=[])


@strawberry.input(description="A customer's new password, with their current one.")
class ChangePasswordInput:
    customer_id: UUID = strawberry.field(description="The customer: the caller themself.")
    current_password: str = strawberry.field(description="The password in use now.")
    new_password: str = strawberry.field(
        description="12-128 characters, not common, not made of one's name or email."
    )


@strawberry.type(description="Result of changePassword.")
class ChangePasswordPayload:
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
    context = info.context
    try:
        result = await context.run_command(
            context.services.password_access.change_password,
            input.customer_id,
            input.current_password,
            input.new_password,
            context.metadata(),
        )
    except DomainError as error:
        return ChangePasswordPayload(customer_id=None, user_errors=[_user_error(error)])
    session = context.services.sessions.issue(result.aggregate_id, result.session_version)
    return ChangePasswordPayload(
        customer_id=result.aggregate_id,
        token=session.token,
        expires_at=session.expires_at,
        user_errors=[],
    )
