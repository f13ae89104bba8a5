"""The drill-down filters of the dashboard pages, read from the URL (a GET form) so that a
view can be bookmarked, shared and downloaded. Each value is checked as the API checks it
(the same :func:`graphql_api.surveys.queries.dashboard_filter`); a bad one is a
:class:`BadFilter`, shown as a 400 page, never a 500."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.datastructures import QueryParams

from graphql_api.enums import LoyaltyTier, SurveyChannel, TrendInterval
from graphql_api.errors import PublicError
from graphql_api.surveys.inputs import SurveyDashboardFilterInput
from graphql_api.surveys.queries import dashboard_filter
from projections.surveys.views import DashboardFilter

MAX_PARAM = 200
NAMES = ("survey", "channel", "region", "version", "tier", "since", "to", "interval", "tz")
CHANNELS = tuple(channel.name for channel in SurveyChannel)
TIERS = tuple(tier.name for tier in LoyaltyTier)
INTERVALS = tuple(interval.name for interval in TrendInterval)
DEFAULT_INTERVAL = "MONTH"
"""A trend by month reads a year of rollups in about a tenth of a second at a million
responses; by day, for an analyst (each day's people counted), it takes seconds (README,
Dashboard page): a day's detail is a choice, best with a period."""


class BadFilter(Exception):  # noqa: N818 -- a refusal shown as a page, not a fault
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class ChosenFilters:
    """What the viewer chose, as typed (for the form and the CSV header), and the read
    model's filter it means."""

    shown: dict[str, str]
    filter: DashboardFilter
    interval: TrendInterval
    time_zone: str

    def header_lines(self) -> list[str]:
        """The filters as the CSV's comment lines: every name, ``(all)`` when not chosen."""
        return [f"{name}: {self.shown.get(name) or '(all)'}" for name in NAMES]


def chosen_filters(params: QueryParams) -> ChosenFilters:
    shown = {name: _one(params, name) for name in NAMES}
    zone_name = shown["tz"] or "UTC"
    zone = _zone(zone_name)
    interval = _choice(shown["interval"] or DEFAULT_INTERVAL, INTERVALS, "interval")
    given = SurveyDashboardFilterInput(
        survey_id=_uuid(shown["survey"]),
        since=_start_of(_date(shown["since"], "since"), zone, 0),
        until=_start_of(_date(shown["to"], "to"), zone, 1),
        region=shown["region"] or None,
        channel=None
        if not shown["channel"]
        else SurveyChannel[_choice(shown["channel"], CHANNELS, "channel")],
        product_version=shown["version"] or None,
        tier=None if not shown["tier"] else LoyaltyTier[_choice(shown["tier"], TIERS, "tier")],
    )
    try:
        checked = dashboard_filter(given)
    except PublicError as error:
        raise BadFilter(error.message) from None
    return ChosenFilters(
        {name: value for name, value in shown.items() if value},
        checked,
        TrendInterval[interval],
        zone_name,
    )


def _one(params: QueryParams, name: str) -> str:
    values = params.getlist(name)
    if len(values) > 1:
        raise BadFilter(f"{name} was given more than once")
    value = values[0].strip() if values else ""
    if len(value) > MAX_PARAM or "\x00" in value or not value.isprintable():
        raise BadFilter(f"{name} must be at most {MAX_PARAM} printable characters")
    return value


def _choice(value: str, allowed: tuple[str, ...], name: str) -> str:
    if value not in allowed:
        raise BadFilter(f"{name} must be one of {', '.join(allowed)}")
    return value


def _uuid(value: str) -> UUID | None:
    if not value:
        return None
    try:
        return UUID(value)
    except ValueError:
        raise BadFilter("survey must be a survey's id") from None


def _date(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadFilter(f"{name} must be a date, YYYY-MM-DD") from None


def _start_of(day: date | None, zone: ZoneInfo, days_later: int) -> datetime | None:
    """Midnight of ``day`` (plus ``days_later``) in the viewer's zone: "to" includes its day."""
    if day is None:
        return None
    try:
        return datetime.combine(day + timedelta(days=days_later), time(), tzinfo=zone)
    except OverflowError:
        raise BadFilter("the period must end before the year 9999") from None


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadFilter(f"tz: unknown time zone {name!r}; use an IANA name") from None
