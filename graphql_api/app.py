"""The ASGI application: Starlette with `/graphql` (HTTP, and subscriptions over WebSocket)
and `/health`; resources made in the lifespan, never at import."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import anyio
import anyio.to_thread
from starlette.applications import Starlette
from starlette.routing import Route, WebSocketRoute

from graphql_api.context import ApiServices
from graphql_api.health import health_endpoint
from graphql_api.http import graphql_endpoint
from graphql_api.limits.rate import rate_limited
from graphql_api.live.notifications import DashboardNotifications
from graphql_api.live.websocket import LiveGraphQL
from graphql_api.read_pool import read_pool
from graphql_api.schema import build_schema
from projections.surveys.projection import NOTIFY_CHANNEL

LISTENER_START_TIMEOUT = 30.0


def create_app(services: ApiServices) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        pool = read_pool(
            services.conninfo,
            services.pool_size,
            services.limits.database_timeout,
            services.prepared_statements,
        )
        await pool.open(wait=True, timeout=30)
        app.state.pool = pool
        notifications = DashboardNotifications(
            services.conninfo, NOTIFY_CHANNEL, source=services.listener
        )
        app.state.notifications = notifications
        await anyio.to_thread.run_sync(services.on_start)
        try:
            async with anyio.create_task_group() as tasks:
                with anyio.fail_after(LISTENER_START_TIMEOUT):
                    await tasks.start(notifications.run)
                yield
                tasks.cancel_scope.cancel()
        finally:
            await anyio.to_thread.run_sync(services.on_stop)
            await pool.close()

    schema = build_schema(services.limits)
    endpoint = rate_limited(graphql_endpoint, services.rate)
    app = Starlette(
        routes=[
            Route("/graphql", endpoint, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", LiveGraphQL(schema, services.limits)),
            Route("/health", health_endpoint, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.schema = schema
    return app
