"""Signing staff in to the dashboard pages with the API's own bearer tokens, and out again.

The form takes a token (as `cxledger token` mints, or an identity provider signs); a token
the API would refuse, or a customer's, is refused here with the reason and sets nothing. In
development, for a browser on the server's own machine, a button signs in with a fresh token
of the role picked beside it (agent, analyst or admin), so nobody needs to copy one."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from domain.shared.metadata import Role
from graphql_api.auth import InvalidTokenError
from graphql_api.context import ApiServices
from graphql_api.loopback import is_local_caller
from graphql_api.pages.dashboard.render import DashboardPages
from graphql_api.pages.dashboard.session import (
    NotStaffError,
    forget,
    remember,
    served_over_https,
    signed_in,
    staff_principal,
)
from graphql_api.pages.form_tokens import FormTokens
from graphql_api.pages.forms import BadForm, read_form
from graphql_api.pages.post_guard import PostGuard
from graphql_api.web_options import DEVELOPMENT_ROLES

SIGN_IN_PATH = "/dashboard/sign-in"
SIGN_OUT_PATH = "/dashboard/sign-out"
DASHBOARD_PATH = "/dashboard"
FORM = "dashboard-sign-in"
SIGN_OUT_FORM = "dashboard-sign-out"
CSRF_FIELD = "csrf_token"
UNACCEPTED = (
    "That token was not accepted: it is malformed, expired or not signed for this server. "
    "Mint a new one (cxledger token --role analyst) or ask an administrator."
)
NOT_STAFF = "The dashboards are for staff: a customer's token cannot open them."
NO_SUCH_ROLE = "Development sign-in offers the roles agent, analyst and admin only."


class SignIn:
    def __init__(
        self, services: ApiServices, pages: DashboardPages, tokens: FormTokens, guard: PostGuard
    ) -> None:
        self._verify = services.verify_token
        self._development_token = services.web.development_token
        self._trusted_proxies = services.limits.requests.trusted_proxies
        self._pages, self._tokens, self._guard = pages, tokens, guard

    async def show(self, request: Request) -> Response:
        refused = await self._guard.refusal(request)
        if refused is not None:
            return refused
        if signed_in(request, self._verify) is not None:
            return RedirectResponse(DASHBOARD_PATH, status_code=303)
        return self._form(request)

    async def submit(self, request: Request) -> Response:
        refused = await self._guard.refusal(request)
        if refused is not None:
            return refused
        try:
            form = await read_form(request, self._guard.max_body_bytes)
            if not self._tokens.check(FORM, "", form.one(CSRF_FIELD)):
                return self._form(request, "The form was open too long; please sign in again.", 403)
            if form.one("development") is not None:
                role = _development_role(form.one("role"))
                if role is None:
                    return self._form(request, NO_SUCH_ROLE, 400)
                token = self._development(request, role)
                if token is None:
                    return self._form(request, "Development sign-in is not offered here.", 403)
            else:
                token = (form.one("token") or "").strip()
                if token.lower().startswith("bearer "):
                    token = token[len("bearer ") :].strip()
        except BadForm as bad:
            return self._form(request, bad.message, bad.status)
        try:
            principal = staff_principal(self._verify, token)
        except InvalidTokenError:
            return self._form(request, UNACCEPTED, 401)
        except NotStaffError:
            return self._form(request, NOT_STAFF, 403)
        response = RedirectResponse(DASHBOARD_PATH, status_code=303)
        remember(response, request, token, principal, self._secure(request))
        return response

    async def sign_out(self, request: Request) -> Response:
        refused = await self._guard.refusal(request)
        if refused is not None:
            return refused
        try:
            form = await read_form(request, self._guard.max_body_bytes)
            checked = self._tokens.check(SIGN_OUT_FORM, "", form.one(CSRF_FIELD))
        except BadForm as bad:
            return self._pages.problem(bad.status, "You are still signed in", bad.message)
        if not checked:
            return self._pages.problem(
                403, "You are still signed in", "Sign out from the dashboard's own button."
            )
        response = RedirectResponse(SIGN_IN_PATH, status_code=303)
        forget(response, self._secure(request))
        return response

    def _secure(self, request: Request) -> bool:
        return served_over_https(request, self._trusted_proxies)

    def sign_out_token(self) -> str:
        return self._tokens.issue(SIGN_OUT_FORM, "")

    def _development(self, request: Request, role: Role) -> str | None:
        if self._development_token is None or not is_local_caller(request):
            return None
        return self._development_token(role)

    def _form(self, request: Request, problem: str | None = None, status: int = 200) -> Response:
        development = self._development_token is not None and is_local_caller(request)
        return self._pages.render(
            "dashboard_sign_in.html",
            status if problem else 200,
            problem=problem,
            development=development,
            development_roles=[role.value for role in DEVELOPMENT_ROLES],
            csrf_field=CSRF_FIELD,
            csrf_token=self._tokens.issue(FORM, ""),
        )


def _development_role(chosen: str | None) -> Role | None:
    """The role picked for the development sign-in (agent when none is sent, as the button
    did before it offered a choice); None for any other value."""
    if chosen is None:
        return Role.AGENT
    return next((role for role in DEVELOPMENT_ROLES if role.value == chosen), None)
