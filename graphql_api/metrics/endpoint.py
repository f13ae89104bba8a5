"""`GET /metrics`: who may read it, and the figures read from the database at each scrape.

Who: with CXL_METRICS_TOKEN set, a caller sending ``Authorization: Bearer <that token>``;
unset, only a caller on this machine's loopback that came through no proxy (a request with
``X-Forwarded-For`` or ``Forwarded`` is refused: a reverse proxy on the same host would make
every visitor look local).
"""

from __future__ import annotations

import hmac
import logging

import anyio.to_thread
import psycopg
from eventsourcing.persistence import PersistenceError
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from psycopg_pool import AsyncConnectionPool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from graphql_api.context import ApiServices
from graphql_api.loopback import is_local_caller
from graphql_api.metrics.registry import ApiMetrics
from projections.outbox.queries import pending_count
from projections.registry import ALL_PROJECTIONS
from projections.tracking import all_positions_async

log = logging.getLogger(__name__)

SCRAPE_DB_TIMEOUT = 2.0


async def metrics_endpoint(request: Request) -> Response:
    services: ApiServices = request.app.state.services
    refusal = _refusal(request, services.web.metrics_token)
    if refusal is not None:
        return refusal
    metrics = services.metrics
    pool: AsyncConnectionPool = request.app.state.pool
    _pool_figures(metrics, pool)
    await _database_figures(metrics, pool, services)
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)


def _refusal(request: Request, token: str | None) -> Response | None:
    if token is not None:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token):
            return None
        return PlainTextResponse(
            "send Authorization: Bearer <CXL_METRICS_TOKEN>",
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    if is_local_caller(request):
        return None
    return PlainTextResponse(
        "metrics are served to loopback callers only; set CXL_METRICS_TOKEN to read them "
        "from elsewhere",
        status_code=403,
    )


def _pool_figures(metrics: ApiMetrics, pool: AsyncConnectionPool) -> None:
    stats = pool.get_stats()
    metrics.read_pool.labels("size").set(stats.get("pool_size", 0))
    metrics.read_pool.labels("max").set(stats.get("pool_max", pool.max_size))
    metrics.read_pool.labels("idle").set(stats.get("pool_available", 0))
    metrics.read_pool.labels("waiting").set(stats.get("requests_waiting", 0))


async def _database_figures(
    metrics: ApiMetrics, pool: AsyncConnectionPool, services: ApiServices
) -> None:
    """Head, each read model's position and lag, and the outbox backlog; a database out of
    reach leaves the older values and counts a scrape error (the scrape itself still answers,
    so the process's own counters stay visible)."""
    try:
        async with pool.connection(timeout=SCRAPE_DB_TIMEOUT) as conn:
            positions = await all_positions_async(conn)
            pending = await pending_count(conn)
        head = await anyio.to_thread.run_sync(services.ledger.head_position)
    except (psycopg.Error, PersistenceError, OSError, TimeoutError) as error:
        log.warning("metrics: database figures unavailable (%s)", type(error).__name__)
        metrics.scrape_errors.inc()
        return
    metrics.log_head.set(head)
    metrics.outbox_pending.set(pending)
    for projection in ALL_PROJECTIONS:
        position = positions.get(projection.name, 0)
        metrics.projection_position.labels(projection.name).set(position)
        metrics.projection_lag.labels(projection.name).set(max(0, head - position))
