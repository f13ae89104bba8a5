"""Feedback as staff read it: the text, the anonymous sender's email and the themes (the
person's words) only for roles that see personal data; kind, topic, sentiment and times for
every staff reader."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from graphql_api.auth import PERSONAL_DATA_ROLES
from graphql_api.context import RequestContext
from graphql_api.enums import FeedbackKind, SentimentBucket
from graphql_api.pagination import PageInfo
from projections.feedback.views import FeedbackRow

Info = strawberry.Info[RequestContext, None]
PERSONAL = "Agents, admins and privacy officers; null for other roles and once erased."


@strawberry.type(name="Feedback", description="One piece of feedback given outside a survey.")
class FeedbackType:
    row: strawberry.Private[FeedbackRow]

    @strawberry.field(description="Its id.")
    def id(self) -> UUID:
        return self.row.feedback_id

    @strawberry.field(description="Its kind.")
    def kind(self) -> FeedbackKind:
        return FeedbackKind(self.row.kind)

    @strawberry.field(description="Its topic slug, e.g. billing.")
    def topic(self) -> str:
        return self.row.topic

    @strawberry.field(description=f"What the person wrote. {PERSONAL}")
    def text(self, info: Info) -> str | None:
        return self.row.text if _personal(info) else None

    @strawberry.field(description=f"An anonymous sender's email (null for a customer). {PERSONAL}")
    def email(self, info: Info) -> str | None:
        return self.row.email if _personal(info) else None

    @strawberry.field(description="The customer who sent it; null when sent anonymously.")
    def customer_id(self) -> UUID | None:
        return self.row.customer_id

    @strawberry.field(description="The product version it is about, if given.")
    def product_version(self) -> str | None:
        return self.row.product_version

    @strawberry.field(description="VADER compound score of the text, -1 to 1 (kept after erasure).")
    def sentiment_score(self) -> float:
        return self.row.sentiment

    @strawberry.field(description="The score's bucket.")
    def sentiment(self) -> SentimentBucket:
        return SentimentBucket(self.row.sentiment_bucket)

    @strawberry.field(
        description=f"Its themes: the content words and two-word phrases of the text, as survey "
        f"comments' are found. {PERSONAL}"
    )
    def themes(self, info: Info) -> list[str] | None:
        return list(self.row.themes) if _personal(info) else None

    @strawberry.field(description="The ticket a customer's complaint opened.")
    def ticket_id(self) -> UUID | None:
        return self.row.ticket_id

    @strawberry.field(description="When it arrived.")
    def submitted_at(self) -> datetime:
        return self.row.submitted_at


def _personal(info: Info) -> bool:
    return info.context.principal.role in PERSONAL_DATA_ROLES


@strawberry.type(description="One piece of feedback and its cursor.")
class FeedbackEdge:
    cursor: str = strawberry.field(description="Opaque cursor of this item.")
    node: FeedbackType = strawberry.field(description="The feedback.")


@strawberry.type(description="A page of feedback, newest first.")
class FeedbackConnection:
    edges: list[FeedbackEdge] = strawberry.field(description="The feedback of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page is in the whole list.")
    total_count: int = strawberry.field(description="How much feedback matches the filter.")
