"""The staff's page session: the bearer token they signed in with, kept in a cookie that
scripts cannot read (HttpOnly), sent only to this site (SameSite=Strict) and only over HTTPS
when the page was served over HTTPS. The cookie is checked like an Authorization header on
every request, so it lives no longer than its token and a token the API refuses is refused."""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import Response

from domain.shared.metadata import Role
from graphql_api.auth import PERSONAL_DATA_ROLES, InvalidTokenError, Principal, TokenVerifier
from graphql_api.permissions import READERS

COOKIE = "cxl_staff_session"
MAX_TOKEN_CHARS = 8192
"""Longer is no token of ours (an RS256 token with its claims is about a kilobyte)."""
DASHBOARD_ROLES = READERS
"""Who may open the dashboards: the roles that may read surveyDashboard, serviceMetrics,
loyaltyProgramMetrics and referralFunnel (the README's role matrix)."""


class NotStaffError(Exception):
    """The token is valid but its role may not see the dashboards (a customer's)."""


def staff_principal(verify: TokenVerifier, token: str) -> Principal:
    """The principal of a token pasted into the sign-in form or read back from the cookie.
    Raises :class:`InvalidTokenError` for a bad token, :class:`NotStaffError` for a role
    outside :data:`DASHBOARD_ROLES`."""
    if not 1 <= len(token) <= MAX_TOKEN_CHARS or not token.isascii():
        raise InvalidTokenError("not a token")
    principal = verify(token)
    if principal.role not in DASHBOARD_ROLES:
        raise NotStaffError(principal.role.value)
    return principal


def signed_in(request: Request, verify: TokenVerifier) -> Principal | None:
    """The staff member whose session cookie came with the request; None without a valid one."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        return staff_principal(verify, token)
    except (InvalidTokenError, NotStaffError):
        return None


def may_read_comments(principal: Principal) -> bool:
    """Comments are personal data: only the roles that read them in the Customer 360."""
    return principal.role in PERSONAL_DATA_ROLES and principal.role is not Role.CUSTOMER


def served_over_https(request: Request, trusted_proxies: frozenset[str]) -> bool:
    """HTTPS to this server, or to a trusted reverse proxy (CXL_TRUSTED_PROXIES) that says
    so in X-Forwarded-Proto: then the cookie is Secure, never sent over plain HTTP."""
    if request.url.scheme == "https":
        return True
    peer = request.client.host if request.client else None
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return peer in trusted_proxies and forwarded == "https"


def remember(
    response: Response, request: Request, token: str, principal: Principal, secure: bool
) -> None:
    """Keep ``token`` in the session cookie until the token itself expires."""
    expires = principal.expires_at.timestamp() if principal.expires_at else time.time() + 3600
    response.set_cookie(
        COOKIE,
        token,
        max_age=max(1, int(expires - time.time())),
        path="/dashboard",
        secure=secure,
        httponly=True,
        samesite="strict",
    )


def forget(response: Response, secure: bool) -> None:
    response.delete_cookie(
        COOKIE,
        path="/dashboard",
        secure=secure,
        httponly=True,
        samesite="strict",
    )
