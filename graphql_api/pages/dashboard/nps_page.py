"""``/dashboard``: the NPS at a glance, its trend, regions and product versions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from graphql_api.auth import Principal
from graphql_api.context import ApiServices
from graphql_api.pages.dashboard.csv_rows import Row, figure_rows
from graphql_api.pages.dashboard.filters import ChosenFilters
from graphql_api.pages.dashboard.nps_view import NpsView, read_nps_view, verdict
from graphql_api.pages.dashboard.page_reads import PageReads


class NpsDashboard:
    path = "/dashboard"
    template = "dashboard_nps.html"
    title = "cxledger NPS dashboard"

    def __init__(self, services: ApiServices) -> None:
        self._limits = services.limits

    async def read(self, reads: PageReads, chosen: ChosenFilters, principal: Principal) -> NpsView:
        return await read_nps_view(reads, chosen, principal.role, self._limits)

    def context(self, view: NpsView, chosen: ChosenFilters, principal: Principal) -> dict[str, Any]:
        return {
            "view": view,
            "surveys": view.surveys,
            "regions": view.regions,
            "versions": view.versions,
            "verdict": None if view.comparison is None else verdict(view.comparison),
            "chart_data": _chart_data(view, chosen),
            "report_month": datetime.now(UTC).strftime("%Y-%m"),
        }

    def rows(self, view: NpsView, principal: Principal) -> Iterator[Row]:
        yield ("minimum_group_size", "", "people", view.min_group_size)
        yield from figure_rows("figures", "", view.figures)
        for point in view.trend:
            yield from figure_rows("trend", point.period_start.isoformat(), point.figures)
        for group in view.regions:
            yield from figure_rows("region", group.value or "(none)", group.figures)
        for group in view.versions:
            yield from figure_rows("product_version", group.value or "(none)", group.figures)
        if view.comparison is not None:
            c = view.comparison
            label = f"{c.version_a} vs {c.version_b}"
            yield ("comparison", label, "difference", c.difference)
            yield ("comparison", label, "margin_of_error", c.margin_of_error)
            yield ("comparison", label, "p_value", c.p_value)
            yield ("comparison", label, "significant", c.significant)


def live_filter(chosen: ChosenFilters) -> dict[str, Any]:
    """The subscription's filter for the same view (GraphQL input names and enum names)."""
    f = chosen.filter
    given: dict[str, Any] = {
        "surveyId": None if f.survey_id is None else str(f.survey_id),
        "since": None if f.since is None else f.since.isoformat(),
        "until": None if f.until is None else f.until.isoformat(),
        "region": f.region,
        "channel": chosen.shown.get("channel"),
        "productVersion": f.product_version,
        "tier": chosen.shown.get("tier"),
    }
    return {name: value for name, value in given.items() if value is not None}


def _chart_data(view: NpsView, chosen: ChosenFilters) -> str:
    """The chart's series and the live subscription's filter, as JSON inside the page (in a
    non-executed script element; ``<`` escaped so nothing can close it)."""
    shown = [p for p in view.trend if not p.figures.suppressed]
    data = {
        "trend": {
            "x": [p.period_start.timestamp() for p in shown],
            "y": [p.figures.nps.nps for p in shown],
            "label": "NPS",
            "range": [-100, 100],
        },
        "filter": live_filter(chosen),
        "live": True,
        "timeZoneGiven": "tz" in chosen.shown,
        "timeZone": chosen.time_zone,
        "interval": chosen.interval.name,
    }
    return json.dumps(data).replace("<", "\\u003c")
