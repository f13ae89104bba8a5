"""The input of submitFeedback and the filter of the inbox."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from graphql_api.enums import FeedbackKind, SentimentBucket


@strawberry.input(description="Give feedback, logged in as a customer or anonymously.")
class SubmitFeedbackInput:
    kind: FeedbackKind = strawberry.field(
        description="Suggestion, complaint, compliment or question."
    )
    topic: str = strawberry.field(description="A lower-case slug of 1-64 characters, e.g. billing.")
    text: str = strawberry.field(description="1-5000 characters.")
    product_version: str | None = strawberry.field(
        default=None, description="The product version it is about (letters, digits, . _ + -)."
    )
    email: str | None = strawberry.field(
        default=None,
        description="Anonymous senders only (required then; a logged-in customer sending one "
        "gets INVALID_INPUT): where to reach them. Sealed as the person's own data.",
    )
    feedback_id: UUID | None = strawberry.field(
        default=None,
        description="Client-chosen id; retrying with it writes nothing and answers the same.",
    )


@strawberry.input(description="Which feedback to list; every field left out matches all.")
class FeedbackFilterInput:
    kind: FeedbackKind | None = strawberry.field(default=None, description="Of this kind.")
    topic: str | None = strawberry.field(default=None, description="About this topic slug.")
    sentiment: SentimentBucket | None = strawberry.field(
        default=None, description="Of this sentiment."
    )
    since: datetime | None = strawberry.field(
        default=None, name="from", description="Arrived at or after this moment."
    )
    until: datetime | None = strawberry.field(
        default=None, name="to", description="Arrived before this moment."
    )
