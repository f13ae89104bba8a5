"""The GraphQL types of notifications and their delivery."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from graphql_api.enums import DeliveryStatus, NotificationKind
from graphql_api.errors import UserError
from graphql_api.mutation import Payload
from graphql_api.pagination import PageInfo
from projections.outbox.deliveries import NotificationView


@strawberry.type(
    name="Notification",
    description="A message owed to a person (a survey link, a password reset, ...) and its "
    "delivery. Never its address or token: they stay sealed in the event that caused it.",
)
class NotificationType:
    id: strawberry.ID = strawberry.field(description="The message's id (retryNotification).")
    kind: NotificationKind = strawberry.field(description="What the message is.")
    channel: str = strawberry.field(description="email, sms or push.")
    customer_id: UUID = strawberry.field(
        description="The customer it concerns (for a referral invitation, the referrer)."
    )
    created_at: datetime = strawberry.field(description="When it was queued.")
    status: DeliveryStatus = strawberry.field(description="Where its delivery stands.")
    attempts: int = strawberry.field(description="Tries so far.")
    last_error: str | None = strawberry.field(
        description="Why the last try failed (the SMTP server's answer, addresses taken out)."
    )
    next_attempt_at: datetime | None = strawberry.field(
        description="When it is tried next, while pending or sending."
    )
    sent_at: datetime | None = strawberry.field(description="When the server accepted it.")

    @classmethod
    def of(cls, view: NotificationView) -> NotificationType:
        return cls(
            id=strawberry.ID(str(view.id)),
            kind=view.kind,
            channel=view.channel,
            customer_id=view.customer_id,
            created_at=view.created_at,
            status=view.status,
            attempts=view.attempts,
            last_error=view.last_error,
            next_attempt_at=view.next_attempt_at,
            sent_at=view.sent_at,
        )


@strawberry.input(description="Which notifications to list; every field narrows.")
class NotificationFilter:
    status: DeliveryStatus | None = strawberry.field(default=None, description="Only these.")
    kind: NotificationKind | None = strawberry.field(default=None, description="Only this kind.")
    customer_id: UUID | None = strawberry.field(
        default=None, description="Only those concerning this customer."
    )


@strawberry.type(description="A notification in a page.")
class NotificationEdge:
    cursor: str = strawberry.field(description="Pass as `after` to read on from here.")
    node: NotificationType = strawberry.field(description="The notification.")


@strawberry.type(description="A page of notifications, newest first.")
class NotificationConnection:
    edges: list[NotificationEdge] = strawberry.field(description="This page's notifications.")
    page_info: PageInfo = strawberry.field(description="Where this page is in the list.")


@strawberry.input(description="Which failed notification to try again.")
class RetryNotificationInput:
    id: strawberry.ID = strawberry.field(description="The notification's id.")


@strawberry.type(description="Result of retryNotification.")
class RetryNotificationPayload(Payload):
    notification: NotificationType | None = strawberry.field(
        description="The notification, pending again; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why nothing was changed: NOTIFICATION_NOT_FAILED (unknown, or not failed), "
        "INVALID_INPUT (not an id)."
    )


@strawberry.input(description="An endpoint to POST notifications of some kinds to.")
class RegisterWebhookInput:
    url: str = strawberry.field(description="http:// or https:// URL, at most 2,000 characters.")
    kinds: list[NotificationKind] = strawberry.field(
        description="The kinds of notification to post (at least one)."
    )


@strawberry.type(description="Result of registerWebhook.")
class RegisterWebhookPayload(Payload):
    webhook_id: strawberry.ID | None = strawberry.field(description="The endpoint's id.")
    secret: str | None = strawberry.field(
        description="The secret that signs every body (X-CXL-Signature: sha256=HMAC-SHA256 of "
        '"<X-CXL-Timestamp>.<body>"). Shown only here, once: keep it.'
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why nothing was registered: INVALID_INPUT (url or kinds)."
    )
