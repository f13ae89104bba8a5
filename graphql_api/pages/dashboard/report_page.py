"""``/dashboard/report?month=YYYY-MM&tz=Zone``: the monthly management report as a PDF, for
the signed-in staff member's role (its minimum group size; no comment is ever in it)."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from graphql_api.context import ApiServices
from graphql_api.limits.gates import BusyError
from graphql_api.pages.dashboard.render import DashboardPages
from graphql_api.pages.dashboard.report.figures import (
    BadMonthError,
    parse_month,
    read_monthly_report,
)
from graphql_api.pages.dashboard.report.pdf import report_pdf
from graphql_api.pages.dashboard.session import signed_in
from graphql_api.pages.dashboard.sign_in import SIGN_IN_PATH
from graphql_api.pages.post_guard import PostGuard
from graphql_api.pages.render import HEADERS
from graphql_api.surveys.queries import min_group_size_of
from projections.surveys.queries import UnknownTimeZoneError

REPORT_PATH = "/dashboard/report"
MAX_ZONE = 64


class ReportPage:
    def __init__(self, services: ApiServices, pages: DashboardPages, guard: PostGuard) -> None:
        self._services, self._pages, self._guard = services, pages, guard

    async def show(self, request: Request) -> Response:
        refused = await self._guard.refusal(request)
        if refused is not None:
            return refused
        principal = signed_in(request, self._services.verify_token)
        if principal is None:
            return RedirectResponse(SIGN_IN_PATH, status_code=303)
        zone = request.query_params.get("tz", "UTC")
        try:
            first_day = parse_month(request.query_params.get("month", ""))
            if len(zone) > MAX_ZONE:
                raise ZoneInfoNotFoundError(zone)
            ZoneInfo(zone)
        except BadMonthError as bad:
            return self._pages.problem(400, "This report cannot be made", f"month: {bad}")
        except (ZoneInfoNotFoundError, ValueError):
            return self._pages.problem(400, "This report cannot be made", "tz: unknown time zone")
        smallest = min_group_size_of(principal.role, self._services.limits)
        try:
            async with (
                self._services.gates.heavy.slot(),
                request.app.state.pool.connection() as conn,
            ):
                report = await read_monthly_report(conn, first_day, zone, smallest)
        except BusyError as busy:
            return self._pages.problem(503, "Please try again shortly", busy.message)
        except UnknownTimeZoneError:  # one zoneinfo knows and the database does not
            return self._pages.problem(400, "This report cannot be made", "tz: unknown time zone")
        name = f"cxledger-report-{first_day:%Y-%m}.pdf"
        return Response(
            report_pdf(report),
            media_type="application/pdf",
            headers={**HEADERS, "Content-Disposition": f'attachment; filename="{name}"'},
        )
