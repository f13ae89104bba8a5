"""The password-reset page at the emailed link: GET shows the form (or why the link cannot be
used), POST sets the new password through the same command as the resetPassword mutation,
inside the same slot for password hashing."""

from __future__ import annotations

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response

from domain.shared.errors import DomainError, ValidationError
from graphql_api.context import ApiServices
from graphql_api.limits.gates import BusyError
from graphql_api.pages.form_tokens import FormTokens
from graphql_api.pages.forms import BadForm, read_form
from graphql_api.pages.link_problems import MAX_LINK_TOKEN, RESET_FORGED, reset_problem
from graphql_api.pages.post_guard import PostGuard
from graphql_api.pages.render import Pages
from graphql_api.pages.survey import CSRF_FIELD, REFUSED_FORM, page_metadata

FORM = "reset"
NEW, CONFIRM = "new_password", "confirm_password"


class ResetPage:
    def __init__(
        self, services: ApiServices, pages: Pages, tokens: FormTokens, guard: PostGuard
    ) -> None:
        self._services = services
        self._pages, self._tokens, self._guard = pages, tokens, guard

    async def show(self, request: Request) -> Response:
        refused = await self._guard.refusal(request)
        if refused is not None:
            return refused
        token: str = request.path_params["token"]
        if len(token) > MAX_LINK_TOKEN:
            return self._refused_link(None)
        try:
            await anyio.to_thread.run_sync(self._services.ledger.check_reset_link, token)
        except DomainError as error:
            return self._refused_link(error)
        return self._form(token)

    async def submit(self, request: Request) -> Response:
        refused = await self._guard.refusal(request)
        if refused is not None:
            return refused
        token: str = request.path_params["token"]
        if len(token) > MAX_LINK_TOKEN:
            return self._refused_link(None)
        try:
            form = await read_form(request, self._guard.max_body_bytes)
            if not self._tokens.check(FORM, token, form.one(CSRF_FIELD)):
                return self._forbidden(request.url.path)
            new, confirm = form.one(NEW) or "", form.one(CONFIRM) or ""
        except BadForm as bad:
            return self._pages.problem(bad.status, REFUSED_FORM, bad.message)
        if not new:
            return self._form(token, "Type a new password.")
        if new != confirm:
            return self._form(token, "The two passwords differ: type the same one twice.")
        return await self._reset(token, new)

    async def _reset(self, token: str, new_password: str) -> Response:
        ledger = self._services.ledger
        try:
            async with self._services.gates.passwords.slot():
                await anyio.to_thread.run_sync(
                    ledger.reset_password, token, new_password, page_metadata()
                )
        except BusyError as busy:
            seconds = str(busy.extensions["retryAfter"]) if busy.extensions else "5"
            return self._pages.problem(
                503,
                "The server is busy",
                f"Please send the form again in {seconds} seconds; nothing was changed.",
                headers={"Retry-After": seconds},
            )
        except ValidationError as error:  # the domain's password rules
            return self._form(token, _sentence(error.message))
        except DomainError as error:
            return self._refused_link(error)
        return self._pages.render("reset_done.html")

    def _form(self, token: str, problem: str | None = None) -> Response:
        return self._pages.render(
            "reset.html",
            400 if problem else 200,
            problem=problem,
            csrf_field=CSRF_FIELD,
            csrf_token=self._tokens.issue(FORM, token),
        )

    def _refused_link(self, error: DomainError | None) -> Response:
        problem = RESET_FORGED if error is None else reset_problem(error)
        if problem is None and error is not None:
            return self._pages.problem(409, "Your password could not be changed", error.message)
        problem = problem or RESET_FORGED
        return self._pages.problem(problem.status, problem.title, problem.message)

    def _forbidden(self, path: str) -> Response:
        return self._pages.problem(
            403,
            REFUSED_FORM,
            "The form was not sent from this page, or was open for too long. Your password "
            "has not changed; open the link again to choose one.",
            back=path,
        )


def _sentence(message: str) -> str:
    """The domain's message ("password must have ...") as a sentence on the page."""
    text = message[:1].upper() + message[1:]
    return text if text.endswith(".") else text + "."
