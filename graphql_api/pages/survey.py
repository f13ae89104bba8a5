"""The survey page at an invitation's link: GET shows the form, POST answers it through the
same command as the submitSurveyResponse mutation, then thanks. Expired, answered, forged
links and closed surveys each get their own page and status."""

from __future__ import annotations

from uuid import uuid4

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response

from domain.shared.errors import DomainError, ValidationError
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.survey.commands import SubmitResponse, SurveyLink
from graphql_api.context import ApiServices
from graphql_api.pages.form_tokens import FormTokens
from graphql_api.pages.forms import BadForm, read_form
from graphql_api.pages.link_problems import (
    MAX_LINK_TOKEN,
    SURVEY_ANSWERED,
    SURVEY_FORGED,
    LinkProblem,
    survey_problem,
)
from graphql_api.pages.post_guard import PostGuard
from graphql_api.pages.render import Pages
from graphql_api.pages.survey_form import Entered, FieldProblem, ShownSurvey

FORM = "survey"
CSRF_FIELD = "csrf_token"
REFUSED_FORM = "This form cannot be accepted"


def page_metadata() -> EventMetadata:
    """Who acts from a page: the anonymous holder of the link, on the web (as an anonymous
    call of the mutation would record it)."""
    return EventMetadata("anonymous", Role.ANONYMOUS, Channel.WEB, correlation_id=uuid4())


class SurveyPage:
    def __init__(
        self, services: ApiServices, pages: Pages, tokens: FormTokens, guard: PostGuard
    ) -> None:
        self._ledger = services.ledger
        self._pages, self._tokens, self._guard = pages, tokens, guard

    async def show(self, request: Request) -> Response:
        refused = await self._guard.refusal(request)
        return refused or await self._form(request.path_params["token"], Entered())

    async def submit(self, request: Request) -> Response:
        refused = await self._guard.refusal(request)
        if refused is not None:
            return refused
        token: str = request.path_params["token"]
        if len(token) > MAX_LINK_TOKEN:
            return self._problem(SURVEY_FORGED)
        try:
            form = await read_form(request, self._guard.max_body_bytes)
            if not self._tokens.check(FORM, token, form.one(CSRF_FIELD)):
                return self._forbidden(request.url.path)
            entered = Entered.from_form(form)
        except BadForm as bad:
            return self._pages.problem(bad.status, REFUSED_FORM, bad.message)
        return await self._answer(token, entered)

    async def _answer(self, token: str, entered: Entered) -> Response:
        try:
            answer = SubmitResponse(
                score=entered.score_value(),
                comment=entered.comment_value(),
                aspect_scores=entered.aspect_values(),
                token=token,
            )
        except FieldProblem as problem:
            return await self._form(token, entered, problem)
        try:
            await anyio.to_thread.run_sync(
                self._ledger.submit_survey_response, answer, page_metadata()
            )
        except ValidationError as error:
            return await self._form(token, entered, FieldProblem(error.field or "", error.message))
        except DomainError as error:
            return self._refused(error)
        return self._pages.render("survey_thanks.html")

    async def _form(
        self, token: str, entered: Entered, problem: FieldProblem | None = None
    ) -> Response:
        if len(token) > MAX_LINK_TOKEN:
            return self._problem(SURVEY_FORGED)
        try:
            link: SurveyLink = await anyio.to_thread.run_sync(self._ledger.survey_link, token)
            if link.answered:
                return self._problem(SURVEY_ANSWERED)
            link.survey.check_open()
        except DomainError as error:
            return self._refused(error)
        return self._pages.render(
            "survey.html",
            400 if problem else 200,
            survey=ShownSurvey.of(link),
            entered=entered,
            problem=problem,
            csrf_field=CSRF_FIELD,
            csrf_token=self._tokens.issue(FORM, token),
        )

    def _refused(self, error: DomainError) -> Response:
        problem = survey_problem(error)
        if problem is None:
            return self._pages.problem(409, "Your answer could not be recorded", error.message)
        return self._problem(problem)

    def _problem(self, problem: LinkProblem) -> Response:
        return self._pages.problem(problem.status, problem.title, problem.message)

    def _forbidden(self, path: str) -> Response:
        return self._pages.problem(
            403,
            REFUSED_FORM,
            "The form was not sent from this survey's page, or was open for too long. "
            "Nothing was recorded; open the survey again to answer it.",
            back=path,
        )
