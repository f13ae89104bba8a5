"""Improvements as the dashboard shows them: the announcement, how many were told, and the
NPS of the customers whose feedback was on its topic, before and after it."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from domain.improvement.values import TopicKind
from graphql_api.enums import graphql_enum
from graphql_api.errors import UserError
from graphql_api.mutation import Payload
from graphql_api.notices import NOTICES, Notice
from graphql_api.pagination import PageInfo
from graphql_api.surveys.dashboard import NpsFigures
from projections.improvements.projection import ImprovementImpact
from projections.improvements.queries import ImprovementView

ImprovementTopic = graphql_enum(
    TopicKind,
    "ImprovementTopic",
    "What an improvement is about.",
    {
        TopicKind.ASPECT: "An aspect customers scored.",
        TopicKind.THEME: "A theme of customers' comments.",
    },
)


@strawberry.type(
    description="An improvement announced to the customers whose feedback was on its aspect "
    "or theme, with their NPS before and after. No identities."
)
class Improvement:
    id: UUID = strawberry.field(description="The improvement's id.")
    topic: TopicKind = strawberry.field(description="Whether it is an aspect or a theme.")
    aspect: str | None = strawberry.field(description="The aspect's key; null for a theme.")
    theme: str | None = strawberry.field(description="The comment theme; null for an aspect.")
    product_version: str = strawberry.field(description="The version that brings it.")
    message: str = strawberry.field(description="What the customers were told changed.")
    announced_at: datetime = strawberry.field(description="When it was announced.")
    audience: int = strawberry.field(
        description="Customers whose feedback was on the topic when it was announced."
    )
    notified: int = strawberry.field(
        description="Customers a message was queued for (those who allow email and did not "
        "refuse research, not erased)."
    )
    nps_before: NpsFigures = strawberry.field(
        description="NPS of those customers' answers before the announcement; suppressed "
        "for analysts and auditors when fewer people than the minimum group size gave them."
    )
    nps_after: NpsFigures = strawberry.field(
        description="NPS of those customers' answers from the announcement on; suppressed "
        "like npsBefore."
    )

    @classmethod
    def from_view(cls, view: ImprovementView) -> Improvement:
        topic = TopicKind(view.topic_kind)
        return cls(
            id=view.improvement_id,
            topic=topic,
            aspect=view.topic if topic is TopicKind.ASPECT else None,
            theme=view.topic if topic is TopicKind.THEME else None,
            product_version=view.product_version,
            message=view.message,
            announced_at=view.announced_at,
            audience=view.audience_size,
            notified=view.notified,
            nps_before=NpsFigures.from_view(view.before),
            nps_after=NpsFigures.from_view(view.after),
        )


@strawberry.type(description="An edge of an improvement connection.")
class ImprovementEdge:
    cursor: str = strawberry.field(description="Opaque cursor; pass it as `after` or `before`.")
    node: Improvement = strawberry.field(description="The improvement.")


@strawberry.type(description="A page of improvements, in the order they were announced.")
class ImprovementConnection:
    edges: list[ImprovementEdge] = strawberry.field(description="The improvements of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page is in the whole list.")


@strawberry.input(description="An improvement to announce: exactly one of aspect and theme.")
class AnnounceImprovementInput:
    aspect: str | None = strawberry.field(
        default=None,
        description="The key of the aspect improved, as the surveys ask about it (e.g. "
        "delivery_speed); a key no survey asks about is UNKNOWN_TOPIC.",
    )
    theme: str | None = strawberry.field(
        default=None,
        description="The comment theme improved, a word or two-word phrase of the comments "
        '(e.g. "checkout"), at most 100 characters; one no comment mentions is UNKNOWN_TOPIC.',
    )
    product_version: str = strawberry.field(
        description="The version that brings it: letters, digits and . _ + - (at most 64)."
    )
    message: str = strawberry.field(
        description="What changed, told to the customers: 1-2000 printable characters "
        "(paragraphs kept)."
    )
    improvement_id: UUID | None = strawberry.field(
        default=None,
        description="Client-chosen id; retrying with the same id writes nothing and answers "
        "the same.",
    )


@strawberry.type(description="Result of announceImprovement.")
class AnnounceImprovementPayload(Payload):
    improvement: Improvement | None = strawberry.field(
        description="The improvement as the dashboard shows it; null if refused, or if the "
        "read model did not show it in time (see notices)."
    )
    improvement_id: UUID | None = strawberry.field(
        default=None, description="The improvement announced; null if refused."
    )
    position: str | None = strawberry.field(
        description="Log position of the write; pass it as `atLeast` to read your write."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was written.")
    notices: list[Notice] = strawberry.field(default_factory=list, description=NOTICES)

    read_model = ImprovementImpact.name
