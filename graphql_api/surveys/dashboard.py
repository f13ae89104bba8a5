"""The survey dashboard as frontends see it: figures, trend, breakdown, aspects, insight.

:class:`SurveyDashboardType` keeps the caller's filter privately; each of its fields runs one
read-model query with it, so a client pays only for the parts it asks for. The reader's
minimum group size goes with the filter: the read model's queries suppress smaller groups.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

import strawberry

from domain.loyalty.values import Tier
from domain.survey.values import SurveyChannel
from graphql_api.context import RequestContext
from graphql_api.enums import Dimension, TrendInterval
from graphql_api.errors import PublicError
from graphql_api.limits.costs import DASHBOARD_COST, FIGURES_COST
from graphql_api.limits.declare import limited
from graphql_api.limits.gates import heavy
from graphql_api.scalars import Long
from projections.surveys import queries, views

Info = strawberry.Info[RequestContext, None]
MAX_TIME_ZONE = 64
MAX_INSIGHT = 50
PERCENT = "A percentage, 0-100; null when there is nothing to count."
SUPPRESSED = (
    "True: fewer people than the minimum group size (see SurveyDashboard.minGroupSize) are "
    "behind these figures, so every count reads 0 and every figure null."
)


@strawberry.type(description="NPS of the NPS responses, with its 95% margin of error.")
class NpsFigures:
    responses: Long = strawberry.field(description="NPS responses counted.")
    promoters: Long = strawberry.field(description="Scores of 9 or 10.")
    passives: Long = strawberry.field(description="Scores of 7 or 8.")
    detractors: Long = strawberry.field(description="Scores of 0 to 6.")
    nps: float | None = strawberry.field(
        description="Percent promoters minus percent detractors, -100 to 100; null if none."
    )
    margin_of_error: float | None = strawberry.field(
        description="95% margin of error of the NPS, in NPS points."
    )
    suppressed: bool = strawberry.field(description=SUPPRESSED)

    @classmethod
    def from_view(cls, view: views.NpsFigures) -> NpsFigures:
        return cls(
            responses=view.responses,
            promoters=view.promoters,
            passives=view.passives,
            detractors=view.detractors,
            nps=view.nps,
            margin_of_error=view.margin_of_error,
            suppressed=view.suppressed,
        )


@strawberry.type(description="Headline figures of the responses and invitations counted.")
class SurveyFigures:
    invitations: Long = strawberry.field(description="Invitations issued.")
    responses: Long = strawberry.field(description="Responses given.")
    response_rate: float | None = strawberry.field(
        description=f"Responses per invitation. {PERCENT}"
    )
    nps: NpsFigures = strawberry.field(description="NPS of the NPS-kind responses.")
    csat_responses: Long = strawberry.field(description="CSAT responses counted.")
    csat: float | None = strawberry.field(description=f"CSAT scores of 4 or 5. {PERCENT}")
    ces_responses: Long = strawberry.field(description="CES responses counted.")
    ces_average: float | None = strawberry.field(description="Average CES score (1-7).")
    average_completion_seconds: float | None = strawberry.field(
        description="Average seconds from invitation to answer."
    )
    suppressed: bool = strawberry.field(description=SUPPRESSED)

    @classmethod
    def from_view(cls, view: views.DashboardFigures) -> SurveyFigures:
        return cls(
            invitations=view.invitations,
            responses=view.responses,
            response_rate=view.response_rate,
            nps=NpsFigures.from_view(view.nps),
            csat_responses=view.csat_responses,
            csat=view.csat,
            ces_responses=view.ces_responses,
            ces_average=view.ces_average,
            average_completion_seconds=view.average_completion_seconds,
            suppressed=view.suppressed,
        )


@strawberry.type(description="The figures of one day, week or month.")
class SurveyTrendPoint:
    period_start: datetime = strawberry.field(
        description="Start of the day, week (Monday) or month, in the requested time zone."
    )
    figures: SurveyFigures = strawberry.field(description="The figures of the period.")


def filter_value(by: Dimension, value: str | None) -> str | None:
    """A group's value as the dashboard filter takes it: the read model keeps a channel or a
    tier as the domain's value (``email``), the filter's enums are named (``EMAIL``), and a
    client should be able to drill into a group by passing its value back."""
    if value is None:
        return None
    enum: type[StrEnum] | None = {
        Dimension.CHANNEL: SurveyChannel,
        Dimension.TIER: Tier,
    }.get(by)
    if enum is None:
        return value
    try:
        return enum(value).name
    except ValueError:  # a value no enum member has: show it as stored rather than fail
        return value


@strawberry.type(description="The figures of one value of a dimension.")
class SurveyGroupFigures:
    value: str | None = strawberry.field(
        description="The value (a survey's id when grouped by survey; a channel or tier as its "
        "enum value's name, EMAIL or GOLD, so it can be passed back as the filter's channel or "
        "tier); null: responses without one."
    )
    figures: SurveyFigures = strawberry.field(description="The figures of the group.")


@strawberry.type(description="Scores (1-5) given to one aspect question.")
class AspectFigures:
    aspect: str = strawberry.field(description="The aspect's key, e.g. pricing.")
    responses: Long = strawberry.field(description="Scores given.")
    average: float = strawberry.field(description="Average score, 1-5.")
    low_share: float = strawberry.field(description="Scores of 1 or 2, as a percentage.")

    @classmethod
    def from_view(cls, view: views.AspectFigures) -> AspectFigures:
        return cls(
            aspect=view.aspect,
            responses=view.responses,
            average=view.average,
            low_share=view.low_share,
        )


@strawberry.type(description="NPS of two product versions, and whether they differ.")
class VersionComparison:
    version_a: str = strawberry.field(description="The first version.")
    version_b: str = strawberry.field(description="The second version.")
    a: NpsFigures = strawberry.field(description="NPS of the first version.")
    b: NpsFigures = strawberry.field(description="NPS of the second version.")
    difference: float | None = strawberry.field(description="NPS of a minus NPS of b.")
    margin_of_error: float | None = strawberry.field(
        description="95% margin of error of the difference, in NPS points."
    )
    p_value: float | None = strawberry.field(description="Two-sided p-value of a z-test.")
    significant: bool = strawberry.field(description="The difference is significant at 95%.")

    @classmethod
    def from_view(cls, view: views.VersionComparison) -> VersionComparison:
        return cls(
            version_a=view.version_a,
            version_b=view.version_b,
            a=NpsFigures.from_view(view.a),
            b=NpsFigures.from_view(view.b),
            difference=view.difference,
            margin_of_error=view.margin_of_error,
            p_value=view.p_value,
            significant=view.significant,
        )


@strawberry.type(description="A recurring word or phrase in comments, once per comment.")
class FeedbackTheme:
    term: str = strawberry.field(description="The word or phrase.")
    mentions: Long = strawberry.field(description="Comments that use it.")
    detractor_mentions: Long = strawberry.field(description="Of them, by detractors.")
    promoter_mentions: Long = strawberry.field(description="Of them, by promoters.")
    average_sentiment: float = strawberry.field(description="Their average sentiment, -1 to 1.")

    @classmethod
    def from_view(cls, view: views.Theme) -> FeedbackTheme:
        return cls(
            term=view.term,
            mentions=view.mentions,
            detractor_mentions=view.detractor_mentions,
            promoter_mentions=view.promoter_mentions,
            average_sentiment=view.average_sentiment,
        )


@strawberry.type(description='What comments say: the data behind "what to improve first".')
class FeedbackInsight:
    comments: Long = strawberry.field(description="Comments counted.")
    average_sentiment: float | None = strawberry.field(
        description="Average sentiment, -1 (negative) to 1 (positive); null if no comments."
    )
    positive: Long = strawberry.field(description="Positive comments.")
    neutral: Long = strawberry.field(description="Neutral comments.")
    negative: Long = strawberry.field(description="Negative comments.")
    detractor_themes: list[FeedbackTheme] = strawberry.field(
        description="Terms detractors use much more often than promoters, strongest first."
    )
    promoter_themes: list[FeedbackTheme] = strawberry.field(
        description="Terms promoters use much more often than detractors, strongest first."
    )
    weakest_aspects: list[AspectFigures] = strawberry.field(
        description="Aspects by lowest average score first."
    )
    suppressed: bool = strawberry.field(
        description="True: fewer people than the minimum group size commented, so the counts "
        "read 0, the average null and no theme is listed."
    )

    @classmethod
    def from_view(cls, view: views.FeedbackInsight) -> FeedbackInsight:
        return cls(
            comments=view.comments,
            average_sentiment=view.average_sentiment,
            positive=view.positive,
            neutral=view.neutral,
            negative=view.negative,
            detractor_themes=[FeedbackTheme.from_view(t) for t in view.detractor_themes],
            promoter_themes=[FeedbackTheme.from_view(t) for t in view.promoter_themes],
            weakest_aspects=[AspectFigures.from_view(a) for a in view.weakest_aspects],
            suppressed=view.suppressed,
        )


Interval = Annotated[TrendInterval, strawberry.argument(description="The length of one point.")]
By = Annotated[Dimension, strawberry.argument(description="What to group by.")]
TimeZone = Annotated[
    str, strawberry.argument(description="IANA time zone the periods start in, e.g. Europe/Rome.")
]


@strawberry.type(
    name="SurveyDashboard",
    description="Survey results under one filter; each field is computed when asked for.",
)
class SurveyDashboardType:
    filter: strawberry.Private[views.DashboardFilter]
    min_group_size: int = strawberry.field(
        description="The fewest distinct people any figure, trend period, breakdown value, "
        "aspect or theme shown here describes: smaller groups are suppressed (their "
        "`suppressed` flag is true) and smaller aspects and themes are left out. It is the "
        "server's CXL_MIN_GROUP_SIZE for roles that may not see personal data, and 1 for "
        "those that read the comments themselves (agents, admins, privacy officers)."
    )

    @strawberry.field(description="Headline figures.", extensions=limited(FIGURES_COST))
    async def figures(self, info: Info) -> SurveyFigures:
        async with info.context.pool.connection() as conn:
            figures = await queries.dashboard(conn, self.filter, min_group_size=self.min_group_size)
        return SurveyFigures.from_view(figures)

    @strawberry.field(
        description="Figures per day, week or month, oldest first. An unknown time zone is a "
        "BAD_TIME_ZONE error.",
        extensions=limited(DASHBOARD_COST, gate=heavy),
    )
    async def trend(
        self, info: Info, interval: Interval, time_zone: TimeZone = "UTC"
    ) -> list[SurveyTrendPoint]:
        zone = _checked_zone(time_zone)
        async with info.context.pool.connection() as conn:
            try:
                points = await queries.trend(
                    conn,
                    self.filter,
                    interval,
                    zone,
                    min_group_size=self.min_group_size,
                )
            except queries.UnknownTimeZoneError:
                raise _bad_zone(zone) from None
        return [
            SurveyTrendPoint(
                period_start=p.period_start, figures=SurveyFigures.from_view(p.figures)
            )
            for p in points
        ]

    @strawberry.field(
        description="Figures per value of one dimension (a value of too few people is listed "
        "with its figures suppressed).",
        extensions=limited(DASHBOARD_COST, gate=heavy),
    )
    async def breakdown(self, info: Info, by: By) -> list[SurveyGroupFigures]:
        async with info.context.pool.connection() as conn:
            groups = await queries.breakdown(
                conn, self.filter, by, min_group_size=self.min_group_size
            )
        return [
            SurveyGroupFigures(
                value=filter_value(by, g.value), figures=SurveyFigures.from_view(g.figures)
            )
            for g in groups
        ]

    @strawberry.field(
        description="Figures per aspect question, lowest average first (aspects scored by too "
        "few people are left out).",
        extensions=limited(FIGURES_COST),
    )
    async def aspects(self, info: Info) -> list[AspectFigures]:
        async with info.context.pool.connection() as conn:
            aspects = await queries.aspect_figures(
                conn, self.filter, min_group_size=self.min_group_size
            )
        return [AspectFigures.from_view(a) for a in aspects]

    @strawberry.field(
        description="What comments say, without identities: only themes used by at least "
        "minGroupSize people.",
        extensions=limited(DASHBOARD_COST, gate=heavy),
    )
    async def insight(
        self,
        info: Info,
        limit: Annotated[
            int, strawberry.argument(description=f"Themes per list, 1 to {MAX_INSIGHT}.")
        ] = 10,
    ) -> FeedbackInsight:
        if not 1 <= limit <= MAX_INSIGHT:
            raise PublicError(f"`limit` must be between 1 and {MAX_INSIGHT}", "INVALID_INPUT")
        async with info.context.pool.connection() as conn:
            insight = await queries.feedback_insight(
                conn, self.filter, limit, min_group_size=self.min_group_size
            )
        return FeedbackInsight.from_view(insight)


def _checked_zone(zone: str) -> str:
    # Bounded and printable before it reaches the database or zoneinfo.
    if not 1 <= len(zone) <= MAX_TIME_ZONE or not zone.isprintable():
        raise _bad_zone(zone[:MAX_TIME_ZONE])
    return zone


def _bad_zone(zone: str) -> PublicError:
    return PublicError(f"unknown time zone {zone!r}; use an IANA name", "BAD_TIME_ZONE")
