"""What every dashboard page does around its own figures: the rate limit, the signed-in staff
member (else the sign-in), the filters from the URL (a 400 page for a bad one), one slot for
expensive work and a few pooled connections for its reads side by side, then the page or, with
``?format=csv``, the CSV of the same figures."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from graphql_api.auth import Principal
from graphql_api.context import ApiServices
from graphql_api.limits.gates import BusyError
from graphql_api.pages.dashboard.csv_rows import Row, csv_text
from graphql_api.pages.dashboard.filters import (
    CHANNELS,
    INTERVALS,
    TIERS,
    BadFilter,
    ChosenFilters,
    chosen_filters,
)
from graphql_api.pages.dashboard.page_reads import PageReads, page_width
from graphql_api.pages.dashboard.render import DashboardPages
from graphql_api.pages.dashboard.session import signed_in
from graphql_api.pages.dashboard.sign_in import SIGN_IN_PATH, SignIn
from graphql_api.pages.post_guard import PostGuard
from projections.surveys.queries import UnknownTimeZoneError

BAD_FILTERS = "These filters cannot be shown"


class DashboardView(Protocol):
    """One dashboard: how it reads its figures, shows them and writes them as CSV."""

    path: str
    template: str
    title: str

    async def read(self, reads: PageReads, chosen: ChosenFilters, principal: Principal) -> Any:
        """The view's figures, its independent reads side by side through ``reads``."""
        ...

    def context(self, view: Any, chosen: ChosenFilters, principal: Principal) -> dict[str, Any]:
        """What the template is given besides the shared filters and session."""
        ...

    def rows(self, view: Any, principal: Principal) -> Iterable[Row]: ...


class ViewPage:
    def __init__(
        self,
        services: ApiServices,
        pages: DashboardPages,
        guard: PostGuard,
        sign_in: SignIn,
        view: DashboardView,
    ) -> None:
        self._services, self._view = services, view
        self._width = page_width(
            services.pool_size, services.limits.requests.max_concurrent_heavy_work
        )
        self._pages, self._guard, self._sign_in = pages, guard, sign_in

    async def show(self, request: Request) -> Response:
        refused = await self._guard.refusal(request)
        if refused is not None:
            return refused
        principal = signed_in(request, self._services.verify_token)
        if principal is None:
            return RedirectResponse(SIGN_IN_PATH, status_code=303)
        try:
            chosen = chosen_filters(request.query_params)
            wanted = _format(request)
        except BadFilter as bad:
            return self._pages.problem(400, BAD_FILTERS, bad.message)
        try:
            async with self._services.gates.heavy.slot():
                reads = PageReads(request.app.state.pool, self._width)
                figures = await self._view.read(reads, chosen, principal)
        except BusyError as busy:
            return self._pages.problem(503, "Please try again shortly", busy.message)
        except UnknownTimeZoneError:
            return self._pages.problem(400, BAD_FILTERS, "tz: unknown time zone")
        if wanted == "csv":
            comments = [f"viewer role: {principal.role.value}", *chosen.header_lines()]
            body = csv_text(
                self._view.title, comments, self._view.rows(figures, principal), datetime.now(UTC)
            )
            return self._pages.csv(body, f"{self._view.path.strip('/').replace('/', '-')}.csv")
        return self._pages.render(
            self._view.template,
            principal=principal,
            chosen=chosen,
            action=self._view.path,
            channels=CHANNELS,
            tiers=TIERS,
            intervals=INTERVALS,
            csv_query=_csv_query(request),
            sign_out_token=self._sign_in.sign_out_token(),
            **self._view.context(figures, chosen, principal),
        )


def _format(request: Request) -> str:
    wanted = request.query_params.get("format", "html")
    if wanted not in ("html", "csv"):
        raise BadFilter("format must be html or csv")
    return wanted


def _csv_query(request: Request) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "format"]
    return urlencode([*params, ("format", "csv")])
