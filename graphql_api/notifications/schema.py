"""Notifications' query and mutation, with who may use each: agents and admins see the
messages and their delivery (never an address or a token); admins retry a failed one."""

from __future__ import annotations

import strawberry

from domain.shared.metadata import Role
from graphql_api.notifications import resolvers
from graphql_api.notifications.types import (
    NotificationConnection,
    RegisterWebhookPayload,
    RetryNotificationPayload,
)
from graphql_api.permissions import STAFF, allowed


@strawberry.type(description="Messages owed to people, and their delivery.")
class NotificationQueries:
    notifications: NotificationConnection = strawberry.field(
        resolver=resolvers.notification_list,
        description="Messages owed to people (survey links, password resets, referral "
        "invitations, ...), newest first, with their delivery: status, tries, last error. "
        "Never an address or a token. Agents and admins.",
        extensions=allowed(STAFF),
    )


@strawberry.type(description="What staff may do about a message's delivery.")
class NotificationMutations:
    retry_notification: RetryNotificationPayload = strawberry.field(
        resolver=resolvers.retry_notification,
        description="Give a failed message a fresh set of tries, from now. Admins. Refused with "
        "NOTIFICATION_NOT_FAILED when no failed message has this id.",
        extensions=allowed(Role.ADMIN),
    )
    register_webhook: RegisterWebhookPayload = strawberry.field(
        resolver=resolvers.register_webhook,
        description="Register an endpoint that every new notification of the given kinds is "
        "POSTed to as JSON (id, kind, channel, customerId, createdAt; never an address or a "
        "token), signed with HMAC-SHA256 over the timestamp and the body, retried with backoff. "
        "Admins. Refused with INVALID_INPUT.",
        extensions=allowed(Role.ADMIN),
    )
