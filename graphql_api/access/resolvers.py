"""Log-in and password mutations: translate, delegate; the domain decides."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Self
from uuid import UUID

import strawberry

from domain.customer.access import SessionsRenewed
from domain.customer.errors import RefreshTokensUnavailableError
from domain.shared.application import CommandResult
from domain.shared.errors import DomainError
from graphql_api.auth import CustomerSession, RefreshSessions
from graphql_api.errors import UserError
from graphql_api.mutation import Fields, Info, Payload, run_command
from graphql_api.steady_time import RESET_ANSWER_FLOOR, no_sooner_than

LOG_IN = strawberry.argument(
    description="The email the customer registered with and their password."
)
RESET_REQUEST = strawberry.argument(
    description="The email to send a reset link to; the answer never says whether it is known."
)
RESET = strawberry.argument(
    description="The token from the reset link's address and the new password."
)
CHANGE = strawberry.argument(
    description="The customer (the caller themself), their current password and the new one."
)


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


REFRESH = strawberry.argument(description="The refresh token to trade for new tokens.")
LOG_OUT = strawberry.argument(
    description="The refresh token of the session to end, and whether to end every session."
)
SPENT_ONCE_FIELD = (
    "Opaque refresh token: trade it for a new access token (and a new refresh token) with "
    "refreshSession before the access token expires; it works once. Null if refused, or if "
    "this server issues no refresh tokens."
)
REFRESH_EXPIRES_FIELD = "When the refresh token stops working (CXL_REFRESH_TOKEN_TTL)."


@strawberry.type(description="Result of logIn.")
class LogInPayload(Payload):
    token: str | None = strawberry.field(
        description="Access token for `Authorization: Bearer <token>` (short-lived: "
        "CXL_ACCESS_TOKEN_TTL, 15 minutes by default); null if refused."
    )
    expires_at: datetime | None = strawberry.field(description="When the token stops working.")
    customer_id: UUID | None = strawberry.field(description="The customer now logged in.")
    refresh_token: str | None = strawberry.field(default=None, description=SPENT_ONCE_FIELD)
    refresh_token_expires_at: datetime | None = strawberry.field(
        default=None, description=REFRESH_EXPIRES_FIELD
    )
    user_errors: list[UserError] = strawberry.field(
        description="INVALID_CREDENTIALS or TOO_MANY_ATTEMPTS."
    )


async def log_in(info: Info, input: Annotated[LogInInput, LOG_IN]) -> LogInPayload:  # noqa: A002
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
        "refresh_token": session.refresh_token,
        "refresh_token_expires_at": session.refresh_expires_at,
    }


@strawberry.input(description="A refresh token to trade for new tokens.")
class RefreshSessionInput:
    refresh_token: str = strawberry.field(
        description="The refresh token logIn, changePassword or the last refreshSession gave."
    )


@strawberry.type(
    description="Result of refreshSession: new tokens; the old refresh token is spent."
)
class RefreshSessionPayload(Payload):
    token: str | None = strawberry.field(description="A new access token; null if refused.")
    expires_at: datetime | None = strawberry.field(
        description="When the access token stops working."
    )
    customer_id: UUID | None = strawberry.field(description="The customer whose session it is.")
    refresh_token: str | None = strawberry.field(description=SPENT_ONCE_FIELD)
    refresh_token_expires_at: datetime | None = strawberry.field(description=REFRESH_EXPIRES_FIELD)
    user_errors: list[UserError] = strawberry.field(
        description="INVALID_REFRESH_TOKEN (unknown, expired, revoked, or the session ended), "
        "REFRESH_TOKEN_REUSED (it was spent before: every token of that log-in is revoked), "
        "REFRESH_TOKEN_ALREADY_USED (a concurrent request just spent it) or "
        "REFRESH_TOKENS_UNAVAILABLE; nothing was issued."
    )


async def refresh_session(
    info: Info,
    input: Annotated[RefreshSessionInput, REFRESH],  # noqa: A002
) -> RefreshSessionPayload:
    refresh = _refresh_sessions(info)
    return await run_command(
        info,
        lambda: refresh().refresh(input.refresh_token),
        RefreshSessionPayload,
        _session_shown,
    )


@strawberry.input(description="The session to end.")
class LogOutInput:
    refresh_token: str = strawberry.field(description="The session's current refresh token.")
    everywhere: bool = strawberry.field(
        default=False,
        description="True: end every session of the customer (every refresh and access "
        "token, on every device); false: this session's refresh tokens only.",
    )


@strawberry.type(description="Result of logOut.")
class LogOutPayload(Payload):
    customer_id: UUID | None = strawberry.field(
        description="The customer logged out; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(
        description="INVALID_REFRESH_TOKEN (unknown, spent, expired or already revoked) or "
        "REFRESH_TOKENS_UNAVAILABLE; nothing was revoked."
    )


async def log_out(info: Info, input: Annotated[LogOutInput, LOG_OUT]) -> LogOutPayload:  # noqa: A002
    refresh, metadata = _refresh_sessions(info), info.context.metadata()
    return await run_command(
        info,
        lambda: refresh().log_out(input.refresh_token, input.everywhere, metadata),
        LogOutPayload,
        _logged_out,
    )


async def _logged_out(customer_id: UUID) -> Fields:
    return {"customer_id": customer_id}


def _refresh_sessions(info: Info) -> Callable[[], RefreshSessions]:
    """The refresh-token service, asked for inside the command so that a server without one
    answers REFRESH_TOKENS_UNAVAILABLE as a user error."""
    services = info.context.services

    def service() -> RefreshSessions:
        if services.refresh_sessions is None:
            raise RefreshTokensUnavailableError("this server issues no refresh tokens")
        return services.refresh_sessions

    return service


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
    input: Annotated[RequestPasswordResetInput, RESET_REQUEST],  # noqa: A002
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


async def reset_password(
    info: Info,
    input: Annotated[ResetPasswordInput, RESET],  # noqa: A002
) -> ResetPasswordPayload:
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
    refresh_token: str | None = strawberry.field(
        default=None,
        description="A new refresh token for the new session (every earlier one stopped "
        "working); null if refused or if this server issues none.",
    )
    refresh_token_expires_at: datetime | None = strawberry.field(
        default=None, description=REFRESH_EXPIRES_FIELD
    )
    user_errors: list[UserError] = strawberry.field(
        description="INVALID_CREDENTIALS (current password wrong), TOO_MANY_ATTEMPTS (too many "
        "wrong ones lately) or WEAK_PASSWORD; nothing was written."
    )


async def change_password(
    info: Info,
    input: Annotated[ChangePasswordInput, CHANGE],  # noqa: A002
) -> ChangePasswordPayload:
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
