"""The access area's mutations, with who may use each."""

from __future__ import annotations

import strawberry

from graphql_api.access import resolvers
from graphql_api.limits.costs import PASSWORD_CHECK_COST, REFRESH_COST, RESET_REQUEST_COST
from graphql_api.limits.declare import limited
from graphql_api.limits.gates import passwords
from graphql_api.permissions import EVERYONE, allowed


@strawberry.type(description="Log-in and passwords.")
class AccessMutations:
    log_in: resolvers.LogInPayload = strawberry.mutation(
        resolver=resolvers.log_in,
        description="Log a customer in with email and password; returns a short-lived bearer "
        "token for the role `customer` and a refresh token (see refreshSession). Anyone may "
        "call it, alone in its request. An unknown email and a wrong password get the same "
        "INVALID_CREDENTIALS; after 5 failures for one email from "
        "one address within 15 minutes, that address gets TOO_MANY_ATTEMPTS for it until the "
        "window ends (other addresses are not locked out; see the README for the per-email, "
        "per-address and overall limits).",
        extensions=[*limited(PASSWORD_CHECK_COST, gate=passwords, sole=True), *allowed(EVERYONE)],
    )
    refresh_session: resolvers.RefreshSessionPayload = strawberry.mutation(
        resolver=resolvers.refresh_session,
        description="Trade a customer's refresh token for a new access token and a new refresh "
        "token; the one given stops working. Anyone holding the token may call it, alone in "
        "its request. Giving a spent refresh token again (a stolen copy) revokes every token "
        "of its log-in: REFRESH_TOKEN_REUSED. Of two requests with the same token at once, one "
        "gets the tokens and the other REFRESH_TOKEN_ALREADY_USED.",
        extensions=[*limited(REFRESH_COST, sole=True), *allowed(EVERYONE)],
    )
    log_out: resolvers.LogOutPayload = strawberry.mutation(
        resolver=resolvers.log_out,
        description="End a customer's session: its refresh tokens stop working (its access "
        "token expires on its own within CXL_ACCESS_TOKEN_TTL). With `everywhere: true`, every "
        "session of the customer ends at once, access tokens included. Anyone holding the "
        "refresh token may call it, alone in its request.",
        extensions=[*limited(REFRESH_COST, sole=True), *allowed(EVERYONE)],
    )
    request_password_reset: resolvers.RequestPasswordResetPayload = strawberry.mutation(
        resolver=resolvers.request_password_reset,
        description="Email a password-reset link if the address belongs to a customer. "
        "Anyone may call it; the answer is the same, and comes after the same time (a "
        "quarter of a second), whether or not the email is known. One message per email per "
        "CXL_PASSWORD_RESET_COOLDOWN: requests inside it are answered alike and send nothing.",
        extensions=[*limited(RESET_REQUEST_COST, sole=True), *allowed(EVERYONE)],
    )
    reset_password: resolvers.ResetPasswordPayload = strawberry.mutation(
        resolver=resolvers.reset_password,
        description="Choose a new password with the token of a reset link (valid one hour, "
        "once). Anyone holding the token may call it. Every bearer token issued to the "
        "customer before stops working: log in with the new password.",
        extensions=[*limited(PASSWORD_CHECK_COST, gate=passwords, sole=True), *allowed(EVERYONE)],
    )
    change_password: resolvers.ChangePasswordPayload = strawberry.mutation(
        resolver=resolvers.change_password,
        description="Change one's own password, giving the current one. Only the customer "
        "themself. Every token issued before stops working; the answer carries a new one. "
        "After 5 wrong current passwords within 15 minutes, TOO_MANY_ATTEMPTS until the "
        "window ends.",
        extensions=[
            *limited(2 * PASSWORD_CHECK_COST, gate=passwords, sole=True),
            *allowed(own="input.customer_id"),
        ],
    )
