"""Enhancement priorities as the API shows them: no identities, only counts and means."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain.theme_priority.values import ThemeStatus
from graphql_api.enums import graphql_enum
from graphql_api.errors import UserError
from graphql_api.mutation import Payload
from graphql_api.notices import NOTICES, Notice
from graphql_api.pagination import PageInfo
from projections.theme_priorities.projection import ThemePriorities
from projections.theme_priorities.queries import ThemePriorityView

ThemeStatusType = graphql_enum(
    ThemeStatus,
    "ThemeStatus",
    "Where a feedback theme stands on the roadmap.",
    {
        ThemeStatus.OPEN: "No decision yet.",
        ThemeStatus.PLANNED: "A product manager planned it.",
        ThemeStatus.DONE: "What it asked for shipped.",
    },
)


@strawberry.type(description="A 95% confidence interval.")
class ConfidenceInterval:
    low: float = strawberry.field(description="Its lower bound.")
    high: float = strawberry.field(description="Its upper bound.")


@strawberry.type(
    description="A theme of customers' survey comments and feedback: how many raise it, and "
    "the NPS answers given with it against those given without it. No identities."
)
class EnhancementPriority:
    rank: int = strawberry.field(description="Its place in this ranking, from 1.")
    theme: str = strawberry.field(description="The word or two-word phrase they used.")
    customers: int = strawberry.field(
        description="Distinct people who raised it, in a survey comment or in feedback."
    )
    answers_with: int = strawberry.field(
        description="NPS answers whose comment mentions it (0 when suppressed)."
    )
    answers_without: int = strawberry.field(
        description="NPS answers whose comment does not (0 when suppressed)."
    )
    mean_with: float | None = strawberry.field(
        description="Mean 0-10 score of the answers that mention it; null when suppressed."
    )
    mean_without: float | None = strawberry.field(
        description="Mean 0-10 score of the answers that do not; null when suppressed."
    )
    impact: float | None = strawberry.field(
        description="meanWith - meanWithout: below 0, those who raise it score lower."
    )
    confidence_interval: ConfidenceInterval | None = strawberry.field(
        description="95% Welch confidence interval of impact; null below two answers a side."
    )
    suppressed: bool = strawberry.field(
        description="True when a side's answers come from fewer people than the reader's "
        "minimum group size: the NPS figures are then null."
    )
    status: ThemeStatus = strawberry.field(description="The roadmap decision on it.")
    note: str = strawberry.field(description="The note of that decision ('' for none).")
    decided_at: datetime | None = strawberry.field(
        description="When it was last decided on; null while open."
    )

    @classmethod
    def from_view(cls, view: ThemePriorityView) -> EnhancementPriority:
        interval = view.confidence_interval
        return cls(
            rank=view.rank,
            theme=view.theme,
            customers=view.customers,
            answers_with=view.answers_with,
            answers_without=view.answers_without,
            mean_with=view.mean_with,
            mean_without=view.mean_without,
            impact=view.impact,
            confidence_interval=None
            if interval is None
            else ConfidenceInterval(low=interval.low, high=interval.high),
            suppressed=view.suppressed,
            status=view.status,
            note=view.note,
            decided_at=None if view.status is ThemeStatus.OPEN else view.decided_at,
        )


@strawberry.type(description="An edge of an enhancement priority connection.")
class EnhancementPriorityEdge:
    cursor: str = strawberry.field(description="Opaque cursor; pass it as `after`.")
    node: EnhancementPriority = strawberry.field(description="The theme.")


@strawberry.type(
    description="A page of themes, most customers first, then the most harmful impact."
)
class EnhancementPriorityConnection:
    edges: list[EnhancementPriorityEdge] = strawberry.field(description="This page's themes.")
    page_info: PageInfo = strawberry.field(description="Where this page is in the ranking.")
    min_group_size: int = strawberry.field(
        description="The fewest people a listed theme, and a shown side, stands for, for you."
    )


@strawberry.input(description="A theme to put on the roadmap.")
class MarkThemePlannedInput:
    theme: str = strawberry.field(
        description="The theme, as enhancementPriorities lists it: 1-100 printable "
        "characters, compared in lower case; one no feedback mentions is UNKNOWN_TOPIC."
    )
    note: str | None = strawberry.field(
        default=None, description="Where or when (a release, a ticket): 0-500 characters."
    )
    expected_version: int | None = strawberry.field(
        default=None,
        description="The decision's version you saw (0: none yet); CONCURRENCY_CONFLICT if "
        "someone decided since.",
    )


@strawberry.input(description="A theme whose request shipped.")
class MarkThemeDoneInput:
    theme: str = strawberry.field(
        description="The theme, as enhancementPriorities lists it: 1-100 printable "
        "characters, compared in lower case; one no feedback mentions is UNKNOWN_TOPIC."
    )
    note: str | None = strawberry.field(
        default=None, description="Where or when (a release, a ticket): 0-500 characters."
    )
    expected_version: int | None = strawberry.field(
        default=None,
        description="The decision's version you saw (0: none yet); CONCURRENCY_CONFLICT if "
        "someone decided since.",
    )


@strawberry.type(description="Result of markThemePlanned.")
class MarkThemePlannedPayload(Payload):
    theme: str | None = strawberry.field(description="The theme decided on; null if refused.")
    version: int | None = strawberry.field(
        description="The decision's version now; pass it as expectedVersion next time."
    )
    position: str | None = strawberry.field(
        description="Log position of the write; pass it as `atLeast` to read your write."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was written.")
    notices: list[Notice] = strawberry.field(default_factory=list, description=NOTICES)

    read_model = ThemePriorities.name


@strawberry.type(description="Result of markThemeDone.")
class MarkThemeDonePayload(Payload):
    theme: str | None = strawberry.field(description="The theme decided on; null if refused.")
    version: int | None = strawberry.field(
        description="The decision's version now; pass it as expectedVersion next time."
    )
    position: str | None = strawberry.field(
        description="Log position of the write; pass it as `atLeast` to read your write."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was written.")
    notices: list[Notice] = strawberry.field(default_factory=list, description=NOTICES)

    read_model = ThemePriorities.name
