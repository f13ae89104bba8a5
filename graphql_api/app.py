"""The ASGI application: Starlette with `/graphql` and `/health`; resources made in the
lifespan, never at import."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import anyio.to_thread
from psycopg_pool import AsyncConnectionPool
from starlette.applications import Starlette
from starlette.routing import Route

from graphql_api.context import ApiServices
from graphql_api.health import health_endpoint
from graphql_api.http import graphql_endpoint
from graphql_api.schema import build_schema


def create_app(services: ApiServices) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        pool: AsyncConnectionPool = AsyncConnectionPool(
            services.conninfo, min_size=1, max_size=services.pool_size, open=False
        )
        await pool.open(wait=True, timeout=30)
        app.state.pool = pool
        await anyio.to_thread.run_sync(services.on_start)
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(services.on_stop)
            await pool.close()

    app = Starlette(
        routes=[
            Route("/graphql", graphql_endpoint, methods=["GET", "POST"]),
            Route("/health", health_endpoint, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.schema = build_schema(services.limits)
    return app
