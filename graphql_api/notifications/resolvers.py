"""Resolvers of notifications: translate, delegate to the read model or the sender's retry."""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
import strawberry

from graphql_api.errors import UserError
from graphql_api.mutation import INPUT, Info
from graphql_api.notifications import types as t
from graphql_api.pagination import (
    AfterArgument,
    BeforeArgument,
    FirstArgument,
    LastArgument,
    connection,
    page_request,
)
from projections.outbox.deliveries import notification, notifications, notifications_newer

CURSOR_KIND = "notification"
MAX_ID = 2**63 - 1


async def notification_list(
    info: Info,
    filter: Annotated[  # noqa: A002 - the API's word
        t.NotificationFilter | None, strawberry.argument(description="What to list.")
    ] = None,
    first: FirstArgument = None,
    after: AfterArgument = None,
    last: LastArgument = None,
    before: BeforeArgument = None,
) -> t.NotificationConnection:
    request = page_request(CURSOR_KIND, first=first, after=after, last=last, before=before)
    chosen = filter or t.NotificationFilter()
    async with info.context.pool.connection() as conn:
        if request.backward:  # newest first: the items before a cursor are newer ones
            page = await notifications_newer(
                conn,
                status=chosen.status,
                kind=chosen.kind,
                customer_id=chosen.customer_id,
                last=request.size,
                after_id=request.cursor,
            )
        else:
            page = await notifications(
                conn,
                status=chosen.status,
                kind=chosen.kind,
                customer_id=chosen.customer_id,
                first=request.size,
                before_id=request.cursor,
            )
    return connection(
        t.NotificationConnection,
        t.NotificationEdge,
        CURSOR_KIND,
        page,
        t.NotificationType.of,
        after=after,
        position=lambda view: view.id,
        request=request,
    )


async def retry_notification(
    info: Info,
    input: Annotated[t.RetryNotificationInput, INPUT],  # noqa: A002
) -> t.RetryNotificationPayload:
    text = str(input.id)
    if not text.isascii() or not text.isdigit() or not 0 < int(text) <= MAX_ID:
        error = UserError(field=["input", "id"], code="INVALID_INPUT", message="not an id")
        return t.RetryNotificationPayload.refused([error])
    notification_id = int(text)
    retry = info.context.services.retry_notification
    if not await anyio.to_thread.run_sync(retry, notification_id):
        message = "no failed notification has this id"
        error = UserError(field=["input", "id"], code="NOTIFICATION_NOT_FAILED", message=message)
        return t.RetryNotificationPayload.refused([error])
    async with info.context.pool.connection() as conn:
        view = await notification(conn, notification_id)
    shown = None if view is None else t.NotificationType.of(view)
    return t.RetryNotificationPayload(notification=shown, user_errors=[])


async def register_webhook(
    info: Info,
    input: Annotated[t.RegisterWebhookInput, INPUT],  # noqa: A002
) -> t.RegisterWebhookPayload:
    register = info.context.services.register_webhook
    if register is None:
        error = UserError(field=None, code="WEBHOOKS_UNAVAILABLE", message="not on this server")
        return t.RegisterWebhookPayload.refused([error])
    kinds = [kind.value for kind in input.kinds]
    who = info.context.principal.actor_id
    try:
        made = await anyio.to_thread.run_sync(register, input.url, kinds, who)
    except ValueError as problem:
        error = UserError(field=["input"], code="INVALID_INPUT", message=str(problem))
        return t.RegisterWebhookPayload.refused([error])
    return t.RegisterWebhookPayload(
        webhook_id=strawberry.ID(str(made.id)), secret=made.secret, user_errors=[]
    )
