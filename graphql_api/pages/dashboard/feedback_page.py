"""``/dashboard/feedback``: what comments say. Sentiment over time (the insight of each of the
latest trend periods, read by the same ``feedback_insight`` as surveyDashboard's ``insight``
with the period as its time range), the top themes of detractors and of promoters (only
themes at least the minimum group size of people used), and the newest comments, shown only
to the roles that read comments in the Customer 360 (never to analysts or auditors)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from graphql_api.auth import Principal
from graphql_api.context import ApiServices
from graphql_api.enums import TrendInterval
from graphql_api.pages.dashboard.csv_rows import Row
from graphql_api.pages.dashboard.filters import ChosenFilters
from graphql_api.pages.dashboard.page_reads import PageReads
from graphql_api.pages.dashboard.session import may_read_comments
from graphql_api.surveys.queries import min_group_size_of
from projections.surveys import queries
from projections.surveys.views import DashboardFilter, FeedbackInsight, SurveyView

THEMES = 10
RECENT_COMMENTS = 20
SENTIMENT_PERIODS = 12
"""Periods of sentiment shown: each is one more insight query, so the page stays bounded."""


@dataclass(frozen=True, slots=True)
class SentimentPoint:
    period_start: datetime
    insight: FeedbackInsight


@dataclass(frozen=True, slots=True)
class FeedbackView:
    insight: FeedbackInsight
    sentiment: list[SentimentPoint]
    comments: list[queries.RecentComment] | None
    """None: the viewer's role may not read comments."""
    surveys: list[SurveyView]
    min_group_size: int


class FeedbackDashboard:
    path = "/dashboard/feedback"
    template = "dashboard_feedback.html"
    title = "cxledger feedback dashboard"

    def __init__(self, services: ApiServices) -> None:
        self._limits = services.limits

    async def read(
        self, reads: PageReads, chosen: ChosenFilters, principal: Principal
    ) -> FeedbackView:
        smallest = min_group_size_of(principal.role, self._limits)
        f = chosen.filter
        comments: asyncio.Task[list[queries.RecentComment]] | None = None
        async with reads.together() as group:
            insight = group.create_task(
                reads.one(lambda c: queries.feedback_insight(c, f, THEMES, min_group_size=smallest))
            )
            sentiment = group.create_task(self._sentiment(reads, chosen, smallest))
            if may_read_comments(principal):
                comments = group.create_task(
                    reads.one(lambda c: queries.recent_comments(c, f, RECENT_COMMENTS))
                )
            surveys = group.create_task(reads.one(lambda c: queries.surveys_page(c, 100, 0, None)))
        return FeedbackView(
            insight.result(),
            sentiment.result(),
            None if comments is None else comments.result(),
            surveys.result().items,
            smallest,
        )

    async def _sentiment(
        self, reads: PageReads, chosen: ChosenFilters, smallest: int
    ) -> list[SentimentPoint]:
        """The insight of each of the latest periods of the trend, read side by side."""
        f = chosen.filter
        trend = await reads.one(
            lambda c: queries.trend(
                c, f, chosen.interval, chosen.time_zone, min_group_size=smallest
            )
        )
        zone = ZoneInfo(chosen.time_zone)
        periods = []
        for point in trend[-SENTIMENT_PERIODS:]:
            start = point.period_start.astimezone(zone)
            end = period_end(start, chosen.interval)
            since = start if f.since is None else max(start, f.since)
            until = end if f.until is None else min(end, f.until)
            periods.append((start, replace(f, since=since, until=until)))

        async def insight_of(period: DashboardFilter) -> FeedbackInsight:
            return await reads.one(
                lambda c: queries.feedback_insight(c, period, 1, min_group_size=smallest)
            )

        async with reads.together() as group:
            insights = [group.create_task(insight_of(period)) for _, period in periods]
        return [
            SentimentPoint(start, task.result())
            for (start, _), task in zip(periods, insights, strict=True)
        ]

    def context(
        self, view: FeedbackView, chosen: ChosenFilters, principal: Principal
    ) -> dict[str, Any]:
        shown = [p for p in view.sentiment if not p.insight.suppressed]
        data = {
            "trend": {
                "x": [p.period_start.timestamp() for p in shown],
                "y": [p.insight.average_sentiment for p in shown],
                "label": "Average sentiment",
                "range": [-1, 1],
            },
            "live": False,
            "timeZoneGiven": "tz" in chosen.shown,
            "timeZone": chosen.time_zone,
            "interval": chosen.interval.name,
        }
        return {
            "view": view,
            "surveys": view.surveys,
            "regions": [],
            "versions": [],
            "chart_data": json.dumps(data).replace("<", "\\u003c"),
        }

    def rows(self, view: FeedbackView, principal: Principal) -> Iterator[Row]:
        i = view.insight
        yield ("minimum_group_size", "", "people", view.min_group_size)
        yield ("insight", "", "comments", i.comments)
        yield ("insight", "", "average_sentiment", i.average_sentiment)
        yield ("insight", "", "positive", i.positive)
        yield ("insight", "", "neutral", i.neutral)
        yield ("insight", "", "negative", i.negative)
        yield ("insight", "", "suppressed", i.suppressed)
        for side, themes in (
            ("detractor_theme", i.detractor_themes),
            ("promoter_theme", i.promoter_themes),
        ):
            for theme in themes:
                yield (side, theme.term, "mentions", theme.mentions)
                yield (side, theme.term, "detractor_mentions", theme.detractor_mentions)
                yield (side, theme.term, "promoter_mentions", theme.promoter_mentions)
                yield (side, theme.term, "average_sentiment", theme.average_sentiment)
        for point in view.sentiment:
            label = point.period_start.isoformat()
            yield ("sentiment", label, "comments", point.insight.comments)
            yield ("sentiment", label, "average_sentiment", point.insight.average_sentiment)
            yield ("sentiment", label, "suppressed", point.insight.suppressed)
        # Comments are personal data: never in a download, whoever asks.


def period_end(start: datetime, interval: TrendInterval) -> datetime:
    """The start of the next day, week or month after ``start``, on the zone's wall clock."""
    day = start.date()
    if interval is TrendInterval.DAY:
        following = day + timedelta(days=1)
    elif interval is TrendInterval.WEEK:
        following = day + timedelta(days=7)
    else:
        following = (
            date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)
        )
    return datetime.combine(following, time(), tzinfo=start.tzinfo)
