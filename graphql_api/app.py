"""The ASGI application: Starlette with `/graphql` (HTTP, and subscriptions over WebSocket),
`/health` (and its probes `/health/live` and `/health/ready`) and the pages a customer opens
from a message (`graphql_api.pages`); resources made in the lifespan, never at import."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import anyio
import anyio.to_thread
from psycopg_pool import AsyncConnectionPool
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.types import Receive, Scope, Send

from graphql_api.context import ApiServices
from graphql_api.cors import cors_middleware
from graphql_api.direct_route import DirectRoute, Endpoint
from graphql_api.graphiql import ASSETS_PATH, graphiql_assets
from graphql_api.health import health_endpoint, live_endpoint, ready_endpoint
from graphql_api.http import graphql_endpoint
from graphql_api.limits.rate import rate_limited
from graphql_api.live.notifications import DashboardNotifications
from graphql_api.live.websocket import LiveGraphQL
from graphql_api.metrics.endpoint import metrics_endpoint
from graphql_api.pages.dashboard.live import LIVE_PATH, DashboardLive
from graphql_api.pages.routes import page_routes
from graphql_api.position_watch import PositionWatch
from graphql_api.read_pool import read_pool
from graphql_api.request_log import RequestLog
from graphql_api.schema import build_schema
from projections.applied import AppliedPositions
from projections.row_cache import RowCache
from projections.surveys.projection import NOTIFY_CHANNEL, SurveyDashboard
from projections.tracking import position_async

LISTENER_START_TIMEOUT = 30.0
GRAPHQL_METHODS = frozenset({"GET", "POST"})
GRAPHQL_PATH = "/graphql"


def create_app(services: ApiServices) -> Api:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        pool = read_pool(
            services.read_conninfo or services.conninfo,
            services.pool_size,
            services.limits.database_timeout,
            services.prepared_statements,
        )
        await pool.open(wait=True, timeout=30)
        app.state.pool = pool
        # With a read replica, one connection to the primary tells live subscriptions how far
        # the standby must replay before it shows an announced change.
        primary = (
            read_pool(
                services.conninfo, 1, services.limits.database_timeout, services.prepared_statements
            )
            if services.read_conninfo
            else None
        )
        if primary is not None:
            await primary.open(wait=True, timeout=30)
        applied = news_for(services)
        app.state.positions = positions = PositionWatch(pool, applied=applied)
        read_cache, unwatch = kept_reads(applied, services.read_cache_entries)
        app.state.read_cache = read_cache
        services.metrics.kept_reads.source = None if read_cache is None else read_cache.counts
        notifications = DashboardNotifications(
            services.conninfo,
            NOTIFY_CHANNEL,
            source=services.listener,
            primary_position=None if primary is None else _dashboard_position(primary),
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
            positions.close()
            unwatch()
            await pool.close()
            if primary is not None:
                await primary.close()

    schema = build_schema(services.limits, tracing=services.tracer is not None)
    endpoint = rate_limited(graphql_endpoint, services.rate)
    cors = cors_middleware(services.web.cors_origins)
    app = Api(
        routes=[
            Route(GRAPHQL_PATH, endpoint, methods=sorted(GRAPHQL_METHODS)),
            WebSocketRoute("/graphql", LiveGraphQL(schema, services.limits)),
            WebSocketRoute(LIVE_PATH, DashboardLive(schema, services.limits)),
            Route("/health", health_endpoint, methods=["GET"]),
            Route("/health/live", live_endpoint, methods=["GET"]),
            Route("/health/ready", ready_endpoint, methods=["GET"]),
            *page_routes(services),
            Route("/metrics", metrics_endpoint, methods=["GET"]),
            Mount(ASSETS_PATH, graphiql_assets(), name="graphiql"),
            *services.extra_routes,
        ],
        lifespan=lifespan,
        middleware=[
            # One layer logs and counts each request (one dispatch, one wrapped send).
            Middleware(RequestLog, access=services.web.access_log, metrics=services.metrics),
            *cors,
            # Innermost: /graphql's requests without the router's search (the route below
            # still answers its other methods, and is what the router would have found).
            Middleware(DirectRoute, path=GRAPHQL_PATH, endpoint=endpoint, methods=GRAPHQL_METHODS),
        ],
    )
    app.state.services = services
    app.state.schema = schema
    if not cors:  # a CORS layer must see every request, so it keeps the stack
        app.answer_directly(
            RequestLog(app, access=services.web.access_log, metrics=services.metrics), endpoint
        )
    return app


class Api(Starlette):
    """Starlette that answers ``/graphql``'s GET and POST in one coroutine when told to.

    Such a request crossed Starlette's call, its server-error layer, ``RequestLog`` and
    ``DirectRoute``: four coroutines, and two wrapped ``send`` calls a message. With
    :meth:`answer_directly` it goes from here to ``RequestLog.answer``, which does what
    those layers did for it (ids, metrics, access line, the endpoint and its response,
    the server-error layer's 500). Every other request, and every request while none is
    set (CORS configured), takes the middleware stack as before."""

    _log: RequestLog | None = None
    _endpoint: Endpoint | None = None

    def answer_directly(self, log: RequestLog, endpoint: Endpoint) -> None:
        self._log, self._endpoint = log, endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        log, endpoint = self._log, self._endpoint
        if (
            log is not None
            and endpoint is not None
            and scope["type"] == "http"
            and scope["path"] == GRAPHQL_PATH
            and scope["method"] in GRAPHQL_METHODS
            and not scope.get("root_path")  # the router strips it before it matches
        ):
            scope["app"] = self
            await log.answer(scope, receive, send, endpoint)
            return
        await super().__call__(scope, receive, send)


def news_for(services: ApiServices) -> AppliedPositions | None:
    """The commits announced in this process, if the reads can trust them: not when they go
    to a read replica, where a position the primary committed may not be replayed yet (the
    waits poll the replica's own positions table then)."""
    return None if services.read_conninfo else services.applied


def _nothing_to_undo() -> None:
    pass


def kept_reads(
    applied: AppliedPositions | None, entries: int
) -> tuple[RowCache | None, Callable[[], None]]:
    """Reads kept while their read model's rows stand still, where this process knows when
    they change (``applied``: it applies them, and reads them from the database it applies
    them to), let go of as each count moves; and how to stop watching the counts."""
    if applied is None or entries <= 0:
        return None, _nothing_to_undo
    cache = RowCache(applied, entries)
    return cache, applied.watch_changes(cache.forget)


def _dashboard_position(primary: AsyncConnectionPool[Any]) -> Callable[[], Awaitable[int]]:
    async def position() -> int:
        async with primary.connection() as conn:
            return await position_async(conn, SurveyDashboard.name)

    return position
