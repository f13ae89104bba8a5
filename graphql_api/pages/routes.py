"""The pages' routes, mounted by ``graphql_api.app``. The mail sender links to exactly these
paths: ``/s/<token>`` for a survey invitation and ``/reset/<token>`` for a password reset.
The staff's dashboards live under ``/dashboard`` (:mod:`graphql_api.pages.dashboard`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from graphql_api.context import ApiServices
from graphql_api.pages.dashboard.routes import dashboard_routes
from graphql_api.pages.failures import answered
from graphql_api.pages.form_tokens import FormTokens
from graphql_api.pages.post_guard import PostGuard
from graphql_api.pages.render import STYLESHEET_PATH, Pages, stylesheet
from graphql_api.pages.reset import ResetPage
from graphql_api.pages.survey import SurveyPage

SURVEY_PATH = "/s/{token:str}"
RESET_PATH = "/reset/{token:str}"


def page_routes(services: ApiServices) -> list[BaseRoute]:
    pages = Pages()
    tokens = FormTokens(services.page_key)
    guard = PostGuard(services, pages)
    survey = SurveyPage(services, pages, tokens, guard)
    reset = ResetPage(services, pages, tokens, guard)
    css = stylesheet()

    async def styles(_: Request) -> Response:
        return css

    return [
        Route(SURVEY_PATH, answered(survey.show, pages, SURVEY_PATH), methods=["GET"]),
        Route(SURVEY_PATH, answered(survey.submit, pages, SURVEY_PATH), methods=["POST"]),
        Route(RESET_PATH, answered(reset.show, pages, RESET_PATH), methods=["GET"]),
        Route(RESET_PATH, answered(reset.submit, pages, RESET_PATH), methods=["POST"]),
        Route(STYLESHEET_PATH, styles, methods=["GET"]),
        *dashboard_routes(services, pages, tokens, guard),
    ]
