"""The dashboard pages' routes, mounted by :func:`graphql_api.pages.routes.page_routes`."""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route

from graphql_api.context import ApiServices
from graphql_api.pages.dashboard.feedback_page import FeedbackDashboard
from graphql_api.pages.dashboard.nps_page import NpsDashboard
from graphql_api.pages.dashboard.render import STATIC_PATH, DashboardPages, dashboard_assets
from graphql_api.pages.dashboard.report_page import REPORT_PATH, ReportPage
from graphql_api.pages.dashboard.service_page import ServiceDashboard
from graphql_api.pages.dashboard.sign_in import (
    SIGN_IN_PATH,
    SIGN_OUT_PATH,
    SignIn,
)
from graphql_api.pages.dashboard.view_page import DashboardView, ViewPage
from graphql_api.pages.failures import answered
from graphql_api.pages.form_tokens import FormTokens
from graphql_api.pages.post_guard import PostGuard
from graphql_api.pages.render import Pages


def dashboard_routes(
    services: ApiServices, pages: Pages, tokens: FormTokens, guard: PostGuard
) -> list[BaseRoute]:
    shown = DashboardPages(pages)
    sign_in = SignIn(services, shown, tokens, guard)
    views: list[DashboardView] = [
        NpsDashboard(services),
        FeedbackDashboard(services),
        ServiceDashboard(),
    ]
    report = ReportPage(services, shown, guard)
    pages_of = [(v.path, ViewPage(services, shown, guard, sign_in, v)) for v in views]
    return [
        Route(SIGN_IN_PATH, answered(sign_in.show, pages, SIGN_IN_PATH), methods=["GET"]),
        Route(SIGN_IN_PATH, answered(sign_in.submit, pages, SIGN_IN_PATH), methods=["POST"]),
        Route(SIGN_OUT_PATH, answered(sign_in.sign_out, pages, SIGN_OUT_PATH), methods=["POST"]),
        *(
            Route(path, answered(page.show, pages, path), methods=["GET"])
            for path, page in pages_of
        ),
        Route(REPORT_PATH, answered(report.show, pages, REPORT_PATH), methods=["GET"]),
        Mount(STATIC_PATH, dashboard_assets(), name="dashboard-static"),
    ]
