"""What the NPS page and its CSV show, read with the query functions the GraphQL API's
``surveyDashboard`` and ``compareProductVersions`` resolvers call, under the same filter and
the same minimum group size for the viewer's role, inside one slot for expensive work (as
those resolvers take one each), side by side on the read pool (see
:mod:`graphql_api.pages.dashboard.page_reads`)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.shared.metadata import Role
from graphql_api.context import ApiLimits
from graphql_api.pages.dashboard.filters import ChosenFilters
from graphql_api.pages.dashboard.page_reads import PageReads
from graphql_api.surveys.queries import min_group_size_of
from projections.surveys import queries
from projections.surveys.views import (
    DashboardFigures,
    Dimension,
    GroupFigures,
    SurveyView,
    TrendPoint,
    VersionComparison,
)

MAX_SURVEYS_LISTED = 100


@dataclass(frozen=True, slots=True)
class NpsView:
    figures: DashboardFigures
    trend: list[TrendPoint]
    regions: list[GroupFigures]
    versions: list[GroupFigures]
    comparison: VersionComparison | None
    surveys: list[SurveyView]
    min_group_size: int


async def read_nps_view(
    reads: PageReads, chosen: ChosenFilters, role: Role, limits: ApiLimits
) -> NpsView:
    smallest = min_group_size_of(role, limits)
    f = chosen.filter
    interval, zone = chosen.interval, chosen.time_zone

    async def versions_compared() -> tuple[list[GroupFigures], VersionComparison | None]:
        by = Dimension.PRODUCT_VERSION
        versions = await reads.one(lambda c: queries.breakdown(c, f, by, min_group_size=smallest))
        compared = compared_versions(versions)
        if compared is None:
            return versions, None
        return versions, await reads.one(
            lambda c: queries.compare_versions(c, f, *compared, min_group_size=smallest)
        )

    async with reads.together() as group:
        # The trend first: the slowest read, so it starts at once.
        trend = group.create_task(
            reads.one(lambda c: queries.trend(c, f, interval, zone, min_group_size=smallest))
        )
        figures = group.create_task(
            reads.one(lambda c: queries.dashboard(c, f, min_group_size=smallest))
        )
        regions = group.create_task(
            reads.one(lambda c: queries.breakdown(c, f, Dimension.REGION, min_group_size=smallest))
        )
        versions = group.create_task(versions_compared())
        surveys = group.create_task(
            reads.one(lambda c: queries.surveys_page(c, MAX_SURVEYS_LISTED, 0, None))
        )
    by_version, comparison = versions.result()
    return NpsView(
        figures.result(),
        trend.result(),
        regions.result(),
        by_version,
        comparison,
        surveys.result().items,
        smallest,
    )


def compared_versions(versions: list[GroupFigures]) -> tuple[str, str] | None:
    """The two product versions with the most NPS answers shown, the later one first; None
    with fewer than two."""
    shown = [
        group for group in versions if group.value is not None and group.figures.nps.responses > 0
    ]
    if len(shown) < 2:
        return None
    top = sorted(shown, key=lambda group: group.figures.nps.responses, reverse=True)[:2]
    later, earlier = sorted((group.value or "" for group in top), reverse=True)
    return later, earlier


def verdict(comparison: VersionComparison) -> str:
    """The significance test in words, for a reader who does not know what a p-value is."""
    a, b = comparison.version_a, comparison.version_b
    if comparison.difference is None or comparison.margin_of_error is None:
        return f"Versions {a} and {b} cannot be compared: one of them has no NPS answers to show."
    size = abs(comparison.difference)
    direction = "higher" if comparison.difference > 0 else "lower"
    gap = f"{size:.1f} points {direction}" if size else "the same"
    moe = f"(± {comparison.margin_of_error:.1f} points at 95% confidence)"
    if comparison.significant:
        return (
            f"Version {a}'s NPS is {gap} than version {b}'s {moe}: the difference is "
            "significant, very unlikely to be chance."
        )
    return (
        f"Version {a}'s NPS is {gap} than version {b}'s {moe}, but the difference is not "
        "significant: it could be chance, so neither version can be called better yet."
    )
